package org.otp4j.examples.gateway;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
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
import org.otp4j.core.ServerRef;
import org.otp4j.examples.JettyProcess;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Jetty server, owned by a {@link JettyProcess}: two connectors, the proxy's port (every request
 * goes to {@link Proxy}) and the admin port ({@link Admin}: the page, the JSON API, {@code /metrics}).
 * The process's init starts Jetty, its terminate stops it, so a restart of this child is a restart
 * of the web server. Proxied requests never wait (see {@link Proxy}); admin requests run on virtual
 * threads; errors Jetty answers itself (a request line or
 * headers too large, 431; a malformed request, 400) get the same JSON body as the proxy's.
 */
final class WebEndpoint {
  private static final Logger LOG = LoggerFactory.getLogger(WebEndpoint.class);
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final Gateway gateway;

  private WebEndpoint(Gateway gateway) {
    this.gateway = gateway;
  }

  static ServerRef<JettyProcess.Request> startLink(Gateway gateway) {
    WebEndpoint endpoint = new WebEndpoint(gateway);
    return JettyProcess.startLink(Gateway.WEB, "gateway-http-lifecycle", node -> endpoint.startJetty());
  }

  /** The proxy's port and the admin port, as bound (useful when configured as 0). */
  static int[] ports() {
    return JettyProcess.ports(Gateway.WEB).stream().mapToInt(Integer::intValue).toArray();
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
    // The proxy never waits (see Proxy), so Jetty runs handlers on the thread that read the
    // request; the admin handler calls the gateway's processes and runs on a virtual thread.
    server.setHandler(new Handler.Abstract(Handler.Abstract.InvocationType.NON_BLOCKING) {
      @Override
      public boolean handle(Request request, Response response, Callback callback) {
        if (!"admin".equals(request.getConnectionMetaData().getConnector().getName())) {
          return proxyHandler.handle(request, response, callback);
        }
        Thread.ofVirtual().name("gateway-admin").start(() -> {
          try {
            adminHandler.handle(request, response, callback);
          } catch (Throwable e) {
            callback.failed(e);
          }
        });
        return true;
      }
    });
    server.setErrorHandler(new JsonErrors());
    server.start();
    List<Integer> ports = JettyProcess.boundPorts(server);
    LOG.info("gateway listening on {}:{} (admin {})", s.host(), ports.get(0), ports.get(1));
    return server;
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
