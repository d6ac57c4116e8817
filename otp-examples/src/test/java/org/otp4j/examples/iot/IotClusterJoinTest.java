package org.otp4j.examples.iot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.otp4j.behaviours.AppDescriptor;
import org.otp4j.behaviours.Application;
import org.otp4j.core.Node;
import org.otp4j.core.NodeConfig;
import org.otp4j.dist.Cluster;
import org.otp4j.examples.iot.sim.Simulator;
import org.otp4j.examples.iot.sim.SimulatorConfig;
import org.otp4j.examples.iot.sim.SimulatorStats;

/**
 * Two platform nodes in this JVM (a cluster on JGroups' loopback): when a node joins, the devices it
 * now owns leave the other node's processes for its own; when it stops, they come back, and its
 * MQTT session, with what the broker kept for it, is taken over, so every acknowledged reading is
 * stored once.
 */
class IotClusterJoinTest {
  static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir
  Path dir;

  @Test
  void devicesMoveToANodeThatJoinsAndBackWhenItLeaves() throws Exception {
    Cluster cluster = Cluster.inJvm("iot-join-" + System.nanoTime()).withSecret("iot test")
        .withCodec(IotCluster.codec());
    Broker broker = TestBroker.start(dir.resolve("broker"));
    Node a = null;
    Node b = null;
    Simulator sim = null;
    try {
      a = platform("a@host", cluster, broker);
      Iot iotA = IotApp.on(a).orElseThrow();
      sim = Simulator.start(SimulatorConfig.of(broker.host(), broker.port(), 12)
          .withSummaryEvery(Duration.ZERO).withInterval(Duration.ofMillis(200)).withFaultRate(0));
      List<String> ids = sim.deviceIds();
      Node nodeA = a;
      for (String id : ids) {
        await().atMost(WAIT).until(() -> on(nodeA, () -> DeviceServer.view(iotA, id)).last().isPresent());
      }
      assertThat(local(iotA)).containsExactlyElementsOf(ids);

      b = platform("b@host", cluster, broker);
      List<String> toB = ids.stream().filter(id -> IotCluster.owner(id, List.of("a@host", "b@host")).equals("b@host"))
          .toList();
      assertThat(toB).isNotEmpty();
      for (String id : toB) {
        await().atMost(WAIT).until(() -> on(nodeA, () -> DeviceServer.view(iotA, id)).pid().nodeName()
            .equals("b@host"));
      }
      await().atMost(WAIT).until(() -> local(iotA).stream().noneMatch(toB::contains));
      Node nodeB = b;
      Iot iotB = IotApp.on(b).orElseThrow();
      for (String id : toB) {
        await().atMost(WAIT).until(() -> on(nodeB, () -> DeviceServer.view(iotB, id)).last().isPresent());
      }
      assertThat(on(a, () -> iotA.directory().devices())).containsExactlyElementsOf(ids);

      b.stop();
      assertThat(b.awaitTermination(WAIT)).isTrue();
      for (String id : toB) {
        await().atMost(WAIT).until(() -> on(nodeA, () -> DeviceServer.view(iotA, id)).pid().nodeName()
            .equals("a@host"));
      }
      long stoppedAt = System.currentTimeMillis();
      for (String id : toB) {
        await().atMost(WAIT).until(() -> on(nodeA, () -> DeviceServer.view(iotA, id)).last()
            .filter(t -> t.ts() > stoppedAt).isPresent());
      }

      SimulatorStats stats = sim.stop();
      assertThat(stats.failed()).isZero();
      await().atMost(WAIT).until(() -> on(nodeA, () -> iotA.db().countReadings()) == stats.confirmed());
    } finally {
      if (sim != null) {
        sim.close();
      }
      for (Node n : new Node[] {b, a}) {
        if (n != null && !n.isStopped()) {
          n.stop();
          n.awaitTermination(WAIT);
        }
      }
      broker.close();
    }
  }

  /** The device ids whose processes run on this platform's own node. */
  private static List<String> local(Iot iot) {
    return ((ClusterDeviceDirectory) iot.directory()).local().devices();
  }

  private Node platform(String name, Cluster cluster, Broker broker) {
    Node node = Node.start(name, NodeConfig.defaults().withTransport(cluster));
    IotCluster.start(node);
    node.run(() -> {
      AppDescriptor d = IotApp.descriptor()
          .withEnv("mqttPort", broker.port())
          .withEnv("clientId", "platform-" + name.substring(0, 1))
          .withEnv("httpHost", "127.0.0.1")
          .withEnv("httpPort", 0)
          .withEnv("dataDir", dir.resolve("data").toString())
          .withEnv("ratePerSecond", 100_000.0)
          .withEnv("rateBurst", 100_000);
      Application.load(d);
      Application.ensureAllStarted(IotApp.NAME, Application.Type.TEMPORARY);
    });
    return node;
  }

  private static <T> T on(Node node, Supplier<T> code) {
    AtomicReference<T> out = new AtomicReference<>();
    node.run(() -> out.set(code.get()));
    return out.get();
  }
}
