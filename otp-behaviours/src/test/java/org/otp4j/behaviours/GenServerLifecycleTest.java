package org.otp4j.behaviours;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.otp4j.behaviours.BehaviourTestKit.QUIET;
import static org.otp4j.behaviours.BehaviourTestKit.callFails;
import static org.otp4j.behaviours.BehaviourTestKit.expect;
import static org.otp4j.behaviours.BehaviourTestKit.expectNone;
import static org.otp4j.behaviours.BehaviourTestKit.exitReasonOf;
import static org.otp4j.behaviours.BehaviourTestKit.staysTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.otp4j.behaviours.BehaviourTestKit.CaptureReports;
import org.otp4j.behaviours.BehaviourTestKit.Reports;
import org.otp4j.core.CallException;
import org.otp4j.core.ExitMessage;
import org.otp4j.core.ExitReason;
import org.otp4j.core.From;
import org.otp4j.core.Inbox;
import org.otp4j.core.Name;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;

/** GenServer stop, terminate and exit signals: OTP-SEMANTICS G3, G4, G7, G22-G24, G26. */
@ExtendWith(CaptureReports.class)
class GenServerLifecycleTest {

  record Terminated(ExitReason reason, Object state) {}

  record Info(Object message) {}

  /** Requests of the test server. */
  sealed interface Req {
    record Get() implements Req {}

    record Hibernate(int newState) implements Req {}

    /** Blocks the server in its callback until killed. */
    record Block() implements Req {}

    /** Links the server to a new process that exits with {@code reason}. */
    record LinkTo(ExitReason reason) implements Req {}

    record Throw(String message) implements Req {}

    record ContinueWithoutHandler() implements Req {}
  }

  /**
   * A server that traps exits if asked, reports terminate to an observer, and can be made to block
   * its terminate on a latch or throw from it.
   */
  static final class Server extends GenServer<Integer, Req> {
    private final Pid observer;
    private final boolean trap;
    private CountDownLatch terminateGate;
    private RuntimeException terminateError;
    /** Every terminate call, recorded before any runtime call (which a dead process cannot make). */
    final java.util.Queue<ExitReason> terminateCalls = new java.util.concurrent.ConcurrentLinkedQueue<>();

    Server(Pid observer, boolean trap) {
      this.observer = observer;
      this.trap = trap;
    }

    Server blockingTerminate(CountDownLatch gate) {
      this.terminateGate = gate;
      return this;
    }

    Server throwingTerminate(RuntimeException error) {
      this.terminateError = error;
      return this;
    }

    @Override
    protected Init<Integer> init() {
      Proc.trapExits(trap);
      return Init.ok(1);
    }

    @Override
    protected CallResult<Integer> handleCall(Req req, From from, Integer n) {
      return switch (req) {
        case Req.Get g -> reply(n, n);
        case Req.Hibernate(int next) -> reply("ok", next, Action.hibernate());
        case Req.Block b -> {
          Proc.send(observer, "blocked");
          Proc.receive(m -> false);
          yield reply("unreachable", n);
        }
        case Req.LinkTo(ExitReason reason) -> {
          Pid p = Proc.spawnLink(() -> {
            Proc.receive(m -> m.equals("go"));
            Proc.exit(reason);
          });
          Proc.send(p, "go");
          yield reply(p, n);
        }
        case Req.Throw(String message) -> throw new IllegalStateException(message);
        case Req.ContinueWithoutHandler c -> reply("ok", n, Action.continueWith("more"));
      };
    }

    @Override
    protected CastResult<Integer> handleCast(Req req, Integer n) {
      if (req instanceof Req.Throw(String message)) {
        throw new IllegalArgumentException(message);
      }
      return noReply(n);
    }

    @Override
    protected CastResult<Integer> handleInfo(Object message, Integer n) {
      if (message.equals("throw")) {
        throw new UnsupportedOperationException("from handleInfo");
      }
      Proc.send(observer, new Info(message));
      return noReply(n);
    }

    @Override
    protected void terminate(ExitReason reason, Integer n) throws InterruptedException {
      terminateCalls.add(reason);
      Proc.send(observer, new Terminated(reason, n));
      if (terminateGate != null) {
        terminateGate.await(10, TimeUnit.SECONDS);
      }
      if (terminateError != null) {
        throw terminateError;
      }
    }
  }

  @Test
  @DisplayName("G22: stop runs terminate(normal) and returns once the server has exited normal")
  void stopRunsTerminate() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid s = GenServer.start(new Server(inbox.pid(), false)).pid();
        GenServer.stop(s);
        assertThat(Proc.isAlive(s)).isFalse();
        assertThat(inbox.receive(Duration.ZERO)).contains(new Terminated(ExitReason.NORMAL, 1));
        assertThat(exitReasonOf(s)).isEqualTo(ExitReason.NORMAL);
      });
    }
  }

  @Test
  @DisplayName("G22: stop with a reason runs terminate(reason); the server exits with it; by name too")
  void stopWithReason() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid s = GenServer.start(Name.local("s"), new Server(inbox.pid(), false)).pid();
        GenServer.stop(Name.local("s"), ExitReason.shutdown("maintenance"), BehaviourTestKit.WAIT);
        expect(inbox, new Terminated(ExitReason.shutdown("maintenance"), 1));
        assertThat(exitReasonOf(s)).isEqualTo(ExitReason.shutdown("maintenance"));
        assertThat(Proc.whereis(Name.local("s"))).isEmpty();
      });
    }
  }

  @Test
  @DisplayName("G22: a second stop fails with CallException noproc (plain noproc); so does stop of an unknown name")
  void stopTwice() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid s = GenServer.start(new Server(inbox.pid(), false)).pid();
        GenServer.stop(s);
        CallException e = catchThrowableOfType(CallException.class, () -> GenServer.stop(s));
        assertThat(e).as("second stop").isNotNull();
        assertThat(e.reason()).isEqualTo(ExitReason.NOPROC);
        assertThat(e).hasMessageContaining("GenServer.stop").hasMessageContaining("noproc");
        CallException byName = catchThrowableOfType(CallException.class, () -> GenServer.stop(Name.local("nope")));
        assertThat(byName.reason()).isEqualTo(ExitReason.NOPROC);
      });
    }
  }

  @Test
  @DisplayName("G22: stop fails with timeout when terminate takes longer than the stop timeout")
  void stopTimeout() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        CountDownLatch gate = new CountDownLatch(1);
        Pid s = GenServer.start(new Server(inbox.pid(), false).blockingTerminate(gate)).pid();
        CallException e = catchThrowableOfType(CallException.class,
            () -> GenServer.stop(s, ExitReason.NORMAL, Duration.ofMillis(100)));
        assertThat(e).isNotNull();
        assertThat(e.reason()).isEqualTo(ExitReason.TIMEOUT);
        expect(inbox, new Terminated(ExitReason.NORMAL, 1));
        gate.countDown();
        assertThat(exitReasonOf(s)).isEqualTo(ExitReason.NORMAL);
      });
    }
  }

  @Test
  @DisplayName("G22/G26: when terminate throws, stop fails with the actual exit reason (the exception)")
  void terminateThrowsOnStop(Reports reports) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        IllegalStateException error = new IllegalStateException("crash in terminate");
        Pid s = GenServer.start(new Server(inbox.pid(), false).throwingTerminate(error)).pid();
        CallException e = catchThrowableOfType(CallException.class, () -> GenServer.stop(s));
        assertThat(e).isNotNull();
        assertThat(e.reason()).isEqualTo(ExitReason.crash(error));
        assertThat(exitReasonOf(s)).isEqualTo(ExitReason.crash(error));
        assertThat(reports.reasons("gen_server_terminate")).containsExactly(ExitReason.crash(error));
      });
    }
  }

  @ParameterizedTest(name = "server traps exits: {0}")
  @ValueSource(booleans = {true, false})
  @DisplayName("G23: the parent's exit signal shutdown runs terminate(shutdown) only if the server traps exits")
  void parentShutdownSignal(boolean trap) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid parent = Proc.spawn(() -> {
          Proc.trapExits(true);
          Pid server = GenServer.startLink(new Server(inbox.pid(), trap)).pid();
          Proc.send(inbox.pid(), server);
          Proc.receive(m -> m.equals("shut it down"));
          Proc.exit(server, ExitReason.SHUTDOWN); // what a supervisor does
          ExitMessage exit = (ExitMessage) Proc.receive(m -> m instanceof ExitMessage);
          Proc.send(inbox.pid(), exit);
        });
        Pid server = (Pid) expect(inbox, m -> m instanceof Pid, "the server pid");
        inbox.send(parent, "shut it down");
        assertThat(expect(inbox, m -> m instanceof ExitMessage, "the parent's exit message"))
            .isEqualTo(new ExitMessage(server, ExitReason.SHUTDOWN));
        assertThat(exitReasonOf(server)).isEqualTo(ExitReason.SHUTDOWN);
        if (trap) {
          assertThat(inbox.receive(Duration.ZERO)).contains(new Terminated(ExitReason.SHUTDOWN, 1));
        } else {
          expectNone(inbox, m -> m instanceof Terminated, "terminate of a server that does not trap exits");
        }
      });
    }
  }

  @ParameterizedTest(name = "server traps exits: {0}")
  @ValueSource(booleans = {true, false})
  @DisplayName("G23: the parent dying with shutdown ends a linked server; terminate runs only if it traps exits")
  void parentDies(boolean trap) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid parent = Proc.spawn(() -> {
          Pid server = GenServer.startLink(new Server(inbox.pid(), trap)).pid();
          Proc.send(inbox.pid(), server);
          Proc.receive(m -> m.equals("die"));
          Proc.exit(ExitReason.SHUTDOWN);
        });
        Pid server = (Pid) expect(inbox, m -> m instanceof Pid, "the server pid");
        inbox.send(parent, "die");
        assertThat(exitReasonOf(server)).isEqualTo(ExitReason.SHUTDOWN);
        if (trap) {
          expect(inbox, new Terminated(ExitReason.SHUTDOWN, 1));
        } else {
          expectNone(inbox, m -> m instanceof Terminated, "terminate of a server that does not trap exits");
        }
      });
    }
  }

  @Test
  @DisplayName("G23: a server killed by an untrapped exit signal while inside a callback does not run terminate")
  void untrappedSignalDuringCallbackSkipsTerminate() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Server server = new Server(inbox.pid(), false);
        Pid s = GenServer.start(server).pid();
        Proc.spawn(() -> callFails(() -> GenServer.call(s, new Req.Block(), Proc.INFINITY)));
        expect(inbox, "blocked");
        Proc.exit(s, ExitReason.SHUTDOWN);
        assertThat(exitReasonOf(s)).isEqualTo(ExitReason.SHUTDOWN);
        // The process is dead at once, but its thread unwinds afterwards: terminate must not run then.
        staysTrue(() -> assertThat(server.terminateCalls).as("terminate calls after an untrapped shutdown signal "
            + "ended the server inside a callback").isEmpty());
      });
    }
  }

  @Test
  @DisplayName("G23: a killed server (kill is untrappable) never runs terminate, even when trapping exits")
  void killSkipsTerminate() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Server server = new Server(inbox.pid(), true);
        Pid s = GenServer.start(server).pid();
        Proc.exit(s, ExitReason.KILL);
        assertThat(exitReasonOf(s)).isEqualTo(ExitReason.KILLED);
        staysTrue(() -> assertThat(server.terminateCalls).as("terminate calls after kill").isEmpty());
      });
    }
  }

  @Test
  @DisplayName("G23: a server killed while inside a callback never runs terminate")
  void killDuringCallbackSkipsTerminate() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Server busy = new Server(inbox.pid(), true);
        Pid b = GenServer.start(busy).pid();
        Proc.spawn(() -> callFails(() -> GenServer.call(b, new Req.Block(), Proc.INFINITY)));
        expect(inbox, "blocked");
        Proc.exit(b, ExitReason.KILL);
        assertThat(exitReasonOf(b)).isEqualTo(ExitReason.KILLED);
        staysTrue(() -> assertThat(busy.terminateCalls).as("terminate calls after kill inside a callback").isEmpty());
      });
    }
  }

  @Test
  @DisplayName("G24: a trapping server gets a non-parent linked process's exit as handleInfo and keeps running")
  void nonParentExitGoesToHandleInfo() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid s = GenServer.start(new Server(inbox.pid(), true)).pid();
        Pid linked = (Pid) GenServer.call(s, new Req.LinkTo(ExitReason.of("bye")));
        expect(inbox, new Info(new ExitMessage(linked, ExitReason.of("bye"))));
        // An exit signal sent by another process (not the parent) too.
        inbox.exit(s, ExitReason.SHUTDOWN);
        expect(inbox, new Info(new ExitMessage(inbox.pid(), ExitReason.SHUTDOWN)));
        assertThat((Integer) GenServer.call(s, new Req.Get())).isEqualTo(1);
        GenServer.stop(s);
      });
    }
  }

  @Test
  @DisplayName("G7: an exception in handleCast / handleInfo terminates the server with it after terminate(reason)")
  void exceptionsInCastAndInfo(Reports reports) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid s1 = GenServer.start(new Server(inbox.pid(), false)).pid();
        GenServer.cast(s1, new Req.Throw("in cast"));
        ExitReason r1 = exitReasonOf(s1);
        assertThat(r1).isInstanceOf(ExitReason.Crash.class);
        assertThat(((ExitReason.Crash) r1).error()).isInstanceOf(IllegalArgumentException.class).hasMessage("in cast");
        expect(inbox, new Terminated(r1, 1));

        Pid s2 = GenServer.start(new Server(inbox.pid(), false)).pid();
        inbox.send(s2, "throw");
        ExitReason r2 = exitReasonOf(s2);
        assertThat(((ExitReason.Crash) r2).error()).isInstanceOf(UnsupportedOperationException.class);
        expect(inbox, new Terminated(r2, 1));
        assertThat(reports.reasons("gen_server_terminate")).containsExactly(r1, r2);
      });
    }
  }

  @Test
  @DisplayName("G26: when terminate throws after a crash, the server exits with terminate's exception")
  void terminateThrowsAfterCrash(Reports reports) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        IllegalStateException error = new IllegalStateException("crash in terminate");
        Pid s = GenServer.start(new Server(inbox.pid(), false).throwingTerminate(error)).pid();
        GenServer.cast(s, new Req.Throw("first"));
        assertThat(exitReasonOf(s)).isEqualTo(ExitReason.crash(error));
        assertThat(reports.reasons("gen_server_terminate")).containsExactly(ExitReason.crash(error));
      });
    }
  }

  @Test
  @DisplayName("G4: hibernate is accepted and the state survives it")
  void hibernateKeepsState() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid s = GenServer.start(new Server(inbox.pid(), false)).pid();
        assertThat((Object) GenServer.call(s, new Req.Hibernate(42))).isEqualTo("ok");
        assertThat((Integer) GenServer.call(s, new Req.Get())).isEqualTo(42);
        GenServer.stop(s);
      });
    }
  }

  @Test
  @DisplayName("G3: a continue without a handleContinue stops the server (OTP: undef), naming the problem")
  void continueWithoutHandler(Reports reports) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid s = GenServer.start(new Server(inbox.pid(), false)).pid();
        assertThat((Object) GenServer.call(s, new Req.ContinueWithoutHandler())).isEqualTo("ok");
        ExitReason reason = exitReasonOf(s);
        assertThat(reason.toString()).contains("handleContinue").contains("more");
        expect(inbox, new Terminated(reason, 1));
        assertThat(reports.reasons("gen_server_terminate")).containsExactly(reason);
      });
    }
  }

  @Test
  @DisplayName("G23: a server started from a plain thread is its own parent; an exit signal from it is just info")
  void plainThreadStarterIsNotAParent() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid s = GenServer.startLink(new Server(inbox.pid(), true)).pid();
        assertThat(Sys.getStatus(s).parent()).isEqualTo(s);
        assertThat(Proc.info(s).orElseThrow().links()).isEmpty();
        GenServer.stop(s);
        assertThat(inbox.receive(QUIET)).contains(new Terminated(ExitReason.NORMAL, 1));
      });
    }
  }
}
