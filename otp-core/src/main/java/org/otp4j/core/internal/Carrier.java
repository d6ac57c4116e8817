package org.otp4j.core.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * One carrier of a {@link LocalScheduler}: a platform thread that runs virtual threads' continuations
 * from its own {@link RunQueue}, and looks for work elsewhere when that is empty.
 *
 * <h2>Implementation notes</h2>
 *
 * <p><b>Status</b>, with its transition table (the scheduler counts the carriers in each idle
 * status, {@code searching} and {@code parked}, so that a waker can tell at a glance whether anyone
 * needs waking):
 * <pre>
 *   status     event                                               next status     by
 *   RUNNING    its queue is empty                                  SEARCHING       itself
 *   SEARCHING  found a task (shared queue, or stolen)              RUNNING         itself
 *   SEARCHING  found none after a short spin                       PARKED          itself
 *   PARKED     woken (work to share), or a re-check found work     SEARCHING       a waker or itself (CAS)
 *   PARKED     a spare idle for {@value #SPARE_KEEP_ALIVE_MILLIS} ms  RETIRED      itself (CAS); its thread ends
 *   any        the scheduler terminated                            STOPPED         itself; its thread ends
 * </pre>
 *
 * <p><b>Each dispatch</b> (the hot path) takes the oldest task of its own queue, every
 * {@value #SHARED_QUEUE_EVERY}th one from the shared queue first (so that what plain threads and timers
 * submit is not starved by a busy local chain), and keeps the <i>excess</i>: a sum of the tasks left
 * behind at each dispatch, halved whenever none is. A chain of processes (a ring, a request and its
 * reply) leaves nothing behind: the woken process is queued while its waker still runs, and taken
 * once the waker parks. Two or more independent chains on one carrier leave one behind at every
 * dispatch, and the excess crosses {@value #SHARE_THRESHOLD}: the carrier then asks for help (sets
 * {@link #EXCESS}, which lets idle carriers steal even a single task, and wakes one). The monitor
 * sets {@link #OVERDUE} on a carrier that has run one task for over a tick (a computation, a
 * producer sending in a loop), which lets idle carriers steal even a single task from it too.
 *
 * <p><b>What does not wake a carrier</b>: a woken process queued behind its waker, however long the
 * waker has run. Two processes in conversation on two carriers then merge onto one: the one queued
 * behind its partner's carrier runs there once the partner waits for its reply. (Waking an idle
 * carrier for every process queued behind a long-running one kept such pairs apart, with a wake-up
 * at every message; a long runner is the monitor's business, within a tick.)
 *
 * <p><b>Stealing.</b> An idle carrier takes half of a victim's queue if it holds two or more tasks, or
 * one if the victim asked for help or has run its current task for over a monitor tick (see
 * {@link LocalScheduler}). One task behind a short-running one is left alone: it is the next link
 * of a chain, about to run where its data is.
 *
 * <p><b>Parking without lost wake-ups.</b> A carrier going idle first counts itself parked, then
 * writes {@code PARKED}, stops counting itself as searching, and only then looks for work one last
 * time; a submitter first makes its task visible, then reads the counts. All of these are volatile,
 * so either the submitter sees a parked carrier (and wakes it) or a searching one (who will find the
 * task, or park and then see it in its last look), or the carrier's last look sees the task.
 */
final class Carrier extends RunQueue implements Runnable {

  // ---- status
  static final int RUNNING = 0;
  static final int SEARCHING = 1;
  static final int PARKED = 2;
  static final int RETIRED = 3;
  static final int STOPPED = 4;

  /** Every this many dispatches, the shared queue goes first. */
  static final int SHARED_QUEUE_EVERY = 61;
  /** {@link #help} bit: tasks have been left behind dispatch after dispatch (see the excess). */
  static final int EXCESS = 1;
  /** {@link #help} bit: the current task has run for over a monitor tick: it is not about to park. */
  static final int OVERDUE = 2;
  /** Excess at which a carrier asks for help. */
  static final int SHARE_THRESHOLD = 16;
  /** A put that leaves this many tasks queued wakes an idle carrier at once. */
  static final int WAKE_AT_LENGTH = 3;
  /** Rounds of looking for work (about a microsecond each when there is none) before parking. */
  static final int SEARCH_ROUNDS = 32;
  /** How long a spare carrier waits for work before it retires. */
  static final long SPARE_KEEP_ALIVE_MILLIS = 5_000;

  private static final VarHandle STATUS;
  private static final VarHandle DISPATCHES;
  private static final VarHandle HELP;

  static {
    try {
      MethodHandles.Lookup l = MethodHandles.lookup();
      STATUS = l.findVarHandle(Carrier.class, "status", int.class);
      DISPATCHES = l.findVarHandle(Carrier.class, "dispatches", int.class);
      HELP = l.findVarHandle(Carrier.class, "help", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  final LocalScheduler scheduler;
  final int index;
  final boolean spare;
  final Thread thread;

  @SuppressWarnings("unused") // accessed through STATUS
  private int status = RUNNING;
  @SuppressWarnings("unused") // accessed through DISPATCHES
  private int dispatches; // tasks started; written by the owner (opaque), read by the monitor
  @SuppressWarnings("unused") // accessed through HELP
  private int help; // EXCESS and OVERDUE bits: why idle carriers may take even a single task from this one
  private int excess; // owner only
  private int sharedCountdown = SHARED_QUEUE_EVERY; // owner only
  private int seed; // owner only: where a search starts

  // ---- the monitor's own view of this carrier (monitor thread only)
  int seenDispatches;
  int overdueTicks;
  long seenCpuNanos;

  Carrier(LocalScheduler scheduler, int index, boolean spare) {
    this.scheduler = scheduler;
    this.index = index;
    this.spare = spare;
    this.seed = index + 1;
    this.thread = ProcessThreads.newCarrierThread(this, scheduler.carrierName(index));
  }

  int status() {
    return (int) STATUS.getVolatile(this);
  }

  boolean casStatus(int expected, int next) {
    return STATUS.compareAndSet(this, expected, next);
  }

  int dispatches() {
    return (int) DISPATCHES.getOpaque(this);
  }

  /** Whether idle carriers may take even a single task from this one (EXCESS or OVERDUE). */
  boolean wantsHelp() {
    return (int) HELP.getVolatile(this) != 0;
  }

  /** Sets {@code bit} (EXCESS, by the owner; OVERDUE, by the monitor). */
  void askForHelp(int bit) {
    // NOTE: read before writing: thieves and the monitor read this field while the owner dispatches
    if (((int) HELP.getVolatile(this) & bit) == 0) {
      HELP.getAndBitwiseOr(this, bit);
    }
  }

  /** Clears {@code bits} (a thief after a steal, the owner as it dispatches, the monitor). */
  void helped(int bits) {
    if (((int) HELP.getVolatile(this) & bits) != 0) {
      HELP.getAndBitwiseAnd(this, ~bits);
    }
  }

  // =====================================================================================
  // submitting (owner thread only: a continuation submitted while running on this carrier)

  void push(Runnable task) {
    int length = offer(task);
    if (length < 0) {
      overflow(task);
    } else if (length >= WAKE_AT_LENGTH) {
      scheduler.wakeIdle(); // parallel work: an idle carrier should take half
    }
  }

  private void overflow(Runnable task) {
    for (;;) {
      Runnable[] half = takeHalf();
      if (half != null) {
        scheduler.injectAll(half, task);
        return;
      }
      if (offer(task) >= 0) {
        return;
      }
    }
  }

  // =====================================================================================
  // running

  @Override
  public void run() {
    try {
      Runnable task;
      while ((task = next()) != null) {
        DISPATCHES.setOpaque(this, (int) DISPATCHES.get(this) + 1);
        try {
          task.run();
        } catch (Throwable e) {
          scheduler.taskFailed(this, e);
        }
      }
    } finally {
      scheduler.carrierEnded(this);
    }
  }

  /** The next task to run, or null when the scheduler has terminated (or this spare retired). */
  private Runnable next() {
    if (--sharedCountdown <= 0) {
      sharedCountdown = SHARED_QUEUE_EVERY;
      if (scheduler.isTerminated()) {
        return null;
      }
      Runnable task = scheduler.pollShared();
      if (task != null) {
        return task;
      }
    }
    Runnable task = poll();
    if (task != null) {
      int left = ownSize();
      if (left == 0) {
        excess >>= 1;
        helped(EXCESS | OVERDUE);
      } else {
        helped(OVERDUE); // a new task: not overdue (yet)
        if ((excess += left) >= SHARE_THRESHOLD) {
          excess = 0;
          askForHelp(EXCESS);
          scheduler.wakeIdle();
        }
      }
      return task;
    }
    excess = 0;
    helped(EXCESS | OVERDUE);
    return search();
  }

  /** Looks for work (shared queue, then other carriers' queues), parking when there is none. */
  private Runnable search() {
    STATUS.setVolatile(this, SEARCHING);
    scheduler.searchingStarted();
    for (;;) {
      for (int round = 0; round < SEARCH_ROUNDS; round++) {
        if (scheduler.isTerminated()) {
          scheduler.searchingEnded();
          return null;
        }
        Runnable task = findTask();
        if (task != null) {
          STATUS.setVolatile(this, RUNNING);
          scheduler.searchingEnded();
          scheduler.foundWork();
          return task;
        }
        Thread.onSpinWait();
      }
      if (!park()) {
        return null;
      }
    }
  }

  /** One look: the shared queue, then each other carrier once, from a random start. */
  private Runnable findTask() {
    Runnable task = scheduler.pollShared();
    if (task != null) {
      return task;
    }
    Carrier[] all = scheduler.carriers();
    int n = all.length;
    int s = seed;
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    seed = s;
    int start = (s & Integer.MAX_VALUE) % n;
    for (int i = 0; i < n; i++) {
      Carrier victim = all[(start + i) % n];
      if (victim == null || victim == this) {
        continue;
      }
      task = stealFrom(victim, victim.wantsHelp() ? 1 : 2);
      if (task != null) {
        victim.helped(EXCESS); // OVERDUE stays while its task runs: it may queue more
        return task;
      }
    }
    return null;
  }

  /**
   * Parks until woken (see the class notes on lost wake-ups). Returns false if this carrier is to
   * end (the scheduler terminated, or a spare retires).
   */
  private boolean park() {
    scheduler.parkedStarted();
    STATUS.setVolatile(this, PARKED);
    scheduler.searchingEnded();
    if (scheduler.isTerminated()) {
      return false;
    }
    if (scheduler.hasWork(this)) {
      if (casStatus(PARKED, SEARCHING)) {
        scheduler.unparked();
      }
      return true; // else a waker has made it SEARCHING, and counted it
    }
    long deadline = spare ? System.nanoTime() + SPARE_KEEP_ALIVE_MILLIS * 1_000_000L : 0L;
    for (;;) {
      if (spare) {
        LockSupport.parkNanos(this, deadline - System.nanoTime());
      } else {
        LockSupport.park(this);
      }
      if (scheduler.isTerminated()) {
        return false;
      }
      if (status() != PARKED) {
        return true; // woken: the waker made it SEARCHING and counted it
      }
      if (!spare) {
        break; // a spurious return: look again
      }
      if (deadline - System.nanoTime() <= 0) {
        if (casStatus(PARKED, RETIRED)) {
          scheduler.retired(this);
          return false;
        }
        return true;
      }
    }
    if (casStatus(PARKED, SEARCHING)) {
      scheduler.unparked();
    }
    return true;
  }

  /** Called as the thread ends: what is left in this queue goes on elsewhere. */
  void drain() {
    Runnable task;
    while ((task = poll()) != null) {
      scheduler.afterTermination(task);
    }
  }

  void setStopped() {
    STATUS.setVolatile(this, STOPPED);
  }
}
