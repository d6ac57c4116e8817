package org.otp4j.behaviours;

import java.util.Objects;
import org.otp4j.core.Call;
import org.otp4j.core.ExitReason;

/**
 * A handler installed in a {@link GenEvent} event manager: OTP's {@code gen_event} callback module.
 * All handlers of a manager run inside the manager process, one event at a time, each with its own
 * state.
 *
 * <!-- snippet: org.otp4j.behaviours.JavadocExamplesTest#handler -->
 * {@snippet :
 * static final class Seen extends EventHandler<Integer, Alarm> {
 *   static final String ID = "seen";
 *   record HowMany() implements Call<Integer> {}
 *
 *   @Override public Object id() { return ID; }
 *   @Override protected InitResult<Integer> init() { return InitResult.ok(0); }
 *   @Override protected EventResult<Integer> handleEvent(Alarm alarm, Integer n) { return EventResult.ok(n + 1); }
 *   @Override protected CallResult<Integer> handleCall(Object request, Integer n) {
 *     return request instanceof HowMany q ? CallResult.reply(q, n, n) : CallResult.ok("?", n);
 *   }
 * }
 * }
 *
 * <h2>Identity</h2>
 * A handler is known in its manager by its {@link #id()}: by default the handler object itself, so
 * keep it to call, delete or swap it; or override {@code id()} to name it (OTP's
 * {@code {Module, Id}}), and pass that id instead. One manager holds at most one handler per id.
 *
 * <h2>Failure</h2>
 * A handler that throws, or returns null, is removed alone (its {@code terminate} runs with
 * {@link Removal.Crashed}); the manager and the other handlers carry on.
 *
 * <p>Arguments a handler needs go to its constructor: {@link #init()} takes none (OTP passes
 * {@code Args} to {@code init/1}; in Java the handler object already holds them). A handler swapped
 * in for another starts with {@link #initSwapped}, which receives what the old one's terminate
 * returned.
 *
 * @param <S> the handler's state
 * @param <E> the events it handles
 */
public abstract class EventHandler<S, E> {

  protected EventHandler() {}

  /**
   * The handler's identity in its manager. By default the handler object itself; override it to
   * name the handler (a record or a string), so that it can be called, deleted and swapped by name.
   */
  public Object id() {
    return this;
  }

  /** Initialises the handler as it is added ({@link GenEvent#addHandler}). */
  protected abstract InitResult<S> init() throws Exception;

  /**
   * Initialises the handler as it replaces another ({@link GenEvent#swapHandler}): OTP's
   * {@code init({Args, Term})}. The default ignores {@code terminateResult} and runs {@link #init()}.
   *
   * @param terminateResult what the replaced handler's terminate returned, or {@link GenEvent.NotFound}
   *     if it was not installed
   */
  protected InitResult<S> initSwapped(Object terminateResult) throws Exception {
    return init();
  }

  /** Handles an event sent with {@link GenEvent#notify} or {@link GenEvent#syncNotify}. Default: keep the state. */
  protected EventResult<S> handleEvent(E event, S state) throws Exception {
    return EventResult.ok(state);
  }

  /**
   * Handles a request sent with {@link GenEvent#call}. The default fails (the handler is then
   * removed), as an unexpected call.
   */
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
   * {@link GenEvent#deleteHandler}, and is passed to the replacing handler's {@link #initSwapped} on
   * a swap. Default: returns null.
   */
  protected Object terminate(Removal why, S state) throws Exception {
    return null;
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "@" + Integer.toHexString(System.identityHashCode(this));
  }

  // ---------------------------------------------------------------------------------------

  /** What {@link #init} and {@link #initSwapped} return. */
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

    record Swap<S>(Object terminateArgs, S state, EventHandler<?, ?> newHandler) implements EventResult<S> {}

    static <S> EventResult<S> ok(S state) {
      return new Ok<>(state);
    }

    /** Remove this handler ({@link Removal.Removed}). */
    static <S> EventResult<S> removeHandler() {
      return new Remove<>();
    }

    /** Replace this handler by {@code newHandler}: see {@link GenEvent#swapHandler}. */
    static <S> EventResult<S> swapHandler(Object terminateArgs, S state, EventHandler<?, ?> newHandler) {
      return new Swap<>(terminateArgs, state, Objects.requireNonNull(newHandler, "newHandler"));
    }
  }

  /** What {@link #handleCall} returns. */
  public sealed interface CallResult<S> {
    record Ok<S>(Object reply, S state) implements CallResult<S> {}

    record Remove<S>(Object reply) implements CallResult<S> {}

    record Swap<S>(Object reply, Object terminateArgs, S state, EventHandler<?, ?> newHandler)
        implements CallResult<S> {}

    /** Reply and keep going. */
    static <S> CallResult<S> ok(Object reply, S state) {
      return new Ok<>(reply, state);
    }

    /** Reply to a typed request with a value of its reply type, and keep going. */
    static <R, S> CallResult<S> reply(Call<R> request, R value, S state) {
      Objects.requireNonNull(request, "request: the Call being answered");
      return new Ok<>(value, state);
    }

    /** Reply, then remove this handler. */
    static <S> CallResult<S> removeHandler(Object reply) {
      return new Remove<>(reply);
    }

    /** Reply, then replace this handler by {@code newHandler}: see {@link GenEvent#swapHandler}. */
    static <S> CallResult<S> swapHandler(Object reply, Object terminateArgs, S state, EventHandler<?, ?> newHandler) {
      return new Swap<>(reply, terminateArgs, state, Objects.requireNonNull(newHandler, "newHandler"));
    }
  }

  /** Why a handler leaves its manager, as {@link #terminate} sees it (OTP's first argument of terminate/2). */
  public sealed interface Removal {
    /** {@link GenEvent#deleteHandler} with these arguments. */
    record Deleted(Object args) implements Removal {}

    /** It asked to be removed ({@code removeHandler}; OTP's {@code remove_handler}). */
    record Removed() implements Removal {}

    /** It is being swapped out ({@code swapHandler}) with these arguments. */
    record Swapped(Object args) implements Removal {}

    /** The manager is stopping: {@link GenEvent#stop}, or its parent's exit (OTP's {@code stop}). */
    record ManagerStopped() implements Removal {}

    /** The process that supervised it terminated with {@code reason} (OTP's {@code {stop, Reason}}). */
    record OwnerExited(ExitReason reason) implements Removal {}

    /** It threw, or returned null: {@code reason} says what. */
    record Crashed(ExitReason reason) implements Removal {}
  }
}
