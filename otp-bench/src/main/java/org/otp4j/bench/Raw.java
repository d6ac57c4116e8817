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
 * @param amount nanoseconds or bytes
 * @param ops how many operations the amount covers (round trips, processes, hops...)
 * @param details further figures, by label (in the order they were added); empty for most workloads
 */
public record Raw(double amount, long ops, Map<String, Double> details) {

  public Raw {
    if (!(amount >= 0) || ops <= 0) {
      throw new IllegalArgumentException("a measurement needs amount >= 0 and ops > 0, got " + amount + " / " + ops);
    }
    details = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(details));
  }

  public Raw(double amount, long ops) {
    this(amount, ops, Map.of());
  }

  /** Parses the {@code RESULT <amount> <ops>} line that a fork prints. */
  static Raw parse(String line) {
    String[] parts = line.trim().split("\\s+");
    if (parts.length != 3 || !parts[0].equals("RESULT")) {
      throw new IllegalArgumentException("expected 'RESULT <amount> <ops>', got '" + line + "'");
    }
    return new Raw(Double.parseDouble(parts[1]), Long.parseLong(parts[2]));
  }

  String toLine() {
    return "RESULT " + amount + " " + ops;
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
