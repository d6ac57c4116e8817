package org.otp4j.core.internal;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.otp4j.core.MailboxOverflow;

/** The capacity, overflow policy and counters of a bounded mailbox. */
final class MailboxLimit {
  final int capacity;
  final MailboxOverflow policy;
  private final AtomicInteger size = new AtomicInteger();
  private final AtomicLong dropped = new AtomicLong();

  MailboxLimit(int capacity, MailboxOverflow policy) {
    this.capacity = capacity;
    this.policy = policy;
  }

  /** Reserves room for one message; false if the mailbox is full. */
  boolean admit() {
    if (size.incrementAndGet() > capacity) {
      size.decrementAndGet();
      return false;
    }
    return true;
  }

  /** Counts a runtime message, which is never refused. */
  void admitAlways() {
    size.incrementAndGet();
  }

  void taken() {
    size.decrementAndGet();
  }

  void dropped() {
    dropped.incrementAndGet();
  }

  long droppedCount() {
    return dropped.get();
  }
}
