package org.otp4j.examples.iot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.otp4j.examples.ChildJvm;
import org.otp4j.examples.iot.sim.Simulator;
import org.otp4j.examples.iot.sim.SimulatorConfig;
import org.otp4j.examples.iot.sim.SimulatorStats;
import tools.jackson.databind.JsonNode;

/**
 * The platform on three nodes, each a JVM of its own ({@link IotNodeRun#node}), one broker and simulated
 * devices: every device lives on the node rendezvous hashing gives it and is seen from any node;
 * one node is killed ({@code SIGKILL}) under load, its devices serve again from the survivors within
 * five seconds, and every reading the broker acknowledged to a device is stored, those the dead
 * node had been given and not acknowledged included (a survivor takes its MQTT sessions over, each
 * node holding two).
 */
class IotClusterTest {
  /** MQTT sessions per node: several, so that the survivor takes all of the dead node's over. */
  static final int SESSIONS = 2;
  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
      .version(HttpClient.Version.HTTP_1_1).build();
  static final Duration WAIT = Duration.ofSeconds(45);
  /** How long a node JVM may take to start: three start at once, on a machine whose cores may be busy. */
  static final Duration START = Duration.ofSeconds(120);
  static final Pattern DASHBOARD = Pattern.compile("dashboard: http://[^:]+:(\\d+)/");
  static final int DEVICES = 24;

  @TempDir
  Path dir;

  /** A platform node in a JVM of its own, and what it printed. */
  static final class Child implements AutoCloseable {
    final ChildJvm jvm;
    final String name;
    final Process process;

    Child(ChildJvm jvm) {
      this.jvm = jvm;
      this.name = jvm.name;
      this.process = jvm.process;
    }

    String output() {
      return jvm.output();
    }

    String base() throws Exception {
      return "http://127.0.0.1:" + jvm.port(START);
    }

    @Override
    public void close() throws Exception {
      jvm.close();
    }
  }

  @Test
  void devicesMoveToTheSurvivorsOfAKilledNodeAndNoAcknowledgedReadingIsLost() throws Exception {
    Path logback = ChildJvm.logback(dir.resolve("logback.xml"), "org.otp4j.examples.iot");
    List<String> names = List.of("a@127.0.0.1", "b@127.0.0.1", "c@127.0.0.1");
    List<Integer> ports = List.of(freePort(), freePort(), freePort());
    String seeds = String.join(",", ports.stream().map(p -> "127.0.0.1:" + p).toList());
    Broker broker = TestBroker.start(dir.resolve("broker"));
    List<Child> children = new ArrayList<>();
    Simulator sim = null;
    try {
      // The shared database exists (in WAL mode) before the nodes open it together.
      Map<String, Object> env = new HashMap<>(IotApp.descriptor().env());
      env.put("dataDir", dir.resolve("data").toString());
      IotStore.open(IotConfig.from(env)).close();
      for (int i = 0; i < names.size(); i++) {
        children.add(start(names.get(i), ports.get(i), seeds, broker, logback));
      }
      for (Child c : children) {
        c.base();
      }
      for (Child c : children) {
        await().atMost(WAIT).until(() -> c.output().contains("platform nodes: [" + String.join(", ", names) + "]"));
      }

      sim = Simulator.start(SimulatorConfig.of(broker.host(), broker.port(), DEVICES)
          .withSummaryEvery(Duration.ZERO).withInterval(Duration.ofMillis(200)).withFaultRate(0));
      List<String> ids = sim.deviceIds();
      Map<String, String> owners = new LinkedHashMap<>();
      for (String id : ids) {
        owners.put(id, IotCluster.owner(id, names));
      }
      assertThat(owners.values()).as("devices on every node").containsAll(names);

      // every device is seen from every node, and lives on its owner only
      for (Child c : children) {
        String base = c.base();
        await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).until(() -> {
          for (String id : ids) {
            if (get(base + "/api/devices/" + id).path("last").isNull()) {
              return false;
            }
          }
          return true;
        });
        for (String id : ids) {
          assertThat(get(base + "/api/devices/" + id).path("node").asString()).as("where %s lives", id)
              .isEqualTo(owners.get(id));
        }
      }

      // kill -9 the node that owns the most devices, under load
      Child victim = children.stream().max((x, y) -> Long.compare(count(owners, x.name), count(owners, y.name)))
          .orElseThrow();
      List<String> moved = ids.stream().filter(id -> owners.get(id).equals(victim.name)).toList();
      List<String> survivors = names.stream().filter(n -> !n.equals(victim.name)).toList();
      Child survivor = children.stream().filter(c -> c != victim).findFirst().orElseThrow();
      String base = survivor.base();
      long killedAt = System.currentTimeMillis();
      long t0 = System.nanoTime();
      victim.process.destroyForcibly();
      assertThat(victim.process.waitFor(10, TimeUnit.SECONDS)).isTrue();
      for (String id : moved) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(20))
            .until(() -> get(base + "/api/devices/" + id).path("last").path("ts").asLong() > killedAt);
      }
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      System.out.println("the " + moved.size() + " devices of the killed node " + victim.name + " served again from "
          + survivors + " in " + millis + " ms");
      assertThat(millis).as("the killed node's devices serve again within 5 s").isLessThan(5_000);
      for (String id : moved) {
        JsonNode d = get(base + "/api/devices/" + id);
        assertThat(d.path("node").asString()).as("where %s lives now", id).isEqualTo(IotCluster.owner(id, survivors));
      }
      // a survivor took the dead node's MQTT session over
      String clientId = "platform-" + victim.name.substring(0, victim.name.indexOf('@'));
      await().atMost(WAIT).until(() -> children.stream().filter(c -> c != victim)
          .anyMatch(c -> c.output().contains("holds MQTT session " + clientId + " no more: taking it over")));

      // no reading the broker acknowledged to a device is lost
      SimulatorStats stats = sim.stop();
      assertThat(stats.failed()).as("readings the broker did not acknowledge").isZero();
      assertThat(stats.confirmed()).isEqualTo(stats.published()).isPositive();
      String url = "jdbc:sqlite:" + dir.resolve("data").resolve("iot.db").toAbsolutePath();
      await().atMost(WAIT).until(() -> stored(url, "SELECT COUNT(*) FROM readings") == stats.confirmed());
      assertThat(stored(url, "SELECT COUNT(*) FROM (SELECT device FROM readings GROUP BY device "
          + "HAVING COUNT(DISTINCT seq) <> MAX(seq) OR MIN(seq) <> 1)")).as("devices with a gap in their readings").isZero();
      System.out.println(stats.confirmed() + " readings published and acknowledged by the broker, all stored");
    } catch (Throwable t) {
      for (Child c : children) {
        t.addSuppressed(new AssertionError("the output of node " + c.name + ":\n" + c.output()));
      }
      throw t;
    } finally {
      if (sim != null) {
        sim.close();
      }
      for (Child c : children) {
        c.close();
      }
      broker.close();
    }
  }

  private Child start(String name, int port, String seeds, Broker broker, Path logback) throws IOException {
    return new Child(ChildJvm.start(name, "iot-node", List.of(
        "-Dlogback.configurationFile=" + logback, "-Diot.node=" + name, "-Diot.clusterPort=" + port,
        "-Diot.seeds=" + seeds, "-Diot.broker=" + broker.host() + ":" + broker.port(), "-Diot.stdin=true",
        "-Dotp.iot.dataDir=" + dir.resolve("data"), "-Dotp.iot.httpPort=0", "-Dotp.iot.httpHost=127.0.0.1",
        "-Dotp.iot.sessions=" + SESSIONS), DASHBOARD, true));
  }

  static JsonNode get(String url) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
    return DeviceMessage.Json.MAPPER.readTree(r.body());
  }

  static long count(Map<String, String> owners, String node) {
    return owners.values().stream().filter(node::equals).count();
  }

  static long stored(String url, String sql) throws Exception {
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  static int freePort() throws IOException {
    return ChildJvm.freePort();
  }
}
