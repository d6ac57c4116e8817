package org.otp4j.observer.internal;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.otp4j.behaviours.Application;
import org.otp4j.behaviours.NodeSnapshot;
import org.otp4j.behaviours.Sys;
import org.otp4j.core.Address;
import org.otp4j.core.CallException;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Node;
import org.otp4j.core.NodeReport;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.core.ProcessInfo;
import org.otp4j.observer.ObserverReports;

/**
 * The observer's HTTP interface: the JSON endpoints under {@code /api/} and the page's static
 * files. Every {@code /api/} request needs the token (see {@code Observer}); the page's files do
 * not, since they hold no data of the node.
 */
public final class Api {
  /** The header that carries the token. */
  public static final String TOKEN_HEADER = "X-Observer-Token";
  /** How long the process page waits for a behaviour's state. */
  static final Duration STATE_TIMEOUT = Duration.ofMillis(500);
  static final int DEFAULT_LIMIT = 1000;

  private static final Map<String, String> STATIC = Map.of(
      "/", "index.html", "/index.html", "index.html", "/observer.js", "observer.js", "/observer.css", "observer.css");

  private final Node node;
  private final byte[] token;
  private final Sampler sampler;
  private final Optional<ObserverReports> reports;
  private final PrometheusText metrics;
  private final boolean openMetrics;

  /**
   * An API over {@code node}, guarded by {@code token}; {@code openMetrics} serves {@code /metrics}
   * without the token to other machines too.
   */
  public Api(Node node, String token, Sampler sampler, Optional<ObserverReports> reports, boolean openMetrics) {
    this.node = node;
    this.token = token.getBytes(StandardCharsets.UTF_8);
    this.sampler = sampler;
    this.reports = reports;
    this.metrics = new PrometheusText(node);
    this.openMetrics = openMetrics;
  }

  /** A request that gets a JSON error answer with {@code status}. */
  static final class Refused extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;

    Refused(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }
  }

  /** Serves one request. */
  public void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String path = ex.getRequestURI().getPath();
      try {
        if (path.startsWith("/api/")) {
          api(ex, path.substring("/api/".length()));
        } else if (path.equals("/metrics")) {
          metrics(ex);
        } else {
          page(ex, path);
        }
      } catch (Refused r) {
        send(ex, r.status, Map.of("error", r.getMessage()));
      } catch (RuntimeException e) {
        send(ex, 500, Map.of("error", "the observer failed to answer " + path + ": " + e));
      }
    }
  }

  private void page(HttpExchange ex, String path) throws IOException {
    String file = STATIC.get(path);
    if (file == null) {
      throw new Refused(404, "no page " + path + "; the observer's page is /, its figures for Prometheus /metrics");
    }
    if (!ex.getRequestMethod().equals("GET")) {
      throw new Refused(405, path + " takes GET, got " + ex.getRequestMethod());
    }
    byte[] body;
    try (InputStream in = Api.class.getResourceAsStream("web/" + file)) {
      if (in == null) {
        throw new Refused(500, "the observer's jar lacks its page file " + file);
      }
      body = in.readAllBytes();
    }
    String type = file.endsWith(".html") ? "text/html; charset=utf-8"
        : file.endsWith(".js") ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8";
    ex.getResponseHeaders().set("Content-Type", type);
    ex.getResponseHeaders().set("Cache-Control", "no-store");
    ex.getResponseHeaders().set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:");
    // the token is in the page's address: it must not leave in a Referer header
    ex.getResponseHeaders().set("Referrer-Policy", "no-referrer");
    ex.sendResponseHeaders(200, body.length);
    ex.getResponseBody().write(body);
  }

  private void api(HttpExchange ex, String endpoint) throws IOException {
    String method = ex.getRequestMethod();
    Map<String, String> params = query(ex.getRequestURI().getRawQuery());
    if (method.equals("POST")) {
      String type = ex.getRequestHeaders().getFirst("Content-Type");
      if (type != null && type.startsWith("application/x-www-form-urlencoded")) {
        params.putAll(query(new String(ex.getRequestBody().readNBytes(64 * 1024), StandardCharsets.UTF_8)));
      }
    }
    checkToken(ex, params);
    boolean mutating = endpoint.equals("kill");
    String wanted = mutating ? "POST" : "GET";
    if (!method.equals(wanted)) {
      throw new Refused(405, "/api/" + endpoint + " takes " + wanted + ", got " + method);
    }
    Object body = switch (endpoint) {
      case "overview" -> overview();
      case "history" -> Map.of("samples", sampler.history().stream().map(Sampler.Sample::toMap).toList());
      case "applications" -> applications();
      case "processes" -> processes(params);
      case "process" -> process(params);
      case "state" -> state(params);
      case "reports" -> reports(params);
      case "kill" -> kill(params);
      default -> throw new Refused(404, "no endpoint /api/" + endpoint
          + "; there are overview, history, applications, processes, process, state, reports and kill");
    };
    send(ex, 200, body);
  }

  /**
   * {@code GET /metrics}: no token from this machine or when opened; else the token as for the API,
   * or as a bearer token (what a Prometheus scrape can send).
   */
  private void metrics(HttpExchange ex) throws IOException {
    if (!openMetrics && !ex.getRemoteAddress().getAddress().isLoopbackAddress()) {
      checkToken(ex, query(ex.getRequestURI().getRawQuery()));
    }
    if (!ex.getRequestMethod().equals("GET")) {
      throw new Refused(405, "/metrics takes GET, got " + ex.getRequestMethod());
    }
    byte[] body = metrics.scrape().getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", PrometheusText.CONTENT_TYPE);
    ex.getResponseHeaders().set("Cache-Control", "no-store");
    ex.sendResponseHeaders(200, body.length);
    ex.getResponseBody().write(body);
  }

  private void checkToken(HttpExchange ex, Map<String, String> params) {
    String given = ex.getRequestHeaders().getFirst(TOKEN_HEADER);
    String authorization = ex.getRequestHeaders().getFirst("Authorization");
    if (given == null && authorization != null && authorization.startsWith("Bearer ")) {
      given = authorization.substring("Bearer ".length()).trim();
    }
    if (given == null) {
      given = params.get("token");
    }
    if (given == null || given.isEmpty()) {
      throw new Refused(401, "missing token: send the observer's token in the " + TOKEN_HEADER
          + " header or a token form field (it was printed with the observer's URL when it started)");
    }
    if (!MessageDigest.isEqual(token, given.getBytes(StandardCharsets.UTF_8))) {
      throw new Refused(403, "wrong token: the " + TOKEN_HEADER
          + " header or token field does not match the token this observer printed when it started");
    }
  }

  // ---------------------------------------------------------------------------------------
  // endpoints

  private Map<String, Object> overview() {
    Sampler.Sample s = sampler.latest();
    Node.Stats stats = node.stats();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("node", node.name());
    m.put("processes", stats.alive());
    m.put("spawned", stats.spawned());
    m.put("messagesReceived", node.messagesReceived());
    m.put("crashed", stats.crashed());
    m.put("runaways", stats.runaways());
    m.put("registered", node.registered().size());
    m.put("scheduler", node.scheduler().toString());
    m.put("latest", s.toMap());
    Runtime rt = Runtime.getRuntime();
    m.put("jvm", Map.of("heapUsed", rt.totalMemory() - rt.freeMemory(), "heapCommitted", rt.totalMemory(),
        "heapMax", rt.maxMemory(), "processors", rt.availableProcessors()));
    m.put("reportsHooked", reports.isPresent());
    return m;
  }

  private Map<String, Object> applications() {
    NodeSnapshot snap = NodeSnapshot.of(node);
    List<Object> apps = new ArrayList<>();
    for (NodeSnapshot.AppTree a : snap.applications()) {
      Application.Info info = a.application();
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", info.name());
      m.put("version", info.version());
      m.put("description", info.description());
      m.put("type", info.type().toString());
      m.put("tree", a.tree() == null ? null : tree(a.tree()));
      apps.add(m);
    }
    return Map.of("node", snap.node(), "applications", apps, "others", snap.others().stream().map(Api::row).toList());
  }

  private static Map<String, Object> tree(NodeSnapshot.Tree t) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("pid", t.pid().toString());
    m.put("childId", t.childId() == null ? null : String.valueOf(t.childId()));
    m.put("supervisor", t.supervisor());
    m.put("busy", t.busy());
    m.put("alive", t.info().isPresent());
    m.put("name", t.info().flatMap(ProcessInfo::registeredName).orElse(null));
    m.put("status", t.info().map(i -> i.status().toString()).orElse("DEAD"));
    m.put("mailbox", t.info().map(ProcessInfo::mailboxLength).orElse(0));
    m.put("children", t.children().stream().map(Api::tree).toList());
    return m;
  }

  /** The columns of the process table, each with its order. */
  enum Column {
    PID(Comparator.comparing(ProcessInfo::pid)),
    NAME(Comparator.comparing(p -> p.registeredName().orElse("\uffff"))),
    STATUS(Comparator.comparing(ProcessInfo::status)),
    MAILBOX(Comparator.comparingInt(ProcessInfo::mailboxLength)),
    RECEIVED(Comparator.comparingLong(ProcessInfo::messagesReceived)),
    LINKS(Comparator.comparingInt(p -> p.links().size())),
    MONITORS(Comparator.comparingInt(p -> p.monitors().size() + p.monitoredBy().size())),
    CURRENT(Comparator.comparing(ProcessInfo::blockedOn));

    final Comparator<ProcessInfo> order;

    Column(Comparator<ProcessInfo> order) {
      this.order = order;
    }
  }

  private Map<String, Object> processes(Map<String, String> params) {
    String sortName = params.getOrDefault("sort", "pid");
    Column sort;
    try {
      sort = Column.valueOf(sortName.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new Refused(400, "sort must be one of pid, name, status, mailbox, received, links, monitors, current; got "
          + sortName);
    }
    String order = params.getOrDefault("order", sort == Column.MAILBOX || sort == Column.RECEIVED || sort == Column.LINKS
        || sort == Column.MONITORS ? "desc" : "asc");
    if (!order.equals("asc") && !order.equals("desc")) {
      throw new Refused(400, "order must be asc or desc; got " + order);
    }
    int limit = intParam(params, "limit", DEFAULT_LIMIT);
    String q = params.getOrDefault("q", "").trim().toLowerCase(Locale.ROOT);
    List<ProcessInfo> all = node.processes();
    Comparator<ProcessInfo> cmp = order.equals("asc") ? sort.order : sort.order.reversed();
    List<Map<String, Object>> rows = all.stream()
        .filter(p -> q.isEmpty() || matches(p, q))
        .sorted(cmp.thenComparing(ProcessInfo::pid))
        .limit(limit)
        .map(Api::row)
        .toList();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("total", all.size());
    m.put("sort", sort.name().toLowerCase(Locale.ROOT));
    m.put("order", order);
    m.put("query", q);
    m.put("processes", rows);
    return m;
  }

  private static boolean matches(ProcessInfo p, String q) {
    return p.pid().toString().toLowerCase(Locale.ROOT).contains(q)
        || p.registeredName().map(n -> n.toLowerCase(Locale.ROOT).contains(q)).orElse(false)
        || p.blockedOn().toLowerCase(Locale.ROOT).contains(q)
        || p.status().name().toLowerCase(Locale.ROOT).equals(q);
  }

  private static Map<String, Object> row(ProcessInfo p) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("pid", p.pid().toString());
    m.put("name", p.registeredName().orElse(null));
    m.put("status", p.status().toString());
    m.put("mailbox", p.mailboxLength());
    m.put("received", p.messagesReceived());
    m.put("current", p.blockedOn());
    m.put("links", p.links().size());
    m.put("monitors", p.monitors().size() + p.monitoredBy().size());
    m.put("trapExits", p.trapExits());
    m.put("dropped", p.droppedMessages());
    m.put("runaway", p.runaway());
    return m;
  }

  private Map<String, Object> process(Map<String, String> params) {
    ProcessInfo p = find(params);
    Map<String, Object> m = row(p);
    m.put("links", p.links().stream().map(Pid::toString).toList());
    m.put("monitors", p.monitors().stream().map(Address::toString).toList());
    m.put("monitoredBy", p.monitoredBy().stream().map(Pid::toString).toList());
    m.put("reports", reports.map(r -> r.recent().stream()
        .filter(e -> isAbout(e.report(), p.pid()))
        .map(Api::report).toList()).orElse(List.of()));
    return m;
  }

  private Map<String, Object> state(Map<String, String> params) {
    ProcessInfo p = find(params);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("pid", p.pid().toString());
    try {
      Object state = Sys.getState(p.pid(), STATE_TIMEOUT);
      m.put("state", String.valueOf(state));
    } catch (CallException e) {
      m.put("error", "no state within " + STATE_TIMEOUT.toMillis() + " ms (" + e.reason()
          + "): a process that is not a behaviour, or a busy one, does not answer");
    }
    return m;
  }

  private Map<String, Object> reports(Map<String, String> params) {
    long since = intParam(params, "since", 0);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("hooked", reports.isPresent());
    if (reports.isEmpty()) {
      m.put("hint", "no report feed: start the node with NodeConfig.withReportHandler(ObserverReports.create())"
          + " or give the observer one with ObserverConfig.withReports");
    }
    m.put("reports", reports.map(r -> r.since(since).stream().map(Api::report).toList()).orElse(List.of()));
    return m;
  }

  private static Map<String, Object> report(ObserverReports.Entry e) {
    NodeReport r = e.report();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("seq", e.seq());
    m.put("time", e.time().toString());
    m.put("level", r.level().toString());
    m.put("label", r.label());
    m.put("logger", r.logger());
    Map<String, Object> fields = new LinkedHashMap<>();
    r.fields().forEach((k, v) -> fields.put(k, String.valueOf(v)));
    m.put("fields", fields);
    m.put("text", r.text());
    return m;
  }

  private static boolean isAbout(NodeReport r, Pid pid) {
    String tag = pid.toString();
    for (Object v : r.fields().values()) {
      if (v != null && (v.equals(pid) || String.valueOf(v).contains(tag))) {
        return true;
      }
    }
    return false;
  }

  private Map<String, Object> kill(Map<String, String> params) {
    ProcessInfo p = find(params);
    String reasonText = params.getOrDefault("reason", "kill").trim();
    if (reasonText.isEmpty()) {
      throw new Refused(400, "reason must not be empty: kill, shutdown, normal or any other word");
    }
    ExitReason reason = switch (reasonText) {
      case "kill" -> ExitReason.KILL;
      case "normal" -> ExitReason.NORMAL;
      case "shutdown" -> ExitReason.SHUTDOWN;
      default -> ExitReason.of(reasonText);
    };
    Proc.exit(p.pid(), reason);
    return Map.of("pid", p.pid().toString(), "reason", reasonText, "sent", true);
  }

  // ---------------------------------------------------------------------------------------
  // helpers

  private ProcessInfo find(Map<String, String> params) {
    String pid = params.get("pid");
    if (pid == null || pid.isBlank()) {
      throw new Refused(400, "missing pid: give it as pid=<0.42.0>");
    }
    for (ProcessInfo p : node.processes()) {
      if (p.pid().toString().equals(pid.trim())) {
        return p;
      }
    }
    throw new Refused(404, "no process " + pid + " is alive on node " + node.name());
  }

  private static int intParam(Map<String, String> params, String name, int otherwise) {
    String v = params.get(name);
    if (v == null) {
      return otherwise;
    }
    try {
      int n = Integer.parseInt(v.trim());
      if (n < 0) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new Refused(400, name + " must be a whole number of 0 or more; got " + v);
    }
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> out = new HashMap<>();
    if (raw == null || raw.isEmpty()) {
      return out;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      out.put(k, v);
    }
    return out;
  }

  private static void send(HttpExchange ex, int status, Object body) throws IOException {
    byte[] bytes = Json.write(body).getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
    ex.getResponseHeaders().set("Cache-Control", "no-store");
    ex.sendResponseHeaders(status, bytes.length);
    ex.getResponseBody().write(bytes);
  }
}
