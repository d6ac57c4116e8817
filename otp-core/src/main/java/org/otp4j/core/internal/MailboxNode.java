package org.otp4j.core.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A node of a process's mailbox list (see {@link ProcessImpl}). A process is itself the first dummy
 * node of its list, which saves an object per process.
 *
 * <p>{@code next} is written once by the producer that appended the following node (release) and
 * read by the consumer (acquire); after that only the consumer changes it, to unlink a node or to
 * self-link a node it has dropped.
 */
class MailboxNode {
  static final VarHandle NEXT;

  static {
    try {
      NEXT = MethodHandles.lookup().findVarHandle(MailboxNode.class, "next", MailboxNode.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  Object msg; // written before publication; then only by the consumer
  @SuppressWarnings("unused") // accessed through NEXT
  private MailboxNode next;

  MailboxNode(Object msg) {
    this.msg = msg;
  }

  final MailboxNode next() {
    return (MailboxNode) NEXT.getAcquire(this);
  }

  /** Consumer-side write of {@code next}. */
  final void setNext(MailboxNode n) {
    NEXT.setRelease(this, n);
  }
}
