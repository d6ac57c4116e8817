package org.otp4j.core;

/**
 * {@link Proc#link(Pid)} was called on a process that does not exist, by a process that does not
 * trap exits (Erlang's {@code error:noproc}). A process that traps exits receives
 * {@code ExitMessage(pid, noproc)} instead.
 */
public final class NoProcException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient Pid pid;

  public NoProcException(Pid pid, String operation) {
    super(operation + ": process " + pid + " does not exist (it has terminated)");
    this.pid = pid;
  }

  /** The process that did not exist. */
  public Pid pid() {
    return pid;
  }
}
