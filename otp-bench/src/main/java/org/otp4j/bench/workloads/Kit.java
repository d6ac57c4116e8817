package org.otp4j.bench.workloads;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.otp4j.core.Proc;

/** Helpers shared by the JVM implementations of the workloads. */
final class Kit {
  private Kit() {}

  /** Messages that carry nothing: sending a constant keeps allocation out of the measurement. */
  static final Object PING = new Object() {
    @Override
    public String toString() {
      return "ping";
    }
  };
  static final Object STOP = new Object() {
    @Override
    public String toString() {
      return "stop";
    }
  };
  static final Object DONE = new Object() {
    @Override
    public String toString() {
      return "done";
    }
  };
  static final Object JUNK = new Object() {
    @Override
    public String toString() {
      return "junk";
    }
  };

  /** A limit for every wait in a workload, so that a broken run fails instead of hanging. */
  static final long WAIT_SECONDS = 300;

  /** Runs {@code body} as an otp4j process on the default node and returns its result. */
  static <T> T inProcess(Callable<T> body) throws Exception {
    CompletableFuture<T> result = new CompletableFuture<>();
    Proc.spawn(() -> {
      try {
        result.complete(body.call());
      } catch (Throwable t) {
        result.completeExceptionally(t);
      }
    });
    return await(result);
  }

  /** Code run as a raw virtual-thread process, with its own mailbox. */
  interface VtCall<T> {
    T call(VtProc self) throws Exception;
  }

  /** Runs {@code body} as a raw virtual-thread process and returns its result. */
  static <T> T inVtProc(VtCall<T> body) throws Exception {
    CompletableFuture<T> result = new CompletableFuture<>();
    VtProc.spawn(self -> {
      try {
        result.complete(body.call(self));
      } catch (Throwable t) {
        result.completeExceptionally(t);
      }
    });
    return await(result);
  }

  static <T> T await(CompletableFuture<T> f) throws Exception {
    try {
      return f.get(WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception ex) {
        throw ex;
      }
      throw e;
    } catch (TimeoutException e) {
      throw new IllegalStateException("the workload did not finish within " + WAIT_SECONDS + " s", e);
    }
  }

  /** Waits (sleeping) until {@code counter} reaches {@code target}. */
  static void awaitCount(AtomicInteger counter, int target) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    while (counter.get() < target) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("only " + counter.get() + " of " + target + " started within "
            + WAIT_SECONDS + " s");
      }
      Thread.sleep(5);
    }
  }

  /**
   * Fails the run unless {@code actual} is {@code expected}: a variant that lost, repeated or
   * reordered work must not report a figure.
   */
  static void check(String what, long actual, long expected) {
    if (actual != expected) {
      throw new IllegalStateException(what + " came out as " + actual + ", expected " + expected);
    }
  }

  private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

  /**
   * Heap in use after full collections: {@code System.gc()} (a full, compacting collection with G1)
   * repeated until the figure stops falling, at most 6 times.
   */
  static long usedHeapAfterGc() throws InterruptedException {
    long best = Long.MAX_VALUE;
    for (int i = 0; i < 6; i++) {
      System.gc();
      Thread.sleep(30);
      long used = MEMORY.getHeapMemoryUsage().getUsed();
      if (used >= best && i >= 2) {
        return Math.min(used, best);
      }
      best = Math.min(best, used);
    }
    return best;
  }

  /** The median of the first {@code k} values. */
  static long median(long[] values, int k) {
    long[] copy = Arrays.copyOf(values, k);
    Arrays.sort(copy);
    return k % 2 == 1 ? copy[k / 2] : (copy[k / 2 - 1] + copy[k / 2]) / 2;
  }

  /** Number of calls of the naive recursive fib(n): the processes of the fork-join tree. */
  static long fibCalls(int n) {
    long a = 1;
    long b = 1; // calls(0) = calls(1) = 1; calls(n) = 1 + calls(n-1) + calls(n-2)
    for (int i = 2; i <= n; i++) {
      long c = 1 + a + b;
      a = b;
      b = c;
    }
    return b;
  }

  static long fib(int n) {
    long a = 0;
    long b = 1;
    for (int i = 0; i < n; i++) {
      long c = a + b;
      a = b;
      b = c;
    }
    return a;
  }
}
