package org.otp4j.observer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.otp4j.behaviours.ChildSpec;
import org.otp4j.behaviours.GenServer;
import org.otp4j.behaviours.Supervisor;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Name;
import org.otp4j.core.Node;
import org.otp4j.core.NodeConfig;
import org.otp4j.core.NodeReport;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.testkit.OtpExtension;

/** The observer's /metrics: Prometheus' text format, read from the node, and who may read it. */
@DisplayName("Observer /metrics: the node's figures for Prometheus")
@ExtendWith(OtpExtension.class)
class ObserverMetricsTest {
  static final Duration WAIT = Duration.ofSeconds(30);
  static final Pattern SAMPLE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)\\{((?:[a-zA-Z_]\\w*=\"(?:[^\"\\\\]|\\\\.)*\",?)*)\\} (-?\\d+)");
  static final Pattern LABEL = Pattern.compile("([a-zA-Z_]\\w*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  /** One scrape, parsed: the value of each series, keyed {@code name{label="value",...}} as written. */
  record Scrape(Map<String, Long> series, Map<String, String> types) {
    long value(String name, String... labels) {
      return series.entrySet().stream()
          .filter(e -> e.getKey().startsWith(name + "{") && List.of(labels).stream().allMatch(l -> e.getKey().contains(l)))
          .map(Map.Entry::getValue).findFirst()
          .orElseThrow(() -> new AssertionError("no series " + name + " " + List.of(labels) + " in " + series.keySet()));
    }
  }

  /** Parses the text format strictly: every sample after its HELP and TYPE, counters named _total. */
  static Scrape parse(String text) {
    Map<String, Long> series = new HashMap<>();
    Map<String, String> types = new HashMap<>();
    String help = null;
    for (String line : text.split("\n")) {
      if (line.startsWith("# HELP ")) {
        help = line.substring(7).split(" ")[0];
      } else if (line.startsWith("# TYPE ")) {
        String[] parts = line.substring(7).split(" ");
        assertThat(parts).as("TYPE line %s", line).hasSize(2);
        assertThat(parts[0]).as("TYPE after its HELP").isEqualTo(help);
        assertThat(parts[1]).isIn("gauge", "counter");
        if (parts[1].equals("counter")) {
          assertThat(parts[0]).as("a counter's name").endsWith("_total");
        }
        types.put(parts[0], parts[1]);
      } else {
        Matcher m = SAMPLE.matcher(line);
        assertThat(m.matches()).as("a sample line: %s", line).isTrue();
        assertThat(types).as("the TYPE of %s comes first", m.group(1)).containsKey(m.group(1));
        assertThat(series.put(m.group(1) + "{" + m.group(2) + "}", Long.parseLong(m.group(3))))
            .as("one sample per series: %s", line).isNull();
      }
    }
    return new Scrape(series, types);
  }

  static HttpResponse<String> get(URI uri, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(WAIT).GET();
    if (headers.length > 0) {
      b.headers(headers);
    }
    return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static Scrape scrape(Observer observer) throws Exception {
    HttpResponse<String> r = get(observer.base().resolve("/metrics"));
    assertThat(r.statusCode()).as("%s", r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).contains("text/plain; version=0.0.4; charset=utf-8");
    return parse(r.body());
  }

  /** A worker that waits for ever. */
  static final class Idle extends GenServer<String, String> {
    @Override
    protected Init<String> init() {
      return Init.ok("idle");
    }
  }

  @Test
  @DisplayName("the figures move: spawns, crashes, mailboxes, restarts; label values are escaped")
  void figuresMove() throws Exception {
    // A node of its own: the escaping of the node label is checked on a name with quotes in it,
    // and the extension names its node after the test method.
    List<NodeReport> reports = new CopyOnWriteArrayList<>();
    try (Node node = Node.start(NodeConfig.defaults().withName("scraped \"one\"").withReportHandler(reports::add));
        Observer observer = Observer.start(node)) {
      // region: scrape
      HttpClient http = HttpClient.newHttpClient();
      HttpRequest scrape = HttpRequest.newBuilder(observer.base().resolve("/metrics")).build();  // no token
      String text = http.send(scrape, HttpResponse.BodyHandlers.ofString()).body();
      // # HELP otp_processes Processes alive.
      // # TYPE otp_processes gauge
      // otp_processes{node="billing"} 42
      // endregion: scrape
      Scrape before = parse(text);
      String nodeLabel = "node=\"scraped \\\"one\\\"\"";
      assertThat(before.value("otp_processes", nodeLabel)).isEqualTo(node.processCount());
      long spawned = before.value("otp_processes_spawned_total");
      assertThat(before.value("otp_supervisor_restarts_total", "supervisor=\"(unnamed)\"")).isZero();
      // a node without distribution: its distribution figures are there, at zero
      assertThat(before.value("otp_dist_nodes", nodeLabel)).isZero();
      assertThat(before.value("otp_dist_signals_sent_total", nodeLabel)).isZero();
      assertThat(before.value("otp_dist_signals_received_total", nodeLabel)).isZero();
      assertThat(before.value("otp_dist_signals_dropped_total", nodeLabel)).isZero();

      Pid sleeper = node.spawn(() -> Proc.receive(m -> m.equals("wake"), Proc.INFINITY));
      for (int i = 0; i < 4; i++) {
        Proc.send(sleeper, i);
      }
      IllegalStateException boom = new IllegalStateException("scraped crash");
      Pid crasher = node.spawn(() -> {
        throw boom;
      });
      assertThat(Proc.awaitExit(crasher, WAIT)).isPresent();
      Scrape after = scrape(observer);
      assertThat(after.value("otp_processes_spawned_total")).isEqualTo(spawned + 2);
      assertThat(after.value("otp_processes_crashed_total")).isEqualTo(before.value("otp_processes_crashed_total") + 1);
      assertThat(after.value("otp_processes_exited_abnormally_total")).isEqualTo(1);
      assertThat(after.value("otp_mailbox_max")).isEqualTo(4);
      assertThat(after.value("otp_mailbox_queued")).isGreaterThanOrEqualTo(4);
      assertThat(after.value("otp_scheduler_carriers", "scheduler=")).isPositive();

      String odd = "odd\"sup\\";
      Pid sup = node.call(() -> Supervisor.startLink(Name.local(odd), Supervisor.oneForOne(),
          ChildSpec.worker("w", () -> GenServer.startLink(new Idle()))));
      Pid child = Supervisor.whichChildren(sup).getFirst().pid();
      Proc.exit(child, ExitReason.KILL);
      await().atMost(WAIT).until(() -> Supervisor.restartCounts(node).getOrDefault(odd, 0L) == 1L);
      assertThat(scrape(observer).value("otp_supervisor_restarts_total", "supervisor=\"odd\\\"sup\\\\\"")).isEqualTo(1);
      assertThat(after.types()).containsEntry("otp_processes", "gauge")
          .containsEntry("otp_messages_received_total", "counter");

      Proc.send(sleeper, "wake");
      assertThat(Proc.awaitExit(sleeper, WAIT)).contains(ExitReason.NORMAL);
      Scrape later = scrape(observer);
      assertThat(later.value("otp_mailbox_max")).isZero();
      assertThat(later.value("otp_messages_received_total")).isGreaterThanOrEqualTo(5);
      await().atMost(WAIT).until(() -> reports.stream().anyMatch(r -> r.label().equals("supervisor_report")));
      assertThat(reports).filteredOn(r -> r.label().equals("process_crash")).singleElement()
          .satisfies(r -> assertThat(r.cause()).contains(boom));
    }
  }

  @Test
  @DisplayName("/metrics takes GET only; the rest of the observer still needs the token")
  void methods(Node node) throws Exception {
    try (Observer observer = Observer.start(node)) {
      HttpResponse<String> post = HttpClient.newHttpClient().send(HttpRequest.newBuilder(observer.base().resolve("/metrics"))
          .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(post.statusCode()).isEqualTo(405);
      assertThat(post.body()).contains("/metrics takes GET, got POST");
      assertThat(get(observer.base().resolve("/api/overview")).statusCode()).isEqualTo(401);
    }
  }

  /** An address of this machine that is not loopback, if it has one. */
  static Optional<InetAddress> networkAddress() throws SocketException {
    return NetworkInterface.networkInterfaces().filter(i -> {
      try {
        return i.isUp() && !i.isLoopback();
      } catch (SocketException e) {
        return false;
      }
    }).flatMap(NetworkInterface::inetAddresses).filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress())
        .findFirst();
  }

  @Test
  @DisplayName("from another address, /metrics needs the token (header, query or bearer) unless opened")
  void fromTheNetwork(Node node) throws Exception {
    Optional<InetAddress> address = networkAddress();
    Assumptions.assumeTrue(address.isPresent(), "this machine has no network address besides loopback");
    try (Observer closed = Observer.start(node, ObserverConfig.defaults().withAddress(address.get()));
        Observer open = Observer.start(node, ObserverConfig.defaults().withAddress(address.get()).withOpenMetrics(true))) {
      URI metrics = closed.base().resolve("/metrics");
      HttpResponse<String> none = get(metrics);
      assertThat(none.statusCode()).isEqualTo(401);
      assertThat(none.body()).contains("missing token");
      assertThat(get(metrics, "Authorization", "Bearer wrong").statusCode()).isEqualTo(403);
      assertThat(get(metrics, "Authorization", "Bearer " + closed.token()).statusCode()).isEqualTo(200);
      assertThat(get(metrics, "X-Observer-Token", closed.token()).statusCode()).isEqualTo(200);
      assertThat(get(URI.create(metrics + "?token=" + closed.token())).statusCode()).isEqualTo(200);

      HttpResponse<String> opened = get(open.base().resolve("/metrics"));
      assertThat(opened.statusCode()).isEqualTo(200);
      assertThat(parse(opened.body()).value("otp_processes")).isNotNegative();
      assertThat(get(open.base().resolve("/api/overview")).statusCode()).isEqualTo(401);
    }
  }
}
