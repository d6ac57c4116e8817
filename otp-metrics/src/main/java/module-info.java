/**
 * A node's figures as Micrometer meters: {@link org.otp4j.metrics.OtpMetrics} binds processes,
 * mailboxes, spawns, crashes, messages and supervisor restarts to a registry, and
 * {@link org.otp4j.metrics.OtpMetrics#callLatency} times the calls to one server, for those who ask.
 */
module org.otp4j.metrics {
  requires transitive org.otp4j.core;
  requires transitive org.otp4j.behaviours;
  requires transitive micrometer.core;

  exports org.otp4j.metrics;
}
