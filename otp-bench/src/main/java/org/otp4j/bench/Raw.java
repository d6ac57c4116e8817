package org.otp4j.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one measurement produced, before it becomes a reported number: an amount (nanoseconds or
 * bytes) spent on {@code ops} operations. Every runtime, the BEAM included, reports this same pair,
 * so the conversion to the reported unit happens once, in {@link Metric}.
 *
 * <p>A workload may add details: further figures of the same measurement (a latency percentile,
 * the offered load), each a number under a label that names its unit. The fork prints them as
 * {@code DETAIL <value> <label>} lines, and the report shows them beside the main figure.
 *
 * <p>A measurement of time also says what it cost: the CPU time the measured process used in the
 * timed region (all its threads, as the OS counts it), per operation, and the cores it kept busy on
 * average (that CPU time over the region's wall-clock time). The fork prints them after the amount
 * and the operations: {@code RESULT <amount> <ops> <cpu ns per op> <cores>}.
 *
 * @param amount nanoseconds or bytes
 * @param ops how many operations the amount covers (round trips, processes, hops...)
 * @param details further figures, by label (in the order they were added); empty for most workloads
 * @param cpuPerOp CPU nanoseconds per operation over the timed region, or NaN if not measured
 * @param cores the cores kept busy on average over the timed region, or NaN if not measured
 */
public record Raw(double amount, long ops, Map<String, Double> details, double cpuPerOp, double cores) {

  public Raw {
    if (!(amount >= 0) || ops <= 0) {
      throw new IllegalArgumentException("a measurement needs amount >= 0 and ops > 0, got " + amount + " / " + ops);
    }
    details = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(details));
  }

  public Raw(double amount, long ops, Map<String, Double> details) {
    this(amount, ops, details, Double.NaN, Double.NaN);
  }

  public Raw(double amount, long ops) {
    this(amount, ops, Map.of());
  }

  /**
   * This measurement with its CPU cost: {@code cpuNanos} used over a region of {@code wallNanos} that
   * covered {@code cpuOps} operations.
   */
  public Raw withCpu(long cpuNanos, long wallNanos, long cpuOps) {
    return new Raw(amount, ops, details, (double) cpuNanos / cpuOps, wallNanos <= 0 ? Double.NaN
        : (double) cpuNanos / wallNanos);
  }

  /** Whether the CPU cost was measured. */
  public boolean hasCpu() {
    return !Double.isNaN(cpuPerOp);
  }

  /** Parses the {@code RESULT <amount> <ops> [<cpu ns per op> <cores>]} line that a fork prints. */
  static Raw parse(String line) {
    String[] parts = line.trim().split("\\s+");
    if ((parts.length != 3 && parts.length != 5) || !parts[0].equals("RESULT")) {
      throw new IllegalArgumentException("expected 'RESULT <amount> <ops> [<cpu ns per op> <cores>]', got '"
          + line + "'");
    }
    Raw raw = new Raw(Double.parseDouble(parts[1]), Long.parseLong(parts[2]));
    return parts.length == 3 ? raw
        : new Raw(raw.amount, raw.ops, Map.of(), Double.parseDouble(parts[3]), Double.parseDouble(parts[4]));
  }

  String toLine() {
    return "RESULT " + amount + " " + ops + (hasCpu() ? " " + cpuPerOp + " " + cores : "");
  }

  /** The {@code DETAIL <value> <label>} lines of the details, one per line. */
  String detailLines() {
    StringBuilder b = new StringBuilder();
    details.forEach((label, value) -> b.append("DETAIL ").append(value).append(' ').append(label).append('\n'));
    return b.toString();
  }

  /** Parses a {@code DETAIL <value> <label>} line into {@code into}. */
  static void parseDetail(String line, Map<String, Double> into) {
    String[] parts = line.trim().split("\\s+", 3);
    if (parts.length == 3 && parts[0].equals("DETAIL")) {
      into.put(parts[2], Double.parseDouble(parts[1]));
    }
  }
}
