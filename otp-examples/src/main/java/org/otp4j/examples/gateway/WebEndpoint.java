package org.otp4j.examples.gateway;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.otp4j.behaviours.GenServer;
import org.otp4j.core.Call;
import org.otp4j.core.ExitReason;
import org.otp4j.core.From;
import org.otp4j.core.Proc;
import org.otp4j.core.ServerRef;
import org.otp4j.examples.PlatformThread;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * The process that owns the Jetty server: two connectors, the proxy's port (every request goes
 * to {@link Proxy}) and the admin port ({@link Admin}: the page, the JSON API, {@code /metrics}).
 * Its init starts Jetty, its terminate stops it, so a restart of this child is a restart of the
 * web server. Requests run on virtual threads; errors Jetty answers itself (a request line or
 * headers too large, 431; a malformed request, 400) get the same JSON body as the proxy's.
 */
final class WebEndpoint extends GenServer<WebEndpoint.State, WebEndpoint.Msg> {
  private static final Logger LOG = LoggerFactory.getLogger(WebEndpoint.class);
  private static final JsonMapper JSON = JsonMapper.builder().build();

  sealed interface Msg {
    /** The ports listened on: proxy, admin. */
    record Ports() implements Msg, Call<int[]> {}
  }

  record State(Server server, int port, int adminPort) {}

  private final Gateway gateway;

  private WebEndpoint(Gateway gateway) {
    this.gateway = gateway;
  }

  static ServerRef<Msg> startLink(Gateway gateway) {
    return GenServer.startLink(Gateway.WEB, new WebEndpoint(gateway));
  }

  /** The proxy's port and the admin port, as bound (useful when configured as 0). */
  static int[] ports() {
    return GenServer.call(Gateway.WEB, new Msg.Ports());
  }

  @Override
  protected Init<State> init() throws Exception {
    Proc.trapExits(true); // so that terminate stops Jetty on shutdown
    Server server = PlatformThread.call("gateway-http-lifecycle", this::startJetty);
    int port = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    int admin = ((ServerConnector) server.getConnectors()[1]).getLocalPort();
    LOG.info("gateway listening on {}:{} (admin {})", gateway.settings().host(), port, admin);
    return Init.ok(new State(server, port, admin));
  }

  private Server startJetty() throws Exception {
    GatewaySettings s = gateway.settings();
    QueuedThreadPool threads = new QueuedThreadPool(32, 4);
    threads.setName("gateway-http");
    threads.setVirtualThreadsExecutor(Executors.newVirtualThreadPerTaskExecutor());
    Server server = new Server(threads);
    server.setStopTimeout(2000);
    HttpConfiguration http = new HttpConfiguration();
    http.setRequestHeaderSize(s.maxHeaderBytes());
    http.setSendServerVersion(false);
    ServerConnector proxy = new ServerConnector(server, new HttpConnectionFactory(http));
    proxy.setName("proxy");
    proxy.setHost(s.host());
    proxy.setPort(s.port());
    proxy.setIdleTimeout(s.idleTimeout().toMillis());
    ServerConnector admin = new ServerConnector(server, new HttpConnectionFactory(new HttpConfiguration()));
    admin.setName("admin");
    admin.setHost(s.host());
    admin.setPort(s.adminPort());
    server.addConnector(proxy);
    server.addConnector(admin);
    Proxy proxyHandler = new Proxy(gateway);
    Admin adminHandler = new Admin(gateway, proxyHandler);
    server.setHandler(new Handler.Abstract(Handler.Abstract.InvocationType.BLOCKING) {
      @Override
      public boolean handle(Request request, Response response, Callback callback) throws Exception {
        return "admin".equals(request.getConnectionMetaData().getConnector().getName())
            ? adminHandler.handle(request, response, callback) : proxyHandler.handle(request, response, callback);
      }
    });
    server.setErrorHandler(new JsonErrors());
    server.start();
    return server;
  }

  @Override
  protected CallResult<State> handleCall(Msg msg, From from, State state) {
    return switch (msg) {
      case Msg.Ports p -> reply(p, new int[] {state.port(), state.adminPort()}, state);
    };
  }

  @Override
  protected void terminate(ExitReason reason, State state) throws Exception {
    PlatformThread.call("gateway-http-lifecycle", () -> {
      state.server().stop();
      return null;
    });
  }

  /** Jetty's own error answers, as JSON. */
  static final class JsonErrors extends ErrorHandler {
    private static byte[] body(int status, String message) {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("error", switch (status) {
        case 431 -> "headers_too_large";
        case 413 -> "body_too_large";
        case 400 -> "bad_request";
        case 404 -> "not_found";
        default -> "http_" + status;
      });
      body.put("message", message == null ? "HTTP " + status : message);
      return JSON.writeValueAsBytes(body);
    }

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
                                    Callback callback) {
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
      response.write(true, ByteBuffer.wrap(body(code, message)), callback);
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
      fields.put(HttpHeader.CONTENT_TYPE, "application/json");
      return ByteBuffer.wrap(body(status, reason));
    }
  }

}
