package org.otp4j.examples.chat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;
import org.otp4j.behaviours.NodeSnapshot;
import org.otp4j.core.ServerRef;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.examples.JettyProcess;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web endpoint: the Jetty server, owned by a {@link JettyProcess} (its init starts Jetty, its
 * terminate stops it, closing every socket), so a restart of this child is a restart of the web
 * server.
 *
 * <ul>
 *   <li>{@code /}, {@code /app.js}, {@code /style.css}: the browser client, from the class path;</li>
 *   <li>{@code /ws}: the WebSocket; each socket gets its own {@link Connection} process under the
 *       {@code connections} supervisor;</li>
 *   <li>{@code GET /observer}: the node's {@link NodeSnapshot} as text;
 *       {@code POST /observer/kill-room?room=NAME} with an admin's session token
 *       ({@code Authorization: Bearer TOKEN}) kills a room process.</li>
 * </ul>
 *
 * Jetty calls the socket listener on its own threads; the listener turns every event into a message
 * to the connection process and does nothing else.
 */
final class WebEndpoint {
  private static final Logger LOG = LoggerFactory.getLogger(WebEndpoint.class);

  /** Hard cap on an inbound WebSocket message; Jetty closes the socket (1009) above it. Smaller
   * frames above {@code maxFrameBytes} get an error frame from the connection instead. */
  static final int HARD_MAX_MESSAGE = 1 << 20;

  private final Chat chat;

  private WebEndpoint(Chat chat) {
    this.chat = chat;
  }

  // =====================================================================================
  // client API

  static ServerRef<JettyProcess.Request> startLink(Chat chat) {
    return JettyProcess.startLink(Chat.WEB, "chat-http-lifecycle", new WebEndpoint(chat)::startJetty);
  }

  /** The port the server listens on (useful when configured as 0). */
  static int port() {
    return JettyProcess.ports(Chat.WEB).getFirst();
  }

  // =====================================================================================
  // the server

  private Server startJetty(Node node) throws Exception {
    // Also load the JSON mapper here, rather than in the first connection process.
    Frames.encode(new Frames.ServerFrame.Pong(), Frames.parse("{\"type\":\"ping\"}").ref());
    QueuedThreadPool threads = new QueuedThreadPool(64, 4);
    threads.setName("chat-http");
    Server server = new Server(threads);
    server.setStopTimeout(2000);
    ServerConnector connector = new ServerConnector(server);
    connector.setHost(chat.config().host());
    connector.setPort(chat.config().port());
    server.addConnector(connector);

    ContextHandler context = new ContextHandler("/");
    WebSocketUpgradeHandler ws = WebSocketUpgradeHandler.from(server, context, container -> {
      container.setMaxTextMessageSize(HARD_MAX_MESSAGE);
      container.setIdleTimeout(Duration.ofMinutes(2));
      // a client that reads nothing is dropped (1008, "too slow"), not buffered forever
      container.setMaxOutgoingFrames(chat.config().maxQueuedFrames());
      container.addMapping("/ws", (request, response, callback) -> new ChatSocket(node));
    });
    ws.setHandler(new Pages(chat, node));
    context.setHandler(ws);
    server.setHandler(context);
    server.start();
    LOG.info("chat web endpoint listening on {}:{}", chat.config().host(),
        JettyProcess.boundPorts(server).getFirst());
    return server;
  }

  // =====================================================================================
  // plain HTTP: the page and the observer

  /** Serves the browser client and the observer. */
  static final class Pages extends Handler.Abstract {
    private final Chat chat;
    private final Node node;
    private final Map<String, Resource> files = new HashMap<>();

    record Resource(byte[] bytes, String contentType) {}

    Pages(Chat chat, Node node) throws IOException {
      this.chat = chat;
      this.node = node;
      files.put("/", load("index.html", "text/html; charset=utf-8"));
      files.put("/index.html", files.get("/"));
      files.put("/app.js", load("app.js", "text/javascript; charset=utf-8"));
      files.put("/style.css", load("style.css", "text/css; charset=utf-8"));
      files.put("/favicon.svg", load("favicon.svg", "image/svg+xml"));
      files.put("/favicon.ico", files.get("/favicon.svg")); // asked for by browsers whatever the page says
    }

    private static Resource load(String name, String contentType) throws IOException {
      try (InputStream in = WebEndpoint.class.getResourceAsStream("/chat/" + name)) {
        if (in == null) {
          throw new IOException("resource /chat/" + name + " is missing from the class path");
        }
        return new Resource(in.readAllBytes(), contentType);
      }
    }

    @Override
    public boolean handle(org.eclipse.jetty.server.Request request, Response response, Callback callback) {
      String path = org.eclipse.jetty.server.Request.getPathInContext(request);
      String method = request.getMethod();
      if (path.equals("/observer") && method.equals("GET")) {
        String text = snapshot(org.eclipse.jetty.server.Request.getLocalPort(request));
        reply(response, callback, 200, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
        return true;
      }
      if (path.equals("/observer/kill-room") && method.equals("POST")) {
        killRoom(request, response, callback);
        return true;
      }
      Resource r = files.get(path);
      if (r == null || !method.equals("GET")) {
        return false; // Jetty answers 404
      }
      response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
      reply(response, callback, 200, r.contentType(), r.bytes());
      return true;
    }

    private String snapshot(int port) {
      StringBuilder sb = new StringBuilder(NodeSnapshot.of(node).render());
      sb.append("rooms running:\n");
      node.run(() -> chat.store().rooms().forEach(room -> Proc.whereis(chat.roomName(room)).ifPresent(pid ->
          sb.append("  ").append(room).append(" ").append(pid).append(", members: ")
              .append(chat.members().lookup(room).size()).append('\n'))));
      sb.append("\nkill a room (admins): curl -X POST -H 'Authorization: Bearer TOKEN' 'http://localhost:")
          .append(port).append("/observer/kill-room?room=NAME'\n");
      return sb.toString();
    }

    /**
     * Kills a room for an admin: the request carries an admin's session token
     * ({@code Authorization: Bearer TOKEN}, the token of a login). Where the request comes from
     * proves nothing: behind a reverse proxy on the same host, every request comes from this machine.
     */
    private void killRoom(org.eclipse.jetty.server.Request request, Response response, Callback callback) {
      String header = request.getHeaders().get(HttpHeader.AUTHORIZATION);
      String token = header != null && header.startsWith("Bearer ") ? header.substring(7).trim() : "";
      List<String> user = new ArrayList<>();
      if (!token.isEmpty()) {
        node.run(() -> Accounts.validate(token).ifPresent(user::add));
      }
      if (user.isEmpty()) {
        reply(response, callback, 401, "text/plain; charset=utf-8", ("killing a room needs an admin's session token: "
            + "curl -X POST -H 'Authorization: Bearer TOKEN' '.../observer/kill-room?room=NAME' (the token of a "
            + "login, from the page's session storage or a login frame)\n").getBytes(StandardCharsets.UTF_8));
        return;
      }
      if (!chat.config().isAdmin(user.getFirst())) {
        reply(response, callback, 403, "text/plain; charset=utf-8", ("'" + user.getFirst() + "' is not an admin "
            + "(the server's otp.chat.admins setting names them)\n").getBytes(StandardCharsets.UTF_8));
        return;
      }
      String room = org.eclipse.jetty.server.Request.extractQueryParameters(request).getValue("room");
      List<Pid> found = new ArrayList<>();
      if (room != null) {
        node.run(() -> Room.kill(chat, room).ifPresent(found::add));
      }
      Optional<Pid> killed = found.stream().findFirst();
      killed.ifPresent(p -> LOG.info("{} killed room {} ({}) from the observer", user.getFirst(), room, p));
      String text = killed.map(p -> "killed room " + room + " (" + p + "); its supervisor restarts it\n")
          .orElse("no room '" + room + "' is running (give ?room=NAME of a room someone has joined)\n");
      reply(response, callback, killed.isPresent() ? 200 : 404, "text/plain; charset=utf-8",
          text.getBytes(StandardCharsets.UTF_8));
    }

    private static void reply(Response response, Callback callback, int status, String contentType, byte[] body) {
      response.setStatus(status);
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
      response.write(true, ByteBuffer.wrap(body), callback);
    }
  }
}
