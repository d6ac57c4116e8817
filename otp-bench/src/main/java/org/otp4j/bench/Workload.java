package org.otp4j.bench;

import java.util.List;

/**
 * One workload of the side-by-side comparison, implemented once per runtime with the same
 * semantics.
 *
 * <p>Adding a workload takes one subclass (its three JVM implementations side by side, so that
 * they read as the same program), one line in {@link Workloads#ALL}, and one clause of
 * {@code bench:run/2} in {@code src/main/erlang/bench.erl} under the same {@link #id()}. The
 * harness does the rest: forks, warm-up, rounds, statistics, the table and the chart.
 *
 * <p>Each implementation returns a {@link Raw}: the nanoseconds (or bytes) it spent and how many
 * operations they cover. It runs once per warm-up and once measured, in a fresh JVM (see
 * {@link Fork}), so it must clean up what it started (processes, actors, threads).
 */
public abstract class Workload {
  private final String id;
  private final String title;
  private final Metric metric;
  private final String unit;

  /**
   * @param id the name on the command line and in bench.erl, e.g. {@code ping-pong}
   * @param title the name in the report
   * @param metric how a result becomes the reported number
   * @param unit what one operation is, e.g. {@code round trips}, {@code per process}
   */
  protected Workload(String id, String title, Metric metric, String unit) {
    this.id = id;
    this.title = title;
    this.metric = metric;
    this.unit = unit;
  }

  public final String id() {
    return id;
  }

  public final String title() {
    return title;
  }

  public final Metric metric() {
    return metric;
  }

  public final String unit() {
    return unit;
  }

  /** The sizes (N) measured in this mode; each becomes one row of the report. */
  public abstract List<Integer> sizes(Mode mode);

  /** How a size reads in the report, e.g. {@code N = 100k}. */
  public String sizeLabel(int n) {
    return "N = " + Workloads.human(n);
  }

  /**
   * Rounds for size {@code n}: by default all of them; a costly size may take fewer to keep the full
   * run bounded.
   */
  public int rounds(Mode mode, int n, int allRounds) {
    return allRounds;
  }

  /** The size of the warm-up runs before the measured run of size {@code n}. */
  public int warmupSize(int n) {
    return n;
  }

  /** In-fork warm-up runs before the measured one of size {@code n}. */
  public int warmups(Mode mode, int n) {
    return 1;
  }

  /**
   * The full run's size that the size {@code n} of {@code mode} stands for: {@code n} itself in the
   * full run; in the quick run, the full run's size at the same place in {@link #sizes}. The quick run
   * measures smaller sizes but warms up as the full run does (warm-ups and warm-up size of this size):
   * the JIT compiles a path after so much work, whatever the size measured next, and a shorter warm-up
   * would measure the compiler rather than the runtime.
   */
  public final int fullSize(Mode mode, int n) {
    if (mode == Mode.FULL) {
      return n;
    }
    List<Integer> quick = sizes(Mode.QUICK);
    List<Integer> full = sizes(Mode.FULL);
    int i = quick.indexOf(n);
    return i < 0 || full.isEmpty() ? n : full.get(Math.min(i, full.size() - 1));
  }

  /**
   * Why {@code who} has no implementation of this workload, for the report (one sentence), or null if
   * it has one. The harness does not measure a runtime that has none; its cell reads n/a.
   */
  public String notApplicable(Contender who) {
    return null;
  }

  /**
   * The ratio of otp4j's figure to Erlang/OTP's that otp4j aims at (1.0: at least as good, 1.5: 50%
   * better, in the direction of the metric), or null if the workload has no target. The report
   * says whether the run met it.
   */
  public Double targetVersusBeam() {
    return null;
  }

  /** The target against the BEAM for size {@code n}: by default {@link #targetVersusBeam()} for every size. */
  public Double targetVersusBeam(int n) {
    return targetVersusBeam();
  }

  /**
   * A bound on otp4j's own median for size {@code n}, in the metric's unit (at most this much for time and
   * memory, at least this much for throughput), or null if the workload has none.
   */
  public Double targetAbsolute(int n) {
    return null;
  }

  /** What the workload does, for the report (Markdown, one paragraph). */
  public abstract String description();

  public abstract Raw otp4j(int n) throws Exception;

  public abstract Raw pekko(int n) throws Exception;

  public abstract Raw virtualThreads(int n) throws Exception;

  /** Runs the JVM implementation for {@code contender}. */
  final Raw run(Contender contender, int n) throws Exception {
    return switch (contender) {
      case OTP4J -> otp4j(n);
      case PEKKO -> pekko(n);
      case VIRTUAL_THREADS -> virtualThreads(n);
      case BEAM -> throw new IllegalArgumentException("the BEAM runs bench.erl, not a JVM fork");
    };
  }

  /** Quick smoke run or full measurement. */
  public enum Mode { QUICK, FULL }
}
