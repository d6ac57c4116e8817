package org.otp4j.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.otp4j.behaviours.GenServer;
import org.otp4j.core.CallException;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.core.Ref;

@DisplayName("Probe: a process the test drives from its own thread")
@ExtendWith(OtpExtension.class)
class ProbeTest {
  private static final Duration SHORT = Duration.ofMillis(50);

  record Ping(Pid from) {}

  record Get(String key) {}

  @Test
  @DisplayName("expectMessage by type, value and predicate; messages it skips stay, in order")
  void expectMessage(Node node, Probe probe) {
    Pid me = probe.pid();
    node.spawn(() -> {
      Proc.send(me, "one");
      Proc.send(me, 2);
      Proc.send(me, "three");
    });
    assertThat(probe.expectMessage(Integer.class)).isEqualTo(2);
    assertThat(probe.expectMessage("three")).isEqualTo("three");
    assertThat(probe.expectMessage(m -> m instanceof String s && s.startsWith("o"))).isEqualTo("one");
    probe.expectNoMessage();
  }

  @Test
  @DisplayName("A failed expectation says what was expected and lists what the probe held")
  void failureListsMailbox(Probe probe) {
    probe.send(probe.pid(), "hello");
    probe.send(probe.pid(), 42);
    assertThatThrownBy(() -> probe.expectMessage(Double.class, SHORT))
        .isInstanceOf(AssertionError.class)
        .hasMessage("expected a java.lang.Double in probe " + probe.pid() + " within 50 ms, its mailbox holds 2:"
            + "\n  hello\n  42");
    assertThatThrownBy(() -> probe.expectMessage("bye", SHORT)).isInstanceOf(AssertionError.class)
        .hasMessageContaining("expected a message equal to bye").hasMessageContaining("holds 2");
    assertThat(probe.messages()).containsExactly("hello", 42);
  }

  @Test
  @DisplayName("expectNoMessage fails on a message already there or one that comes in time")
  void expectNoMessage(Node node, Probe probe) {
    probe.expectNoMessage(SHORT);
    probe.send(probe.pid(), "early");
    assertThatThrownBy(() -> probe.expectNoMessage(SHORT)).isInstanceOf(AssertionError.class)
        .hasMessageContaining("expected no message").hasMessageContaining("holds 1:\n  early");
    assertThat(probe.expectMessage("early")).isEqualTo("early");

    Pid me = probe.pid();
    Ref go = Proc.makeRef();
    Pid late = node.spawn(() -> {
      Proc.receive(go::equals);
      Proc.send(me, "late");
    });
    probe.send(late, go);
    assertThatThrownBy(() -> probe.expectNoMessage(Duration.ofSeconds(5))).isInstanceOf(AssertionError.class)
        .hasMessageContaining("late");
  }

  @Test
  @DisplayName("G: the probe stands in for a server: a GenServer.call reaches it and the test replies")
  void answersCalls(Node node, Probe probe) {
    Pid client = node.spawn(() -> {
      Object answer = GenServer.call(probe.pid(), new Get("colour"));
      Proc.send(probe.pid(), "got " + answer);
    });
    Probe.ReceivedCall<Get> call = probe.expectCall(Get.class);
    assertThat(call.request()).isEqualTo(new Get("colour"));
    assertThat(call.from().caller()).contains(client);
    assertThat(call.reply("blue")).isTrue();
    assertThat(probe.expectMessage(String.class)).isEqualTo("got blue");

    GenServer.cast(probe.pid(), new Get("size"));
    assertThat(probe.expectCast(Get.class)).isEqualTo(new Get("size"));
  }

  @Test
  @DisplayName("A call the test does not answer times out for its caller; a late reply is refused")
  void unansweredCall(Node node, Probe probe) {
    Pid client = node.spawn(() -> {
      try {
        GenServer.call(probe.pid(), new Get("x"), Duration.ofMillis(20));
      } catch (CallException e) {
        Proc.send(probe.pid(), e.reason());
      }
    });
    Probe.ReceivedCall<Get> call = probe.expectCall(Get.class);
    assertThat(probe.expectMessage(ExitReason.class)).isEqualTo(ExitReason.TIMEOUT);
    assertThat(call.reply("too late")).isFalse();
    assertThat(Proc.awaitExit(client, Probe.DEFAULT_WAIT)).contains(ExitReason.NORMAL);
  }

  @Test
  @DisplayName("expectCall fails on a plain message, listing it")
  void expectCallFails(Probe probe) {
    probe.send(probe.pid(), new Get("not a call"));
    assertThatThrownBy(() -> probe.expectCall(Get.class, SHORT)).isInstanceOf(AssertionError.class)
        .hasMessageContaining("expected a call with a " + Get.class.getName() + " request")
        .hasMessageContaining("Get[key=not a call]");
  }

  @Test
  @DisplayName("Links and monitors: the probe traps exits, so a linked crash arrives as a message")
  void linksAndMonitors(Node node, Probe probe, Reports reports) {
    Pid doomed = node.spawn(() -> {
      Proc.receive();
      throw new IllegalStateException("asked to");
    });
    probe.link(doomed);
    Ref ref = probe.monitor(doomed);
    probe.send(doomed, "die");
    assertThat(probe.expectExit(doomed)).isInstanceOf(ExitReason.Crash.class);
    assertThat(probe.expectDown(ref)).isInstanceOf(ExitReason.Crash.class);
    assertThat(probe.isAlive()).isTrue();
    reports.expectCrash(doomed);

    Pid quiet = node.spawn(() -> Proc.receive());
    probe.monitor(quiet);
    probe.exit(quiet, ExitReason.KILL);
    assertThat(probe.expectDown(quiet)).isEqualTo(ExitReason.KILLED);
    assertThatThrownBy(() -> probe.expectExit(quiet, SHORT)).isInstanceOf(AssertionError.class)
        .hasMessageContaining("expected an exit signal from " + quiet);
  }

  @Test
  @DisplayName("Bad arguments are refused by name")
  void badArguments(Probe probe) {
    assertThatThrownBy(() -> probe.receive(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cannot be negative");
    assertThatThrownBy(() -> probe.expectMessage((Class<?>) null)).isInstanceOf(NullPointerException.class)
        .hasMessageContaining("type");
  }
}
