package org.otp4j.core;

/**
 * An operation that only a process can perform (receive, trap exits, link, be monitored...) was
 * called from a plain Java thread. Spawn a process for it, or use an {@link Inbox} to give the thread
 * a mailbox.
 */
public final class NotAProcessException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  public NotAProcessException(String operation) {
    super(operation + " can only be called inside a process, but the current thread ("
        + Thread.currentThread() + ") is not one: spawn a process with Proc.spawn(...), or open an Inbox to "
        + "give a plain thread a mailbox");
  }
}
