package org.otp4j.behaviours;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.otp4j.behaviours.BehaviourTestKit.WAIT;
import static org.otp4j.behaviours.BehaviourTestKit.expect;
import static org.otp4j.behaviours.BehaviourTestKit.expectNone;
import static org.otp4j.behaviours.BehaviourTestKit.untilUndisturbed;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.otp4j.behaviours.BehaviourTestKit.CaptureReports;
import org.otp4j.behaviours.BehaviourTestKit.Reports;
import org.otp4j.core.CallException;
import org.otp4j.core.ExitReason;
import org.otp4j.core.From;
import org.otp4j.core.Inbox;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.slf4j.event.KeyValuePair;

/** Sys on a GenServer: OTP-SEMANTICS Y1-Y5 (and G1/G2 while suspended, G27 in the status). */
@ExtendWith(CaptureReports.class)
class SysTest {

  /** The state: a user and a token that formatStatus hides. */
  record Session(String user, String token, int hits) {}

  sealed interface Req {
    record Hit() implements Req {}

    record Get() implements Req {}

    record IdleTimeout(Duration after) implements Req {}

    record MessageTimeout(Duration after) implements Req {}
  }

  static final class Server extends GenServer<Session, Req> {
    private final Pid observer;

    Server(Pid observer) {
      this.observer = observer;
    }

    @Override
    protected Init<Session> init() {
      return Init.ok(new Session("ann", "s3cr3t", 0));
    }

    @Override
    protected CallResult<Session> handleCall(Req req, From from, Session s) {
      return switch (req) {
        case Req.Hit h -> {
          Session next = new Session(s.user(), s.token(), s.hits() + 1);
          yield reply(next.hits(), next);
        }
        case Req.Get g -> reply(s, s);
        case Req.IdleTimeout(Duration after) -> reply("armed", s, Action.timeout(after));
        case Req.MessageTimeout(Duration after) -> reply("armed", s, Action.timeout(after, "tick"));
      };
    }

    @Override
    protected CastResult<Session> handleCast(Req req, Session s) {
      return noReply(new Session(s.user(), s.token(), s.hits() + 1));
    }

    @Override
    protected CastResult<Session> handleInfo(Object message, Session s) {
      Proc.send(observer, message instanceof Timeout ? "timeout" : "info:" + message);
      return noReply(s);
    }

    @Override
    protected Status formatStatus(Status status) {
      Session s = (Session) status.state();
      return status.withState(new Session(s.user(), "<hidden>", s.hits()));
    }
  }

  @Test
  @DisplayName("Y1/Y2: getState; replaceState returns and installs the new state")
  void getAndReplaceState() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid s = GenServer.start(new Server(inbox.pid())).pid();
        assertThat((Session) Sys.getState(s)).isEqualTo(new Session("ann", "s3cr3t", 0));
        Session replaced = Sys.replaceState(s, (Session old) -> new Session("bob", old.token(), 10));
        assertThat(replaced).isEqualTo(new Session("bob", "s3cr3t", 10));
        assertThat((Integer) GenServer.call(s, new Req.Hit())).isEqualTo(11);
        assertThat((Session) Sys.getState(s)).isEqualTo(new Session("bob", "s3cr3t", 11));
        GenServer.stop(s);
      });
    }
  }

  @Test
  @DisplayName("Y2: a replaceState function that throws leaves the state unchanged and the server running")
  void replaceStateThatThrows() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid s = GenServer.start(new Server(inbox.pid())).pid();
        GenServer.call(s, new Req.Hit());
        IllegalStateException error = new IllegalStateException("no way");
        Sys.StateReplaceException e = catchThrowableOfType(Sys.StateReplaceException.class,
            () -> Sys.replaceState(s, (Session old) -> {
              throw error;
            }));
        assertThat(e).isNotNull().hasCause(error).hasMessageContaining("unchanged");
        assertThat((Session) Sys.getState(s)).isEqualTo(new Session("ann", "s3cr3t", 1));
        assertThat(Proc.isAlive(s)).isTrue();
        assertThat((Integer) GenServer.call(s, new Req.Hit())).isEqualTo(2);
        GenServer.stop(s);
      });
    }
  }

  @Test
  @DisplayName("Y3/G27: getStatus shows pid, behaviour, module, parent, suspension and the state as formatStatus redacts it")
  void getStatus() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid s = GenServer.start(new Server(inbox.pid())).pid();
        Sys.Status status = Sys.getStatus(s);
        assertThat(status.pid()).isEqualTo(s);
        assertThat(status.behaviour()).isEqualTo("GenServer");
        assertThat(status.module()).isEqualTo(Server.class.getName());
        assertThat(status.parent()).isEqualTo(s);
        assertThat(status.suspended()).isFalse();
        assertThat(status.state()).isEqualTo(new Session("ann", "<hidden>", 0));
        assertThat(status.toString()).doesNotContain("s3cr3t");
        GenServer.stop(s);
      });
    }
  }

  @Test
  @DisplayName("Y4: while suspended a call waits (system messages are still served); resume lets it through")
  void suspendAndResume() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid s = GenServer.start(new Server(inbox.pid())).pid();
        Sys.suspend(s);
        assertThat(Sys.getStatus(s).suspended()).isTrue();
        CompletableFuture<Integer> pending = new CompletableFuture<>();
        Proc.spawn(() -> pending.complete((Integer) GenServer.call(s, new Req.Hit(), WAIT)));
        BehaviourTestKit.await().until(() -> Proc.info(s).orElseThrow().mailboxLength() == 1);
        GenServer.cast(s, new Req.Hit()); // queued behind the call
        BehaviourTestKit.await().until(() -> Proc.info(s).orElseThrow().mailboxLength() == 2);
        // Still suspended: the call has not been served, but Sys calls are.
        assertThat((Session) Sys.getState(s)).isEqualTo(new Session("ann", "s3cr3t", 0));
        assertThat(pending).isNotDone();
        CallException timedOut = catchThrowableOfType(CallException.class,
            () -> GenServer.call(s, new Req.Get(), Duration.ofMillis(50)));
        assertThat(timedOut.reason()).isEqualTo(ExitReason.TIMEOUT);
        Sys.resume(s);
        assertThat(pending.orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join()).isEqualTo(1);
        assertThat(Sys.getStatus(s).suspended()).isFalse();
        assertThat((Session) GenServer.call(s, new Req.Get())).isEqualTo(new Session("ann", "s3cr3t", 2));
        GenServer.stop(s);
      });
    }
  }

  @Test
  @DisplayName("Y4/G22: a suspended server can still be stopped (stop is a system message)")
  void stopWhileSuspended() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid s = GenServer.start(new Server(inbox.pid())).pid();
        Sys.suspend(s);
        GenServer.stop(s, ExitReason.NORMAL, WAIT);
        assertThat(Proc.isAlive(s)).isFalse();
      });
    }
  }

  @Test
  @DisplayName("Y4/G1: a suspended server does not run handleInfo for its idle timeout until resumed")
  void suspendedIdleTimeout() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> untilUndisturbed("suspending the server before its idle timeout", () -> {
        Pid s = GenServer.start(new Server(inbox.pid())).pid();
        GenServer.call(s, new Req.IdleTimeout(Duration.ofMillis(100)));
        Sys.suspend(s);
        if (handledBeforeTheSuspend(inbox, "timeout")) {
          GenServer.stop(s);
          return false;
        }
        expectNone(inbox, m -> true, "a callback running while the server is suspended");
        Sys.resume(s);
        expect(inbox, "timeout");
        GenServer.stop(s);
        return true;
      }));
    }
  }

  /**
   * Whether the server ran the callback that reports {@code report} before it took the suspend: this
   * thread stalled between the call that armed the timeout and the suspend for as long as the timeout.
   * The server sends the report before it answers the suspend, so it is in the inbox by now if so.
   */
  private static boolean handledBeforeTheSuspend(Inbox inbox, String report) {
    return inbox.receive(m -> m.equals(report), Duration.ZERO).isPresent();
  }

  @Test
  @DisplayName("Y4/G2: a suspended server does not run handleInfo for a {timeout,T,Msg} until resumed")
  void suspendedMessageTimeout() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> untilUndisturbed("suspending the server before its message timeout", () -> {
        Pid s = GenServer.start(new Server(inbox.pid())).pid();
        GenServer.call(s, new Req.MessageTimeout(Duration.ofMillis(50)));
        Sys.suspend(s);
        if (handledBeforeTheSuspend(inbox, "info:tick")) {
          GenServer.stop(s);
          return false;
        }
        assertThat(inbox.receive(Duration.ofMillis(400))).as("a callback while suspended").isEmpty();
        Sys.resume(s);
        expect(inbox, "info:tick");
        GenServer.stop(s);
        return true;
      }));
    }
  }

  @Test
  @DisplayName("Y5: statistics count messages in and replies out since switched on; off gives empty")
  void statistics() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid s = GenServer.start(new Server(inbox.pid())).pid();
        assertThat(Sys.statistics(s)).isEmpty();
        GenServer.call(s, new Req.Hit()); // before: not counted
        Sys.statistics(s, true);
        GenServer.call(s, new Req.Hit());
        GenServer.call(s, new Req.Hit());
        GenServer.cast(s, new Req.Hit());
        inbox.send(s, "info");
        expect(inbox, "info:info");
        Sys.Statistics stats = Sys.statistics(s).orElseThrow();
        assertThat(stats.messagesIn()).isEqualTo(4);
        assertThat(stats.messagesOut()).isEqualTo(2);
        assertThat(stats.currentTime()).isAfterOrEqualTo(stats.startTime());
        assertThat(stats.handlerTime()).isGreaterThanOrEqualTo(Duration.ZERO);
        Sys.statistics(s, false);
        assertThat(Sys.statistics(s)).isEmpty();
        GenServer.stop(s);
      });
    }
  }

  @Test
  @DisplayName("Y5: log keeps the last N events (in, out, noreply) oldest first; getLog reads them; 0 stops")
  void logAndGetLog() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid s = GenServer.start(new Server(inbox.pid())).pid();
        assertThat(Sys.getLog(s)).isEmpty();
        Sys.log(s, 10);
        GenServer.call(s, new Req.Hit());
        GenServer.cast(s, new Req.Hit());
        List<Sys.Event> log = Sys.getLog(s);
        assertThat(log).hasSize(4);
        assertThat(log.get(0)).isInstanceOf(Sys.Event.In.class);
        assertThat(((Sys.Event.In) log.get(0)).message().toString()).contains("Hit");
        assertThat(log.get(1)).isEqualTo(new Sys.Event.Out(1, null, new Session("ann", "s3cr3t", 1)));
        assertThat(log.get(2)).isInstanceOf(Sys.Event.In.class);
        assertThat(log.get(3)).isEqualTo(new Sys.Event.NoReply(new Session("ann", "s3cr3t", 2)));
        // The caller of Out is the calling process, when there is one.
        Pid caller = BehaviourTestKit.inProcess(() -> {
          GenServer.call(s, new Req.Get());
          return Proc.self();
        });
        assertThat(Sys.getLog(s).getLast()).isInstanceOfSatisfying(Sys.Event.Out.class,
            out -> assertThat(out.to()).isEqualTo(caller));
        // A limit keeps only the newest events.
        Sys.log(s, 3);
        assertThat(Sys.getLog(s)).hasSize(3);
        for (int i = 0; i < 5; i++) {
          GenServer.cast(s, new Req.Hit());
        }
        List<Sys.Event> last = Sys.getLog(s);
        assertThat(last).hasSize(3);
        assertThat(last.getLast()).isEqualTo(new Sys.Event.NoReply(new Session("ann", "s3cr3t", 7)));
        assertThat(Sys.getStatus(s).log()).hasSize(3);
        Sys.log(s, 0);
        GenServer.cast(s, new Req.Hit());
        assertThat(Sys.getLog(s)).isEmpty();
        assertThatThrownBy(() -> Sys.log(s, -1)).isInstanceOf(IllegalArgumentException.class);
        GenServer.stop(s);
      });
    }
  }

  @Test
  @DisplayName("Y5: an installed sink gets (pid, event) for every event, on the server's thread, until removed")
  void installSink(Reports reports) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid s = GenServer.start(new Server(inbox.pid())).pid();
        record Seen(Pid pid, Sys.Event event, boolean onServerThread) {}
        List<Seen> seen = new CopyOnWriteArrayList<>();
        Sys.EventSink sink = (pid, event) -> seen.add(new Seen(pid, event, Proc.isProcess() && Proc.self().equals(s)));
        Sys.install(s, sink);
        GenServer.call(s, new Req.Hit());
        // The reply goes out before its event is emitted; a system call is served after both.
        Sys.getState(s);
        assertThat(seen).hasSize(2);
        assertThat(seen).allSatisfy(x -> {
          assertThat(x.pid()).as("the pid given to the sink").isEqualTo(s);
          assertThat(x.onServerThread()).isTrue();
        });
        assertThat(seen.get(1).event()).isEqualTo(new Sys.Event.Out(1, null, new Session("ann", "s3cr3t", 1)));
        Sys.remove(s, sink);
        GenServer.call(s, new Req.Hit());
        Sys.getState(s);
        assertThat(seen).hasSize(2);
        // A sink that throws does not hurt the server.
        Sys.install(s, (pid, event) -> {
          throw new IllegalStateException("bad sink");
        });
        assertThat((Integer) GenServer.call(s, new Req.Hit())).isEqualTo(3);
        GenServer.stop(s);
        // Each failure is logged: at least the call's in and out events (the stop may add one).
        assertThat(reports.events(Reports.SYS)).hasSizeGreaterThanOrEqualTo(2).allSatisfy(e -> {
          assertThat(e.getLevel()).isEqualTo(Level.WARN);
          assertThat(e.getFormattedMessage()).isEqualTo("a Sys event sink failed for " + s);
          assertThat(e.getThrowableProxy().getMessage()).isEqualTo("bad sink");
        });
      });
    }
  }

  @Test
  @DisplayName("Y5: trace on logs each event (with pid and event key-values) to logger org.otp4j.behaviours.Sys; off stops it")
  void traceOnOff(Reports reports) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid s = GenServer.start(new Server(inbox.pid())).pid();
        Sys.trace(s, true);
        GenServer.call(s, new Req.Hit());
        Sys.getState(s); // served after the call's out event is logged
        List<ILoggingEvent> events = reports.events(Reports.SYS);
        assertThat(events).hasSize(2);
        for (ILoggingEvent e : events) {
          assertThat(e.getLevel()).isEqualTo(Level.INFO);
          assertThat(keyValue(e, "pid")).as("pid key of a trace event").isEqualTo(s);
          assertThat(keyValue(e, "event")).isInstanceOf(Sys.Event.class);
        }
        assertThat(keyValue(events.get(1), "event")).isEqualTo(new Sys.Event.Out(1, null, new Session("ann", "s3cr3t", 1)));
        Sys.trace(s, false);
        GenServer.call(s, new Req.Hit());
        Sys.getState(s);
        assertThat(reports.events(Reports.SYS)).hasSize(2);
        GenServer.stop(s);
      });
    }
  }

  @Test
  @DisplayName("Y5: Sys on a process that is gone fails with CallException noproc")
  void sysOnDeadProcess() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid s = GenServer.start(new Server(inbox.pid())).pid();
        GenServer.stop(s);
        CallException e = catchThrowableOfType(CallException.class, () -> Sys.getState(s));
        assertThat(e.reason()).isEqualTo(ExitReason.NOPROC);
        assertThat(e).hasMessageContaining("Sys.getState");
        assertThat(catchThrowableOfType(CallException.class, () -> Sys.suspend(s)).reason()).isEqualTo(ExitReason.NOPROC);
      });
    }
  }

  @Test
  @DisplayName("Y1/Y4: Sys on a supervisor: suspend blocks its API, getState still answers, resume restores it")
  void sysOnSupervisor() {
    try (Node node = Node.start()) {
      node.run(() -> {
        Pid sup = Supervisor.startLink(Supervisor.oneForOne(),
            ChildSpec.worker("w", () -> Proc.spawnLink(() -> Proc.receive(m -> false))));
        Sys.suspend(sup);
        assertThat((Object) Sys.getState(sup)).isNotNull();
        CompletableFuture<List<Supervisor.Child>> pending = new CompletableFuture<>();
        Proc.spawn(() -> pending.complete(Supervisor.whichChildren(sup)));
        BehaviourTestKit.await().until(() -> Proc.info(sup).orElseThrow().mailboxLength() == 1);
        assertThat(pending).isNotDone();
        Sys.resume(sup);
        assertThat(pending.orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join()).hasSize(1);
        Supervisor.stop(sup);
      });
    }
  }

  private static Object keyValue(ILoggingEvent e, String key) {
    if (e.getKeyValuePairs() == null) {
      return null;
    }
    for (KeyValuePair p : e.getKeyValuePairs()) {
      if (p.key.equals(key)) {
        return p.value;
      }
    }
    return null;
  }
}
