package org.otp4j.core;

/**
 * A message was refused by a bounded mailbox whose overflow policy is
 * {@link MailboxOverflow#REJECT}. The message was not delivered.
 */
public final class MailboxFullException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient Pid pid;

  public MailboxFullException(Pid pid, int capacity) {
    super("the mailbox of " + pid + " is full (capacity " + capacity
        + ", overflow policy REJECT): the message was not delivered");
    this.pid = pid;
  }

  /** The process whose mailbox was full. */
  public Pid pid() {
    return pid;
  }
}
