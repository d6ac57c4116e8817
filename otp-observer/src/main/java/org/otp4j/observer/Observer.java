package org.otp4j.observer;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.otp4j.core.Node;
import org.otp4j.observer.internal.Api;
import org.otp4j.observer.internal.Sampler;

/**
 * Erlang's {@code observer}, in a browser: one line serves a node's load, its applications and
 * supervision trees, its processes and its recent crash reports, on the JDK's own HTTP server.
 *
 * <!-- snippet: org.otp4j.observer.ObserverGuideTest#start -->
 * {@snippet :
 * try (Observer observer = Observer.start(node)) {
 *   URI page = observer.url();   // http://127.0.0.1:PORT/?token=..., printed once at start
 *   assertThat(page.getHost()).isEqualTo("127.0.0.1");
 * }
 * }
 *
 * <h2>Access</h2>
 * The observer listens on the loopback address (a free port unless
 * {@link ObserverConfig#withPort configured}); another address must be asked for with
 * {@link ObserverConfig#withAddress}. At start it makes a random token and prints the page's URL with
 * it to standard output, once. Every {@code /api/} request, reads included, needs that token, in the
 * {@code X-Observer-Token} header or a {@code token} form field or query parameter: process states
 * and report texts may hold data that other users of the machine should not read, and killing a
 * process must not be one forged request away. A request without it gets {@code 401}, one with a
 * wrong token {@code 403}, both with a JSON {@code {"error": "..."}} that says what is wrong. The
 * page itself ({@code /}, {@code /observer.js}, {@code /observer.css}) holds no data and is served
 * to anyone; it reads the token from its own URL.
 *
 * <p>{@code GET /metrics} is read-only and meant for a Prometheus server, which cannot read a
 * printed token: a request from this machine (a loopback address) gets it without the token;
 * a request from another machine needs the token (the header, a {@code token} query parameter, or
 * {@code Authorization: Bearer <token>}, which Prometheus' scrape settings can send) unless
 * {@link ObserverConfig#withOpenMetrics} opens it.
 *
 * <h2>Endpoints</h2>
 * Every answer is JSON; a bad request gets a status of 400, 404 or 405 and {@code {"error": "..."}}
 * naming what was wrong and what is accepted.
 * <ul>
 *   <li>{@code GET /api/overview}: {@code node}, {@code processes} alive, the node's counters
 *       ({@code spawned}, {@code messagesReceived}, {@code crashed}, {@code runaways}), {@code registered} names,
 *       {@code scheduler}, the {@code latest} load sample (see history), {@code jvm} heap and
 *       processors, and {@code reportsHooked}.</li>
 *   <li>{@code GET /api/history}: {@code samples}, one a second for the configured
 *       {@link ObserverConfig#history() history}, oldest first: {@code time} (epoch ms),
 *       {@code processes}, {@code running} (on a carrier or ready for one: the run queue),
 *       {@code waiting}, {@code blocked}, {@code queuedMessages} (in all mailboxes),
 *       {@code messagesPerSecond} (taken from mailboxes), {@code spawnsPerSecond} and
 *       {@code crashesPerSecond} (from the node's counters),
 *       {@code heapUsed}, {@code heapMax}.</li>
 *   <li>{@code GET /api/applications}: the running {@code applications} ({@code name},
 *       {@code version}, {@code description}, {@code type}) each with its supervision {@code tree}
 *       (nodes with {@code pid}, {@code childId}, {@code name}, {@code supervisor}, {@code busy},
 *       {@code status}, {@code mailbox}, {@code children}), and the {@code others}: processes in
 *       no tree, as rows of the process table.</li>
 *   <li>{@code GET /api/processes?sort=&order=&q=&limit=}: the process table, rows of {@code pid},
 *       {@code name}, {@code status}, {@code mailbox}, {@code received} (messages taken from its
 *       mailbox, the JVM's stand-in for reductions), {@code current} (what it waits in),
 *       {@code links}, {@code monitors} (counts), {@code trapExits}, {@code dropped},
 *       {@code runaway}. {@code sort} is one of {@code pid} (the default), {@code name},
 *       {@code status}, {@code mailbox}, {@code received}, {@code links}, {@code monitors},
 *       {@code current}; {@code order} is {@code asc} or {@code desc} (counts sort descending by
 *       default);
 *       {@code q} keeps the rows whose pid, name or current wait contains it (any case), or whose
 *       status is it; {@code limit} caps the rows (1000 by default). {@code total} counts all
 *       processes.</li>
 *   <li>{@code GET /api/process?pid=<0.42.0>}: one process: the row's fields, with {@code links},
 *       {@code monitors} and {@code monitoredBy} as lists, and the {@code reports} about it still in
 *       the feed; 404 if it is not alive.</li>
 *   <li>{@code GET /api/state?pid=<0.42.0>}: a behaviour's state ({@link org.otp4j.behaviours.Sys#getState
 *       Sys.getState}, waiting 500 ms) as text, or an {@code error} when it does not answer. Only
 *       asked for on request: a process that is not a behaviour is sent a system message it will
 *       not read, which then waits in its mailbox.</li>
 *   <li>{@code GET /api/reports?since=N}: the reports in the feed numbered above {@code N}
 *       ({@code seq}, {@code time}, {@code level}, {@code label}, {@code logger}, {@code fields},
 *       {@code text}), and {@code hooked}: false, with a {@code hint}, when the observer has no
 *       feed.</li>
 *   <li>{@code GET /metrics}: the node's figures in Prometheus' text format (version 0.0.4), read from
 *       the node at each scrape, each with the label {@code node}: gauges {@code otp_processes},
 *       {@code otp_processes_running}, {@code otp_scheduler_carriers} (label {@code scheduler}),
 *       {@code otp_mailbox_max} (the longest mailbox: which process holds it is not a label, so
 *       the series stay few), {@code otp_mailbox_queued}; counters
 *       {@code otp_messages_received_total}, {@code otp_processes_spawned_total},
 *       {@code otp_processes_crashed_total}, {@code otp_processes_exited_abnormally_total},
 *       {@code otp_processes_runaways_total} and {@code otp_supervisor_restarts_total} (label
 *       {@code supervisor}: the registered name, unnamed supervisors together; see
 *       {@link org.otp4j.behaviours.Supervisor#restartCounts Supervisor.restartCounts}); for
 *       distribution (zero without it) the gauge {@code otp_dist_nodes} and the counters
 *       {@code otp_dist_signals_sent_total}, {@code otp_dist_signals_received_total} and
 *       {@code otp_dist_signals_dropped_total}. The same names
 *       as otp-metrics' meters in a Micrometer Prometheus registry.</li>
 *   <li>{@code POST /api/kill} with form fields {@code pid} and {@code reason} ({@code kill} by
 *       default; {@code normal}, {@code shutdown} or any other word): sends the process that exit
 *       signal, as {@link org.otp4j.core.Proc#exit(org.otp4j.core.Pid, org.otp4j.core.ExitReason)
 *       Proc.exit} does. The only request that changes the node.</li>
 * </ul>
 *
 * <h2>Reports</h2>
 * A node hands its reports to the one handler its {@link org.otp4j.core.NodeConfig} names when it
 * starts; a running node cannot be hooked afterwards. So the feed is made first and given to the
 * node: {@link #start(Node)} uses the node's report handler when it is an {@link ObserverReports};
 * {@link ObserverConfig#withReports} names a feed that the node's handler passes reports to.
 * Without a feed, the reports endpoint says so and the rest works.
 */
public final class Observer implements AutoCloseable {
  private final HttpServer server;
  private final ExecutorService handlers;
  private final Sampler sampler;
  private final String token;
  private final URI url;

  private Observer(HttpServer server, ExecutorService handlers, Sampler sampler, String token, URI url) {
    this.server = server;
    this.handlers = handlers;
    this.sampler = sampler;
    this.token = token;
    this.url = url;
  }

  /** Serves {@code node} with {@link ObserverConfig#defaults()}; see {@link #start(Node, ObserverConfig)}. */
  public static Observer start(Node node) {
    return start(node, ObserverConfig.defaults());
  }

  /**
   * Serves {@code node} as {@code config} says, and prints {@code observer at <url>} once to
   * standard output.
   *
   * @throws UncheckedIOException if the address or port cannot be bound (a port in use, say)
   * @throws IllegalStateException if the node is stopped
   */
  public static Observer start(Node node, ObserverConfig config) {
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(config, "config");
    if (node.isStopped()) {
      throw new IllegalStateException("node " + node.name() + " is stopped: an observer needs a running node");
    }
    Optional<ObserverReports> reports = config.reports().or(() -> node.config().reportHandler()
        .filter(ObserverReports.class::isInstance).map(ObserverReports.class::cast));
    byte[] random = new byte[24];
    new SecureRandom().nextBytes(random);
    String token = HexFormat.of().formatHex(random);
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(config.address(), config.port()), 0);
    } catch (IOException e) {
      throw new UncheckedIOException("the observer cannot listen on " + config.address().getHostAddress() + ":"
          + config.port() + " (" + e.getMessage() + "); choose another port with ObserverConfig.withPort", e);
    }
    Sampler sampler = new Sampler(node, config.history());
    Api api = new Api(node, token, sampler, reports, config.openMetrics());
    ExecutorService handlers = Executors.newVirtualThreadPerTaskExecutor();
    server.setExecutor(handlers);
    server.createContext("/", api::handle);
    server.start();
    String host = config.address().getHostAddress();
    if (host.contains(":")) {
      host = "[" + host + "]";
    }
    URI url = URI.create("http://" + host + ":" + server.getAddress().getPort() + "/?token=" + token);
    System.out.println("observer at " + url);
    return new Observer(server, handlers, sampler, token, url);
  }

  /** The page's URL, with the token: {@code http://127.0.0.1:PORT/?token=...}. */
  public URI url() {
    return url;
  }

  /** The address without the token: {@code http://127.0.0.1:PORT/}, for the JSON endpoints. */
  public URI base() {
    return url.resolve("/");
  }

  /** The port it listens on. */
  public int port() {
    return server.getAddress().getPort();
  }

  /** The access token of this observer, for the {@code X-Observer-Token} header. */
  public String token() {
    return token;
  }

  /** Stops serving (requests under way get a second to finish) and stops sampling. */
  @Override
  public void close() {
    sampler.close();
    server.stop(1);
    handlers.shutdownNow();
  }
}
