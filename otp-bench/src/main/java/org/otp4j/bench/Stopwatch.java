package org.otp4j.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
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
  /** {@code CLOCK_PROCESS_CPUTIME_ID} of Linux's {@code <time.h>}. */
  private static final int CLOCK_PROCESS_CPUTIME_ID = 2;
  /** libc's {@code clock_gettime}, or null where it cannot be called (not Linux). */
  private static final MethodHandle CLOCK_GETTIME = clockGettime();

  private final long cpu0;
  private final long wall0;

  private Stopwatch() {
    cpu0 = processCpuNanos();
    wall0 = System.nanoTime();
  }

  public static Stopwatch start() {
    return new Stopwatch();
  }

  /**
   * CPU time used by this process so far, in nanoseconds: {@code clock_gettime(CLOCK_PROCESS_CPUTIME_ID)}
   * on Linux, to the nanosecond (the JDK's {@code getProcessCpuTime()} counts clock ticks there,
   * 10 ms, too coarse for a region of a few milliseconds); elsewhere the JDK's figure.
   */
  public static long processCpuNanos() {
    if (CLOCK_GETTIME != null) {
      try (Arena arena = Arena.ofConfined()) {
        MemorySegment ts = arena.allocate(16, 8); // struct timespec { long tv_sec; long tv_nsec; }
        int rc = (int) CLOCK_GETTIME.invokeExact(CLOCK_PROCESS_CPUTIME_ID, ts);
        if (rc == 0) {
          return ts.get(ValueLayout.JAVA_LONG, 0) * 1_000_000_000L + ts.get(ValueLayout.JAVA_LONG, 8);
        }
      } catch (Throwable t) {
        // fall through to the JDK's figure
      }
    }
    return OS.getProcessCpuTime();
  }

  private static MethodHandle clockGettime() {
    if (!System.getProperty("os.name", "").startsWith("Linux")) {
      return null;
    }
    try {
      Linker linker = Linker.nativeLinker();
      return linker.defaultLookup().find("clock_gettime")
          .map(f -> linker.downcallHandle(f, FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
              ValueLayout.ADDRESS)))
          .orElse(null);
    } catch (RuntimeException e) {
      return null;
    }
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
