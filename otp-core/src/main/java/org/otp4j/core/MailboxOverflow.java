package org.otp4j.core;

/**
 * What a bounded mailbox does with a message that arrives when it is full. Exit and down signals
 * are never refused, whatever the policy; every refused message is counted and shown in
 * {@link ProcessInfo#droppedMessages()}.
 */
public enum MailboxOverflow {
  /** Drop the arriving message; the sender is not told. */
  DROP_NEWEST,
  /** Refuse the arriving message: the sender gets a {@link MailboxFullException}. */
  REJECT,
  /**
   * Terminate the receiving process with reason {@code mailbox_overflow}, as Erlang's
   * {@code max_heap_size} kill does, so that its supervisor can restart it with an empty mailbox.
   */
  EXIT
}
