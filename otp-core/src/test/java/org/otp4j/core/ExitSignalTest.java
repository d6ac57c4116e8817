package org.otp4j.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.otp4j.core.TestSupport.exitReason;
import static org.otp4j.core.TestSupport.next;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("exit(Pid, Reason): the receive table (P6-P10)")
class ExitSignalTest {
  private static final ExitReason BOOM = ExitReason.of("boom");

  /** What a message forwarded by the target looks like to the test. */
  record Forwarded(Object message) {}

  /** A process that forwards every message it receives to {@code observer}. */
  private static Proc.Body forwardTo(Pid observer) {
    return () -> {
      while (true) {
        Proc.send(observer, new Forwarded(Proc.receive()));
      }
    };
  }

  /**
   * The table of REFMAN "Receiving Exit Signals", for a signal sent by another process: null as
   * the expected exit means the target survives; a non-null message is what it receives.
   */
  static Stream<Arguments> table() {
    return Stream.of(
        Arguments.of(ExitReason.KILL, true, ExitReason.KILLED, null),
        Arguments.of(ExitReason.KILL, false, ExitReason.KILLED, null),
        Arguments.of(ExitReason.NORMAL, true, null, ExitReason.NORMAL),
        Arguments.of(ExitReason.NORMAL, false, null, null),
        Arguments.of(BOOM, true, null, BOOM),
        Arguments.of(BOOM, false, BOOM, null),
        Arguments.of(ExitReason.KILLED, true, null, ExitReason.KILLED),
        Arguments.of(ExitReason.KILLED, false, ExitReason.KILLED, null));
  }

  @ParameterizedTest(name = "exit(P, {0}), P traps exits: {1} -> dies with {2}, receives EXIT {3}")
  @MethodSource("table")
  @DisplayName("P6b/P7/P8: exit(P, R) sent by another process")
  void exitSignalFromAnotherProcess(ExitReason reason, boolean trapping, ExitReason dies, ExitReason exitMessage) {
    try (Node node = Node.start(); Inbox observer = node.openInbox(); Inbox sender = node.openInbox()) {
      Pid target = node.spawn(SpawnOptions.defaults().withTrapExits(trapping), forwardTo(observer.pid()));

      sender.exit(target, reason);
      sender.send(target, "fence"); // same sender: arrives after anything the exit signal produced

      if (dies != null) {
        assertThat(exitReason(target)).isEqualTo(dies);
        assertThat(Proc.isAlive(target)).isFalse();
        return;
      }
      if (exitMessage != null) {
        assertThat(next(observer)).isEqualTo(new Forwarded(new ExitMessage(sender.pid(), exitMessage)));
      }
      assertThat(next(observer)).isEqualTo(new Forwarded("fence"));
      assertThat(Proc.isAlive(target)).isTrue();
    }
  }

  @Test
  @DisplayName("P6b (5): exit(other, normal) on a non-trapping process has no effect")
  void exitNormalOnANonTrappingOtherIsIgnored() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid me = inbox.pid();
      Pid target = node.spawn(forwardTo(me));
      Pid sender = node.spawn(() -> {
        Proc.exit(target, ExitReason.NORMAL);
        Proc.send(target, "after");
      });

      assertThat(exitReason(sender)).isEqualTo(ExitReason.NORMAL);
      assertThat(next(inbox)).isEqualTo(new Forwarded("after"));
      assertThat(Proc.isAlive(target)).isTrue();
      Proc.exit(target, ExitReason.NORMAL); // from a plain thread too
      assertThat(Proc.isAlive(target)).isTrue();
    }
  }

  @Test
  @DisplayName("P7c/P9 (5): exit(self(), normal) without trapping terminates the process with normal")
  void exitSelfNormalWithoutTrapping() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid me = inbox.pid();
      Pid p = node.spawn(() -> {
        try {
          Proc.exit(Proc.self(), ExitReason.NORMAL);
          Proc.send(me, "still running");
        } catch (ProcessTerminated e) {
          Proc.send(me, "unwound");
          throw e;
        }
      });

      assertThat(exitReason(p)).isEqualTo(ExitReason.NORMAL);
      assertThat(inbox.flush()).as("a terminated process cannot send").isEmpty();
    }
  }

  @Test
  @DisplayName("P9 (5): exit(self(), normal) while trapping delivers ExitMessage(self, normal) and the process goes on")
  void exitSelfNormalWhileTrapping() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid me = inbox.pid();
      Pid p = node.spawn(() -> {
        Proc.trapExits(true);
        Proc.exit(Proc.self(), ExitReason.NORMAL);
        Proc.send(me, Proc.receive());
        Proc.send(me, "still running");
        TestSupport.idle();
      });

      assertThat(next(inbox)).isEqualTo(new ExitMessage(p, ExitReason.NORMAL));
      assertThat(next(inbox)).isEqualTo("still running");
      assertThat(Proc.isAlive(p)).isTrue();
    }
  }

  @ParameterizedTest(name = "trapping: {0}")
  @ValueSource(booleans = {true, false})
  @DisplayName("P7a: exit(self(), kill) terminates the process with killed, trapping or not")
  void exitSelfKill(boolean trapping) {
    try (Node node = Node.start()) {
      Pid p = node.spawn(SpawnOptions.defaults().withTrapExits(trapping), () -> {
        Proc.exit(Proc.self(), ExitReason.KILL);
        TestSupport.idle();
      });

      assertThat(exitReason(p)).isEqualTo(ExitReason.KILLED);
    }
  }

  @Test
  @DisplayName("P7b: exit(self(), boom) without trapping terminates the process with boom")
  void exitSelfWithAReason() {
    try (Node node = Node.start()) {
      Pid p = node.spawn(() -> {
        Proc.exit(Proc.self(), BOOM);
        TestSupport.idle();
      });

      assertThat(exitReason(p)).isEqualTo(BOOM);
    }
  }

  @Test
  @DisplayName("P10: exit(Pid, R) on a dead pid never fails, from a process or a plain thread")
  void exitToADeadPid() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid me = inbox.pid();
      Pid dead = node.spawn(() -> {});
      exitReason(dead);

      Proc.exit(dead, BOOM);
      Proc.exit(dead, ExitReason.KILL);
      inbox.exit(dead, BOOM);
      Pid p = node.spawn(() -> {
        Proc.exit(dead, ExitReason.KILL);
        Proc.send(me, "done");
      });

      assertThat(next(inbox)).isEqualTo("done");
      assertThat(exitReason(p)).isEqualTo(ExitReason.NORMAL);
      assertThat(exitReason(dead)).isEqualTo(ExitReason.NORMAL);
    }
  }

  @Test
  @DisplayName("P8: an exit signal sent from a plain thread arrives from the node's root pid")
  void exitFromAPlainThreadComesFromTheRootPid() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      inbox.trapExits(true);

      Proc.exit(inbox.pid(), BOOM);

      ExitMessage exit = next(inbox, ExitMessage.class);
      assertThat(exit.reason()).isEqualTo(BOOM);
      assertThat(exit.from()).isNotEqualTo(inbox.pid());
      assertThat(exit.from().node()).isSameAs(node);
      assertThat(exit.from().toString()).isEqualTo("<" + node.index() + ".0.0>");
      assertThat(inbox.isAlive()).isTrue();
    }
  }

  @Test
  @DisplayName("P7b: an inbox that does not trap is terminated by an exit signal; its methods then throw")
  void inboxTerminatedByAnExitSignal() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Proc.exit(inbox.pid(), BOOM);

      assertThat(inbox.isAlive()).isFalse();
      assertThat(exitReason(inbox.pid())).isEqualTo(BOOM);
      assertThatThrownBy(inbox::receive)
          .isInstanceOf(ProcessTerminated.class)
          .hasMessageContaining("has terminated (reason: boom)");
      assertThatThrownBy(() -> inbox.send(inbox.pid(), "x")).isInstanceOf(ProcessTerminated.class);
    }
  }

  @Test
  @DisplayName("Exit reasons: of() keeps a reason, wraps a throwable as a crash, anything else as a custom term")
  void exitReasonFactories() {
    IllegalStateException error = new IllegalStateException("x");

    assertThat(ExitReason.of(ExitReason.KILL)).isSameAs(ExitReason.KILL);
    assertThat(ExitReason.of(error)).isEqualTo(ExitReason.crash(error));
    assertThat(ExitReason.of("boom")).isEqualTo(new ExitReason.Custom("boom")).hasToString("boom");
    assertThat(ExitReason.shutdown("detail")).hasToString("{shutdown,detail}");
    assertThat(List.of(ExitReason.NORMAL, ExitReason.SHUTDOWN, ExitReason.shutdown(1)))
        .allMatch(ExitReason::isOrderly);
    assertThat(List.of(ExitReason.KILL, ExitReason.KILLED, BOOM, ExitReason.crash(error)))
        .noneMatch(ExitReason::isOrderly);
    assertThat(ExitReason.KILLED).hasToString("killed");
    assertThatThrownBy(() -> ExitReason.of(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("an exit reason cannot be null: use ExitReason.NORMAL or ExitReason.of(term)");
  }
}
