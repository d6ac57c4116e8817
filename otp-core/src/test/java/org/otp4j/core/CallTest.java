package org.otp4j.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.otp4j.core.TestSupport.assertCrashReport;
import static org.otp4j.core.TestSupport.exitReason;
import static org.otp4j.core.TestSupport.next;
import static org.otp4j.core.TestSupport.onNode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.otp4j.core.TestSupport.Reports;

@DisplayName("Proc.call: request and reply from processes and plain threads")
class CallTest {
  private static final Duration SHORT = Duration.ofMillis(50);

  /** The requests the test servers understand. */
  sealed interface Req {
    From from();

    record Double(From from, int n) implements Req {}

    record Hold(From from) implements Req {}

    record Crash(From from, ExitReason reason) implements Req {}
  }

  /** A server that doubles numbers, holds Hold requests (reports their From), exits on Crash. */
  private static Proc.Body server(Pid report) {
    return () -> {
      while (true) {
        switch ((Req) Proc.receive()) {
          case Req.Double(From from, int n) -> from.reply(n * 2);
          case Req.Hold(From from) -> Proc.send(report, from);
          case Req.Crash(From from, ExitReason reason) -> Proc.exit(reason);
        }
      }
    };
  }

  @Test
  @DisplayName("A plain thread calls a process and gets its reply")
  void callFromAPlainThread() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid s = node.spawn(server(inbox.pid()));

      int reply = (int) Proc.call(s, from -> new Req.Double(from, 21), TestSupport.WAIT);

      assertThat(reply).isEqualTo(42);
      assertThat(inbox.flush()).isEmpty();
    }
  }

  @Test
  @DisplayName("From.caller() is the calling process, or empty for a plain thread")
  void fromCaller() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid me = inbox.pid();
      Pid s = node.spawn(server(me));
      Pid client = node.spawn(() -> {
        try {
          Proc.call(s, Req.Hold::new, Duration.ofMillis(200));
        } catch (CallException e) {
          // the test only looks at the From
        }
      });

      From fromProcess = next(inbox, From.class);
      assertThat(fromProcess.caller()).contains(client);
      exitReason(client);
      catchThrowableOfType(CallException.class, () -> Proc.call(s, Req.Hold::new, Duration.ofMillis(1)));
      From fromThread = next(inbox, From.class);
      assertThat(fromThread.caller()).isEmpty();
    }
  }

  @Test
  @DisplayName("A process calls another and gets its reply, by pid and by registered name")
  void callFromAProcess() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid me = inbox.pid();
      Pid s = node.spawn(server(me));
      Proc.register("doubler", s);
      node.spawn(() -> {
        int byPid = (int) Proc.call(s, from -> new Req.Double(from, 1), TestSupport.WAIT);
        int byName = (int) Proc.call(Name.local("doubler"), from -> new Req.Double(from, 2), TestSupport.WAIT);
        Proc.send(me, List.of(byPid, byName, Proc.flush()));
      });

      assertThat(next(inbox)).isEqualTo(List.of(2, 4, List.of()));
    }
  }

  @Test
  @DisplayName("A reply may come later from another process that was handed the From")
  void deferredReplyFromAnotherProcess() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid me = inbox.pid();
      Pid s = node.spawn(() -> {
        Req.Hold hold = (Req.Hold) Proc.receive();
        Proc.spawn(() -> Proc.send(me, hold.from().reply("from a helper")));
        TestSupport.idle();
      });

      String reply = onNode(node, () -> (String) Proc.call(s, Req.Hold::new, TestSupport.WAIT));

      assertThat(reply).isEqualTo("from a helper");
      assertThat(next(inbox)).as("reply() result").isEqualTo(true);
    }
  }

  @Test
  @DisplayName("A timed-out call throws CallException(timeout); the late reply is dropped, never queued")
  void timeoutLeavesNoLateReply() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid me = inbox.pid();
      Pid s = node.spawn(server(me));
      Pid client = node.spawn(() -> {
        try {
          Proc.call(s, Req.Hold::new, SHORT);
          Proc.send(me, "replied?");
        } catch (CallException e) {
          Proc.send(me, e);
        }
        Object lateReplyResult = Proc.receive(); // sent by the test after the late reply was attempted
        Proc.send(me, List.of(lateReplyResult, Proc.flush()));
      });
      From from = next(inbox, From.class);
      CallException e = next(inbox, CallException.class);

      assertThat(e.reason()).isEqualTo(ExitReason.TIMEOUT);
      assertThat(e.target()).isEqualTo(s);
      assertThat(e.operation()).isEqualTo("call");
      assertThat(e.timeout()).isEqualTo(SHORT);
      assertThat(e).hasMessage("call(" + s + ", " + e.request() + ", 50 ms) failed: timeout: no reply within 50 ms");
      boolean delivered = from.reply("too late");
      inbox.send(client, delivered);

      assertThat(next(inbox)).isEqualTo(List.of(false, List.of()));
      assertThat(Proc.info(s).orElseThrow().monitoredBy()).as("the caller no longer watches the server").isEmpty();
    }
  }

  @Test
  @DisplayName("A timed-out call from a plain thread also throws CallException(timeout)")
  void timeoutFromAPlainThread() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid s = node.spawn(server(inbox.pid()));

      CallException e = catchThrowableOfType(CallException.class, () -> Proc.call(s, Req.Hold::new, SHORT));

      assertThat(e.reason()).isEqualTo(ExitReason.TIMEOUT);
      assertThat(next(inbox, From.class).reply("too late")).isFalse();
    }
  }

  @Test
  @DisplayName("Calling a dead pid or an unregistered name throws CallException(noproc)")
  void noproc() {
    try (Node node = Node.start()) {
      Pid dead = node.spawn(() -> {});
      exitReason(dead);

      CallException byPid = catchThrowableOfType(CallException.class,
          () -> Proc.call(dead, Req.Hold::new, TestSupport.WAIT));
      CallException byName = catchThrowableOfType(CallException.class,
          () -> onNode(node, () -> Proc.call(Name.local("nobody"), Req.Hold::new, TestSupport.WAIT)));

      assertThat(byPid.reason()).isEqualTo(ExitReason.NOPROC);
      assertThat(byPid).hasMessageEndingWith(
          "failed: noproc: no such process (it has terminated, or the name is not registered)");
      assertThat(byName.reason()).isEqualTo(ExitReason.NOPROC);
      assertThat(byName).hasMessage(
          "call(nobody, 5000 ms) failed: noproc: no such process (it has terminated, or the name is not registered)");
      assertThat(byName.request()).as("nothing was sent").isNull();
    }
  }

  @Test
  @DisplayName("A process calling itself gets CallException(calling_self)")
  void callingSelf() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid me = inbox.pid();
      node.spawn(() -> {
        Proc.register("me", Proc.self());
        for (Address self : List.of(Proc.self(), Name.local("me"))) {
          try {
            Proc.call(self, Req.Hold::new, TestSupport.WAIT);
          } catch (CallException e) {
            Proc.send(me, e);
          }
        }
      });

      for (int i = 0; i < 2; i++) {
        CallException e = next(inbox, CallException.class);
        assertThat(e.reason()).isEqualTo(ExitReason.CALLING_SELF);
        assertThat(e).hasMessageEndingWith("failed: calling_self: a process cannot call itself");
      }
    }
  }

  @Test
  @DisplayName("A server that exits before replying: the call fails with the server's exit reason")
  void serverDiesBeforeReplying() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid s = node.spawn(server(inbox.pid()));

      CallException e = catchThrowableOfType(CallException.class,
          () -> Proc.call(s, from -> new Req.Crash(from, ExitReason.of("boom")), TestSupport.WAIT));

      assertThat(e.reason()).isEqualTo(ExitReason.of("boom"));
      assertThat(e).hasMessageEndingWith("failed: the process exited with reason boom before replying");
    }
  }

  @Test
  @DisplayName("A server that exits normally before replying: the call fails with reason normal")
  void serverExitsNormallyBeforeReplying() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid me = inbox.pid();
      Pid s = node.spawn(server(me));
      node.spawn(() -> {
        try {
          Proc.call(s, from -> new Req.Crash(from, ExitReason.NORMAL), TestSupport.WAIT);
        } catch (CallException e) {
          Proc.send(me, e.reason());
        }
      });

      assertThat(next(inbox)).isEqualTo(ExitReason.NORMAL);
    }
  }

  @Test
  @DisplayName("A server killed while the caller waits: the call fails with killed")
  void serverKilledWhileCalled() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid me = inbox.pid();
      Pid s = node.spawn(server(me));
      node.spawn(() -> {
        try {
          Proc.call(s, Req.Hold::new, TestSupport.WAIT);
        } catch (CallException e) {
          Proc.send(me, e.reason());
        }
      });
      next(inbox, From.class);

      Proc.exit(s, ExitReason.KILL);

      assertThat(next(inbox)).isEqualTo(ExitReason.KILLED);
    }
  }

  @Test
  @DisplayName("A crash before replying: the CallException's cause is the server's exception")
  void crashIsTheCause() {
    IllegalStateException crash = new IllegalStateException("server bug");
    try (Node node = Node.start(); Reports reports = Reports.capture(node)) {
      Pid s = node.spawn(() -> {
        Proc.receive();
        throw crash;
      });

      CallException e = catchThrowableOfType(CallException.class,
          () -> Proc.call(s, from -> "request", TestSupport.WAIT));

      assertThat(e.reason()).isEqualTo(ExitReason.crash(crash));
      assertThat(e).hasCause(crash);
      assertThat(e.request()).isEqualTo("request");
      assertThat(reports.errorsAfterStop()).satisfiesExactly(r -> assertCrashReport(r, s, crash));
    }
  }

  @Test
  @DisplayName("A second reply to the same From is dropped and reports false")
  void secondReplyIsDropped() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid me = inbox.pid();
      Pid s = node.spawn(() -> {
        Req.Hold hold = (Req.Hold) Proc.receive();
        Proc.send(me, List.of(hold.from().reply(1), hold.from().reply(2)));
        TestSupport.idle();
      });

      int reply = (int) Proc.call(s, Req.Hold::new, TestSupport.WAIT);

      assertThat(reply).isEqualTo(1);
      assertThat(next(inbox)).isEqualTo(List.of(true, false));
    }
  }

  /**
   * A reply to a caller that has been killed reaches no one. Repeated because the engine's answer
   * may depend on whether the killed caller's thread has woken up yet; it must not.
   */
  @Test
  @DisplayName("A caller killed while it waits dies at once with killed; a reply after that reports false")
  void callerKilledWhileWaiting() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid s = node.spawn(server(inbox.pid()));
      List<Boolean> replies = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        Pid client = node.spawn(() -> Proc.call(s, Req.Hold::new, Proc.INFINITY));
        From from = next(inbox, From.class);

        Proc.exit(client, ExitReason.KILL);

        assertThat(exitReason(client)).isEqualTo(ExitReason.KILLED);
        replies.add(from.reply("nobody listens"));
      }
      assertThat(replies).as("From.reply() to a killed caller").containsOnly(false);
      TestSupport.awaitProcessCount(node, 2);
    }
  }

  @Test
  @DisplayName("call rejects a request function that returns null, saying so")
  void nullRequest() {
    try (Node node = Node.start()) {
      Pid s = node.spawn(TestSupport::idle);

      assertThatThrownBy(() -> Proc.call(s, from -> null, SHORT))
          .isInstanceOf(NullPointerException.class)
          .hasMessage("the request function returned null");
      assertThat(Proc.info(s).orElseThrow().monitoredBy()).isEmpty();
      assertThat(Proc.info(s).orElseThrow().mailboxLength()).isZero();
    }
  }

  @Test
  @DisplayName("A null reply is delivered as null, and counts as the one reply")
  void nullReply() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid me = inbox.pid();
      Pid s = node.spawn(() -> {
        Req.Hold hold = (Req.Hold) Proc.receive();
        boolean first = hold.from().reply(null);
        boolean second = hold.from().reply("too late");
        Proc.send(me, List.of(first, second));
      });

      Object reply = Proc.call(s, Req.Hold::new, TestSupport.WAIT);

      assertThat(reply).isNull();
      assertThat(next(inbox)).isEqualTo(List.of(true, false));
    }
  }
}
