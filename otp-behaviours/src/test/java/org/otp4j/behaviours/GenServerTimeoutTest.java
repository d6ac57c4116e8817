package org.otp4j.behaviours;

import static org.assertj.core.api.Assertions.assertThat;
import static org.otp4j.behaviours.BehaviourTestKit.expect;
import static org.otp4j.behaviours.BehaviourTestKit.expectNone;
import static org.otp4j.behaviours.BehaviourTestKit.untilUndisturbed;
import static org.otp4j.behaviours.BehaviourTestKit.within;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.otp4j.core.From;
import org.otp4j.core.Inbox;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;

/** GenServer timeouts: OTP-SEMANTICS G1 (idle timeout) and G2 ({timeout, T, Msg}). */
class GenServerTimeoutTest {

  /** Requests: each says which action the reply carries. */
  sealed interface Req {
    /** Reply with an idle timeout. */
    record Idle(Duration after) implements Req {}

    /** Reply with a message timeout. */
    record Message(Duration after, Object message) implements Req {}

    /** Cast itself {@code cast}, then reply with a zero idle timeout. */
    record ZeroIdleWithQueued(String cast) implements Req {}

    /** Cast itself {@code cast}, then reply with a zero message timeout. */
    record ZeroMessageWithQueued(String cast) implements Req {}

    /** Reply, no action. */
    record Plain() implements Req {}

    /** The handled events so far. */
    record Seen() implements Req {}

    record Note(String what) implements Req {}
  }

  /** Records what it handled and tells the observer about every timeout. */
  static final class Server extends GenServer<List<String>, Req> {
    private final Pid observer;
    private final GenServer.Action initAction;

    Server(Pid observer, GenServer.Action initAction) {
      this.observer = observer;
      this.initAction = initAction;
    }

    @Override
    protected Init<List<String>> init() {
      return initAction == null ? Init.ok(List.of()) : Init.ok(List.of(), initAction);
    }

    @Override
    protected CallResult<List<String>> handleCall(Req req, From from, List<String> seen) {
      return switch (req) {
        case Req.Idle(Duration after) -> reply("ok", seen, Action.timeout(after));
        case Req.Message(Duration after, Object message) -> reply("ok", seen, Action.timeout(after, message));
        case Req.ZeroIdleWithQueued(String cast) -> {
          GenServer.cast(Proc.self(), new Req.Note(cast));
          yield reply("ok", seen, Action.timeout(Duration.ZERO));
        }
        case Req.ZeroMessageWithQueued(String cast) -> {
          GenServer.cast(Proc.self(), new Req.Note(cast));
          yield reply("ok", seen, Action.timeout(Duration.ZERO, "tick"));
        }
        case Req.Plain p -> reply("ok", seen);
        case Req.Seen s -> reply(seen, seen);
        case Req.Note n -> reply("ok", seen);
      };
    }

    @Override
    protected CastResult<List<String>> handleCast(Req req, List<String> seen) {
      return req instanceof Req.Note(String what) ? noReply(add(seen, "cast:" + what)) : noReply(seen);
    }

    @Override
    protected CastResult<List<String>> handleInfo(Object message, List<String> seen) {
      String what = message instanceof Timeout ? "timeout" : "info:" + message;
      Proc.send(observer, what);
      return noReply(add(seen, what));
    }

    private static List<String> add(List<String> l, String s) {
      return Stream.concat(l.stream(), Stream.of(s)).toList();
    }
  }

  @Test
  @DisplayName("G1: an idle timeout calls handleInfo(Timeout) when no message arrives in time")
  void idleTimeoutFires() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid s = GenServer.start(new Server(inbox.pid(), null)).pid();
        GenServer.call(s, new Req.Idle(Duration.ofMillis(30)));
        expect(inbox, "timeout");
        // Fires once: the timeout callback returned no new action.
        expectNone(inbox, m -> true, "a second timeout");
        GenServer.stop(s);
      });
    }
  }

  @Test
  @DisplayName("G1: the idle timeout fires only when idle: each message in time restarts it")
  void idleTimeoutOnlyWhenIdle() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> untilUndisturbed("calls that keep the server busy", () -> {
        Pid s = GenServer.start(new Server(inbox.pid(), null)).pid();
        Duration idle = Duration.ofMillis(150);
        long end = System.nanoTime() + Duration.ofMillis(600).toNanos();
        int calls = 0;
        // The server is idle at most from the start of a call (its reply sets the timeout again) to
        // the end of the next one (whose request has arrived by then): the longest such gap must stay
        // under the idle time for the check to say anything.
        long longestGap = 0;
        long previousStart = System.nanoTime();
        while (System.nanoTime() < end) {
          long start = System.nanoTime();
          // Every call arrives long before the timeout and sets it again.
          GenServer.call(s, new Req.Idle(idle));
          calls++;
          longestGap = Math.max(longestGap, System.nanoTime() - previousStart);
          previousStart = start;
        }
        List<Object> whileBusy = inbox.flush();
        longestGap = Math.max(longestGap, System.nanoTime() - previousStart);
        if (longestGap >= idle.toNanos()) {
          GenServer.stop(s);
          inbox.flush();
          return false; // this thread stalled for the idle time: a timeout was allowed to fire
        }
        assertThat(calls).isGreaterThan(4);
        assertThat(whileBusy).as("timeouts while busy").isEmpty();
        expect(inbox, "timeout");
        GenServer.stop(s);
        return true;
      }));
    }
  }

  @Test
  @DisplayName("G1: any message cancels a pending idle timeout (here the one set by init)")
  void messageCancelsIdleTimeout() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> untilUndisturbed("a cast right after the start", () -> {
        Duration idle = Duration.ofMillis(150);
        long start = System.nanoTime();
        Pid s = GenServer.start(new Server(inbox.pid(), GenServer.Action.timeout(idle))).pid();
        GenServer.cast(s, new Req.Note("first"));
        boolean castInTime = within(start, idle); // it arrived before the timeout set by init could fire
        // The cast returned no action: no timeout, ever.
        Optional<Object> fired = inbox.receive(Duration.ofMillis(450));
        @SuppressWarnings("unchecked")
      List<Object> seen = (List<Object>) GenServer.call(s, new Req.Seen());
        GenServer.stop(s);
        if (!castInTime && (fired.isPresent() || seen.contains("timeout"))) {
          inbox.flush();
          return false; // the cast came after the idle time: the timeout was allowed to fire first
        }
        assertThat(fired).as("a cancelled idle timeout").isEmpty();
        assertThat(seen).containsExactly("cast:first");
        return true;
      }));
    }
  }

  @Test
  @DisplayName("G1: a zero idle timeout does not fire when a message is already queued")
  void zeroIdleTimeoutWithQueuedMessage() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid s = GenServer.start(new Server(inbox.pid(), null)).pid();
        GenServer.call(s, new Req.ZeroIdleWithQueued("queued"));
        assertThat((List<String>) GenServer.call(s, new Req.Seen())).containsExactly("cast:queued");
        assertThat(inbox.flush()).isEmpty();
        // With nothing queued, zero fires at once.
        GenServer.call(s, new Req.Idle(Duration.ZERO));
        expect(inbox, "timeout");
        GenServer.stop(s);
      });
    }
  }

  @Test
  @DisplayName("G1 quirk: a system message (Sys.getState) does not cancel the idle timeout; it still fires")
  void systemMessageDoesNotCancelIdleTimeout() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid s = GenServer.start(new Server(inbox.pid(), null)).pid();
        GenServer.call(s, new Req.Idle(Duration.ofMillis(100)));
        assertThat((List<String>) Sys.getState(s)).isEmpty();
        Sys.getStatus(s);
        expect(inbox, "timeout");
        GenServer.stop(s);
      });
    }
  }

  @Test
  @DisplayName("G1: an infinite idle timeout never fires")
  void infiniteIdleTimeout() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid s = GenServer.start(new Server(inbox.pid(), GenServer.Action.timeout(Proc.INFINITY))).pid();
        expectNone(inbox, m -> true, "an infinite timeout firing");
        assertThat((Object) GenServer.call(s, new Req.Plain())).isEqualTo("ok");
        GenServer.stop(s);
      });
    }
  }

  @Test
  @DisplayName("G2: {timeout, T, Msg} calls handleInfo(Msg) after T")
  void messageTimeoutFires() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid s = GenServer.start(new Server(inbox.pid(), GenServer.Action.timeout(Duration.ofMillis(30), "tock"))).pid();
        expect(inbox, "info:tock");
        GenServer.call(s, new Req.Message(Duration.ofMillis(20), "again"));
        expect(inbox, "info:again");
        GenServer.stop(s);
      });
    }
  }

  @Test
  @DisplayName("G2: a zero {timeout, 0, Msg} is handled before a message that is already queued")
  void zeroMessageTimeoutBeforeQueued() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid s = GenServer.start(new Server(inbox.pid(), null)).pid();
        GenServer.call(s, new Req.ZeroMessageWithQueued("queued"));
        expect(inbox, "info:tick");
        assertThat((List<String>) GenServer.call(s, new Req.Seen())).containsExactly("info:tick", "cast:queued");
        GenServer.stop(s);
      });
    }
  }

  @Test
  @DisplayName("G2: system messages do not restart a {timeout, T, Msg}: it fires while Sys calls keep coming")
  void systemMessagesDoNotRestartMessageTimeout() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid s = GenServer.start(new Server(inbox.pid(), GenServer.Action.timeout(Duration.ofMillis(200), "tick"))).pid();
        long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        boolean fired = false;
        while (!fired && System.nanoTime() < deadline) {
          Sys.getState(s);
          fired = inbox.receive(m -> m.equals("info:tick"), Duration.ofMillis(5)).isPresent();
        }
        assertThat(fired).as("the message timeout fired while system messages kept arriving").isTrue();
        GenServer.stop(s);
      });
    }
  }
}
