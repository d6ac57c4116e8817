package org.otp4j.core.internal;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A node's own virtual-thread scheduler: its carrier threads, each with a run queue, placed so that
 * a chain of processes stays on one core, and balanced so that independent work spreads over all of
 * them. See docs/decisions/0013-a-scheduler-with-locality.md for why, and {@link Carrier} for a
 * carrier's loop.
 *
 * <h2>Implementation notes</h2>
 *
 * <p><b>Where a continuation goes.</b> The JDK hands the scheduler a virtual thread's continuation
 * ({@link #execute}) when the thread starts and each time it is woken, from the waker's own thread.
 * If that thread runs on one of this scheduler's carriers (a process waking a process, a process
 * starting one), the continuation goes to that carrier's queue: the woken process runs on the core
 * where the message it is woken for was just written, after the waker parks, with no other
 * carrier woken. From anywhere else (a plain thread, a timer, another node, the JDK's unparker of
 * timed waits), it goes to the shared queue, and a parked carrier is woken unless one is already
 * looking for work.
 *
 * <p><b>Balance</b> comes from the idle carriers, which steal (see {@link Carrier}), and from three
 * triggers that wake one when work piles up: a put that leaves {@value Carrier#WAKE_AT_LENGTH} tasks
 * in a queue; a carrier whose excess (tasks left behind, over successive dispatches) crosses its
 * threshold; and the monitor.
 *
 * <p><b>The monitor</b> is a platform thread that ticks every {@value #TICK_MICROS} microseconds
 * while any carrier is busy, and sleeps while all are parked. It counts each carrier's dispatches:
 * a carrier that has started no task since the last tick has run one task for over a tick, and is
 * marked overdue (see {@link Carrier}): idle carriers may steal even a single task from it, what it
 * wakes goes to an idle carrier at once, and if tasks wait behind it, the monitor wakes one. So a
 * process that computes for long does not starve the processes queued behind it while a core is
 * free, and a producer that sends in a loop does not keep its consumer waiting behind it. If no carrier is idle, and one has been on
 * the same task for over {@value #BLOCKED_TICKS} ticks while its thread waits (a virtual thread
 * pinned in native code or a class initialiser) or uses next to no processor time (a blocking file
 * read), the monitor starts a spare carrier, as the JDK's scheduler compensates for such blocking;
 * a spare retires after {@value Carrier#SPARE_KEEP_ALIVE_MILLIS} ms without work. A carrier that
 * computes is not stood in for: the JVM cannot preempt it, and a spare would only share its core.
 *
 * <p><b>Shutdown.</b> When the node has stopped and every process thread has ended
 * ({@link #terminate()}), the carriers finish their current task and end, and so does the monitor.
 * Virtual threads that outlive the node (ones that a process started, which inherit its scheduler)
 * go on on the JDK's scheduler: what is still queued, and whatever is submitted from then on, goes
 * there.
 */
final class LocalScheduler implements Executor {
  static final long TICK_MICROS = 1_000;
  static final int BLOCKED_TICKS = 10;

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private final String name;
  private final org.slf4j.Logger log;
  private final int parallelism;
  /** The carriers, by index; spares after the first {@link #parallelism}. Copied on change. */
  private volatile Carrier[] carriers;
  private final Object carriersLock = new Object();
  private final ConcurrentLinkedQueue<Runnable> shared = new ConcurrentLinkedQueue<>();
  private final AtomicInteger searching = new AtomicInteger();
  private final AtomicInteger parked = new AtomicInteger();
  private final AtomicInteger live = new AtomicInteger(); // carrier threads that have not ended
  private final Thread monitor;
  private volatile boolean monitorAsleep;
  private volatile boolean terminated;
  private final Executor afterTermination;
  private int wakeStart; // racy: where the next wake-up starts looking

  /**
   * @param name the node, as thread names show it
   * @param parallelism the number of carriers
   * @param log where a failure of the scheduler itself is reported
   */
  LocalScheduler(String name, int parallelism, org.slf4j.Logger log) {
    this.name = name;
    this.log = log;
    this.parallelism = parallelism;
    this.afterTermination = VirtualThreads.jdkScheduler();
    Carrier[] initial = new Carrier[parallelism];
    for (int i = 0; i < parallelism; i++) {
      initial[i] = new Carrier(this, i, false);
    }
    this.carriers = initial;
    this.monitor = ProcessThreads.newServiceThread("otp-scheduler-" + name, this::monitor);
    live.set(parallelism);
    for (Carrier c : initial) {
      c.thread.start();
    }
    monitor.start();
  }

  String carrierName(int index) {
    return "otp-carrier-" + name + "-" + index;
  }

  int parallelism() {
    return parallelism;
  }

  Carrier[] carriers() {
    return carriers;
  }

  // =====================================================================================
  // submitting (any thread)

  @Override
  public void execute(Runnable task) {
    // NOTE: the JDK calls this on the waker's thread, a virtual thread pinned to its carrier for
    // the call, so the carrier cannot change under us.
    if (VirtualThreads.currentCarrier() instanceof ProcessThreads.CarrierThread ct
        && ct.carrier.scheduler == this) {
      ct.carrier.push(task);
      return;
    }
    if (terminated) {
      afterTermination(task);
      return;
    }
    shared.offer(task);
    // NOTE: read terminated after the offer: terminate() writes it before the carriers drain the
    // shared queue, so the task is either drained by them or by us.
    if (terminated) {
      drainShared();
      return;
    }
    wakeIdle();
  }

  /** A full carrier queue's older half, and the task that did not fit. */
  void injectAll(Runnable[] batch, Runnable task) {
    for (Runnable r : batch) {
      shared.offer(r);
    }
    shared.offer(task);
    wakeIdle();
  }

  Runnable pollShared() {
    return shared.poll();
  }

  // =====================================================================================
  // idle carriers: counting, waking

  void searchingStarted() {
    searching.incrementAndGet();
  }

  void searchingEnded() {
    searching.decrementAndGet();
  }

  void parkedStarted() {
    parked.incrementAndGet();
  }

  /** A carrier went from PARKED to SEARCHING (its own CAS or a waker's). */
  void unparked() {
    searching.incrementAndGet();
    parked.decrementAndGet();
    if (monitorAsleep) {
      wakeMonitor();
    }
  }

  /**
   * Wakes one parked carrier, unless one is already searching (it will find the work) or none is
   * parked. Cheap when nobody is idle: two volatile reads.
   */
  void wakeIdle() {
    if (searching.get() == 0 && parked.get() > 0) {
      wakeOne();
    }
  }

  private void wakeOne() {
    Carrier[] all = carriers;
    int n = all.length;
    int start = (wakeStart + 1) % n;
    for (int i = 0; i < n; i++) {
      Carrier c = all[(start + i) % n];
      if (c != null && c.status() == Carrier.PARKED && c.casStatus(Carrier.PARKED, Carrier.SEARCHING)) {
        wakeStart = (start + i) % n;
        unparked();
        LockSupport.unpark(c.thread);
        return;
      }
    }
  }

  /**
   * A searching carrier found work and stopped searching. If it was the last one, and more work
   * waits in the shared queue, another takes over the search (as Go's scheduler does).
   */
  void foundWork() {
    if (searching.get() == 0 && parked.get() > 0 && !shared.isEmpty()) {
      wakeOne();
    }
  }

  /**
   * Whether a carrier about to park should look again: the shared queue has work, or some carrier
   * has work that {@code self} could steal.
   */
  boolean hasWork(Carrier self) {
    if (!shared.isEmpty()) {
      return true;
    }
    for (Carrier c : carriers) {
      if (c != null && c != self) {
        int size = c.size();
        if (size >= 2 || (size == 1 && c.wantsHelp())) { // the steal rule of Carrier.findTask
          return true;
        }
      }
    }
    return false;
  }

  // =====================================================================================
  // the monitor

  private void monitor() {
    while (!terminated) {
      if (parked.get() == live.get() && shared.isEmpty()) {
        // Every carrier is parked: sleep until one is woken (see unparked()).
        monitorAsleep = true;
        if (parked.get() == live.get() && shared.isEmpty() && !terminated) {
          LockSupport.park(this);
        }
        monitorAsleep = false;
        continue;
      }
      LockSupport.parkNanos(this, TICK_MICROS * 1_000L);
      try {
        tick();
      } catch (RuntimeException e) {
        log.error("the scheduler's monitor failed a tick", e); // balance is speed, not correctness: go on
      }
    }
  }

  private void wakeMonitor() {
    monitorAsleep = false;
    LockSupport.unpark(monitor);
  }

  /** One look at every carrier. */
  private void tick() {
    boolean stuckWithWork = false;
    int blocked = 0;
    int spares = 0;
    for (Carrier c : carriers) {
      int status = c.status();
      if (c.spare && status != Carrier.RETIRED && status != Carrier.STOPPED) {
        spares++;
      }
      int d = c.dispatches();
      if (status != Carrier.RUNNING || d != c.seenDispatches) {
        c.seenDispatches = d;
        c.overdueTicks = 0;
        c.helped(Carrier.OVERDUE); // if it was set for an earlier task
        continue;
      }
      // The same task since the last tick.
      if (++c.overdueTicks == 1) {
        c.seenCpuNanos = cpuNanos(c);
        c.askForHelp(Carrier.OVERDUE);
      }
      if (c.size() > 0) {
        stuckWithWork = true;
      }
      if (c.overdueTicks > BLOCKED_TICKS && isBlocked(c)) {
        blocked++;
      }
    }
    if (stuckWithWork || !shared.isEmpty()) {
      wakeIdle();
      if (blocked > spares && parked.get() == 0 && searching.get() == 0) {
        addSpare();
      }
    }
  }

  /**
   * Whether an overdue carrier's thread waits rather than computes: the JVM says it waits (a virtual
   * thread parked while pinned), or it has used almost no processor time since its task became
   * overdue (blocked in native code). Nearly none, not merely little: on a loaded machine, a thread
   * that computes may wait a long time for a core, and that is no reason to add a thread.
   */
  private boolean isBlocked(Carrier c) {
    Thread.State state = c.thread.getState();
    if (state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING || state == Thread.State.BLOCKED) {
      return true;
    }
    long cpu = cpuNanos(c);
    return cpu >= 0 && c.seenCpuNanos >= 0
        && cpu - c.seenCpuNanos < (c.overdueTicks - 1) * TICK_MICROS * 1_000L / 100;
  }

  private static long cpuNanos(Carrier c) {
    return THREADS.isThreadCpuTimeEnabled() ? THREADS.getThreadCpuTime(c.thread.threadId()) : -1L;
  }

  private void addSpare() {
    synchronized (carriersLock) {
      if (terminated) {
        return;
      }
      Carrier[] all = carriers;
      int slot = -1;
      for (int i = parallelism; i < all.length; i++) {
        if (all[i].status() == Carrier.RETIRED || all[i].status() == Carrier.STOPPED) {
          slot = i;
          break;
        }
      }
      if (slot < 0) {
        if (all.length >= org.otp4j.core.Scheduler.Local.MAX_CARRIERS) {
          return;
        }
        slot = all.length;
      }
      log.debug("a carrier of node {} has waited in one task for over {} ms with work queued: starting the "
          + "spare carrier {}", name, BLOCKED_TICKS * TICK_MICROS / 1000, carrierName(slot));
      Carrier spare = new Carrier(this, slot, true);
      Carrier[] next = java.util.Arrays.copyOf(all, Math.max(all.length, slot + 1));
      next[slot] = spare;
      live.incrementAndGet();
      carriers = next;
      spare.thread.start();
    }
  }

  /** A spare found no work for long enough and is ending. */
  void retired(Carrier c) {
    parked.decrementAndGet();
  }

  // =====================================================================================
  // failures and shutdown

  void taskFailed(Carrier c, Throwable e) {
    // A continuation handles its thread's failures itself: this is a fault of the JDK or of otp4j.
    log.error("a continuation failed on carrier {}", c.thread.getName(), e);
  }

  boolean isTerminated() {
    return terminated;
  }

  /**
   * Stops the carriers once they finish their current task: called when the node has stopped and
   * its process threads have ended. Idempotent.
   */
  void terminate() {
    if (terminated) {
      return;
    }
    synchronized (carriersLock) {
      terminated = true;
    }
    for (Carrier c : carriers) {
      LockSupport.unpark(c.thread);
    }
    LockSupport.unpark(monitor);
    drainShared();
  }

  /** The thread of {@code c} is ending. */
  void carrierEnded(Carrier c) {
    if (c.status() != Carrier.RETIRED) {
      c.setStopped();
    }
    live.decrementAndGet();
    if (terminated) {
      c.drain();
      drainShared();
    }
  }

  private void drainShared() {
    Runnable task;
    while ((task = shared.poll()) != null) {
      afterTermination(task);
    }
  }

  /** A continuation that this scheduler will not run: it goes on on the JDK's scheduler. */
  void afterTermination(Runnable task) {
    afterTermination.execute(task);
  }

  /** Waits until every carrier and the monitor have ended; false on timeout. */
  boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
    long deadline = System.nanoTime() + unit.toNanos(timeout);
    for (Carrier c : carriers) {
      if (!join(c.thread, deadline)) {
        return false;
      }
    }
    return join(monitor, deadline);
  }

  private static boolean join(Thread t, long deadline) throws InterruptedException {
    long left = deadline - System.nanoTime();
    return left > 0 ? t.join(java.time.Duration.ofNanos(left)) : !t.isAlive();
  }

  @Override
  public String toString() {
    return "LocalScheduler[" + name + ", " + parallelism + " carriers]";
  }
}
