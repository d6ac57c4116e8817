package org.otp4j.examples.iot;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.component.Graceful;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.otp4j.core.CallException;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.core.ServerRef;
import org.otp4j.examples.JettyProcess;
import org.otp4j.examples.iot.DeviceMessage.Telemetry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * The live dashboard and its JSON API, on Jetty ({@code iot.httpHost}:{@code iot.httpPort}):
 * <ul>
 *   <li>{@code GET /}: the page (devices online and known, messages per second, the alert feed, a
 *       device's detail with buttons that send it commands);</li>
 *   <li>{@code GET /api/summary}: devices known and online, device processes per node, messages per
 *       second, the counters;</li>
 *   <li>{@code GET /api/alerts}: the latest alerts, newest first; {@code GET /api/alerts/stream}:
 *       each new alert as a server-sent event {@code alert}, as the {@code iot:alerts} topic
 *       broadcasts it;</li>
 *   <li>{@code GET /api/devices/ID}: a device's state, its last readings, its windows and its commands;</li>
 *   <li>{@code POST /api/devices/ID/commands} with {@code {"type": "set_config", "args": {"interval_ms": 500}}}
 *       (or {@code reboot}, {@code firmware} with {@code version}): 202 with the {@code command_id};</li>
 *   <li>{@code GET /api/commands/ID}: a command's state ({@code sent}, {@code done}, {@code failed},
 *       {@code expired}) and attempts.</li>
 * </ul>
 * Errors are JSON {@code {"error": code, "message": what was wrong}}: 400 {@code bad_request}, 404
 * {@code not_found}, 503 {@code unavailable} (the store or a process is restarting).
 */
final class Dashboard extends Handler.Abstract implements Graceful {
  static final Logger LOG = LoggerFactory.getLogger(Dashboard.class);
  /** The process that owns the dashboard's Jetty server. */
  static final ServerRef<JettyProcess.Request> WEB = ServerRef.local("iot_web");
  private static final Duration KEEP_ALIVE = Duration.ofSeconds(5);
  private static final int HISTORY = 50;

  private final Iot iot;
  private final Node node;
  private final byte[] page;
  /** The last sample of the received count: {nanoTime, received, rate per second * 1000}. */
  private final AtomicReference<long[]> sample = new AtomicReference<>(new long[] {System.nanoTime(), 0, 0});
  /** The processes writing alert streams, each ended when the server stops. */
  private final Set<Pid> streams = ConcurrentHashMap.newKeySet();
  private volatile boolean stopping;

  /** Tells an alert stream's process to end its response: the server is stopping. */
  private record EndStream() {}

  private Dashboard(Iot iot, Node node) throws IOException {
    super(InvocationType.BLOCKING);
    this.iot = iot;
    this.node = node;
    try (InputStream in = Dashboard.class.getResourceAsStream("/iot/dashboard.html")) {
      if (in == null) {
        throw new IOException("resource /iot/dashboard.html is missing from the class path");
      }
      page = in.readAllBytes();
    }
  }

  static ServerRef<JettyProcess.Request> startLink(Iot iot) {
    return JettyProcess.startLink(WEB, "iot-http-lifecycle", node -> {
      QueuedThreadPool threads = new QueuedThreadPool(64, 4);
      threads.setName("iot-http");
      Server s = new Server(threads);
      s.setStopTimeout(2000);
      ServerConnector connector = new ServerConnector(s);
      connector.setHost(iot.config().httpHost());
      connector.setPort(iot.config().httpPort());
      s.addConnector(connector);
      s.setHandler(new Dashboard(iot, node));
      s.start();
      LOG.info("IoT dashboard listening on {}:{}", iot.config().httpHost(), JettyProcess.boundPorts(s).getFirst());
      return s;
    });
  }

  /** The port the dashboard listens on (useful when configured as 0). */
  static int port() {
    return JettyProcess.ports(WEB).getFirst();
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    String path = Request.getPathInContext(request);
    String method = request.getMethod();
    node.run(() -> {
      try {
        route(request, response, callback, path, method);
      } catch (IllegalArgumentException | JacksonException e) {
        json(response, callback, 400, error("bad_request", e.getMessage()));
      } catch (IotStore.StoreException | IllegalStateException | CallException e) {
        json(response, callback, 503, error("unavailable", e.getMessage() + "; try again"));
      } catch (IOException e) {
        json(response, callback, 400, error("bad_request", "the request could not be read: " + e.getMessage()));
      }
    });
    return true;
  }

  private void route(Request request, Response response, Callback callback, String path, String method)
      throws IOException {
    switch (method + " " + path) {
      case "GET /", "GET /index.html" -> send(response, callback, 200, "text/html; charset=utf-8", page);
      case "GET /api/summary" -> json(response, callback, 200, summary());
      case "GET /api/alerts" -> json(response, callback, 200, AlertLog.latest(HISTORY));
      case "GET /api/alerts/stream" -> Proc.spawn(() -> stream(response, callback));
      default -> {
        String[] parts = path.split("/", -1);
        // /api/devices/ID -> "", api, devices, ID ; /api/devices/ID/commands ; /api/commands/ID
        if (parts.length == 4 && parts[1].equals("api") && parts[2].equals("devices") && method.equals("GET")) {
          json(response, callback, 200, device(deviceId(parts[3])));
        } else if (parts.length == 5 && parts[1].equals("api") && parts[2].equals("devices")
            && parts[4].equals("commands") && method.equals("POST")) {
          String device = deviceId(parts[3]);
          JsonNode body = DeviceMessage.Json.MAPPER.readTree(body(request));
          if (!body.isObject()) {
            throw new IllegalArgumentException("the body must be a JSON object: {\"type\": ..., \"args\": {...}}");
          }
          Map<String, Object> args = body.has("args")
              ? DeviceMessage.Json.MAPPER.convertValue(body.get("args"), Map.class) : Map.of();
          Command command = Command.of(body.path("type").asString(null), args == null ? Map.of() : args);
          String id = CommandProcess.send(iot, device, command);
          json(response, callback, 202, Map.of("command_id", id, "device", device, "type", command.type()));
        } else if (parts.length == 4 && parts[1].equals("api") && parts[2].equals("commands") && method.equals("GET")) {
          Optional<IotStore.StoredCommand> c = iot.db().command(parts[3]);
          if (c.isEmpty()) {
            json(response, callback, 404, error("not_found", "no command has the id '" + parts[3] + "'"));
          } else {
            json(response, callback, 200, c.get());
          }
        } else {
          json(response, callback, 404, error("not_found", method + " " + path + " is not part of the dashboard: "
              + "GET /, GET /api/summary, GET /api/alerts, GET /api/alerts/stream, GET /api/devices/ID, "
              + "POST /api/devices/ID/commands, GET /api/commands/ID"));
        }
      }
    }
  }

  private static String deviceId(String id) {
    if (!DeviceMessage.DEVICE_ID.matcher(id).matches()) {
      throw new IllegalArgumentException("device id '" + id + "' is not d- and six digits");
    }
    return id;
  }

  /**
   * Devices known and online, device processes per node, messages per second (over the last second
   * or more), the counters.
   */
  Map<String, Object> summary() {
    IotMetrics.Snapshot m = iot.metrics().snapshot();
    long now = System.nanoTime();
    long[] last = sample.get();
    double rate = last[2] / 1000.0;
    if (now - last[0] >= TimeUnit.SECONDS.toNanos(1)) {
      rate = (m.received() - last[1]) * 1e9 / (now - last[0]);
      sample.compareAndSet(last, new long[] {now, m.received(), Math.round(rate * 1000)});
    }
    long[] counts = iot.db().deviceCounts();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("devicesTotal", counts[0]);
    out.put("devicesOnline", counts[1]);
    out.put("messagesPerSecond", Math.round(rate * 10) / 10.0);
    out.put("received", m.received());
    out.put("stored", m.stored());
    out.put("rejected", m.rejectedTotal());
    out.put("inFlight", m.inFlight());
    out.put("nodes", devicesPerNode());
    return out;
  }

  /**
   * How many device processes run on each node, by node name in name order, as each node counts
   * its own (a device whose process is between two lives is left out).
   */
  Map<String, Integer> devicesPerNode() {
    return new TreeMap<>(iot.directory().processesPerNode(node.name()));
  }

  /** A device's state, its last readings, its windows and its commands. */
  Map<String, Object> device(String id) {
    DeviceServer.DeviceView v = DeviceServer.view(iot, id);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", id);
    out.put("group", v.group().orElse(null));
    out.put("online", v.online());
    out.put("last", v.last().orElse(null));
    out.put("intervalMs", v.intervalMs().orElse(null));
    out.put("firmware", v.firmware().orElse(null));
    out.put("pending", v.pending());
    out.put("node", v.pid().nodeName());
    List<Telemetry> history = iot.db().history(id, HISTORY);
    out.put("history", history);
    List<IotStore.Window> windows = iot.db().windows("device", id);
    out.put("windows", new ArrayList<>(windows.subList(Math.max(0, windows.size() - 60), windows.size())));
    out.put("commands", iot.db().commands(id, 20));
    return out;
  }

  /**
   * Server-sent events: a process of this request's own subscribes to the alerts topic and writes each alert
   * as it comes, with a comment every few seconds so that a client gone is noticed; it ends when a
   * write fails (the client left), or when the server stops ({@link #shutdown()}): then it ends its
   * response, so the server's graceful stop need not wait for the client to leave.
   */
  private void stream(Response response, Callback callback) {
    response.setStatus(200);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream; charset=utf-8");
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
    Pid self = Proc.self();
    streams.add(self);
    try {
      if (stopping) { // the server began to stop after this request came in
        response.write(true, ByteBuffer.allocate(0), callback);
        return;
      }
      iot.pubsub().subscribe(Iot.ALERTS);
      write(response, ": alerts of " + iot.config().clientId() + "\n\n");
      while (true) {
        Optional<Object> m = Proc.receive(o -> o instanceof Alert || o instanceof EndStream, KEEP_ALIVE);
        if (m.isEmpty()) {
          write(response, ": keep-alive\n\n");
        } else if (m.get() instanceof Alert a) {
          write(response, "event: alert\ndata: " + DeviceMessage.Json.MAPPER.writeValueAsString(a) + "\n\n");
        } else {
          response.write(true, ByteBuffer.allocate(0), callback);
          return;
        }
      }
    } catch (IOException e) {
      callback.failed(e); // the process ends, and with it its subscription
    } finally {
      streams.remove(self);
    }
  }

  /** The server is stopping: every alert stream ends its response. */
  @Override
  public CompletableFuture<Void> shutdown() {
    stopping = true;
    node.run(() -> streams.forEach(p -> Proc.send(p, new EndStream())));
    return CompletableFuture.completedFuture(null);
  }

  /** Whether the server began to stop. */
  @Override
  public boolean isShutdown() {
    return stopping;
  }

  private static void write(Response response, String text) throws IOException {
    Callback.Completable done = new Callback.Completable();
    response.write(false, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), done);
    try {
      done.get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IOException("the event stream's client is gone: " + e, e);
    }
  }

  private static Map<String, Object> error(String code, String message) {
    return Map.of("error", code, "message", String.valueOf(message));
  }

  private static String body(Request request) throws IOException {
    try (InputStream in = Content.Source.asInputStream(request)) {
      return new String(in.readNBytes(1 << 16), StandardCharsets.UTF_8);
    }
  }

  private static void json(Response response, Callback callback, int status, Object body) {
    send(response, callback, status, "application/json", DeviceMessage.Json.MAPPER.writeValueAsBytes(body));
  }

  private static void send(Response response, Callback callback, int status, String type, byte[] body) {
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
    response.write(true, ByteBuffer.wrap(body), callback);
  }
}
