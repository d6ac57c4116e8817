package org.otp4j.bench.workloads;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.SubmissionPublisher;
import java.util.stream.IntStream;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.otp4j.bench.Metric;
import org.otp4j.bench.Raw;
import org.otp4j.bench.Stopwatch;
import org.otp4j.bench.Workload;
import org.otp4j.bench.Workloads;
import org.otp4j.behaviours.stage.Consumer;
import org.otp4j.behaviours.stage.GenStage;
import org.otp4j.behaviours.stage.Producer;
import org.otp4j.behaviours.stage.ProducerConsumer;
import org.otp4j.behaviours.stage.SubscribeTo;
import org.otp4j.behaviours.stage.Subscription;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;

/**
 * A demand-driven pipeline of three stages, producer, map, consumer, that carries the integers
 * 0 .. N-1, each doubled on the way, until the consumer has them all.
 */
public final class StagePipeline extends Workload {
  /** The events a subscriber has in flight at most (Elixir's default max_demand). */
  static final int MAX_DEMAND = 1_000;
  /** It asks for more when the events still to come fall to this (Elixir's default: half). */
  static final int MIN_DEMAND = MAX_DEMAND / 2;

  public StagePipeline() {
    super("stage", "GenStage pipeline (3 stages, max demand 1,000)", Metric.THROUGHPUT, "events");
  }

  @Override
  public List<Integer> sizes(Mode mode) {
    return List.of(mode == Mode.QUICK ? 200_000 : 10_000_000);
  }

  @Override
  public String sizeLabel(int n) {
    return Workloads.human(n) + " events";
  }

  /** The JIT compiles a behaviour's longer code paths later than a bare send and receive. */
  @Override
  public int warmups(Mode mode, int n) {
    return 3;
  }

  @Override
  public String description() {
    return "Three warm-up rounds, then: a producer of the integers 0 .. N-1, a stage that doubles each "
        + "and a consumer that counts and sums them, each subscriber with at most 1,000 events in flight "
        + "and asking again when they fall to 500; the clock runs from starting the pipeline until the "
        + "consumer has all N (its sum is checked). Events per second. otp4j: three processes, a "
        + "`Producer`, a `ProducerConsumer` and a `Consumer` of `org.otp4j.behaviours.stage` subscribed "
        + "with `SubscribeTo.withMaxDemand(1000)`, events in lists of at most 500; BEAM: GenStage is an "
        + "Elixir library, not part of OTP, so three plain Erlang processes speak the same demand "
        + "protocol by hand (`{ask, From, Demand}`, events sent as one list per batch of at most 500, "
        + "the middle stage holding what its consumer has not asked for), without GenStage's "
        + "dispatchers, buffers, monitors or cancellation; Pekko: Pekko Streams, "
        + "`Source.range(0, N-1).map(x -> x * 2).runWith(Sink.fold(...))`, which Pekko fuses into "
        + "one actor (its default), so the events cross no thread, and demand is Reactive Streams' "
        + "`request(n)` inside it; raw VT: the JDK's `Flow`: a `SubmissionPublisher` (buffer 1,024, "
        + "a virtual thread per delivery task) fed by a virtual thread with `submit`, a "
        + "`Flow.Processor` that is itself a `SubmissionPublisher` and doubles, and a `Flow.Subscriber` "
        + "that sums, each subscriber asking for 1,000 and then 500 at a time, items delivered one "
        + "`onNext` at a time.";
  }

  /** The sum of 2i for i in 0 .. n-1, which the consumer must see. */
  static long expectedSum(int n) {
    return (long) n * (n - 1);
  }

  // =====================================================================================
  // otp4j

  /** Emits the integers from its state on, up to {@code n}, as many as are asked for. */
  static final class Numbers extends Producer<Integer, Integer> {
    private final int n;

    Numbers(int n) {
      this.n = n;
    }

    @Override
    protected Init<Integer> init() {
      return Init.ok(0);
    }

    @Override
    protected CastResult<Integer, Integer> handleDemand(long demand, Integer next) {
      int end = (int) Math.min(n, next + demand);
      return noReply(IntStream.range(next, end).boxed().toList(), end);
    }
  }

  /** Doubles every event, at the pace its consumer asks. */
  static final class Doubler extends ProducerConsumer<Void, Integer, Integer> {
    private final Pid producer;

    Doubler(Pid producer) {
      this.producer = producer;
    }

    @Override
    protected Init<Void> init() {
      return Init.ok(null, Options.subscribeTo(SubscribeTo.to(producer).withMaxDemand(MAX_DEMAND)));
    }

    @Override
    protected CastResult<Void, Integer> handleEvents(List<Integer> events, Subscription from, Void state) {
      return noReply(events.stream().map(x -> x * 2).toList(), state);
    }
  }

  /** Counts and sums the events; tells {@code main} once it has {@code n}. */
  static final class Summer extends Consumer<long[], Integer> {
    private final Pid producer;
    private final Pid main;
    private final int n;

    Summer(Pid producer, Pid main, int n) {
      this.producer = producer;
      this.main = main;
      this.n = n;
    }

    @Override
    protected Init<long[]> init() {
      return Init.ok(new long[2], Options.subscribeTo(SubscribeTo.to(producer).withMaxDemand(MAX_DEMAND)));
    }

    @Override
    protected CastResult<long[], Void> handleEvents(List<Integer> events, Subscription from, long[] countSum) {
      long sum = 0;
      for (int x : events) {
        sum += x;
      }
      countSum[0] += events.size();
      countSum[1] += sum;
      if (countSum[0] >= n) {
        Proc.send(main, new Drained(countSum[0], countSum[1]));
      }
      return noReply(countSum);
    }
  }

  /** What the consumer saw. */
  record Drained(long count, long sum) {
    void check(int n) {
      Kit.check("the number of events consumed", count, n);
      Kit.check("the sum of the events consumed", sum, expectedSum(n));
    }
  }

  @Override
  public Raw otp4j(int n) throws Exception {
    return Kit.inProcess(() -> {
      Pid main = Proc.self();
      Stopwatch clock = Stopwatch.start();
      Pid numbers = GenStage.start(new Numbers(n));
      Pid doubler = GenStage.start(new Doubler(numbers));
      Pid summer = GenStage.start(new Summer(doubler, main, n));
      Drained drained = (Drained) Proc.receive();
      Raw raw = clock.stop(n);
      drained.check(n);
      GenStage.stop(summer);
      GenStage.stop(doubler);
      GenStage.stop(numbers);
      return raw;
    });
  }

  // =====================================================================================
  // Pekko Streams

  @Override
  public Raw pekko(int n) throws Exception {
    var system = PekkoKit.system();
    Stopwatch clock = Stopwatch.start();
    long sum = Kit.await(Source.range(0, n - 1)
        .map(x -> x * 2)
        .runWith(Sink.fold(0L, (acc, x) -> acc + x), system)
        .toCompletableFuture());
    Raw raw = clock.stop(n);
    Kit.check("the sum of the events consumed", sum, expectedSum(n));
    return raw;
  }

  // =====================================================================================
  // raw virtual threads: java.util.concurrent.Flow

  /**
   * Takes items from upstream as GenStage's consumers do: {@link #MAX_DEMAND} first, then, each time
   * {@code MAX_DEMAND - MIN_DEMAND} have been handled, as many again.
   */
  abstract static class BatchedSubscriber implements Flow.Subscriber<Integer> {
    private Flow.Subscription upstream;
    private int handled;

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      upstream = subscription;
      subscription.request(MAX_DEMAND);
    }

    @Override
    public void onNext(Integer item) {
      handle(item);
      if (++handled == MAX_DEMAND - MIN_DEMAND) {
        handled = 0;
        upstream.request(MAX_DEMAND - MIN_DEMAND);
      }
    }

    abstract void handle(int item);
  }

  /** The map stage: a publisher of its own, to which it submits each item doubled. */
  static final class FlowDoubler extends BatchedSubscriber implements Flow.Processor<Integer, Integer> {
    private final SubmissionPublisher<Integer> out;

    FlowDoubler(ExecutorService executor) {
      out = new SubmissionPublisher<>(executor, MAX_DEMAND);
    }

    @Override
    void handle(int item) {
      out.submit(item * 2); // blocks (this virtual thread) while the consumer's buffer is full
    }

    @Override
    public void subscribe(Flow.Subscriber<? super Integer> subscriber) {
      out.subscribe(subscriber);
    }

    @Override
    public void onError(Throwable failure) {
      out.closeExceptionally(failure);
    }

    @Override
    public void onComplete() {
      out.close();
    }
  }

  /** The consumer: counts and sums, and completes {@code done} at the end of the stream. */
  static final class FlowSummer extends BatchedSubscriber {
    final CompletableFuture<Drained> done = new CompletableFuture<>();
    private long count;
    private long sum;

    @Override
    void handle(int item) {
      count++;
      sum += item;
    }

    @Override
    public void onError(Throwable failure) {
      done.completeExceptionally(failure);
    }

    @Override
    public void onComplete() {
      done.complete(new Drained(count, sum));
    }
  }

  @Override
  public Raw virtualThreads(int n) throws Exception {
    try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
      return Kit.inVtProc(self -> {
        Stopwatch clock = Stopwatch.start();
        FlowSummer summer = new FlowSummer();
        try (SubmissionPublisher<Integer> numbers = new SubmissionPublisher<>(executor, MAX_DEMAND)) {
          FlowDoubler doubler = new FlowDoubler(executor);
          numbers.subscribe(doubler);
          doubler.subscribe(summer);
          for (int i = 0; i < n; i++) {
            numbers.submit(i); // blocks while the doubler's buffer is full
          }
        } // close: onComplete travels down the pipeline
        Drained drained = Kit.await(summer.done);
        Raw raw = clock.stop(n);
        drained.check(n);
        return raw;
      });
    }
  }
}
