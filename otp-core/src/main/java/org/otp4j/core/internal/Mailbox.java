package org.otp4j.core.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import org.otp4j.core.ExitReason;
import org.otp4j.core.MailboxFullException;
import org.otp4j.core.MailboxOverflow;
import org.otp4j.core.Pid;
import org.otp4j.core.Ref;

/**
 * The second layer of a process (see {@link ProcessCore}): its mailbox. Any thread sends; only the
 * process's own thread (or, for an inbox, the plain thread that owns it) receives.
 *
 * <h2>Implementation notes</h2>
 *
 * <p><b>The list.</b> One singly linked list of {@link MailboxNode}s; the process itself is the
 * first dummy. Producers (any thread) append with an atomic exchange of {@code tail} and then link
 * the previous node ({@code prev.next = node}, release): Vyukov's multi-producer queue, which never
 * blocks a sender. The consumer owns {@code head}, a dummy node, and walks the list from there.
 * Selective receive unlinks the matched node wherever it is:
 * <ul>
 *   <li>the first node: {@code head} advances to it and it becomes the new dummy;</li>
 *   <li>a node with a successor: its predecessor is linked past it. Safe because a node's
 *       {@code next} is written exactly once by one producer, and it already has been;</li>
 *   <li>the last node (no successor yet): a producer may be about to link after it, so it is left in
 *       place as a tombstone ({@code msg == TAKEN}) and unlinked by a later scan.</li>
 * </ul>
 * Messages that do not match stay where they are, in arrival order.
 *
 * <p><b>The receive marker.</b> {@link #makeRefWithMarker()} attaches the current tail node to a
 * fresh reference; a receive for that reference starts its scan there, since a reply carrying the
 * reference cannot have arrived before the reference existed (OTP's receive-marker optimisation).
 *
 * <p><b>Parking.</b> Dekker-style handshake between {@code waiting} and {@code tail}: the consumer
 * publishes {@code waiting = true} and then re-reads {@code tail}; a producer exchanges {@code tail}
 * and then reads {@code waiting}. All four accesses are volatile, so at least one side sees the
 * other: either the producer unparks the consumer, or the consumer sees the new tail and does not
 * park. Before parking, the consumer spins for a while (see {@link Spin}).
 */
abstract sealed class Mailbox extends ProcessCore permits Signals {

  /** Marks a message that selective receive took while it was the last node of the list. */
  private static final Object TAKEN = new Object();
  /** Returned by receive when its timeout expires. */
  public static final Object TIMED_OUT = new Object();

  private static final VarHandle TAIL;
  private static final VarHandle WAITING;

  static {
    try {
      MethodHandles.Lookup l = MethodHandles.lookup();
      TAIL = l.findVarHandle(Mailbox.class, "tail", MailboxNode.class);
      WAITING = l.findVarHandle(Mailbox.class, "waiting", boolean.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private MailboxNode head; // consumer-owned dummy
  @SuppressWarnings("unused") // accessed through TAIL
  private volatile MailboxNode tail;
  @SuppressWarnings("unused") // accessed through WAITING
  private volatile boolean waiting;
  private final MailboxLimit limit; // null for the default unbounded mailbox
  // The receive marker set by makeRefWithMarker(): the reference, whose attachment holds the tail
  // node at the time it was made (owner thread only; cleared by the next receive).
  private Ref markerRef;
  // Messages taken from this mailbox so far. NOTE: written by the owner thread only, with a plain
  // increment (the take path stays free of atomics); other threads read it racily, for introspection.
  private long received;
  // adaptive spin before parking, see Spin (owner thread only)
  short spinBudget;
  short spinMisses;
  short spinCooldown;

  Mailbox(NodeRuntime runtime, long serial, byte kind, MailboxLimit limit, Pid remotePid) {
    super(runtime, serial, kind, remotePid);
    this.limit = limit;
    this.spinBudget = (short) Math.min(Spin.INITIAL, runtime.spinMax());
    this.head = this; // the process is its own first dummy node
    this.tail = this;
  }

  // =====================================================================================
  // sending (any thread)

  /**
   * Appends {@code msg} to this process's mailbox. Never blocks. Dropped if the process is not alive
   * (sending to a dead process is not an error). A bounded mailbox applies its overflow policy.
   *
   * @return true if the delivery made this process exit (a full mailbox under
   *     {@link MailboxOverflow#EXIT}): the caller must then {@link Signals#terminateChain finish}
   *     that exit once it is out of its own busy section (see {@link Kernel})
   * @throws MailboxFullException under {@link MailboxOverflow#REJECT}, when full
   */
  final boolean deliver(Object msg) {
    if (state != ALIVE || kind == ROOT) {
      return false;
    }
    if (kind == REMOTE) {
      // NOTE: sent on the sender's thread, so its messages and signals leave in the order it made them.
      runtime().distribution().forwardMessage(self(), msg);
      return false;
    }
    MailboxLimit l = limit;
    if (l != null && !l.admit()) {
      return overflow(l);
    }
    enqueue(new MailboxNode(msg));
    return false;
  }

  private boolean overflow(MailboxLimit l) {
    l.dropped();
    return switch (l.policy) {
      case DROP_NEWEST -> false;
      case REJECT -> throw new MailboxFullException(pid(), l.capacity);
      case EXIT -> {
        synchronized (this) {
          yield beginExit(ExitReason.of("mailbox_overflow"));
        }
      }
    };
  }

  /** Appends a runtime-generated message (EXIT, DOWN); never refused. Caller holds the lock. */
  final void deliverSystem(Object msg) {
    if (limit != null) {
      limit.admitAlways();
    }
    enqueue(new MailboxNode(msg));
  }

  private void enqueue(MailboxNode node) {
    MailboxNode prev = (MailboxNode) TAIL.getAndSet(this, node);
    MailboxNode.NEXT.setRelease(prev, node);
    if ((boolean) WAITING.getVolatile(this)) {
      wakeUp();
    }
  }

  private void wakeUp() {
    if (WAITING.compareAndSet(this, true, false)) {
      woken();
      LockSupport.unpark(thread);
    }
  }

  /** Wakes the plain thread waiting in an inbox that has terminated, so that it sees it is gone. */
  final void wakeInboxOwner() {
    Thread t = thread;
    if (t != null) {
      WAITING.setVolatile(this, false);
      LockSupport.unpark(t);
    }
  }

  // =====================================================================================
  // receiving (owner thread only)

  /** Records a receive marker: messages that arrive from now on follow the returned reference. */
  public final Ref makeRefWithMarker() {
    Ref ref = Ref.make();
    clearMarker();
    Bridge.refs().attach(ref, TAIL.getVolatile(this));
    markerRef = ref;
    return ref;
  }

  private void clearMarker() {
    Ref r = markerRef;
    if (r != null) {
      Bridge.refs().attach(r, null); // the reference may live on; it must not keep mailbox nodes
      markerRef = null;
    }
  }

  /**
   * Takes the first message matching {@code filter} (any message if null), waiting up to
   * {@code timeoutNanos} (negative: forever; zero: do not wait). Returns {@link #TIMED_OUT} if none
   * arrived in time.
   *
   * @param after if not null and equal to the last reference made by {@link #makeRefWithMarker()},
   *     only messages that arrived after that reference was made are examined
   */
  public final Object receive(Predicate<Object> filter, long timeoutNanos, Ref after) {
    // Fast path, small enough to be inlined into the caller: take the first message.
    if (filter == null) {
      MailboxNode h = head;
      MailboxNode n = h.next();
      if (n != null && state == ALIVE) {
        Object m = n.msg;
        if (m != TAKEN) {
          advanceHead(h, n);
          return taken(m);
        }
      }
    }
    return receiveSlow(filter, timeoutNanos, after);
  }

  /**
   * The general receive: scan, then spin, then park. The park happens in this frame, not in a
   * helper's: a parked process's frames are part of its memory footprint.
   */
  private Object receiveSlow(Predicate<Object> filter, long timeoutNanos, Ref after) {
    if (state != ALIVE) {
      throw terminated();
    }
    MailboxNode prev = head;
    if (after != null && after == markerRef
        && Bridge.refs().attachment(after) instanceof MailboxNode marked) {
      prev = marked;
    }
    clearMarker();
    // NOTE: a process's timed receive on a node with a manual clock measures its deadline on that
    // clock; an inbox (a plain thread) stays in real time. The untimed path never looks.
    VirtualClock clock = timeoutNanos > 0 && kind != INBOX ? runtime().virtualClock() : null;
    long deadline = timeoutNanos > 0 ? (clock == null ? System.nanoTime() : clock.nanoTime()) + timeoutNanos : 0L;
    boolean spun = false;
    long parkedAt = 0L;
    for (;;) {
      // 1. scan the messages after prev
      MailboxNode n = prev.next();
      while (n != null) {
        Object m = n.msg;
        MailboxNode next = n.next();
        if (m != TAKEN && m != null && (filter == null || filter.test(m))) {
          unlink(prev, n, next);
          if (parkedAt != 0L) {
            Spin.parked(this, System.nanoTime() - parkedAt);
          }
          return taken(m);
        }
        prev = m == TAKEN ? dropTombstone(prev, n, next) : n;
        n = next;
      }
      // 2. nothing matched: wait for a node after prev
      if (timeoutNanos == 0) {
        touchEpoch();
        return TIMED_OUT;
      }
      if (!spun) {
        spun = true;
        if (spinFor(prev)) {
          continue;
        }
        parkedAt = System.nanoTime();
      }
      if (kind == INBOX) {
        thread = Thread.currentThread(); // whichever plain thread receives
      }
      WAITING.setVolatile(this, true);
      if (TAIL.getVolatile(this) != prev) {
        // A producer has swapped the tail and is about to link after prev.
        WAITING.setVolatile(this, false);
        awaitLink(prev);
        continue;
      }
      if (deadline == 0L) {
        LockSupport.park(this);
      } else {
        long remaining = deadline - (clock == null ? System.nanoTime() : clock.nanoTime());
        if (remaining <= 0) {
          WAITING.setVolatile(this, false);
          if (prev.next() != null) {
            continue; // a last look at what just arrived
          }
          touchEpoch();
          return TIMED_OUT;
        }
        if (clock == null) {
          LockSupport.parkNanos(this, remaining);
        } else {
          // Register, re-read the time, then park: an advance in between either shows on the re-read
          // or leaves the unpark's permit (see VirtualClock).
          VirtualClock.Entry wake = clock.wakeAt(deadline, Thread.currentThread());
          if (deadline - clock.nanoTime() > 0) {
            LockSupport.park(this);
          }
          clock.remove(wake);
        }
      }
      WAITING.setVolatile(this, false);
      if (state != ALIVE) {
        throw terminated();
      }
      touchEpoch(); // it waited in the runtime; scanning what woke it is not a runaway
      Thread.interrupted(); // an interrupt from user code is not a runtime event: keep waiting
    }
  }

  /**
   * Spins for this process's current budget, waiting for a node after {@code last}; true if one
   * came (see {@link Spin}).
   */
  private boolean spinFor(MailboxNode last) {
    int spins = spinBudget;
    for (int i = 0; i < spins; i++) {
      if (last.next() != null) {
        Spin.hit(this, spins);
        return true;
      }
      Thread.onSpinWait();
    }
    Spin.miss(this, spins);
    return false;
  }

  /** Takes the matched node {@code n} (after {@code prev}, before {@code next}) out of the list. */
  private void unlink(MailboxNode prev, MailboxNode n, MailboxNode next) {
    if (prev == head) {
      advanceHead(prev, n);
    } else if (next != null) {
      prev.setNext(next);
    } else {
      n.msg = TAKEN; // a producer may be linking after n: leave it as a tombstone
    }
  }

  /**
   * Removes the tombstone {@code n} if it is safe to, and returns the node the scan goes on from
   * (the new predecessor of {@code next}).
   */
  private MailboxNode dropTombstone(MailboxNode prev, MailboxNode n, MailboxNode next) {
    if (prev == head) {
      advanceHead(prev, n); // the tombstone becomes the dummy
      return n;
    }
    if (next != null) {
      prev.setNext(next); // unlink the tombstone
      return prev;
    }
    return n; // the last node: keep it for now
  }

  /** Makes {@code n}, the first message node, the new dummy head. */
  private void advanceHead(MailboxNode oldHead, MailboxNode n) {
    n.msg = null;
    head = n;
    // NOTE: self-link the old dummy so that it does not keep later nodes reachable (GC nepotism);
    // no producer writes it again, since its next has been set. Walkers treat a self-link as the end.
    oldHead.setNext(oldHead);
  }

  private Object taken(Object m) {
    if (markerRef != null) {
      clearMarker();
    }
    if (limit != null) {
      limit.taken();
    }
    received++;
    touchEpoch();
    return m;
  }

  private static void awaitLink(MailboxNode last) {
    int spins = 0;
    while (last.next() == null) {
      if (++spins < 64) {
        Thread.onSpinWait();
      } else {
        Thread.yield();
      }
    }
  }

  /**
   * Drops whatever is left in the mailbox of a terminated process, so that a retained pid does not
   * keep messages alive. Called by the process's own thread (the consumer) as it ends.
   */
  public final void dropMailbox() {
    // the node's count of received messages keeps what an ended process took
    runtime().receivedByEnded(received);
    received = 0;
    MailboxNode empty = new MailboxNode(null);
    head = empty;
    TAIL.setVolatile(this, empty);
    setNext(null);
    clearMarker();
  }

  // =====================================================================================
  // introspection (any thread; racy by nature)

  /** Whether the process is parked in receive (or waiting for a reply). */
  final boolean isWaiting() {
    return (boolean) WAITING.getVolatile(this);
  }

  /** Number of messages waiting (walks the list; for introspection, not hot paths). */
  final int mailboxLength() {
    int count = 0;
    MailboxNode n = head;
    MailboxNode next;
    while ((next = n.next()) != null && next != n) {
      Object m = next.msg;
      if (m != null && m != TAKEN) {
        count++;
      }
      n = next;
    }
    return count;
  }

  /** A copy of the waiting messages, oldest first (for introspection). */
  final List<Object> mailboxSnapshot(int max) {
    List<Object> out = new ArrayList<>();
    MailboxNode n = head;
    MailboxNode next;
    while (out.size() < max && (next = n.next()) != null && next != n) {
      Object m = next.msg;
      if (m != null && m != TAKEN) {
        out.add(m);
      }
      n = next;
    }
    return out;
  }

  /** Messages this process has taken from its mailbox (read racily, for introspection). */
  public final long messagesReceived() {
    return received;
  }

  final long droppedMessages() {
    return limit == null ? 0 : limit.droppedCount();
  }
}
