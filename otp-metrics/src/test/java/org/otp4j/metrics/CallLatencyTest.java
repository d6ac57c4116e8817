package org.otp4j.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.otp4j.behaviours.GenServer;
import org.otp4j.core.Call;
import org.otp4j.core.CallException;
import org.otp4j.core.ExitReason;
import org.otp4j.core.From;
import org.otp4j.core.Node;
import org.otp4j.core.Proc;
import org.otp4j.core.ServerRef;
import org.otp4j.testkit.OtpExtension;
import org.otp4j.testkit.Reports;

/** CallLatency: calls timed only through it, by outcome, from plain threads and processes. */
@DisplayName("OtpMetrics.callLatency: opt-in call timing per server")
@ExtendWith(OtpExtension.class)
class CallLatencyTest {

  /** A counter that can also be asked to wait longer than its caller does, or to crash. */
  static final class Counter extends GenServer<Integer, Counter.Msg> {
    sealed interface Msg {}

    record Bump(int by) implements Msg, Call<Integer> {}

    record Stall(Duration time) implements Msg, Call<Integer> {}

    record Crash() implements Msg, Call<Integer> {}

    static int bump(ServerRef<Msg> counter, int by) {
      return GenServer.call(counter, new Bump(by));
    }

    @Override
    protected Init<Integer> init() {
      return Init.ok(0);
    }

    @Override
    protected CallResult<Integer> handleCall(Msg msg, From from, Integer n) {
      return switch (msg) {
        case Bump bump -> reply(bump, n + bump.by(), n + bump.by());
        case Stall stall -> {
          Proc.receive(m -> false, stall.time());
          yield reply(stall, n, n);
        }
        case Crash crash -> throw new IllegalStateException("asked to crash");
      };
    }
  }

  static Timer timer(MeterRegistry registry, String outcome) {
    return registry.get(CallLatency.NAME).tag("server", "counter").tag("outcome", outcome).timer();
  }

  @Test
  @DisplayName("calls through it are timed as ok, from a plain thread and from a process; others are not")
  void latency(Node node) {
    MeterRegistry registry = new SimpleMeterRegistry();
    ServerRef<Counter.Msg> counter = GenServer.startLink(new Counter());
    // region: latency
    CallLatency latency = OtpMetrics.callLatency(registry, "counter");
    int n = latency.call(counter, new Counter.Bump(2));     // a GenServer call, timed
    int m = latency.time(() -> Counter.bump(counter, 3));   // or any client function
    // endregion: latency
    assertThat(n).isEqualTo(2);
    assertThat(m).isEqualTo(5);
    assertThat(timer(registry, "ok").count()).isEqualTo(2);
    assertThat(timer(registry, "ok").totalTime(TimeUnit.NANOSECONDS)).isPositive();

    Counter.bump(counter, 1); // not through it: not timed
    assertThat(timer(registry, "ok").count()).isEqualTo(2);

    var done = node.spawn(() -> latency.call(counter, new Counter.Bump(1)));
    assertThat(Proc.awaitExit(done, Duration.ofSeconds(10))).contains(ExitReason.NORMAL);
    assertThat(timer(registry, "ok").count()).isEqualTo(3);
    GenServer.stop(counter.pid());
  }

  @Test
  @DisplayName("a failed call is timed under its outcome, and its exception goes on unchanged")
  void failures(Reports reports) {
    MeterRegistry registry = new SimpleMeterRegistry();
    CallLatency latency = OtpMetrics.callLatency(registry, "counter");
    ServerRef<Counter.Msg> counter = GenServer.start(new Counter());

    assertThatThrownBy(() -> latency.time(() -> GenServer.call(counter, new Counter.Stall(Duration.ofMillis(200)),
        Duration.ofMillis(20))))
        .isInstanceOfSatisfying(CallException.class, e -> assertThat(e.reason()).isEqualTo(ExitReason.TIMEOUT));
    assertThat(timer(registry, "timeout").count()).isEqualTo(1);

    assertThatThrownBy(() -> latency.call(counter, new Counter.Crash()))
        .isInstanceOf(CallException.class);
    assertThat(timer(registry, "exit").count()).isEqualTo(1);

    assertThatThrownBy(() -> latency.call(counter, new Counter.Bump(1)))
        .isInstanceOfSatisfying(CallException.class, e -> assertThat(e.reason()).isEqualTo(ExitReason.NOPROC));
    assertThat(timer(registry, "noproc").count()).isEqualTo(1);

    IllegalArgumentException other = new IllegalArgumentException("not a call");
    assertThatThrownBy(() -> latency.time(() -> {
      throw other;
    })).isSameAs(other);
    assertThat(timer(registry, "error").count()).isEqualTo(1);
    assertThat(timer(registry, "ok").count()).isZero();

    reports.expect("a report of the counter's crash", r -> r.text().contains("asked to crash"));
  }

  @Test
  @DisplayName("bad input: a blank server name, nulls")
  void badInput() {
    MeterRegistry registry = new SimpleMeterRegistry();
    assertThatThrownBy(() -> OtpMetrics.callLatency(registry, " ")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("serverName must name the server");
    assertThatThrownBy(() -> OtpMetrics.callLatency(null, "x")).isInstanceOf(NullPointerException.class)
        .hasMessage("registry");
    assertThatThrownBy(() -> OtpMetrics.callLatency(registry, "x").time(null))
        .isInstanceOf(NullPointerException.class).hasMessage("call");
    assertThat(registry.find(CallLatency.NAME).timers()).extracting(t -> t.getId().getTag("server")).containsOnly("x");
  }
}
