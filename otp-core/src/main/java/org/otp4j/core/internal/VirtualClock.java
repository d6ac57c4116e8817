package org.otp4j.core.internal;

import java.util.PriorityQueue;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The engine of a manual clock ({@code org.otp4j.core.ManualClock} is its face): a time that moves
 * only when {@link #advance} is called, the timers of its nodes, and the processes waiting for a
 * deadline on it (a receive or a call with a timeout).
 *
 * <p>Implementation notes. A timed wait registers its thread and deadline here, then re-reads the
 * time, then parks untimed: {@link #advance} moves the time first and unparks the due waiters after,
 * so a waiter either sees the new time on its re-read or gets the unpark (the permit survives an
 * unpark that comes before the park). Due entries are taken earliest first, and the time steps to
 * each entry's deadline as it is taken, so an interval timer rescheduling itself from inside
 * {@code advance} lands at the right place. Tasks (timers firing) run on the advancing thread,
 * outside the lock; they only send messages, which never block.
 */
public final class VirtualClock {
  /** A registered deadline: a parked thread to wake, or a task to run. */
  public static final class Entry implements Comparable<Entry> {
    final long deadline;
    final long seq;
    final Thread waiter;
    final Runnable task;

    Entry(long deadline, long seq, Thread waiter, Runnable task) {
      this.deadline = deadline;
      this.seq = seq;
      this.waiter = waiter;
      this.task = task;
    }

    @Override
    public int compareTo(Entry o) {
      int c = Long.compare(deadline, o.deadline);
      return c != 0 ? c : Long.compare(seq, o.seq);
    }
  }

  private final ReentrantLock lock = new ReentrantLock();
  private final PriorityQueue<Entry> due = new PriorityQueue<>();
  private long seq;
  private volatile long now;

  /** The clock's time in nanoseconds since it was made; moves only in {@link #advance}. */
  public long nanoTime() {
    return now;
  }

  /** Registers {@code thread} to be unparked once the time reaches {@code deadline}. */
  public Entry wakeAt(long deadline, Thread thread) {
    return add(deadline, thread, null);
  }

  /** Registers {@code task} to run (on the advancing thread) once the time reaches {@code deadline}. */
  public Entry runAt(long deadline, Runnable task) {
    return add(deadline, null, task);
  }

  private Entry add(long deadline, Thread thread, Runnable task) {
    lock.lock();
    try {
      Entry e = new Entry(deadline, seq++, thread, task);
      due.add(e);
      return e;
    } finally {
      lock.unlock();
    }
  }

  /** Forgets {@code entry} (a wait that ended, a cancelled timer); nothing if it was taken already. */
  public void remove(Entry entry) {
    lock.lock();
    try {
      due.remove(entry);
    } finally {
      lock.unlock();
    }
  }

  /** How many timers and timed waits are registered. */
  public int pending() {
    lock.lock();
    try {
      return due.size();
    } finally {
      lock.unlock();
    }
  }

  /** Nanoseconds from now to the earliest registered deadline, or -1 if none is registered. */
  public long untilNext() {
    lock.lock();
    try {
      Entry first = due.peek();
      return first == null ? -1 : Math.max(0, first.deadline - now);
    } finally {
      lock.unlock();
    }
  }

  /** Moves the time {@code nanos} forward, waking and running what falls due, earliest first. */
  public void advance(long nanos) {
    long target;
    lock.lock();
    try {
      target = now + nanos;
    } finally {
      lock.unlock();
    }
    for (;;) {
      Entry e;
      lock.lock();
      try {
        Entry first = due.peek();
        if (first == null || first.deadline - target > 0) {
          now = target;
          return;
        }
        e = due.poll();
        if (e.deadline - now > 0) {
          now = e.deadline;
        }
      } finally {
        lock.unlock();
      }
      if (e.waiter != null) {
        LockSupport.unpark(e.waiter);
      } else {
        e.task.run();
      }
    }
  }
}
