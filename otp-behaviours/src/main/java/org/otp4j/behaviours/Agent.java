package org.otp4j.behaviours;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.otp4j.core.Call;
import org.otp4j.core.CallException;
import org.otp4j.core.ExitReason;
import org.otp4j.core.From;
import org.otp4j.core.Proc;
import org.otp4j.core.ServerRef;

/**
 * A process that holds a state and is read and changed with functions: Elixir's {@code Agent}, a
 * {@link GenServer} whose protocol is "run this function on your state".
 *
 * <!-- snippet: org.otp4j.behaviours.AgentTest#counter -->
 * {@snippet :
 * ServerRef<Agent.Request<Integer>> counter = Agent.startLink(() -> 0);
 * Agent.update(counter, n -> n + 1);
 * Agent.cast(counter, n -> n + 10);                              // returns at once
 * int before = Agent.getAndUpdate(counter, n -> Agent.pair(n, n * 2));
 * int now = Agent.get(counter, n -> n);                          // 22, before was 11
 * }
 *
 * <h2>Where the functions run</h2>
 * Every function runs inside the agent process, one at a time, in the order the requests arrived:
 * that is what makes an update atomic. Keep them short: a slow function holds up every caller. A
 * function that throws crashes the agent with that exception as its reason, as in Elixir, and the
 * caller's {@link CallException} carries it; under a supervisor, the agent restarts from its
 * initial state.
 *
 * <h2>Client and server</h2>
 * The functions are values passed to the agent: the state they see and return is the agent's
 * own. Only immutable state (or state no function hands out) is safe: a function that returns a
 * mutable part of the state to the caller shares it across processes. {@link #get} is where to copy
 * what leaves.
 *
 * <h2>Supervision and names</h2>
 * {@link #childSpec} describes an agent for a supervisor; start it under a typed name with
 * {@link #startLink(ServerRef, Callable)} to reach it from anywhere.
 */
public final class Agent {
  private Agent() {}

  /**
   * The requests an agent serves: functions of its state. Clients use the static functions of
   * {@link Agent}; the type only shows in the agent's {@code ServerRef<Agent.Request<S>>}.
   *
   * @param <S> the agent's state
   */
  public sealed interface Request<S> permits Get, Update, GetAndUpdate, Cast {}

  private record Get<S, R>(Function<? super S, ? extends R> fun) implements Request<S>, Call<R> {}

  private record Update<S>(UnaryOperator<S> fun) implements Request<S>, Call<Done> {}

  private record GetAndUpdate<S, R>(Function<? super S, Pair<R, S>> fun) implements Request<S>, Call<R> {}

  private record Cast<S>(UnaryOperator<S> fun) implements Request<S> {}

  /** The reply of an update: Elixir's {@code :ok}. */
  private record Done() {}

  /**
   * What the function of {@link #getAndUpdate} returns: the value for the caller and the agent's new
   * state (Elixir's {@code {get, update}} tuple).
   *
   * @param reply what the caller gets
   * @param state the agent's state from now on
   */
  public record Pair<R, S>(R reply, S state) {}

  /** The reply for the caller and the new state, for {@link #getAndUpdate}. */
  public static <R, S> Pair<R, S> pair(R reply, S newState) {
    return new Pair<>(reply, newState);
  }

  // ---------------------------------------------------------------------------------------
  // starting

  /** Starts an agent, not linked, whose state is what {@code initial} returns (run in the agent). */
  public static <S> ServerRef<Request<S>> start(Callable<? extends S> initial) {
    return GenServer.start(new Server<>(initial));
  }

  /** Starts an agent, not linked, registered under {@code name}. */
  public static <S> ServerRef<Request<S>> start(ServerRef<Request<S>> name, Callable<? extends S> initial) {
    return GenServer.start(name, new Server<>(initial));
  }

  /**
   * Starts an agent linked to the caller (unlinked from a plain thread), whose state is what
   * {@code initial} returns; it runs in the agent, before this returns.
   *
   * @throws StartException if {@code initial} threw or returned null
   */
  public static <S> ServerRef<Request<S>> startLink(Callable<? extends S> initial) {
    return GenServer.startLink(new Server<>(initial));
  }

  /** Starts an agent linked to the caller, registered under {@code name}. */
  public static <S> ServerRef<Request<S>> startLink(ServerRef<Request<S>> name, Callable<? extends S> initial) {
    return GenServer.startLink(name, new Server<>(initial));
  }

  /** A permanent worker for a supervisor, started by {@link #startLink(Callable)}. */
  public static ChildSpec childSpec(Object id, Callable<?> initial) {
    Objects.requireNonNull(initial, "initial: the function that makes the agent's first state");
    return ChildSpec.worker(id, () -> startLink(initial));
  }

  /** A permanent worker for a supervisor, registered under {@code name}. */
  public static <S> ChildSpec childSpec(Object id, ServerRef<Request<S>> name, Callable<? extends S> initial) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(initial, "initial: the function that makes the agent's first state");
    return ChildSpec.worker(id, () -> startLink(name, initial));
  }

  // ---------------------------------------------------------------------------------------
  // the client API: from a process or any thread

  /** {@link #get(ServerRef, Function, Duration)} waiting up to 5 seconds. */
  public static <S, R> R get(ServerRef<Request<S>> agent, Function<? super S, ? extends R> fun) {
    return get(agent, fun, GenServer.DEFAULT_CALL_TIMEOUT);
  }

  /**
   * Returns what {@code fun} makes of the state; the state is unchanged.
   *
   * @throws CallException if the agent does not exist, crashed (what {@code fun} threw, say), or did
   *     not answer in time
   */
  public static <S, R> R get(ServerRef<Request<S>> agent, Function<? super S, ? extends R> fun, Duration timeout) {
    return GenServer.call(agent, new Get<S, R>(requireFun(fun, "get")), timeout);
  }

  /** {@link #update(ServerRef, UnaryOperator, Duration)} waiting up to 5 seconds. */
  public static <S> void update(ServerRef<Request<S>> agent, UnaryOperator<S> fun) {
    update(agent, fun, GenServer.DEFAULT_CALL_TIMEOUT);
  }

  /**
   * Replaces the state with what {@code fun} makes of it, and returns once it has.
   *
   * @throws CallException as {@link #get(ServerRef, Function, Duration)}; a null new state stops the
   *     agent with {@code {bad_return_value, null}}
   */
  public static <S> void update(ServerRef<Request<S>> agent, UnaryOperator<S> fun, Duration timeout) {
    GenServer.call(agent, new Update<>(requireFun(fun, "update")), timeout);
  }

  /** {@link #getAndUpdate(ServerRef, Function, Duration)} waiting up to 5 seconds. */
  public static <S, R> R getAndUpdate(ServerRef<Request<S>> agent, Function<? super S, Pair<R, S>> fun) {
    return getAndUpdate(agent, fun, GenServer.DEFAULT_CALL_TIMEOUT);
  }

  /**
   * Runs {@code fun} on the state, which returns {@link #pair(Object, Object) pair(reply, newState)}:
   * the agent takes the new state and the caller gets the reply, in one step.
   *
   * @throws CallException as {@link #get(ServerRef, Function, Duration)}; a null pair stops the
   *     agent with {@code {bad_return_value, null}}, as Elixir's does for anything but a 2-tuple
   */
  public static <S, R> R getAndUpdate(ServerRef<Request<S>> agent, Function<? super S, Pair<R, S>> fun,
      Duration timeout) {
    return GenServer.call(agent, new GetAndUpdate<>(requireFun(fun, "getAndUpdate")), timeout);
  }

  /** Replaces the state with what {@code fun} makes of it, without waiting. Never fails. */
  public static <S> void cast(ServerRef<Request<S>> agent, UnaryOperator<S> fun) {
    GenServer.cast(agent, new Cast<>(requireFun(fun, "cast")));
  }

  /** Stops the agent with reason {@code normal}, waiting as long as it takes. */
  public static void stop(ServerRef<? extends Request<?>> agent) {
    GenServer.stop(agent, ExitReason.NORMAL, Proc.INFINITY);
  }

  /**
   * Stops the agent with {@code reason}; returns once it has terminated.
   *
   * @throws CallException with {@code noproc} if it does not exist, or {@code timeout}
   */
  public static void stop(ServerRef<? extends Request<?>> agent, ExitReason reason, Duration timeout) {
    GenServer.stop(agent, reason, timeout);
  }

  private static <F> F requireFun(F fun, String operation) {
    return Objects.requireNonNull(fun, () -> "Agent." + operation + ": the function to run on the state cannot be null");
  }

  // ---------------------------------------------------------------------------------------
  // the server

  /** The GenServer behind an agent. */
  private static final class Server<S> extends GenServer<S, Request<S>> {
    private final Callable<? extends S> initial;

    Server(Callable<? extends S> initial) {
      this.initial = Objects.requireNonNull(initial, "initial: the function that makes the agent's first state");
    }

    @Override
    protected Init<S> init() throws Exception {
      S state = initial.call();
      if (state == null) {
        return Init.stop(ExitReason.of(BadReturn.value(null)));
      }
      return Init.ok(state);
    }

    @Override
    protected CallResult<S> handleCall(Request<S> request, From from, S state) {
      return switch (request) {
        case Get<S, ?> get -> reply(get.fun().apply(state), state);
        case Update<S> update -> next(update.fun().apply(state), new Done(), state);
        case GetAndUpdate<S, ?> both -> {
          Pair<?, S> pair = both.fun().apply(state);
          yield pair == null ? stop(ExitReason.of(BadReturn.value(null)), state) : next(pair.state(), pair.reply(), state);
        }
        case Cast<S> cast -> next(cast.fun().apply(state), new Done(), state);
      };
    }

    @Override
    protected CastResult<S> handleCast(Request<S> request, S state) {
      return switch (request) {
        case Cast<S> cast -> {
          S next = cast.fun().apply(state);
          yield next == null ? stop(ExitReason.of(BadReturn.value(null)), state) : noReply(next);
        }
        case Update<S> update -> noReply(update.fun().apply(state));
        case Get<S, ?> get -> noReply(state);
        case GetAndUpdate<S, ?> both -> noReply(state);
      };
    }

    /** Replies and takes {@code newState}, or stops if the function returned null. */
    private static <S> CallResult<S> next(S newState, Object reply, S state) {
      return newState == null ? stop(ExitReason.of(BadReturn.value(null)), state) : reply(reply, newState);
    }

    @Override
    String behaviourName() {
      return "Agent";
    }
  }
}
