package org.otp4j.bench;

import java.util.Locale;

/** How a {@link Raw} result becomes the number reported for a workload, and which way is better. */
public enum Metric {
  /** Operations per second; the amount is nanoseconds. Higher is better. */
  THROUGHPUT(true),
  /** Nanoseconds per operation, shown in the most readable of ns/µs/ms. Lower is better. */
  TIME_PER_OP(false),
  /** Bytes per operation (per process). Lower is better. */
  BYTES_PER_OP(false);

  private final boolean higherIsBetter;

  Metric(boolean higherIsBetter) {
    this.higherIsBetter = higherIsBetter;
  }

  public boolean higherIsBetter() {
    return higherIsBetter;
  }

  /** The reported value: ops/s, ns/op or bytes/op. */
  public double value(Raw raw) {
    return switch (this) {
      case THROUGHPUT -> raw.ops() / (raw.amount() / 1e9);
      case TIME_PER_OP, BYTES_PER_OP -> raw.amount() / raw.ops();
    };
  }

  /** A value formatted with its unit, e.g. {@code 1.23 M/s}, {@code 4.5 µs}, {@code 1,024 B}. */
  public String format(double v) {
    return switch (this) {
      case THROUGHPUT -> v >= 1e6 ? fmt(v / 1e6) + " M/s" : v >= 1e3 ? fmt(v / 1e3) + " k/s" : fmt(v) + " /s";
      case TIME_PER_OP -> v >= 1e6 ? fmt(v / 1e6) + " ms" : v >= 1e3 ? fmt(v / 1e3) + " µs" : fmt(v) + " ns";
      case BYTES_PER_OP -> String.format(Locale.ROOT, "%,.0f B", v);
    };
  }

  /** Three significant digits. */
  static String fmt(double v) {
    if (v >= 100) {
      return String.format(Locale.ROOT, "%.0f", v);
    }
    if (v >= 10) {
      return String.format(Locale.ROOT, "%.1f", v);
    }
    return String.format(Locale.ROOT, "%.2f", v);
  }
}
