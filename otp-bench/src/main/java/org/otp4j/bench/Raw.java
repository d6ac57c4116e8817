package org.otp4j.bench;

/**
 * What one measurement produced, before it becomes a reported number: an amount (nanoseconds or
 * bytes) spent on {@code ops} operations. Every runtime, the BEAM included, reports this same pair,
 * so the conversion to the reported unit happens once, in {@link Metric}.
 *
 * @param amount nanoseconds or bytes
 * @param ops how many operations the amount covers (round trips, processes, hops...)
 */
public record Raw(double amount, long ops) {

  public Raw {
    if (!(amount >= 0) || ops <= 0) {
      throw new IllegalArgumentException("a measurement needs amount >= 0 and ops > 0, got " + amount + " / " + ops);
    }
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
}
