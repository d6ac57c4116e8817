/**
 * Lightweight processes on virtual threads, with Erlang's semantics: mailboxes and selective
 * receive, links, monitors, exit signals and trapping, names and registries, timers.
 * Start with {@link org.otp4j.core.Proc} and {@link org.otp4j.core.Node}.
 */
module org.otp4j.core {
  requires org.slf4j;
  requires jdk.jfr;
  requires java.management;

  exports org.otp4j.core;
  exports org.otp4j.core.dist;
}
