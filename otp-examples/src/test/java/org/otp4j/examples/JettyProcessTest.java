package org.otp4j.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.otp4j.behaviours.ChildSpec;
import org.otp4j.behaviours.Supervisor;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;
import org.otp4j.core.ServerRef;

/**
 * The process that owns an example's Jetty server: the server listens once the start returns, its
 * ports are asked of the process, the starter runs off the process with the process's node, and the
 * supervisor's shutdown stops the server.
 */
class JettyProcessTest {
  private static final ServerRef<JettyProcess.Request> WEB = ServerRef.local("jetty_process_test");

  private final Node node = Node.start();

  @AfterEach
  void stop() {
    node.close();
  }

  @Test
  void theServerListensWhileItsProcessRunsAndStopsWithItsSupervisor() throws Exception {
    AtomicReference<Node> given = new AtomicReference<>();
    AtomicReference<String> thread = new AtomicReference<>();
    Pid sup = node.call(() -> Supervisor.startLink(Supervisor.oneForOne(),
        ChildSpec.worker("web", () -> JettyProcess.startLink(WEB, "test-http-lifecycle", n -> {
          given.set(n);
          thread.set(Thread.currentThread().getName());
          Server server = new Server();
          server.addConnector(connector(server));
          server.addConnector(connector(server));
          server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(org.eclipse.jetty.server.Request request,
                                  org.eclipse.jetty.server.Response response,
                                  org.eclipse.jetty.util.Callback callback) {
              response.write(true, ByteBuffer.wrap("up".getBytes(StandardCharsets.UTF_8)), callback);
              return true;
            }
          });
          server.start();
          return server;
        }))));

    List<Integer> ports = node.call(() -> JettyProcess.ports(WEB));
    assertThat(ports).hasSize(2).allMatch(p -> p > 0).doesNotHaveDuplicates();
    assertThat(given.get()).isSameAs(node);
    assertThat(thread.get()).isEqualTo("test-http-lifecycle");
    for (int port : ports) {
      assertThat(get(port)).startsWith("HTTP/1.1 200").endsWith("up");
    }

    node.run(() -> Supervisor.stop(sup));
    for (int port : ports) {
      assertThatThrownBy(() -> get(port)).as("port %d closed by terminate", port)
          .isInstanceOf(ConnectException.class);
    }
  }

  private static ServerConnector connector(Server server) {
    ServerConnector c = new ServerConnector(server);
    c.setHost("127.0.0.1");
    c.setPort(0);
    return c;
  }

  private static String get(int port) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      s.setSoTimeout(5000);
      s.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
          .getBytes(StandardCharsets.US_ASCII));
      return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
