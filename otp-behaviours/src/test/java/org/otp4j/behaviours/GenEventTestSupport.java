package org.otp4j.behaviours;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Inbox;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;

/**
 * What the GenEvent conformance tests share: a handler that reports each of its callbacks to a
 * probe (the test's {@link Inbox}) and whose reactions are driven by the events it receives, and
 * a process that supervises a handler and forwards what it is told.
 *
 * <p>Handlers run inside the manager process, so their reports reach the probe in the order the
 * callbacks ran.
 */
final class GenEventTestSupport {
  private GenEventTestSupport() {}

  // ---------------------------------------------------------------------------------------
  // reports

  /**
   * {@code init()} ran, for a handler made with these {@code args} (its mode); or {@code initSwapped}
   * ran, and {@code args} is a {@link SwappedIn}.
   */
  record Init(String handler, Object args) {}

  /** What a handler swapped in reports as its init's args: its own args and what the old one's terminate returned. */
  record SwappedIn(Object initArgs, Object terminateResult) {}

  /** {@code handleEvent(event)} ran. */
  record Got(String handler, Object event) {}

  /** {@code handleInfo(message)} ran. */
  record InfoSeen(String handler, Object message) {}

  /** {@code handleCall(request)} ran. */
  record Called(String handler, Object request) {}

  /** {@code terminate(why)} ran. */
  record Term(String handler, EventHandler.Removal why) {}

  // ---------------------------------------------------------------------------------------
  // events that make a recorder react (each names the handler it is for)

  /** The named handler throws. */
  record Crash(String handler) {}

  /** The named handler returns null. */
  record ReturnNull(String handler) {}

  /** The named handler asks to be removed. */
  record Remove(String handler) {}

  /** The named handler swaps itself for {@code replacement}. */
  record SwapTo(String handler, EventHandler<?, ?> replacement) {}

  /**
   * A handler whose state is the list of events it has handled. It reports every callback to
   * {@code probe}; made with args {@code "refuse"} its init fails, with {@code "throw"} it throws;
   * terminate returns {@code "terminated " + name}.
   */
  static final class Recorder extends EventHandler<List<Object>, Object> {
    final String name;
    private final Pid probe;
    private final Object args;

    Recorder(String name, Pid probe) {
      this(name, probe, null);
    }

    Recorder(String name, Pid probe, Object args) {
      this.name = name;
      this.probe = probe;
      this.args = args;
    }

    @Override
    protected InitResult<List<Object>> init() {
      Proc.send(probe, new Init(name, args == null ? "null" : args));
      return start(args);
    }

    @Override
    protected InitResult<List<Object>> initSwapped(Object terminateResult) {
      Proc.send(probe, new Init(name, new SwappedIn(args == null ? "null" : args, terminateResult)));
      return start(args);
    }

    private InitResult<List<Object>> start(Object mode) {
      if ("refuse".equals(mode)) {
        return InitResult.error("refused by " + name);
      }
      if ("throw".equals(mode)) {
        throw new IllegalArgumentException(name + " cannot start");
      }
      return InitResult.ok(List.of());
    }

    @Override
    protected EventResult<List<Object>> handleEvent(Object event, List<Object> seen) {
      Proc.send(probe, new Got(name, event));
      return switch (event) {
        case Crash(String h) when h.equals(name) -> throw new IllegalStateException(name + " crashed");
        case ReturnNull(String h) when h.equals(name) -> null;
        case Remove(String h) when h.equals(name) -> EventResult.removeHandler();
        case SwapTo(String h, EventHandler<?, ?> replacement) when h.equals(name) ->
            EventResult.swapHandler("swap args", seen, replacement);
        default -> EventResult.ok(append(seen, event));
      };
    }

    @Override
    protected EventResult<List<Object>> handleInfo(Object message, List<Object> seen) {
      Proc.send(probe, new InfoSeen(name, message));
      return EventResult.ok(seen);
    }

    @Override
    protected CallResult<List<Object>> handleCall(Object request, List<Object> seen) {
      Proc.send(probe, new Called(name, request));
      return switch (request) {
        case String s when s.equals("seen?") -> CallResult.ok(seen, seen);
        case String s when s.equals("crash") -> throw new IllegalStateException(name + " crashed in a call");
        case String s when s.equals("leave") -> CallResult.removeHandler("left");
        case SwapTo(String h, EventHandler<?, ?> replacement) ->
            CallResult.swapHandler("swapped", "swap args", seen, replacement);
        default -> CallResult.ok("unknown request " + request, seen);
      };
    }

    @Override
    protected Object terminate(Removal why, List<Object> seen) {
      Proc.send(probe, new Term(name, why));
      return "terminated " + name;
    }

    private static List<Object> append(List<Object> list, Object item) {
      List<Object> out = new ArrayList<>(list);
      out.add(item);
      return List.copyOf(out);
    }

    @Override
    public String toString() {
      return "Recorder(" + name + ")";
    }
  }

  /**
   * Asserts that the one handler crash reported so far is {@code handler}'s in {@code manager}, and
   * returns its reason. The manager reports a crash as it removes the handler, before it answers the
   * call or the syncNotify that made it crash.
   */
  static Object handlerCrashReported(BehaviourTestKit.Reports reports, Pid manager, EventHandler<?, ?> handler) {
    List<java.util.Map<String, Object>> crashes = reports.withLabel("gen_event_handler_crash");
    assertThat(crashes).as("gen_event_handler_crash reports").hasSize(1);
    assertThat(crashes.getFirst().get("manager")).isEqualTo(manager);
    assertThat(crashes.getFirst().get("handler")).isSameAs(handler);
    return crashes.getFirst().get("reason");
  }

  // ---------------------------------------------------------------------------------------
  // supervising processes

  /** Tells an {@link #owner} process to exit with {@code reason}. */
  record Die(ExitReason reason) {}

  /** What an {@link #owner} process sends the probe once its handler is installed. */
  record Owning(Pid owner, GenEvent.AddResult result) {}

  /** A message {@code process} received, forwarded to the probe. */
  record Told(Pid process, Object message) {}

  /**
   * Spawns a process that installs {@code handler} supervised by itself, tells the probe, then
   * forwards every message it receives to the probe (as {@link Told}) until told to {@link Die}.
   */
  static Pid owner(Node node, Inbox inbox, Pid manager, EventHandler<?, ?> handler, Object args) {
    Pid owner = node.spawn(() -> {
      Proc.send(inbox.pid(), new Owning(Proc.self(), GenEvent.addSupervisedHandler(manager, handler)));
      forwardUntilDie(inbox.pid());
    });
    GenStatemTestSupport.expect(inbox, m -> m instanceof Owning o && o.owner().equals(owner), "the owner's handler");
    return owner;
  }

  /** Forwards everything received to {@code probe} as {@link Told}, until a {@link Die}. */
  static void forwardUntilDie(Pid probe) {
    for (;;) {
      Object m = Proc.receive();
      if (m instanceof Die(ExitReason reason)) {
        Proc.exit(reason);
      }
      Proc.send(probe, new Told(Proc.self(), m));
    }
  }
}
