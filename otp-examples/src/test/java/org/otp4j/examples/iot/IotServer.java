package org.otp4j.examples.iot;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.otp4j.behaviours.AppDescriptor;
import org.otp4j.behaviours.Application;
import org.otp4j.core.Node;
import org.otp4j.core.NodeConfig;

/**
 * A broker and an IoT platform on a node of its own for one test (the test's folder, any free port
 * for the dashboard). {@link #close()} stops the node as Ctrl-C would, then the broker.
 */
final class IotServer implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(60);

  final Broker broker;
  final Node node;
  final Iot iot;

  private IotServer(Broker broker, Node node, Iot iot) {
    this.broker = broker;
    this.node = node;
    this.iot = iot;
  }

  /** Starts a broker in {@code dir}/broker and the platform with the test defaults, then {@code env} on top. */
  static IotServer start(Path dir, Map<String, Object> env) {
    Broker broker = TestBroker.start(dir.resolve("broker"));
    try {
      return startOn(broker, dir, env);
    } catch (RuntimeException | Error e) {
      broker.close();
      throw e;
    }
  }

  /** Starts the platform with the test defaults against a running broker. */
  static IotServer startOn(Broker broker, Path dir, Map<String, Object> env) {
    Node node = Node.start(NodeConfig.defaults().withName("iot-test"));
    AtomicReference<Iot> iot = new AtomicReference<>();
    try {
      node.run(() -> {
        AppDescriptor d = IotApp.descriptor()
            .withEnv("mqttPort", broker.port())
            .withEnv("httpHost", "127.0.0.1")
            .withEnv("httpPort", 0)
            .withEnv("dataDir", dir.resolve("data").toString())
            .withEnv("ratePerSecond", 100_000.0)
            .withEnv("rateBurst", 100_000);
        for (Map.Entry<String, Object> e : env.entrySet()) {
          d = d.withEnv(e.getKey(), e.getValue());
        }
        Application.load(d);
        Application.ensureAllStarted(IotApp.NAME, Application.Type.TEMPORARY);
        iot.set(IotApp.on(Node.current()).orElseThrow());
      });
    } catch (RuntimeException e) {
      node.close();
      throw e;
    }
    return new IotServer(broker, node, iot.get());
  }

  /** Runs {@code code} on the node, as a process, and returns its result. */
  <T> T on(Supplier<T> code) {
    AtomicReference<T> out = new AtomicReference<>();
    node.run(() -> out.set(code.get()));
    return out.get();
  }

  IotMetrics.Snapshot metrics() {
    return iot.metrics().snapshot();
  }

  /** Stops the platform's node. */
  void stopNode() {
    if (!node.isStopped()) {
      node.stop();
      if (!node.awaitTermination(WAIT)) {
        throw new AssertionError("the iot node did not stop within " + WAIT);
      }
    }
  }

  @Override
  public void close() {
    try {
      stopNode();
    } finally {
      broker.close();
    }
  }
}
