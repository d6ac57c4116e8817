package org.otp4j.observer.internal;

import java.util.Map;
import org.otp4j.behaviours.Supervisor;
import org.otp4j.core.Node;
import org.otp4j.core.Scheduler;

/**
 * The observer's {@code /metrics}: a node's figures in Prometheus' text format 0.0.4, read straight
 * from the node, with the names that otp-metrics gives them in a Micrometer Prometheus registry.
 * One scrape walks the process table once (for the running processes and the mailboxes).
 */
public final class PrometheusText {
  /** The content type of the text format. */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final Node node;

  /** The figures of {@code node}. */
  public PrometheusText(Node node) {
    this.node = node;
  }

  /** One scrape. */
  public String scrape() {
    String nodeLabel = "node=\"" + escapeLabel(node.name()) + "\"";
    Node.Stats stats = node.stats();
    Node.Load load = node.load();
    StringBuilder out = new StringBuilder(2048);
    gauge(out, "otp_processes", "Processes alive.", nodeLabel, stats.alive());
    gauge(out, "otp_processes_running", "Processes running or ready to run.", nodeLabel, load.running());
    Scheduler scheduler = node.scheduler();
    String schedulerLabel = nodeLabel + ",scheduler=\"" + (scheduler instanceof Scheduler.Local ? "local" : "jdk") + "\"";
    gauge(out, "otp_scheduler_carriers", "Carrier threads of the node's scheduler.", schedulerLabel,
        scheduler.carriers());
    gauge(out, "otp_mailbox_max", "The longest mailbox now.", nodeLabel, load.longestMailbox());
    gauge(out, "otp_mailbox_queued", "Messages waiting in all mailboxes.", nodeLabel, load.queued());
    counter(out, "otp_messages_received_total", "Messages taken from mailboxes.", nodeLabel, node.messagesReceived());
    counter(out, "otp_processes_spawned_total", "Processes spawned.", nodeLabel, stats.spawned());
    counter(out, "otp_processes_crashed_total", "Processes ended by an uncaught exception.", nodeLabel,
        stats.crashed());
    counter(out, "otp_processes_exited_abnormally_total",
        "Processes ended with a reason other than normal or shutdown.", nodeLabel, stats.exitedAbnormally());
    counter(out, "otp_processes_runaways_total", "Processes reported for holding a carrier thread too long.",
        nodeLabel, stats.runaways());
    header(out, "otp_supervisor_restarts_total", "Children restarted by supervisors.", "counter");
    Map<String, Long> restarts = Supervisor.restartCounts(node);
    if (!restarts.containsKey(Supervisor.UNNAMED)) {
      sample(out, "otp_supervisor_restarts_total", nodeLabel + ",supervisor=\"" + escapeLabel(Supervisor.UNNAMED) + "\"", 0);
    }
    restarts.forEach((name, count) -> sample(out, "otp_supervisor_restarts_total",
        nodeLabel + ",supervisor=\"" + escapeLabel(name) + "\"", count));
    Node.DistributionStats dist = node.distributionStats();
    gauge(out, "otp_dist_nodes", "Nodes connected to this one.", nodeLabel, dist.connectedNodes());
    counter(out, "otp_dist_signals_sent_total", "Signals sent to other nodes.", nodeLabel, dist.signalsSent());
    counter(out, "otp_dist_signals_received_total", "Signals from other nodes applied.", nodeLabel,
        dist.signalsReceived());
    counter(out, "otp_dist_signals_dropped_total", "Signals from a node no longer connected, dropped.", nodeLabel,
        dist.signalsDropped());
    return out.toString();
  }

  private static void gauge(StringBuilder out, String name, String help, String labels, long value) {
    header(out, name, help, "gauge");
    sample(out, name, labels, value);
  }

  private static void counter(StringBuilder out, String name, String help, String labels, long value) {
    header(out, name, help, "counter");
    sample(out, name, labels, value);
  }

  private static void header(StringBuilder out, String name, String help, String type) {
    out.append("# HELP ").append(name).append(' ').append(escapeHelp(help)).append('\n');
    out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
  }

  private static void sample(StringBuilder out, String name, String labels, long value) {
    out.append(name).append('{').append(labels).append("} ").append(value).append('\n');
  }

  /** A label value as the text format wants it: backslash, double quote and line feed escaped. */
  static String escapeLabel(String value) {
    return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }

  /** A HELP text as the text format wants it: backslash and line feed escaped. */
  static String escapeHelp(String text) {
    return text.replace("\\", "\\\\").replace("\n", "\\n");
  }
}
