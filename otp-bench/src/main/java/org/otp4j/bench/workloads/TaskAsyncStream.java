package org.otp4j.bench.workloads;

import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.otp4j.bench.Metric;
import org.otp4j.bench.Raw;
import org.otp4j.bench.Stopwatch;
import org.otp4j.bench.Workload;
import org.otp4j.bench.Workloads;
import org.otp4j.behaviours.task.Task;

/**
 * Elixir's {@code Task.async_stream}: a tiny function (x ↦ x²) over N items, each in a task of its
 * own, at most 16 at once, the results consumed in item order.
 */
public final class TaskAsyncStream extends Workload {
  static final int MAX_CONCURRENCY = 16;

  public TaskAsyncStream() {
    super("async-stream", "Task.asyncStream (16 at once)", Metric.THROUGHPUT, "items");
  }

  @Override
  public List<Integer> sizes(Mode mode) {
    return List.of(mode == Mode.QUICK ? 50_000 : 100_000);
  }

  @Override
  public String sizeLabel(int n) {
    return Workloads.human(n) + " items";
  }

  /** The JIT compiles a behaviour's longer code paths later than a bare send and receive. */
  @Override
  public int warmups(Mode mode, int n) {
    return 3;
  }

  @Override
  public String description() {
    return "Three warm-up rounds, then: the integers 0 .. N-1 (a list made before the clock), each squared "
        + "in a task of its own, at most 16 tasks at once, a new one started as one finishes; the "
        + "consumer takes the results in item order, checking each is its item's square. Items per "
        + "second. otp4j: `Task.asyncStream(items, x -> x * x, "
        + "StreamOptions.defaults().withMaxConcurrency(16))` consumed from a process (each task a "
        + "process linked to it, ordered, 5 s timeout); BEAM: Elixir's `Task.async_stream` is not part "
        + "of OTP, so its loop is written out in Erlang: the consumer process keeps 16 tasks running with "
        + "`spawn_monitor`, each task sends its result and exits, the consumer takes the reply, drops the "
        + "monitor with `erlang:demonitor(Ref, [flush])` (as `Task.await` does; a `'DOWN'` that comes "
        + "first fails the run) and holds results that come early until their turn, without Elixir's "
        + "separate monitor process, links or timeouts; Pekko: Pekko Streams, `Source.from(items)"
        + ".mapAsync(16, x -> CompletableFuture.supplyAsync(() -> x * x, system.executionContext()))` "
        + "(ordered; the futures run on the actor system's dispatcher) into a `Sink.fold` that checks "
        + "each result; raw VT: a virtual-thread-per-task executor and a `Semaphore(16)`: the consumer "
        + "(a virtual thread) takes a permit, submits the item, queues its `Future`, and takes the done "
        + "futures at the head of the queue in order; each task returns its permit when it ends.";
  }

  private static List<Integer> items(int n) {
    return IntStream.range(0, n).boxed().toList();
  }

  /** Fails unless result number {@code i} is {@code i}'s square. */
  private static void checkResult(long i, long result) {
    if (result != i * i) {
      throw new IllegalStateException("result " + i + " came out as " + result + ", expected " + i * i
          + " (lost, repeated or out of order)");
    }
  }

  @Override
  public Raw otp4j(int n) throws Exception {
    List<Integer> items = items(n);
    return Kit.inProcess(() -> {
      Stopwatch clock = Stopwatch.start();
      long i = 0;
      try (Stream<Task.Result<Long>> results = Task.asyncStream(items, x -> (long) x * x,
          Task.StreamOptions.defaults().withMaxConcurrency(MAX_CONCURRENCY))) {
        for (var it = results.iterator(); it.hasNext(); i++) {
          switch (it.next()) {
            case Task.Ok<Long>(Long square) -> checkResult(i, square);
            case Task.Exit<Long> exit -> throw new IllegalStateException("task " + i + " failed: " + exit);
          }
        }
      }
      Raw raw = clock.stop(n);
      Kit.check("the number of results", i, n);
      return raw;
    });
  }

  @Override
  public Raw pekko(int n) throws Exception {
    List<Integer> items = items(n);
    var system = PekkoKit.system();
    var dispatcher = system.executionContext();
    Stopwatch clock = Stopwatch.start();
    long count = Kit.await(Source.from(items)
        .mapAsync(MAX_CONCURRENCY, x -> CompletableFuture.supplyAsync(() -> (long) x * x, dispatcher))
        .runWith(Sink.fold(0L, (i, square) -> {
          checkResult(i, square);
          return i + 1;
        }), system)
        .toCompletableFuture());
    Raw raw = clock.stop(n);
    Kit.check("the number of results", count, n);
    return raw;
  }

  @Override
  public Raw virtualThreads(int n) throws Exception {
    List<Integer> items = items(n);
    try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
      return Kit.inVtProc(self -> {
        Stopwatch clock = Stopwatch.start();
        Semaphore permits = new Semaphore(MAX_CONCURRENCY);
        ArrayDeque<Future<Long>> running = new ArrayDeque<>(); // in item order
        long i = 0;
        for (Integer x : items) {
          permits.acquire();
          running.add(executor.submit(() -> {
            try {
              return (long) x * x;
            } finally {
              permits.release();
            }
          }));
          while (!running.isEmpty() && running.peek().isDone()) {
            checkResult(i++, running.poll().get());
          }
        }
        while (!running.isEmpty()) {
          checkResult(i++, running.poll().get());
        }
        Raw raw = clock.stop(n);
        Kit.check("the number of results", i, n);
        return raw;
      });
    }
  }
}
