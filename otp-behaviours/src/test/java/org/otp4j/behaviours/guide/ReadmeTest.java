package org.otp4j.behaviours.guide;

import static org.assertj.core.api.Assertions.assertThat;
import static org.otp4j.behaviours.guide.GuideTestKit.exitReason;

import java.util.function.Consumer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.otp4j.behaviours.GenServer;
import org.otp4j.behaviours.Supervisor;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Inbox;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;

@DisplayName("The README's examples")
class ReadmeTest {

  private static void onNode(Consumer<Inbox> test) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> test.accept(inbox));
    }
  }

  @Test
  @DisplayName("the counter starts under a supervisor, is bumped by name, and comes back from 0 after a crash")
  void counter() {
    onNode(inbox -> {
      Readme.CounterRun run = Readme.counter();
      assertThat(run.bumped()).isEqualTo(5);
      assertThat(Counter.bump(2)).isEqualTo(7);
      assertThat(GenServer.call(Counter.NAME, new Counter.Msg.Get())).isEqualTo(7);
      Pid first = Counter.NAME.pid();
      Proc.exit(first, ExitReason.of("boom"));
      assertThat(exitReason(first)).isEqualTo(ExitReason.of("boom"));
      // the restarted counter is registered again under the name; calls by name reach it
      GuideTestKit.await().until(() -> Proc.whereis(Counter.NAME).filter(p -> !p.equals(first)).isPresent());
      assertThat(Counter.bump(1)).isEqualTo(1);
      Supervisor.stop(run.supervisor());
      assertThat(Proc.whereis(Counter.NAME)).isEmpty();
    });
  }

  @Test
  @DisplayName("the echo process answers a ping with pong")
  void echo() {
    onNode(inbox -> {
      Pid echo = Readme.echo();
      inbox.send(echo, new Readme.Ping(inbox.pid()));
      assertThat(GuideTestKit.next(inbox)).isEqualTo("pong");
      Proc.exit(echo, ExitReason.KILL);
    });
  }
}
