package org.otp4j.behaviours;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.otp4j.core.CallException;
import org.otp4j.core.ExitReason;
import org.otp4j.core.From;
import org.otp4j.core.Name;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;

class GenServerSmokeTest {

  static final class Counter extends GenServer<Integer, Counter.Msg> {
    sealed interface Msg {
      record Get() implements Msg {}

      record Bump(int by) implements Msg {}
    }

    private final int initial;

    Counter(int initial) {
      this.initial = initial;
    }

    @Override
    protected Init<Integer> init() {
      return Init.ok(initial);
    }

    @Override
    protected CallResult<Integer> handleCall(Msg msg, From from, Integer n) {
      return switch (msg) {
        case Msg.Get get -> reply(n, n);
        case Msg.Bump(int by) -> reply(n + by, n + by);
      };
    }

    @Override
    protected CastResult<Integer> handleCast(Msg msg, Integer n) {
      return switch (msg) {
        case Msg.Bump(int by) -> noReply(n + by);
        case Msg.Get get -> noReply(n);
      };
    }
  }

  @Test
  void callCastStopFromAPlainThread() {
    try (Node node = Node.start()) {
      node.run(() -> {
        Pid counter = GenServer.start(Name.local("counter"), new Counter(10)).pid();
        int v = (int) GenServer.call(Name.local("counter"), new Counter.Msg.Bump(5));
        assertThat(v).isEqualTo(15);
        GenServer.cast(counter, new Counter.Msg.Bump(1));
        int w = (int) GenServer.call(counter, new Counter.Msg.Get());
        assertThat(w).isEqualTo(16);
        assertThat((Integer) Sys.getState(counter)).isEqualTo(16);
        GenServer.stop(counter);
        assertThat(Proc.isAlive(counter)).isFalse();
        assertThatThrownBy(() -> GenServer.call(counter, new Counter.Msg.Get()))
            .isInstanceOf(CallException.class)
            .satisfies(e -> assertThat(((CallException) e).reason()).isEqualTo(ExitReason.NOPROC))
            .hasMessageContaining("GenServer.call");
      });
    }
  }

  @Test
  void callTimeoutThenNoLateReply() {
    try (Node node = Node.start()) {
      node.run(() -> {
        CountDownLatch gate = new CountDownLatch(1);
        Pid slow = GenServer.start(new GenServer<Integer, String>() {
          @Override
          protected Init<Integer> init() {
            return Init.ok(0);
          }

          @Override
          protected CallResult<Integer> handleCall(String req, From from, Integer s) throws InterruptedException {
            gate.await(10, TimeUnit.SECONDS); // replies only once the caller has given up
            return reply("late", s);
          }
        }).pid();
        assertThatThrownBy(() -> GenServer.call(slow, "x", Duration.ofMillis(50)))
            .isInstanceOf(CallException.class)
            .satisfies(e -> assertThat(((CallException) e).reason()).isEqualTo(ExitReason.TIMEOUT));
        gate.countDown();
        GenServer.stop(slow);
      });
    }
  }
}
