/**
 * Erlang's {@code observer} for a browser: {@link org.otp4j.observer.Observer#start(org.otp4j.core.Node)}
 * serves a node's overview and load history, its applications and supervision trees, its process
 * table and process pages, and its recent crash and supervisor reports, as JSON and as one page,
 * on the JDK's own HTTP server.
 */
module org.otp4j.observer {
  requires transitive org.otp4j.core;
  requires transitive org.otp4j.behaviours;
  requires jdk.httpserver;

  exports org.otp4j.observer;
}
