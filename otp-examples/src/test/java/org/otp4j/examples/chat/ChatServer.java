package org.otp4j.examples.chat;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.otp4j.behaviours.AppDescriptor;
import org.otp4j.behaviours.Application;
import org.otp4j.core.Node;
import org.otp4j.core.NodeConfig;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.core.Registry;
import org.otp4j.dist.Cluster;

/**
 * A chat application running on its own node for one test: a free port, the test's data folder,
 * cheap password hashes. {@link #close()} stops the node as Ctrl-C would.
 */
final class ChatServer implements AutoCloseable {
  final Node node;
  final int port;
  final Path dataDir;

  private ChatServer(Node node, int port, Path dataDir) {
    this.node = node;
    this.port = port;
    this.dataDir = dataDir;
  }

  static ChatServer start(Path dataDir) {
    return start(dataDir, Map.of());
  }

  /** Starts the application with the test defaults, then {@code env} on top. */
  static ChatServer start(Path dataDir, Map<String, Object> env) {
    return start(Node.start(NodeConfig.defaults().withName("chat-test")), dataDir, env);
  }

  /**
   * Starts node {@code name} of {@code cluster} (whose codec must be {@link ChatCluster#codec()}),
   * prepares it for the chat on several nodes, and starts the application on it with the test
   * defaults: every node given the same {@code dataDir} shares one database.
   */
  static ChatServer startNode(String name, Cluster cluster, Path dataDir) {
    Node node = Node.start(name, NodeConfig.defaults().withTransport(cluster));
    try {
      ChatCluster.start(node);
    } catch (RuntimeException e) {
      node.close();
      throw e;
    }
    return start(node, dataDir, Map.of());
  }

  private static ChatServer start(Node node, Path dataDir, Map<String, Object> env) {
    AtomicReference<Integer> port = new AtomicReference<>();
    try {
      node.run(() -> {
        AppDescriptor d = ChatApp.descriptor()
            .withEnv("port", 0)
            .withEnv("host", "127.0.0.1")
            .withEnv("dataDir", dataDir.toString())
            .withEnv("passwordIterations", 1000);
        for (Map.Entry<String, Object> e : env.entrySet()) {
          d = d.withEnv(e.getKey(), e.getValue());
        }
        Application.load(d);
        Application.ensureAllStarted(ChatApp.NAME, Application.Type.TEMPORARY);
        port.set(ChatApp.port());
      });
    } catch (RuntimeException e) {
      node.close();
      throw e;
    }
    return new ChatServer(node, port.get(), dataDir);
  }

  URI ws() {
    return URI.create("ws://127.0.0.1:" + port + "/ws");
  }

  URI http(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  /** What the running chat application's processes share: its registries and its store. */
  Chat chat() {
    return ChatApp.chatOn(node).orElseThrow(() -> new AssertionError("no chat application runs on " + node));
  }

  /** The connection processes of {@code user} that are alive, in the order they logged in. */
  List<Pid> connections(String user) {
    return chat().users().lookup(user).stream().map(Registry.Entry::pid).toList();
  }

  /**
   * Waits until {@code user} is offline: a client's close reaches its connection process some
   * time after the client sent it, and the user is online until the last such process ends.
   */
  void awaitOffline(String user) {
    for (Pid p : connections(user)) {
      awaitExit(p);
    }
    if (!connections(user).isEmpty()) {
      throw new AssertionError(user + " logged in again meanwhile: " + connections(user));
    }
  }

  /**
   * Waits until process {@code pid} has ended, with everything that goes with its end: its
   * registry entries are gone and its monitors' DOWN messages are sent.
   */
  static void awaitExit(Pid pid) {
    if (Proc.awaitExit(pid, TestClient.WAIT).isEmpty()) {
      throw new AssertionError(pid + " did not end within " + TestClient.WAIT);
    }
  }

  /** Runs {@code code} with this server's node as the current one. */
  <T> T on(Supplier<T> code) {
    AtomicReference<T> out = new AtomicReference<>();
    node.run(() -> out.set(code.get()));
    return out.get();
  }

  @Override
  public void close() {
    if (!node.isStopped()) {
      node.stop();
    }
    if (!node.awaitTermination(TestClient.WAIT)) {
      throw new AssertionError("the chat node did not stop within " + TestClient.WAIT + "; still running: "
          + node.processes());
    }
  }
}
