package org.otp4j.examples;

import java.io.PrintStream;
import java.util.Optional;
import org.otp4j.core.Node;
import org.otp4j.core.NodeConfig;
import org.otp4j.core.NodeReport;
import org.otp4j.observer.Observer;
import org.otp4j.observer.ObserverConfig;
import org.otp4j.observer.ObserverReports;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * What every example does to be observed: its node keeps its recent reports for the observer (and
 * still logs each one, as a node without a report handler does), and the observer serves the node
 * on the loopback address, on a free port unless {@code -Dotp.observer.port=N} says which, until
 * the node stops. The observer prints its URL with its access token when it starts.
 */
public final class Observed {
  private Observed() {}

  /** The system property that fixes the observer's port (0 or absent: a free one). */
  public static final String PORT_PROPERTY = "otp.observer.port";

  /** The configuration of an example's node called {@code name}: its reports go to an observer's feed, then to the log. */
  public static NodeConfig nodeConfig(String name) {
    return NodeConfig.defaults().withName(name).withReportHandler(reports());
  }

  /** A feed of a node's recent reports for its observer, which logs each report as the node would. */
  public static ObserverReports reports() {
    return ObserverReports.create(ObserverReports.DEFAULT_CAPACITY, Observed::log);
  }

  /**
   * Serves {@code node}'s observer until the node stops, and prints a line with its URL to {@code out}.
   *
   * @throws java.io.UncheckedIOException if the port asked for is taken (the message says which)
   */
  public static Observer serve(Node node, PrintStream out) {
    int port = Integer.getInteger(PORT_PROPERTY, 0);
    Observer observer = Observer.start(node, ObserverConfig.defaults().withPort(port));
    node.addStopHook(observer::close);
    out.println("  observer: " + observer.url() + "   metrics (Prometheus): " + observer.base() + "metrics");
    return observer;
  }

  /** Logs {@code report} through SLF4J, with its fields as key-value pairs: the event the node would have logged. */
  static void log(NodeReport report) {
    Optional<Level> level = switch (report.level()) {
      case ALL, TRACE -> Optional.of(Level.TRACE);
      case DEBUG -> Optional.of(Level.DEBUG);
      case INFO -> Optional.of(Level.INFO);
      case WARNING -> Optional.of(Level.WARN);
      case ERROR -> Optional.of(Level.ERROR);
      case OFF -> Optional.empty();
    };
    if (level.isEmpty()) {
      return;
    }
    LoggingEventBuilder event = LoggerFactory.getLogger(report.logger()).atLevel(level.get());
    report.fields().forEach(event::addKeyValue);
    report.cause().ifPresent(event::setCause);
    event.log(report.text());
  }
}
