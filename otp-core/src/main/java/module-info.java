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
  // The behaviours write their reports through the node's report door (ReportLog), so that a node
  // with a report handler gets them; nothing else of the engine is theirs to use.
  exports org.otp4j.core.internal to org.otp4j.behaviours;
}
