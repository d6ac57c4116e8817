package org.otp4j.behaviours;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.otp4j.behaviours.BehaviourTestKit.callFails;
import static org.otp4j.behaviours.BehaviourTestKit.inProcess;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.otp4j.behaviours.BehaviourTestKit.CaptureReports;
import org.otp4j.behaviours.BehaviourTestKit.Reports;
import org.otp4j.core.CallException;
import org.otp4j.core.ExitReason;
import org.otp4j.core.From;
import org.otp4j.core.Name;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.core.RequestId;

/** Requests sent without waiting (OTP-SEMANTICS G13: send_request, receive_response, wait_response, check_response). */
@ExtendWith(CaptureReports.class)
class GenServerSendRequestTest {

  private static final Duration LONG = Duration.ofSeconds(10);
  private static final Duration SHORT = Duration.ofMillis(50);

  sealed interface Req {
    /** Replies {@code value} at once. */
    record Echo(Object value) implements Req {}

    /** Keeps the caller waiting until a {@link Release} with the same tag. */
    record Hold(String tag) implements Req {}

    /** Cast: replies {@code value} to the caller held under {@code tag}. */
    record Release(String tag, Object value) implements Req {}

    /** Throws. */
    record Crash(String message) implements Req {}
  }

  /** Replies at once, or later on request. */
  static final class Backend extends GenServer<Map<String, From>, Req> {
    @Override
    protected Init<Map<String, From>> init() {
      return Init.ok(new HashMap<>());
    }

    @Override
    protected CallResult<Map<String, From>> handleCall(Req req, From from, Map<String, From> held) {
      return switch (req) {
        case Req.Echo(Object value) -> reply(value, held);
        case Req.Hold(String tag) -> {
          held.put(tag, from);
          yield noReply(held);
        }
        case Req.Crash(String message) -> throw new IllegalStateException(message);
        case Req.Release r -> reply("not a call", held);
      };
    }

    @Override
    protected CastResult<Map<String, From>> handleCast(Req req, Map<String, From> held) {
      if (req instanceof Req.Release(String tag, Object value)) {
        held.remove(tag).reply(value);
      }
      return noReply(held);
    }
  }

  /**
   * A front server that forwards {@code Ask} to the backend with sendRequest and stays responsive
   * meanwhile: the backend's reply comes to its handleInfo, which answers the original caller.
   */
  static final class Front extends GenServer<Map<RequestId, From>, Object> {
    record Ask(Object value) {}

    record Ping() {}

    private final Pid backend;
    /** Messages handleInfo did not recognise; read by the test after a call, which orders it. */
    final List<Object> unexpected = java.util.Collections.synchronizedList(new ArrayList<>());

    Front(Pid backend) {
      this.backend = backend;
    }

    @Override
    protected Init<Map<RequestId, From>> init() {
      return Init.ok(new HashMap<>());
    }

    @Override
    protected CallResult<Map<RequestId, From>> handleCall(Object req, From from, Map<RequestId, From> pending) {
      if (req instanceof Ask(Object value)) {
        pending.put(GenServer.sendRequest(backend, new Req.Hold(String.valueOf(value))), from);
        return noReply(pending);
      }
      return reply("pong, " + pending.size() + " pending", pending);
    }

    @Override
    protected CastResult<Map<RequestId, From>> handleInfo(Object message, Map<RequestId, From> pending) {
      for (Map.Entry<RequestId, From> e : pending.entrySet()) {
        if (e.getKey().isResponse(message)) {
          Object answer;
          try {
            answer = "backend said " + e.getKey().response(message);
          } catch (CallException failed) {
            answer = "backend failed: " + failed.reason();
          }
          e.getValue().reply(answer);
          pending.remove(e.getKey());
          return noReply(pending);
        }
      }
      unexpected.add(message);
      return noReply(pending);
    }
  }


  @Test
  @DisplayName("G13: sendRequest returns at once; receiveResponse takes the reply; nothing is left in the mailbox")
  void sendAndReceive() {
    try (Node node = Node.start()) {
      node.run(() -> {
        Pid backend = GenServer.start(new Backend()).pid();
        List<Object> left = inProcess(() -> {
          RequestId id = GenServer.sendRequest(backend, new Req.Echo("hello"));
          assertThat(id.server()).isEqualTo(backend);
          assertThat((String) id.receiveResponse(LONG)).isEqualTo("hello");
          return Proc.flush();
        });
        assertThat(left).as("no reply, no Down left behind").isEmpty();
      });
    }
  }

  @Test
  @DisplayName("G13: several requests outstanding at once, answered in reverse order, each id gets its own reply")
  void severalOutstanding() {
    try (Node node = Node.start()) {
      node.run(() -> {
        Pid backend = GenServer.start(new Backend()).pid();
        List<Object> got = inProcess(() -> {
          RequestId a = GenServer.sendRequest(backend, new Req.Hold("a"));
          RequestId b = GenServer.sendRequest(backend, new Req.Hold("b"));
          RequestId c = GenServer.sendRequest(backend, new Req.Echo("c"));
          GenServer.cast(backend, new Req.Release("b", "B"));
          GenServer.cast(backend, new Req.Release("a", "A"));
          List<Object> out = new ArrayList<>();
          out.add(a.receiveResponse(LONG));
          out.add(b.receiveResponse(LONG));
          out.add(c.receiveResponse(LONG));
          out.add(Proc.flush());
          return out;
        });
        assertThat(got).containsExactly("A", "B", "c", List.of());
      });
    }
  }

  @Test
  @DisplayName("G13: a null reply is taken as null")
  void nullReply() {
    try (Node node = Node.start()) {
      node.run(() -> {
        Pid backend = GenServer.start(new Backend()).pid();
        Object got = inProcess(() -> {
          RequestId id = GenServer.sendRequest(backend, new Req.Hold("n"));
          GenServer.cast(backend, new Req.Release("n", null));
          return java.util.Optional.ofNullable(id.receiveResponse(LONG));
        });
        assertThat(got).isEqualTo(java.util.Optional.empty());
      });
    }
  }

  @Test
  @DisplayName("G13: receiveResponse abandons the request on timeout; the late reply is dropped, never left in the mailbox")
  void receiveResponseAbandonsOnTimeout() {
    try (Node node = Node.start()) {
      node.run(() -> {
        Pid backend = GenServer.start(new Backend()).pid();
        List<Object> left = inProcess(() -> {
          RequestId id = GenServer.sendRequest(backend, new Req.Hold("late"));
          CallException e = callFails(() -> id.receiveResponse(SHORT));
          assertThat(e.reason()).isEqualTo(ExitReason.TIMEOUT);
          GenServer.cast(backend, new Req.Release("late", "too late"));
          // A call after the cast: the backend has handled the release (and given the late reply).
          assertThat((String) GenServer.call(backend, new Req.Echo("synced"))).isEqualTo("synced");
          assertThatThrownBy(() -> id.receiveResponse(SHORT)).isInstanceOf(IllegalStateException.class)
              .hasMessageContaining("abandoned");
          return Proc.flush();
        });
        assertThat(left).isEmpty();
      });
    }
  }

  @Test
  @DisplayName("G13: waitResponse keeps the request on timeout; waiting again takes the reply")
  void waitResponseKeepsTheRequest() {
    try (Node node = Node.start()) {
      node.run(() -> {
        Pid backend = GenServer.start(new Backend()).pid();
        List<Object> got = inProcess(() -> {
          RequestId id = GenServer.sendRequest(backend, new Req.Hold("w"));
          CallException e = callFails(() -> id.waitResponse(SHORT));
          GenServer.cast(backend, new Req.Release("w", "at last"));
          Object reply = id.waitResponse(LONG);
          return List.of(e.reason(), reply, Proc.flush());
        });
        assertThat(got).containsExactly(ExitReason.TIMEOUT, "at last", List.of());
      });
    }
  }

  @Test
  @DisplayName("G13: a dead pid or an unregistered name: the response is noproc")
  void noproc() {
    try (Node node = Node.start()) {
      node.run(() -> {
        Pid dead = Proc.spawn(() -> { });
        Proc.awaitExit(dead, LONG);
        List<Object> reasons = inProcess(() -> List.of(
            callFails(() -> GenServer.sendRequest(dead, new Req.Echo(1)).receiveResponse(LONG)).reason(),
            callFails(() -> GenServer.sendRequest(Name.local("nobody"), new Req.Echo(1)).receiveResponse(LONG)).reason(),
            Proc.flush()));
        assertThat(reasons).containsExactly(ExitReason.NOPROC, ExitReason.NOPROC, List.of());
      });
    }
  }

  @Test
  @DisplayName("G13: a server that crashes before replying: the response is its exit reason")
  void serverCrashes(Reports reports) {
    try (Node node = Node.start()) {
      node.run(() -> {
        Pid backend = GenServer.start(new Backend()).pid();
        CallException e = inProcess(() -> callFails(() ->
            GenServer.sendRequest(backend, new Req.Crash("boom")).receiveResponse(LONG)));
        assertThat(e.reason()).isInstanceOfSatisfying(ExitReason.Crash.class,
            crash -> assertThat(crash.error()).hasMessage("boom"));
        assertThat(e.target()).isEqualTo(backend);
        assertThat(reports.withLabel("gen_server_terminate")).singleElement()
            .satisfies(r -> assertThat(r.get("reason")).isEqualTo(e.reason()));
      });
    }
  }

  @Test
  @DisplayName("G13: check_response: a server forwards with sendRequest, stays responsive, and finds the reply in handleInfo")
  void checkResponseInAServer() {
    try (Node node = Node.start()) {
      node.run(() -> {
        Pid backend = GenServer.start(new Backend()).pid();
        Front front = new Front(backend);
        Pid frontPid = GenServer.start(front).pid();
        List<Object> got = inProcess(() -> {
          RequestId ask = GenServer.sendRequest(frontPid, new Front.Ask("x"));
          // The front is waiting for the backend, yet it answers at once.
          String pong = (String) GenServer.call(frontPid, new Front.Ping());
          GenServer.cast(backend, new Req.Release("x", "X"));
          return List.of(pong, ask.receiveResponse(LONG));
        });
        assertThat(got).containsExactly("pong, 1 pending", "backend said X");
        // The backend's failure reaches the front as a response too.
        RequestId y = GenServer.sendRequest(frontPid, new Front.Ask("y"));
        assertThat((String) GenServer.call(frontPid, new Front.Ping())).isEqualTo("pong, 1 pending");
        Proc.exit(backend, ExitReason.of("gone"));
        assertThat((String) y.receiveResponse(LONG)).isEqualTo("backend failed: " + ExitReason.of("gone"));
        assertThat(front.unexpected).isEmpty();
      });
    }
  }

  @Test
  @DisplayName("G13: from a plain thread: sendRequest and receiveResponse work, and leave no process behind")
  void fromAPlainThread() {
    try (Node node = Node.start()) {
      node.run(() -> {
        Pid backend = GenServer.start(new Backend()).pid();
        int baseline = node.processCount();
        RequestId a = GenServer.sendRequest(backend, new Req.Hold("t"));
        RequestId b = GenServer.sendRequest(backend, new Req.Echo("now"));
        assertThat((String) b.receiveResponse(LONG)).isEqualTo("now");
        assertThat(callFails(() -> a.waitResponse(SHORT)).reason()).isEqualTo(ExitReason.TIMEOUT);
        GenServer.cast(backend, new Req.Release("t", "then"));
        assertThat((String) a.receiveResponse(LONG)).isEqualTo("then");
        BehaviourTestKit.await().until(() -> node.processCount() == baseline);

        RequestId c = GenServer.sendRequest(backend, new Req.Hold("u"));
        c.abandon();
        BehaviourTestKit.await().until(() -> node.processCount() == baseline);
        GenServer.cast(backend, new Req.Release("u", "to no one"));
        assertThat((String) GenServer.call(backend, new Req.Echo("still fine"))).isEqualTo("still fine");
      });
    }
  }

  @Test
  @DisplayName("G13: a plain thread's request that is dropped without taking its response releases its mailbox once the id is garbage")
  void droppedPlainThreadRequest() {
    try (Node node = Node.start()) {
      node.run(() -> {
        Pid backend = GenServer.start(new Backend()).pid();
        int baseline = node.processCount();
        // The id is held by this reference only, not by a local variable the JIT may keep alive, so that
        // clearing it drops the request; until then the collector must not take it.
        AtomicReference<RequestId> held = new AtomicReference<>(GenServer.sendRequest(backend, new Req.Echo("unread")));
        assertThat(node.processCount()).as("the request's mailbox, while the id is held").isEqualTo(baseline + 1);
        // Another call: the backend no longer holds the request as its last message.
        assertThat((String) GenServer.call(backend, new Req.Echo("next"))).isEqualTo("next");
        held.set(null); // dropped without taking its response
        BehaviourTestKit.await().atMost(Duration.ofSeconds(20)).until(() -> {
          System.gc();
          return node.processCount() == baseline;
        });
      });
    }
  }

  @Test
  @DisplayName("G13: a response is taken once; only the requesting process can take it; abandon removes a reply already received")
  void misuse() {
    try (Node node = Node.start()) {
      node.run(() -> {
        Pid backend = GenServer.start(new Backend()).pid();
        List<Object> left = inProcess(() -> {
          RequestId id = GenServer.sendRequest(backend, new Req.Echo("once"));
          assertThat((String) id.receiveResponse(LONG)).isEqualTo("once");
          assertThatThrownBy(() -> id.waitResponse(SHORT)).isInstanceOf(IllegalStateException.class)
              .hasMessageContaining("taken");
          assertThatThrownBy(() -> id.response("a message")).isInstanceOf(IllegalArgumentException.class);

          RequestId mine = GenServer.sendRequest(backend, new Req.Hold("m"));
          Pid self = Proc.self();
          Proc.spawn(() -> {
            try {
              mine.waitResponse(SHORT);
              Proc.send(self, "no error");
            } catch (IllegalStateException e) {
              Proc.send(self, "refused: " + e.getMessage());
            }
          });
          Object refusal = Proc.receive(m -> m instanceof String s && (s.startsWith("refused") || s.equals("no error")));
          assertThat((String) refusal).startsWith("refused").contains("only " + self);

          GenServer.cast(backend, new Req.Release("m", "arrived"));
          assertThat((String) GenServer.call(backend, new Req.Echo("sync"))).isEqualTo("sync");
          mine.abandon(); // the reply is in the mailbox by now: abandon takes it out
          return Proc.flush();
        });
        assertThat(left).isEmpty();
      });
    }
  }
}
