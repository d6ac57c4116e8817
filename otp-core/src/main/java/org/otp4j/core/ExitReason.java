package org.otp4j.core;

import java.util.Objects;

/**
 * Why a process terminated, or the reason carried by an exit signal.
 *
 * <p>Erlang exit reasons are arbitrary terms; a few of them have meaning to the runtime. This type
 * keeps that closed set explicit:
 * <ul>
 *   <li>{@link Standard}: the atoms the runtime itself gives meaning to, such as {@link #NORMAL},
 *       {@link #KILL}, {@link #KILLED} and {@link #NOPROC};</li>
 *   <li>{@link Shutdown}: {@code shutdown} and {@code {shutdown, Detail}}, the reasons a supervisor
 *       uses to stop a child;</li>
 *   <li>{@link Crash}: an exception or error thrown out of a process (Erlang's {@code {Reason, Stack}});</li>
 *   <li>{@link Custom}: any other term given to {@link Proc#exit(ExitReason)} or
 *       {@link Proc#exit(Pid, ExitReason)}, such as {@code ExitReason.of("boom")}.</li>
 * </ul>
 *
 * <p>How an exit signal is received depends on its reason (see {@link Proc#exit(Pid, ExitReason)}):
 * {@code normal} from another process is ignored unless the receiver traps exits, {@code kill} sent
 * directly cannot be trapped and terminates the receiver with {@code killed}, and any other reason
 * terminates a receiver that does not trap exits.
 */
public sealed interface ExitReason
    permits ExitReason.Standard, ExitReason.Shutdown, ExitReason.Crash, ExitReason.Custom {

  /** The process finished its work. Linked processes that do not trap exits are not affected. */
  Standard NORMAL = Standard.NORMAL;
  /** Sent with {@link Proc#exit(Pid, ExitReason)}: terminates the receiver even if it traps exits. */
  Standard KILL = Standard.KILL;
  /** The reason of a process terminated by an untrappable {@code kill}. */
  Standard KILLED = Standard.KILLED;
  /** The process did not exist (dead pid or unregistered name). */
  Standard NOPROC = Standard.NOPROC;
  /** A call got no reply in time. */
  Standard TIMEOUT = Standard.TIMEOUT;
  /** A process tried to call itself. */
  Standard CALLING_SELF = Standard.CALLING_SELF;
  /** The connection to the process's node was lost. */
  Standard NOCONNECTION = Standard.NOCONNECTION;
  /** Orderly shutdown, as used by supervisors. */
  Shutdown SHUTDOWN = new Shutdown(null);

  /**
   * Returns the exit reason for an arbitrary term: an {@code ExitReason} is returned as it is, a
   * {@link Throwable} becomes a {@link Crash}, anything else a {@link Custom} reason.
   *
   * @throws NullPointerException if {@code term} is null
   */
  static ExitReason of(Object term) {
    Objects.requireNonNull(term, "an exit reason cannot be null: use ExitReason.NORMAL or ExitReason.of(term)");
    if (term instanceof ExitReason reason) {
      return reason;
    }
    if (term instanceof Throwable error) {
      return new Crash(error);
    }
    return new Custom(term);
  }

  /** {@code {shutdown, detail}}: an orderly shutdown that carries extra information. */
  static Shutdown shutdown(Object detail) {
    return new Shutdown(Objects.requireNonNull(detail, "detail"));
  }

  /** The reason for a process that ended by throwing {@code error}. */
  static Crash crash(Throwable error) {
    return new Crash(error);
  }

  /** True only for {@code normal}. */
  default boolean isNormal() {
    return this == NORMAL;
  }

  /**
   * True for the reasons OTP treats as an orderly end and does not report as a crash:
   * {@code normal}, {@code shutdown} and {@code {shutdown, Detail}}.
   */
  default boolean isOrderly() {
    return this == NORMAL || this instanceof Shutdown;
  }

  /** The atoms that the runtime gives meaning to. */
  enum Standard implements ExitReason {
    NORMAL("normal"),
    KILL("kill"),
    KILLED("killed"),
    NOPROC("noproc"),
    TIMEOUT("timeout"),
    CALLING_SELF("calling_self"),
    NOCONNECTION("noconnection");

    private final String atom;

    Standard(String atom) {
      this.atom = atom;
    }

    @Override
    public String toString() {
      return atom;
    }
  }

  /**
   * {@code shutdown} (when {@code detail} is null) or {@code {shutdown, detail}}.
   *
   * @param detail extra information, or null for a plain {@code shutdown}
   */
  record Shutdown(Object detail) implements ExitReason {
    @Override
    public String toString() {
      return detail == null ? "shutdown" : "{shutdown," + detail + "}";
    }
  }

  /**
   * A process ended because {@code error} was thrown out of it.
   *
   * @param error the exception or error, with its stack trace
   */
  record Crash(Throwable error) implements ExitReason {
    public Crash {
      Objects.requireNonNull(error, "error");
    }

    @Override
    public String toString() {
      return error.toString();
    }
  }

  /**
   * Any other exit reason, such as {@code ExitReason.of("boom")}.
   *
   * @param term the reason; compared with {@code equals}
   */
  record Custom(Object term) implements ExitReason {
    public Custom {
      Objects.requireNonNull(term, "term");
    }

    @Override
    public String toString() {
      return String.valueOf(term);
    }
  }
}
