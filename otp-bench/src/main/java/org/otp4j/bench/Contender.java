package org.otp4j.bench;

/** The runtimes compared side by side. */
public enum Contender {
  OTP4J("otp4j", "this runtime: processes on JDK virtual threads"),
  BEAM("Erlang/OTP", "the BEAM, run with erl -noshell"),
  PEKKO("Pekko", "Apache Pekko typed actors, dispatchers sized for the cores"),
  VIRTUAL_THREADS("raw VT", "one JDK virtual thread per process with a LinkedTransferQueue mailbox: the JVM's floor");

  private final String label;
  private final String description;

  Contender(String label, String description) {
    this.label = label;
    this.description = description;
  }

  /** Short name for tables and charts. */
  public String label() {
    return label;
  }

  public String description() {
    return description;
  }

  /** Whether a measurement runs in a forked JVM (all but the BEAM). */
  public boolean onJvm() {
    return this != BEAM;
  }

  /** Parses a name as typed on the command line: {@code otp4j}, {@code beam}, {@code pekko}, {@code vt}. */
  public static Contender parse(String s) {
    return switch (s.toLowerCase(java.util.Locale.ROOT)) {
      case "otp4j" -> OTP4J;
      case "beam", "erlang" -> BEAM;
      case "pekko" -> PEKKO;
      case "vt", "virtual_threads", "threads" -> VIRTUAL_THREADS;
      default -> throw new IllegalArgumentException("unknown runtime '" + s
          + "'; expected one of otp4j, beam, pekko, vt");
    };
  }
}
