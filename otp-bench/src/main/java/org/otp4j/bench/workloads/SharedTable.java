package org.otp4j.bench.workloads;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import org.otp4j.bench.Contender;
import org.otp4j.bench.Metric;
import org.otp4j.bench.Raw;
import org.otp4j.bench.Stopwatch;
import org.otp4j.bench.Workload;
import org.otp4j.bench.Workloads;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.core.Table;

/**
 * W workers (1, 2 or 16) share a table of 1M integer keys, 90% reads and 10% writes. One workload
 * per W: {@code table-1}, {@code table-2}, {@code table-16}.
 *
 * <p>Every runtime goes through the same keys in the same order. Worker {@code w} does operations
 * {@code g} from {@code w * N/W} on; {@code key(g, w) = (g * 2654435761 + 7919 * w) mod 1M} (a
 * permutation of the keys for every run of 1M consecutive {@code g}, since the factor is prime to
 * 1M; the worker's share of the sum keeps workers whose {@code g} are 1M apart off each other's keys).
 * Operation {@code g} reads {@code key(g, w)}, unless {@code g mod 10 = 0}: then it writes
 * {@code key(g + 5, w)}, the key that the same worker reads five operations later.
 *
 * <p>Key {@code k} always holds a value {@code v} with {@code v mod 1M = k}: its first value is
 * {@code k}, and worker {@code w} writes {@code k + 1M * (w + 1)}. Every read checks this, and counts
 * the values it sees that a write left ({@code v >= 1M}): at least every read that follows a write
 * of its own worker does, so a lost or misplaced write fails the run too.
 */
public final class SharedTable extends Workload {
  static final int KEYS = 1_000_000;
  /** Knuth's multiplicative hash constant: spreads consecutive operations over the keys. */
  static final long SPREAD = 2_654_435_761L;
  /** Each worker's keys are shifted by this much times its number. */
  static final int WORKER_SHIFT = 7_919;
  /** A write is to the key its worker reads this many operations later. */
  static final int READ_BACK = 5;

  private final int workers;

  public SharedTable(int workers) {
    super("table-" + workers, "shared table, 90% reads (" + workers + (workers == 1 ? " worker)" : " workers)"),
        Metric.THROUGHPUT, "operations");
    this.workers = workers;
  }

  @Override
  public List<Integer> sizes(Mode mode) {
    return List.of(mode == Mode.QUICK ? 2_000_000 : 8_000_000);
  }

  @Override
  public String sizeLabel(int n) {
    return workers == 1 ? Workloads.human(n) + " ops"
        : Workloads.human(n) + " ops (" + Workloads.human(n / workers) + " each)";
  }

  @Override
  public int warmups(Mode mode, int n) {
    return 2;
  }

  /**
   * A quarter of the measured size: the loop is short and compiled early, and each round also fills
   * a table of 1M keys, so full-size warm-ups would only lengthen the fork.
   */
  @Override
  public int warmupSize(int n) {
    return n / 4;
  }

  @Override
  public String notApplicable(Contender who) {
    return who == Contender.PEKKO
        ? "Pekko has no table shared between actors; state is an actor's own, or a plain Java map"
        : null;
  }

  @Override
  public String description() {
    String who = workers == 1 ? "one worker does" : String.format(Locale.ROOT,
        "%d workers, started before the clock and released at once, do N/%d operations each,", workers, workers);
    return "Two warm-up rounds of N/4 operations, then: a table of 1M integer keys (filled before the clock), and "
        + who + " 90% reads and 10% writes: worker w's operation g reads key (g × 2654435761 + 7919 w) "
        + "mod 1M, except when g mod 10 = 0: then it writes the key it will read five operations later. "
        + "Each read checks that the value it finds belongs to its key and notes whether a write left it; "
        + "both counts are checked after the run. Operations per second. otp4j: a `Table` "
        + "(`Table.Options.set()`, `PUBLIC`) owned by the process that starts the workers, workers are "
        + "processes calling `get` and `insert`; BEAM: `ets:new/2` with `[set, public, "
        + "{read_concurrency, true}, {write_concurrency, auto}]` (reads and writes from many processes "
        + "at once; `auto`, which the ETS documentation recommends from OTP 25 on, adapts the number of "
        + "locks to the contention), workers are "
        + "processes calling `ets:lookup/2` and `ets:insert/2`; raw VT: a `ConcurrentHashMap` sized "
        + "for 1M keys, workers are virtual threads calling `get` and `put`.";
  }

  /** The key of worker {@code w}'s operation {@code g}. */
  static int key(long g, int w) {
    return (int) ((g * SPREAD + (long) WORKER_SHIFT * w) % KEYS);
  }

  /** The value worker {@code w} writes to key {@code k}. */
  static int written(int k, int w) {
    return k + KEYS * (w + 1);
  }

  /** Operations in all: N rounded down to a multiple of W. */
  private long total(int n) {
    return (long) (n / workers) * workers;
  }

  /** The reads among operations 0 .. total-1: all but every tenth. */
  private static long reads(long total) {
    return total - (total + 9) / 10;
  }

  /**
   * Fails unless every read found a value of its key, and at least the reads that follow their own
   * worker's write (all writes but at most the last of each worker) found a written value.
   */
  private void checkReads(long good, long written, long total) {
    Kit.check("the reads that found their key's value", good, reads(total));
    long followingWrites = total - reads(total) - workers;
    if (written < followingWrites) {
      throw new IllegalStateException("only " + written + " reads found a written value; the " + followingWrites
          + " reads that follow a write of their own worker should all have");
    }
  }

  // =====================================================================================
  // otp4j

  /** What a worker process reports: its reads that found a value of their key, and those that found a written one. */
  record Reads(long good, long written) {}

  @Override
  public Raw otp4j(int n) throws Exception {
    int per = n / workers;
    return Kit.inProcess(() -> {
      Pid main = Proc.self();
      Table<Integer, Integer> table = Table.create(Table.Options.set().withAccess(Table.Access.PUBLIC));
      for (int k = 0; k < KEYS; k++) {
        table.insert(k, k);
      }
      Pid[] ws = new Pid[workers];
      for (int w = 0; w < workers; w++) {
        int worker = w;
        ws[w] = Proc.spawn(() -> {
          Proc.receive(); // go
          long good = 0;
          long written = 0;
          for (long g = (long) worker * per, end = g + per; g < end; g++) {
            if (g % 10 == 0) {
              int k = key(g + READ_BACK, worker);
              table.insert(k, written(k, worker));
            } else {
              int k = key(g, worker);
              Optional<Integer> v = table.get(k);
              if (v.isPresent() && v.get() % KEYS == k) {
                good++;
                if (v.get() >= KEYS) {
                  written++;
                }
              }
            }
          }
          Proc.send(main, new Reads(good, written));
        });
      }
      Stopwatch clock = Stopwatch.start();
      for (Pid w : ws) {
        Proc.send(w, Kit.PING);
      }
      long good = 0;
      long written = 0;
      for (int w = 0; w < workers; w++) {
        Reads reads = (Reads) Proc.receive();
        good += reads.good();
        written += reads.written();
      }
      Raw raw = clock.stop(total(n));
      checkReads(good, written, total(n));
      Kit.check("the table's size", table.size(), KEYS);
      table.delete();
      return raw;
    });
  }

  @Override
  public Raw pekko(int n) {
    throw new UnsupportedOperationException(notApplicable(Contender.PEKKO));
  }

  // =====================================================================================
  // raw virtual threads

  @Override
  public Raw virtualThreads(int n) throws Exception {
    int per = n / workers;
    ConcurrentHashMap<Integer, Integer> table = new ConcurrentHashMap<>(KEYS);
    for (int k = 0; k < KEYS; k++) {
      table.put(k, k);
    }
    CountDownLatch go = new CountDownLatch(1);
    long[] goodReads = new long[workers];
    long[] writtenReads = new long[workers];
    Thread[] ws = new Thread[workers];
    for (int w = 0; w < workers; w++) {
      int worker = w;
      ws[w] = Thread.ofVirtual().start(() -> {
        try {
          go.await();
        } catch (InterruptedException e) {
          return;
        }
        long good = 0;
        long written = 0;
        for (long g = (long) worker * per, end = g + per; g < end; g++) {
          if (g % 10 == 0) {
            int k = key(g + READ_BACK, worker);
            table.put(k, written(k, worker));
          } else {
            int k = key(g, worker);
            Integer v = table.get(k);
            if (v != null && v % KEYS == k) {
              good++;
              if (v >= KEYS) {
                written++;
              }
            }
          }
        }
        goodReads[worker] = good; // read after join
        writtenReads[worker] = written;
      });
    }
    Stopwatch clock = Stopwatch.start();
    go.countDown();
    for (Thread t : ws) {
      t.join();
    }
    Raw raw = clock.stop(total(n));
    long good = 0;
    long written = 0;
    for (int w = 0; w < workers; w++) {
      good += goodReads[w];
      written += writtenReads[w];
    }
    checkReads(good, written, total(n));
    Kit.check("the table's size", table.size(), KEYS);
    return raw;
  }
}
