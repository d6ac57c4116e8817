package org.otp4j.behaviours;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.otp4j.behaviours.BehaviourTestKit.WAIT;
import static org.otp4j.behaviours.BehaviourTestKit.await;
import static org.otp4j.behaviours.BehaviourTestKit.callFails;
import static org.otp4j.behaviours.BehaviourTestKit.expect;
import static org.otp4j.behaviours.BehaviourTestKit.exitReasonOf;
import static org.otp4j.behaviours.BehaviourTestKit.inProcess;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.otp4j.behaviours.BehaviourTestKit.CaptureReports;
import org.otp4j.behaviours.BehaviourTestKit.Reports;
import org.otp4j.core.CallException;
import org.otp4j.core.ExitReason;
import org.otp4j.core.From;
import org.otp4j.core.Inbox;
import org.otp4j.core.Name;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;

/** GenServer calls, casts and replies: OTP-SEMANTICS G5-G12, G14, G15. */
@ExtendWith(CaptureReports.class)
class GenServerCallTest {

  /** The protocol of the test server. */
  sealed interface Req {
    /** Replies with the state. */
    record Get() implements Req {}

    /** Adds to the state, replies with the new state. */
    record Add(int n) implements Req {}

    /** Replies {@code reply} after the {@code gate} opens (the server blocks until then). */
    record SlowEcho(Object reply, CountDownLatch gate, Pid observer) implements Req {}

    /** Returns stop(reason) without replying. */
    record StopNoReply(ExitReason reason) implements Req {}

    /** Returns stop(reason, reply): replies after terminate. */
    record StopWithReply(ExitReason reason, Object reply) implements Req {}

    /** Defers the reply: noReply now, a spawned process replies later. */
    record Deferred(Object reply) implements Req {}

    /** Throws. */
    record Crash(String message) implements Req {}

    /** Calls Proc.exit(reason) inside the callback. */
    record Exit(ExitReason reason) implements Req {}

    /** Calls the server itself. */
    record CallSelf() implements Req {}

    /** Returns null from handleCall. */
    record ReturnNull() implements Req {}

    /** Replies with a null value. */
    record ReplyNull() implements Req {}
  }

  /** A counter server that reports terminate and handleInfo to an inbox. */
  static final class Server extends GenServer<Integer, Req> {
    private final Pid observer;

    Server(Pid observer) {
      this.observer = observer;
    }

    @Override
    protected Init<Integer> init() {
      return Init.ok(0);
    }

    @Override
    protected CallResult<Integer> handleCall(Req req, From from, Integer n) throws Exception {
      return switch (req) {
        case Req.Get g -> reply(n, n);
        case Req.Add(int k) -> reply(n + k, n + k);
        case Req.SlowEcho(Object reply, CountDownLatch gate, Pid notify) -> {
          // Blocks the server (not a synchronisation sleep: the test opens the gate).
          Proc.send(notify, "handling");
          gate.await(10, TimeUnit.SECONDS);
          boolean delivered = from.reply(reply);
          Proc.send(notify, "late-reply-delivered=" + delivered);
          yield noReply(n);
        }
        case Req.StopNoReply(ExitReason reason) -> stop(reason, n);
        case Req.StopWithReply(ExitReason reason, Object reply) -> stop(reason, reply, n);
        case Req.Deferred(Object reply) -> {
          Proc.spawn(() -> {
            boolean delivered = from.reply(reply);
            Proc.send(observer, "deferred-delivered=" + delivered);
          });
          yield noReply(n);
        }
        case Req.Crash(String message) -> throw new IllegalStateException(message);
        case Req.Exit(ExitReason reason) -> {
          Proc.exit(reason);
          yield reply("unreachable", n);
        }
        case Req.CallSelf c -> {
          try {
            GenServer.call(Proc.self(), new Req.Get());
            yield reply("no exception", n);
          } catch (CallException e) {
            yield reply(e.reason(), n);
          }
        }
        case Req.ReturnNull r -> null;
        case Req.ReplyNull r -> reply((Object) null, n);
      };
    }

    @Override
    protected CastResult<Integer> handleCast(Req req, Integer n) {
      return switch (req) {
        case Req.Add(int k) -> noReply(n + k);
        default -> noReply(n);
      };
    }

    @Override
    protected CastResult<Integer> handleInfo(Object message, Integer n) {
      Proc.send(observer, new Info(message));
      return noReply(n);
    }

    @Override
    protected void terminate(ExitReason reason, Integer n) {
      Proc.send(observer, new Terminated(reason, n));
    }
  }

  record Info(Object message) {}

  record Terminated(ExitReason reason, Object state) {}


  @Test
  @DisplayName("G8/G12: call returns the reply; cast changes the state; both from a plain thread and a process")
  void callAndCast() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid s = GenServer.start(new Server(inbox.pid())).pid();
        assertThat((Integer) GenServer.call(s, new Req.Add(2))).isEqualTo(2);
        GenServer.cast(s, new Req.Add(3));
        assertThat((Integer) GenServer.call(s, new Req.Get())).isEqualTo(5);
        int fromProcess = inProcess(() -> {
          GenServer.cast(s, new Req.Add(10));
          return (Integer) GenServer.call(s, new Req.Get());
        });
        assertThat(fromProcess).isEqualTo(15);
        GenServer.stop(s);
      });
    }
  }

  @Test
  @DisplayName("G9: a call that times out (caller is an Inbox thread) leaves no late reply in the mailbox")
  void callTimeoutFromInboxLeavesMailboxEmpty() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox(); Inbox observer = node.openInbox()) {
      node.run(() -> {
        Pid s = GenServer.start(new Server(observer.pid())).pid();
        CountDownLatch gate = new CountDownLatch(1);
        CallException e = callFails(() ->
            GenServer.call(s, new Req.SlowEcho("late", gate, observer.pid()), Duration.ofMillis(50)));
        assertThat(e.reason()).isEqualTo(ExitReason.TIMEOUT);
        assertThat(e).hasMessageContaining("GenServer.call").hasMessageContaining("timeout");
        expect(observer, "handling");
        gate.countDown();
        // The server has now tried to reply, after the caller gave up.
        expect(observer, "late-reply-delivered=false");
        assertThat(inbox.flush()).as("the caller's mailbox after a timed-out call").isEmpty();
        // The server is still fine.
        assertThat((Integer) GenServer.call(s, new Req.Get())).isZero();
        assertThat(inbox.flush()).isEmpty();
        GenServer.stop(s);
      });
    }
  }

  @Test
  @DisplayName("G9/G10: a call that times out (caller is a process) leaves no late reply in its mailbox")
  void callTimeoutFromProcessLeavesMailboxEmpty() {
    try (Node node = Node.start(); Inbox observer = node.openInbox()) {
      node.run(() -> {
        Pid s = GenServer.start(new Server(observer.pid())).pid();
        CountDownLatch gate = new CountDownLatch(1);
        List<Object> left = inProcess(() -> {
          CallException e = callFails(() ->
              GenServer.call(s, new Req.SlowEcho("late", gate, Proc.self()), Duration.ofMillis(50)));
          assertThat(e.reason()).isEqualTo(ExitReason.TIMEOUT);
          assertThat(Proc.receive(m -> m.equals("handling"), WAIT)).isPresent();
          gate.countDown();
          // The server's notice comes after its reply attempt: wait for it, then look.
          Object notice = Proc.receive(m -> m instanceof String str && str.startsWith("late-reply"),
              WAIT).orElseThrow();
          assertThat(notice).isEqualTo("late-reply-delivered=false");
          return Proc.flush();
        });
        assertThat(left).as("the calling process's mailbox after a timed-out call").isEmpty();
        GenServer.stop(s);
      });
    }
  }

  @Test
  @DisplayName("G9: a call to a dead pid fails with noproc")
  void callDeadPid() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid s = GenServer.start(new Server(inbox.pid())).pid();
        GenServer.stop(s);
        CallException e = callFails(() -> GenServer.call(s, new Req.Get()));
        assertThat(e.reason()).isEqualTo(ExitReason.NOPROC);
        assertThat(e).hasMessageContaining("noproc").hasMessageContaining("GenServer.call");
        CallException fromProcess = inProcess(() -> callFails(() -> GenServer.call(s, new Req.Get())));
        assertThat(fromProcess.reason()).isEqualTo(ExitReason.NOPROC);
      });
    }
  }

  @Test
  @DisplayName("G9: a call to an unregistered name fails with noproc")
  void callUnknownName() {
    try (Node node = Node.start()) {
      node.run(() -> {
        CallException e = callFails(() -> GenServer.call(Name.local("nobody"), new Req.Get()));
        assertThat(e.reason()).isEqualTo(ExitReason.NOPROC);
        assertThat(e.target()).isEqualTo(Name.local("nobody"));
        assertThat(e).hasMessageContaining("nobody").hasMessageContaining("noproc");
      });
    }
  }

  @Test
  @DisplayName("G9: a server calling itself gets calling_self (by pid and by name) and keeps running")
  void callingSelf() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid s = GenServer.start(Name.local("me"), new Server(inbox.pid())).pid();
        assertThat((Object) GenServer.call(s, new Req.CallSelf())).isEqualTo(ExitReason.CALLING_SELF);
        assertThat(Proc.isAlive(s)).isTrue();
        CallException fromProcess = inProcess(() -> {
          Pid me = Proc.self();
          return callFails(() -> GenServer.call(me, "anything"));
        });
        assertThat(fromProcess.reason()).isEqualTo(ExitReason.CALLING_SELF);
        GenServer.stop(s);
      });
    }
  }

  @ParameterizedTest(name = "reason {0}")
  @ValueSource(strings = {"normal", "shutdown", "{shutdown,bye}", "custom"})
  @DisplayName("G9/G23: handleCall returning stop without a reply: the caller gets the exit reason, terminate ran")
  void stopWithoutReply(String reasonName, Reports reports) {
    ExitReason reason = switch (reasonName) {
      case "normal" -> ExitReason.NORMAL;
      case "shutdown" -> ExitReason.SHUTDOWN;
      case "{shutdown,bye}" -> ExitReason.shutdown("bye");
      default -> ExitReason.of("custom");
    };
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid s = GenServer.start(new Server(inbox.pid())).pid();
        GenServer.cast(s, new Req.Add(7));
        CallException e = callFails(() -> GenServer.call(s, new Req.StopNoReply(reason)));
        assertThat(e.reason()).isEqualTo(reason);
        assertThat(e).hasMessageContaining("exited with reason " + reason);
        expect(inbox, new Terminated(reason, 7));
        assertThat(exitReasonOf(s)).isEqualTo(reason);
        assertThat(reports.reasons("gen_server_terminate")).as("reports (only a reason that is not orderly is reported)")
            .isEqualTo(reason.isOrderly() ? List.of() : List.of(reason));
      });
    }
  }

  @Test
  @DisplayName("G11: stop with a reply: the reply is delivered, after terminate, then the server exits")
  void stopWithReply() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid s = GenServer.start(new Server(inbox.pid())).pid();
        Object reply = GenServer.call(s, new Req.StopWithReply(ExitReason.NORMAL, "bye"));
        assertThat(reply).isEqualTo("bye");
        // terminate ran before the reply was sent, so its message is already there.
        assertThat(inbox.receive(Duration.ZERO)).contains(new Terminated(ExitReason.NORMAL, 0));
        assertThat(exitReasonOf(s)).isEqualTo(ExitReason.NORMAL);
      });
    }
  }

  @Test
  @DisplayName("G12: noReply then from.reply(v) from another process: the caller gets v")
  void deferredReplyFromAnotherProcess() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid s = GenServer.start(new Server(inbox.pid())).pid();
        assertThat((Object) GenServer.call(s, new Req.Deferred("later"))).isEqualTo("later");
        expect(inbox, "deferred-delivered=true");
        String fromProcess = inProcess(() -> (String) GenServer.call(s, new Req.Deferred("to a process")));
        assertThat(fromProcess).isEqualTo("to a process");
        expect(inbox, "deferred-delivered=true");
        GenServer.stop(s);
      });
    }
  }

  @Test
  @DisplayName("G12: a deferred reply to a caller that already timed out returns false and is dropped")
  void deferredReplyAfterTimeoutIsDropped() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        AtomicReference<From> saved = new AtomicReference<>();
        Pid s = GenServer.start(new GenServer<Integer, String>() {
          @Override
          protected Init<Integer> init() {
            return Init.ok(0);
          }

          @Override
          protected CallResult<Integer> handleCall(String req, From from, Integer n) {
            saved.set(from);
            return noReply(n);
          }
        }).pid();
        CallException e = callFails(() -> GenServer.call(s, "hold", Duration.ofMillis(30)));
        assertThat(e.reason()).isEqualTo(ExitReason.TIMEOUT);
        // The call may have timed out before the server even took it: wait for its From.
        await().until(() -> saved.get() != null);
        assertThat(saved.get().reply("too late")).isFalse();
        assertThat(inbox.flush()).isEmpty();
        GenServer.stop(s);
      });
    }
  }

  @Test
  @DisplayName("G7/G9: a callback that throws: the caller gets a Crash reason with the exception as cause")
  void crashInHandleCall(Reports reports) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid s = GenServer.start(new Server(inbox.pid())).pid();
        CallException e = callFails(() -> GenServer.call(s, new Req.Crash("boom")));
        assertThat(e.reason()).isInstanceOf(ExitReason.Crash.class);
        assertThat(((ExitReason.Crash) e.reason()).error()).isInstanceOf(IllegalStateException.class)
            .hasMessage("boom");
        assertThat(e.getCause()).isInstanceOf(IllegalStateException.class);
        Terminated t = (Terminated) expect(inbox, m -> m instanceof Terminated, "terminate");
        assertThat(t.reason()).isEqualTo(e.reason());
        assertThat(exitReasonOf(s)).isEqualTo(e.reason());
        assertThat(reports.reasons("gen_server_terminate")).containsExactly(e.reason());
      });
    }
  }

  @Test
  @DisplayName("G7/G9: Proc.exit(reason) in a callback: the server exits with that reason, terminate ran")
  void exitInHandleCall(Reports reports) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid s = GenServer.start(new Server(inbox.pid())).pid();
        CallException e = callFails(() -> GenServer.call(s, new Req.Exit(ExitReason.of("crashed"))));
        assertThat(e.reason()).isEqualTo(ExitReason.of("crashed"));
        expect(inbox, new Terminated(ExitReason.of("crashed"), 0));
        assertThat(exitReasonOf(s)).isEqualTo(ExitReason.of("crashed"));
        assertThat(reports.reasons("gen_server_terminate")).containsExactly(ExitReason.of("crashed"));
      });
    }
  }

  @Test
  @DisplayName("G6: handleCall returning null stops the server with {bad_return_value,null}")
  void nullReturnIsBadReturnValue(Reports reports) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid s = GenServer.start(new Server(inbox.pid())).pid();
        CallException e = callFails(() -> GenServer.call(s, new Req.ReturnNull()));
        assertThat(e.reason()).isEqualTo(ExitReason.of(BadReturn.value(null)));
        assertThat(e.reason().toString()).isEqualTo("{bad_return_value,null}");
        expect(inbox, new Terminated(e.reason(), 0));
        assertThat(reports.reasons("gen_server_terminate")).containsExactly(e.reason());
      });
    }
  }

  @Test
  @DisplayName("G7/G25: reply(null, s) must not make the server vanish silently: terminate runs, as for any callback failure")
  void replyWithNullValue() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid s = GenServer.start(new Server(inbox.pid())).pid();
        Object outcome;
        try {
          outcome = GenServer.call(s, new Req.ReplyNull(), WAIT);
        } catch (CallException e) {
          outcome = e;
        }
        if (outcome instanceof CallException e) {
          // Rejecting a null reply is fine, but then as a callback failure: terminate runs.
          assertThat(inbox.receive(m -> m instanceof Terminated, Duration.ofSeconds(1)))
              .as("terminate after the server failed on reply(null, state) with %s", e.reason())
              .isPresent();
        } else {
          assertThat(outcome).isNull();
          assertThat(Proc.isAlive(s)).isTrue();
          GenServer.stop(s);
        }
      });
    }
  }

  @Test
  @DisplayName("T6: the default handleCall and handleCast stop with {bad_call,Req} / {bad_cast,Req}")
  void defaultHandlers(Reports reports) {
    try (Node node = Node.start()) {
      node.run(() -> {
        GenServer<Integer, String> minimal = new GenServer<>() {
          @Override
          protected Init<Integer> init() {
            return Init.ok(0);
          }
        };
        Pid s = GenServer.start(minimal).pid();
        CallException e = callFails(() -> GenServer.call(s, "hello"));
        assertThat(e.reason()).isEqualTo(ExitReason.of(new GenServer.BadRequest("bad_call", "hello")));
        assertThat(e.reason().toString()).isEqualTo("{bad_call,hello}");

        Pid s2 = GenServer.start(new GenServer<Integer, String>() {
          @Override
          protected Init<Integer> init() {
            return Init.ok(0);
          }
        }).pid();
        GenServer.cast(s2, "hi");
        assertThat(exitReasonOf(s2)).isEqualTo(ExitReason.of(new GenServer.BadRequest("bad_cast", "hi")));
        assertThat(reports.reasons("gen_server_terminate")).containsExactly(e.reason(),
            ExitReason.of(new GenServer.BadRequest("bad_cast", "hi")));
      });
    }
  }

  @Test
  @DisplayName("G14: cast never fails: to a dead pid, to an unregistered name")
  void castNeverFails() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid s = GenServer.start(new Server(inbox.pid())).pid();
        GenServer.stop(s);
        GenServer.cast(s, new Req.Add(1));
        GenServer.cast(Name.local("nobody"), new Req.Add(1));
        inProcess(() -> {
          GenServer.cast(s, new Req.Add(1));
          GenServer.cast(Name.local("nobody"), new Req.Add(1));
          return null;
        });
      });
    }
  }

  @Test
  @DisplayName("G15: plain messages go to handleInfo, in order, and the server keeps serving calls")
  void plainMessagesGoToHandleInfo() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid s = GenServer.start(new Server(inbox.pid())).pid();
        inbox.send(s, "one");
        inbox.send(s, 2);
        assertThat((Integer) GenServer.call(s, new Req.Get())).isZero();
        assertThat(inbox.receive(WAIT)).contains(new Info("one"));
        assertThat(inbox.receive(WAIT)).contains(new Info(2));
        GenServer.stop(s);
      });
    }
  }

  @Test
  @DisplayName("G10: a server that dies while a call is pending fails the call with its exit reason")
  void serverDiesWhileCallPending() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid s = GenServer.start(new Server(inbox.pid())).pid();
        CountDownLatch never = new CountDownLatch(1);
        CompletableFuture<CallException> pending = new CompletableFuture<>();
        Proc.spawn(() -> pending.complete(
            callFails(() -> GenServer.call(s, new Req.SlowEcho("x", never, inbox.pid()), Proc.INFINITY))));
        expect(inbox, "handling");
        Proc.exit(s, ExitReason.of("gone"));
        CallException e = pending.orTimeout(5, TimeUnit.SECONDS).join();
        assertThat(e.reason()).isEqualTo(ExitReason.of("gone"));
        never.countDown();
      });
    }
  }
}
