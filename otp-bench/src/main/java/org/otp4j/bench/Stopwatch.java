package org.otp4j.bench;

import java.lang.management.ManagementFactory;

/**
 * The clock of a measured region: the wall-clock time it takes and the CPU time this process (every
 * thread of the JVM: the runtime's, the garbage collector's, the compiler's) uses meanwhile, as the
 * OS counts it. The second shows what a figure costs: a runtime whose waiters spin keeps cores busy
 * that a runtime whose waiters park leaves idle.
 *
 * <pre>{@code
 * Stopwatch clock = Stopwatch.start();
 * ... N operations ...
 * Raw raw = clock.stop(N);
 * }</pre>
 */
public final class Stopwatch {
  private static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  private final long cpu0;
  private final long wall0;

  private Stopwatch() {
    cpu0 = processCpuNanos();
    wall0 = System.nanoTime();
  }

  public static Stopwatch start() {
    return new Stopwatch();
  }

  /** CPU time used by this process so far, in nanoseconds. */
  public static long processCpuNanos() {
    return OS.getProcessCpuTime();
  }

  /** The region ends: its wall-clock time spent on {@code ops} operations, with the CPU it used. */
  public Raw stop(long ops) {
    long wall = System.nanoTime() - wall0;
    long cpu = processCpuNanos() - cpu0;
    return new Raw(wall, ops).withCpu(cpu, wall, ops);
  }

  /**
   * The region, {@code ops} operations, ends with a result of its own (a median, say): that result,
   * with the CPU the region used per operation.
   */
  public Raw stop(Raw result, long ops) {
    long wall = System.nanoTime() - wall0;
    long cpu = processCpuNanos() - cpu0;
    return result.withCpu(cpu, wall, ops);
  }
}
