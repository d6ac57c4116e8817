package org.otp4j.core.internal;

import org.otp4j.core.From;
import org.otp4j.core.Pid;

/**
 * A reply channel of this node that a request may carry to another node: a call's
 * ({@link CallSlot}) or a request's sent without waiting ({@link PendingRequest}). There it travels
 * as a number ({@link Distribution#fromId}); a reply that comes back under that number is given to
 * {@link #reply} here.
 */
abstract class ExportableFrom implements From {
  /** The number other nodes know this channel by, once a request carrying it was sent there (0: none). */
  volatile long exportedAs;

  /**
   * Whether the distribution layer holds this channel only weakly once exported: a request's
   * channel, whose requester may drop the request id (or terminate) without taking the reply; a
   * call's channel is forgotten explicitly when the call ends.
   */
  abstract boolean heldWeakly();

  /** The requesting process, or null for a plain thread. */
  abstract Pid callerPid();
}
