package org.otp4j.core;

/**
 * Unwinds the thread of a process that has already terminated: one killed, or ended by an exit
 * signal, while its code was still running.
 *
 * <p>The JVM cannot stop a thread, so a process that is killed is marked dead at once (its links and
 * monitors fire, its name is freed, its mailbox is closed) and its thread is interrupted. Every
 * runtime call the thread makes afterwards (send, receive, call, spawn, link...) throws this error. It
 * is an {@link Error} so that {@code catch (Exception e)} does not swallow it; catching it does not
 * revive the process, and the next runtime call throws it again.
 */
public final class ProcessTerminated extends Error {
  private static final long serialVersionUID = 1L;

  public ProcessTerminated(String message) {
    super(message, null, false, false);
  }
}
