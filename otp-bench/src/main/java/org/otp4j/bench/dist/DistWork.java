package org.otp4j.bench.dist;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;

/**
 * What every contender of the distribution benchmark measures, and how a driver reports it. A
 * contender is two OS processes on loopback: a responder, which runs an echo and eight sinks, and a
 * driver, which runs the workloads against them and prints one line per result on its standard
 * output, for {@link DistBench} to read:
 *
 * <pre>
 * READY &lt;anything&gt;        (the responder, once it takes traffic)
 * RESULT &lt;id&gt; &lt;per second&gt; (the driver, one per workload: warm-up first, then the measured run)
 * ARMED                    (the driver, when it watches the responder and waits for its death)
 * DOWN &lt;epoch µs&gt;          (the driver, when it learns that the responder is gone)
 * </pre>
 *
 * The Erlang driver ({@code dist_bench.erl}) prints the same lines.
 */
public final class DistWork {
  private DistWork() {}

  /**
   * One workload.
   *
   * @param id its id, on the RESULT lines and in the report
   * @param title what it is, for the report
   * @param parallel request-response clients, or one-way senders each with its own sink
   * @param each round trips per client, or messages per sender
   * @param bytes the payload of each one-way message (0: a small message)
   * @param oneWay one-way messages to sinks (drain included), else round trips to the echo
   */
  public record Spec(String id, String title, int parallel, int each, int bytes, boolean oneWay) {
    /** The unit of its rate. */
    public String unit() {
      return oneWay ? "messages/s" : "round trips/s";
    }
  }

  /** The workloads, in the order drivers run them. */
  public static final List<Spec> SPECS = List.of(
      new Spec("pingpong", "ping-pong: one process on each side, one message in flight", 1, 20_000, 0, false),
      new Spec("oneway", "one-way small messages, 1 sender → 1 receiver", 1, 300_000, 0, true),
      new Spec("oneway8", "one-way small messages, 8 senders → 8 receivers", 8, 100_000, 0, true),
      new Spec("call100", "request-response from 100 client processes to one server", 100, 500, 0, false),
      new Spec("kb1", "one-way 1 KB messages, 1 sender → 1 receiver", 1, 100_000, 1_024, true),
      new Spec("kb64", "one-way 64 KB messages, 1 sender → 1 receiver", 1, 2_000, 65_536, true));

  /** The ids of {@link #SPECS}. */
  public static List<String> ids() {
    return SPECS.stream().map(Spec::id).toList();
  }

  /** The receivers the responder runs: one per sender of the widest one-way workload. */
  static final int SINKS = 8;

  /** What a driver does; each method returns operations per second. */
  interface Driver {
    /** {@code clients} processes, each making {@code each} round trips to the echo, one at a time. */
    double roundTrips(int clients, int each) throws Exception;

    /**
     * {@code senders} processes, each sending {@code each} messages of {@code bytes} to a sink of its
     * own and then asking it for its count; the time runs until every count is back.
     */
    double oneWay(int senders, int each, int bytes) throws Exception;

    /** Starts watching the responder (returns once it does). */
    void watch() throws Exception;

    /** Waits until the responder is seen dead; returns when that was, in µs since the epoch. */
    long awaitDown() throws Exception;
  }

  /** Runs every workload once to warm up and once measured, then watches the responder die. */
  static void drive(Driver driver) throws Exception {
    for (Spec s : SPECS) {
      for (int run = 0; run < 2; run++) {
        double rate = s.oneWay() ? driver.oneWay(s.parallel(), s.each(), s.bytes())
            : driver.roundTrips(s.parallel(), s.each());
        if (run == 1) {
          System.out.println(String.format(Locale.ROOT, "RESULT %s %.1f", s.id(), rate));
          System.out.flush();
        }
      }
    }
    driver.watch();
    System.out.println("ARMED");
    System.out.flush();
    System.out.println("DOWN " + driver.awaitDown());
    System.out.flush();
  }

  /** Operations per second, {@code ops} done since {@code t0} (a {@link System#nanoTime()}). */
  static double rate(long ops, long t0) {
    return ops / ((System.nanoTime() - t0) / 1e9);
  }

  /** Now, in µs since the epoch (the clock the Erlang driver's {@code os:system_time} reads). */
  public static long nowMicros() {
    return ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
  }

  /** Says READY and then blocks until standard input closes: a responder never outlives its driver's harness. */
  static void readyUntilStdinCloses(String what) throws java.io.IOException {
    System.out.println("READY " + what);
    System.out.flush();
    while (System.in.read() >= 0) {
      // the harness closes our input (or kills us)
    }
  }

  /** Fails with what was wrong when a count that came back differs from what was sent. */
  static void checkCount(long got, long sent) {
    if (got != sent) {
      throw new IllegalStateException("a sink counted " + got + " messages of the " + sent + " sent to it");
    }
  }
}
