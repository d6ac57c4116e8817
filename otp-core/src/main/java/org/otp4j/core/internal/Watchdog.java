package org.otp4j.core.internal;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Finds processes that hold a carrier thread too long.
 *
 * <p>The JVM does not preempt a virtual thread that computes, so one busy process keeps one of the
 * few carrier threads (as many as cores) from every other process. The watchdog advances an epoch
 * every {@value #TICK_MILLIS} ms; a process records the epoch each time it comes back from the
 * runtime (it starts, a receive or a call returns). A process whose thread is runnable and which has
 * not come back for longer than the threshold is reported once per stretch, with its stack. A process that
 * was killed but whose thread still runs after the threshold is reported too: the JVM cannot stop
 * it, and it will only unwind at its next runtime call.
 */
final class Watchdog implements Runnable {
  private static final long TICK_MILLIS = 50;
  private static final int SCAN_EVERY_TICKS = 5;
  /** Scans are never further apart than this (30 s), however costly one was. */
  private static final int MAX_SCAN_SPACING_TICKS = 600;
  private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();

  private final NodeRuntime runtime;
  private final int thresholdTicks;
  private final AtomicLong runaways = new AtomicLong();
  volatile int epoch;
  private volatile boolean stopped;
  private Thread thread;

  Watchdog(NodeRuntime runtime, Duration threshold) {
    this.runtime = runtime;
    this.thresholdTicks = (int) Math.max(1, threshold.toMillis() / TICK_MILLIS);
  }

  @Override
  public void run() {
    thread = Thread.currentThread();
    int ticks = 0;
    int nextScan = SCAN_EVERY_TICKS;
    while (!stopped) {
      LockSupport.parkNanos(TICK_MILLIS * 1_000_000L);
      epoch = epoch + 1;
      if (++ticks >= nextScan) {
        long start = cpuNanos();
        try {
          scan();
        } catch (RuntimeException e) {
          runtime.log().error("watchdog scan failed", e);
        }
        // NOTE: a scan walks the whole process table; keep it under about 1% of a core by
        // spacing scans by at least 100 times their cost (a million idle processes: seconds).
        // The cost is the CPU time the scan used, not the time it took: on a loaded machine the
        // watchdog's thread may wait for a core, and that wait must not space the scans out.
        long cost = cpuNanos() - start;
        nextScan = ticks + (int) Math.min(MAX_SCAN_SPACING_TICKS,
            Math.max(SCAN_EVERY_TICKS, cost * 100 / (TICK_MILLIS * 1_000_000L)));
      }
    }
  }

  /** The CPU time of the watchdog's thread, or the wall clock where the JVM does not measure it. */
  private static long cpuNanos() {
    long cpu = THREADS.isCurrentThreadCpuTimeSupported() ? THREADS.getCurrentThreadCpuTime() : -1L;
    return cpu >= 0 ? cpu : System.nanoTime();
  }

  void stop() {
    stopped = true;
    Thread t = thread;
    if (t != null) {
      LockSupport.unpark(t);
    }
  }

  long runaways() {
    return runaways.get();
  }

  /** Mailbox sizes at or above this are reported (when the event is enabled), then at each doubling. */
  static final int HIGH_WATER_THRESHOLD = 1000;

  private final java.util.Map<ProcessImpl, Integer> highWater = new java.util.WeakHashMap<>();

  private void scan() {
    int now = epoch;
    if (FlightEvents.HIGH_WATER.isEnabled()) {
      for (ProcessImpl p : runtime.table().snapshot()) {
        int length = p.mailboxLength();
        int reported = highWater.getOrDefault(p, HIGH_WATER_THRESHOLD / 2);
        if (length >= HIGH_WATER_THRESHOLD && length >= reported * 2) {
          highWater.put(p, length);
          FlightEvents.highWater(p, length);
        }
      }
    }
    // Only processes that are out of the runtime for too long are candidates (cheap to test under
    // the table's locks); the thread state and the report come after, outside them.
    List<ProcessImpl> suspects = runtime.table().select(p ->
        p.thread() != null && !p.isWaiting() && now - p.runEpoch >= thresholdTicks);
    for (ProcessImpl p : suspects) {
      Thread t = p.thread();
      int since = p.runEpoch;
      if (t == null || p.isWaiting() || now - since < thresholdTicks || t.getState() != Thread.State.RUNNABLE
          || p.reportedAsRunaway(since)) {
        continue;
      }
      StackTraceElement[] stack = t.getStackTrace();
      if (!onItsCarrier(stack)) {
        continue; // runnable but unmounted: it waits for a carrier, it does not hold one
      }
      // NOTE: only this thread marks runaways, so count first: whoever sees the mark sees the count.
      runaways.incrementAndGet();
      p.markRunaway(since);
      ReportLog.at(runtime, runtime.log(), org.slf4j.event.Level.WARN)
          .addKeyValue("pid", p.displayName())
          .addKeyValue("millis", (now - since) * TICK_MILLIS)
          .log("Process {} has run for {} ms without returning to the runtime: it holds a carrier "
              + "thread that other processes need. Split long computations, or run them on a "
              + "separate executor. Stack: {}", p.displayName(), (now - since) * TICK_MILLIS,
              Arrays.toString(stack));
    }
    for (ProcessImpl z : runtime.zombies()) {
      Thread t = z.thread();
      if (t == null || !t.isAlive()) {
        runtime.zombies().remove(z);
        continue;
      }
      int since = z.runEpoch;
      if (now - since >= thresholdTicks && !z.reportedAsRunaway(since)) {
        runaways.incrementAndGet();
        z.markRunaway(since);
        ReportLog.at(runtime, runtime.log(), org.slf4j.event.Level.WARN)
            .addKeyValue("pid", z.displayName())
            .log("Process {} was terminated ({}) but its thread is still running: the JVM cannot stop "
                + "it, and it will unwind at its next runtime call. Stack: {}", z.displayName(),
                z.exitReason(), Arrays.toString(t.getStackTrace()));
      }
    }
  }

  /**
   * Whether a runnable virtual thread's stack shows it running on a carrier. A virtual thread that
   * is runnable but not mounted (woken, and waiting for a carrier to take it) shows the frames of
   * the park or yield it left from, or none at all; counting it would report a process that holds
   * nothing.
   */
  static boolean onItsCarrier(StackTraceElement[] stack) {
    if (stack.length == 0) {
      return false;
    }
    for (int i = 0; i < Math.min(stack.length, 4); i++) {
      String cls = stack[i].getClassName();
      String method = stack[i].getMethodName();
      if (cls.equals("jdk.internal.vm.Continuation") && method.startsWith("yield")
          || cls.equals("java.lang.VirtualThread") && (method.startsWith("park") || method.startsWith("yield"))) {
        return false;
      }
    }
    return true;
  }
}
