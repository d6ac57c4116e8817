package org.otp4j.core.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The first layer of a {@link Carrier}: its queue of runnable virtual threads (their continuations,
 * as the JDK submits them). Go's per-processor run queue ({@code runq} in {@code runtime/proc.go}),
 * in Java.
 *
 * <h2>Implementation notes</h2>
 *
 * <p>A ring of {@value #CAPACITY} slots and two counters that only grow ({@code int}s that wrap;
 * all arithmetic is on differences). One producer: the carrier that owns the queue, the only thread
 * that ever writes {@code tail} or a slot. Many consumers: the owner takes from the head, and idle
 * carriers steal from the head too, both with a CAS on {@code head}.
 * <ul>
 *   <li><b>Put</b> (owner): write the slot, then {@code tail} with release. A consumer that reads
 *       {@code tail} with acquire sees the slot.</li>
 *   <li><b>Take</b> (owner): read the head slot, CAS {@code head} one further; a lost CAS (a thief
 *       took it) retries.</li>
 *   <li><b>Steal</b> (another carrier, into its own empty queue): read {@code head}, then
 *       {@code tail} (both acquire), copy half of the tasks between them into its own slots, then
 *       CAS the victim's {@code head} past them. The copies may race with the victim: it may take a
 *       task or clear a slot meanwhile. Then {@code head} has moved and the CAS fails, and the copies
 *       are dropped. If the CAS succeeds, {@code head} stood still since it was read, so none of the
 *       copied slots can have been rewritten: the owner writes slot {@code i} of a new lap only once
 *       {@code head} has passed {@code i}.</li>
 *   <li><b>Full</b>: the owner moves half of its queue out (to the scheduler's shared queue) with one
 *       CAS, as a thief would.</li>
 * </ul>
 * A taken slot is cleared by the owner, so that the queue does not keep finished virtual threads
 * reachable.
 */
abstract class RunQueue {
  static final int CAPACITY = 256;
  private static final int MASK = CAPACITY - 1;

  private static final VarHandle HEAD;
  private static final VarHandle TAIL;

  static {
    try {
      MethodHandles.Lookup l = MethodHandles.lookup();
      HEAD = l.findVarHandle(RunQueue.class, "head", int.class);
      TAIL = l.findVarHandle(RunQueue.class, "tail", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final Runnable[] slots = new Runnable[CAPACITY];
  @SuppressWarnings("unused") // accessed through HEAD
  private int head; // next slot to take; CAS by the owner and by thieves
  @SuppressWarnings("unused") // accessed through TAIL
  private int tail; // next slot to fill; written by the owner only, with release

  /** Owner only: appends {@code task}; false if the queue is full. Returns the length after. */
  final int offer(Runnable task) {
    int h = (int) HEAD.getAcquire(this);
    int t = (int) TAIL.get(this); // the owner's own field
    if (t - h >= CAPACITY) {
      return -1;
    }
    slots[t & MASK] = task;
    TAIL.setRelease(this, t + 1);
    return t + 1 - h;
  }

  /** Owner only: takes the oldest task, or null if none. */
  final Runnable poll() {
    for (;;) {
      int h = (int) HEAD.getAcquire(this);
      int t = (int) TAIL.get(this);
      if (t == h) {
        return null;
      }
      Runnable task = slots[h & MASK];
      if (HEAD.compareAndSet(this, h, h + 1)) {
        // NOTE: a thief copying this slot now will fail its CAS on head (it moved).
        slots[h & MASK] = null;
        return task;
      }
    }
  }

  /** Owner only: how many tasks are queued. */
  final int ownSize() {
    return (int) TAIL.get(this) - (int) HEAD.getAcquire(this);
  }

  /** Any thread: how many tasks are queued (a racy snapshot, never negative). */
  final int size() {
    int h = (int) HEAD.getAcquire(this);
    int t = (int) TAIL.getAcquire(this); // read after head: tail never falls behind what head was
    return t - h;
  }

  /**
   * Owner only, with an empty queue: moves about half of {@code victim}'s tasks (rounded up) into
   * this queue and returns the newest of them to run now; null if the victim has fewer than
   * {@code atLeast} tasks.
   */
  final Runnable stealFrom(RunQueue victim, int atLeast) {
    int t = (int) TAIL.get(this);
    for (;;) {
      int h = (int) HEAD.getAcquire(victim);
      int vt = (int) TAIL.getAcquire(victim);
      int n = vt - h;
      if (n < atLeast || n <= 0) {
        return null;
      }
      n -= n / 2;
      if (n > CAPACITY / 2) {
        continue; // read head and tail of different moments; read again
      }
      for (int i = 0; i < n; i++) {
        slots[(t + i) & MASK] = victim.slots[(h + i) & MASK];
      }
      if (HEAD.compareAndSet(victim, h, h + n)) {
        int last = (t + n - 1) & MASK;
        Runnable task = slots[last];
        slots[last] = null;
        if (n > 1) {
          TAIL.setRelease(this, t + n - 1);
        }
        return task;
      }
      for (int i = 0; i < n; i++) {
        slots[(t + i) & MASK] = null; // the copies are stale
      }
    }
  }

  /**
   * Owner only, with a full queue: takes the older half out (to hand it to the shared queue), or
   * null if thieves took some meanwhile and there is room again.
   */
  final Runnable[] takeHalf() {
    int h = (int) HEAD.getAcquire(this);
    int t = (int) TAIL.get(this);
    int n = (t - h) / 2;
    if (t - h < CAPACITY) {
      return null;
    }
    Runnable[] batch = new Runnable[n];
    for (int i = 0; i < n; i++) {
      batch[i] = slots[(h + i) & MASK];
    }
    if (!HEAD.compareAndSet(this, h, h + n)) {
      return null;
    }
    for (int i = 0; i < n; i++) {
      slots[(h + i) & MASK] = null;
    }
    return batch;
  }
}
