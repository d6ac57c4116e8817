package org.otp4j.behaviours;

import java.util.Objects;
import org.otp4j.core.ExitReason;

/**
 * A handler installed in a {@link GenEvent} event manager: OTP's {@code gen_event} callback module.
 * All handlers of a manager run inside the manager process, one event at a time, each with its own
 * state.
 *
 * <pre>{@code
 * final class Counter extends EventHandler<Integer, Object> {
 *   @Override protected InitResult<Integer> init(Object args) { return InitResult.ok(0); }
 *   @Override protected EventResult<Integer> handleEvent(Object event, Integer n) { return EventResult.ok(n + 1); }
 *   @Override protected CallResult<Integer> handleCall(Object request, Integer n) { return CallResult.ok(n, n); }
 * }
 * var counter = new Counter();
 * GenEvent.addHandler(manager, counter, null);
 * GenEvent.notify(manager, "something happened");
 * int seen = GenEvent.call(manager, counter, "how many?");
 * }</pre>
 *
 * <p>The handler object is its own identity in the manager: keep it to call, delete or swap it. The
 * same object can be installed once per manager; install another instance of the class to have two.
 * A handler that throws, or returns null, is removed alone (its {@code terminate} runs with
 * {@link Removal.Crashed}); the manager and the other handlers carry on.
 *
 * @param <S> the handler's state
 * @param <E> the events it handles
 */
public abstract class EventHandler<S, E> {

  protected EventHandler() {}

  /** Initialises the handler with the arguments given to {@code addHandler}. */
  protected abstract InitResult<S> init(Object args) throws Exception;

  /** Handles an event sent with {@link GenEvent#notify} or {@link GenEvent#syncNotify}. Default: keep the state. */
  protected EventResult<S> handleEvent(E event, S state) throws Exception {
    return EventResult.ok(state);
  }

  /** Handles a request sent with {@link GenEvent#call}. The default removes the handler, as an unexpected call. */
  protected CallResult<S> handleCall(Object request, S state) throws Exception {
    throw new UnsupportedOperationException("handleCall is not implemented in " + getClass().getName()
        + " but a call arrived: " + request);
  }

  /** Handles any other message the manager receives. Default: log a warning and keep the state. */
  protected EventResult<S> handleInfo(Object message, S state) throws Exception {
    Reports.log(new Reports.Report.UnexpectedMessage(Reports.Report.UnexpectedMessage.Kind.EVENT_HANDLER,
        getClass().getName(), this, message));
    return EventResult.ok(state);
  }

  /**
   * Runs when the handler leaves the manager; what it returns is the result of
   * {@link GenEvent#deleteHandler}, and is passed to the replacing handler's init on a swap.
   * Default: returns null.
   */
  protected Object terminate(Removal why, S state) throws Exception {
    return null;
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "@" + Integer.toHexString(System.identityHashCode(this));
  }

  // ---------------------------------------------------------------------------------------

  /** What {@link #init} returns. */
  public sealed interface InitResult<S> {
    record Ok<S>(S state) implements InitResult<S> {}

    record Error<S>(Object reason) implements InitResult<S> {}

    static <S> InitResult<S> ok(S state) {
      return new Ok<>(state);
    }

    /** The handler is not added; {@code addHandler} returns {@link GenEvent.InitFailed} with {@code reason}. */
    static <S> InitResult<S> error(Object reason) {
      return new Error<>(Objects.requireNonNull(reason, "reason"));
    }
  }

  /** What {@link #handleEvent} and {@link #handleInfo} return. */
  public sealed interface EventResult<S> {
    record Ok<S>(S state) implements EventResult<S> {}

    record Remove<S>() implements EventResult<S> {}

    record Swap<S>(Object terminateArgs, S state, EventHandler<?, ?> newHandler, Object initArgs)
        implements EventResult<S> {}

    static <S> EventResult<S> ok(S state) {
      return new Ok<>(state);
    }

    /** Remove this handler ({@link Removal.Removed}). */
    static <S> EventResult<S> removeHandler() {
      return new Remove<>();
    }

    /** Replace this handler by {@code newHandler}: see {@link GenEvent#swapHandler}. */
    static <S> EventResult<S> swapHandler(Object terminateArgs, S state, EventHandler<?, ?> newHandler, Object initArgs) {
      return new Swap<>(terminateArgs, state, Objects.requireNonNull(newHandler, "newHandler"), initArgs);
    }
  }

  /** What {@link #handleCall} returns. */
  public sealed interface CallResult<S> {
    record Ok<S>(Object reply, S state) implements CallResult<S> {}

    record Remove<S>(Object reply) implements CallResult<S> {}

    record Swap<S>(Object reply, Object terminateArgs, S state, EventHandler<?, ?> newHandler, Object initArgs)
        implements CallResult<S> {}

    static <S> CallResult<S> ok(Object reply, S state) {
      return new Ok<>(reply, state);
    }

    static <S> CallResult<S> removeHandler(Object reply) {
      return new Remove<>(reply);
    }

    static <S> CallResult<S> swapHandler(Object reply, Object terminateArgs, S state, EventHandler<?, ?> newHandler,
        Object initArgs) {
      return new Swap<>(reply, terminateArgs, state, Objects.requireNonNull(newHandler, "newHandler"), initArgs);
    }
  }

  /** Why a handler leaves its manager, as {@link #terminate} sees it. */
  public sealed interface Removal {
    /** {@link GenEvent#deleteHandler} with these arguments. */
    record Deleted(Object args) implements Removal {}

    /** It asked to be removed ({@code removeHandler}). */
    record Removed() implements Removal {}

    /** It is being swapped out ({@code swapHandler}) with these arguments. */
    record Swapped(Object args) implements Removal {}

    /**
     * The manager is stopping ({@code reason} {@code normal} for {@link GenEvent#stop}), or the owner
     * of a supervised handler terminated with {@code reason}.
     */
    record Stopped(ExitReason reason) implements Removal {}

    /** It threw, or returned null: {@code reason} says what. */
    record Crashed(ExitReason reason) implements Removal {}
  }
}
