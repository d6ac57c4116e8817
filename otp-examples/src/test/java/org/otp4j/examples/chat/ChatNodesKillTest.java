package org.otp4j.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The chat on two nodes, each a JVM of its own started as the README says ({@code Main chat-node},
 * {@link ChatNodeRun}), over TCP, on one SQLite file: the node that holds a room is killed
 * ({@code SIGKILL}); the member on the survivor gets the room back there without missing a message,
 * goes on posting, and the killed node's user logs in again on the survivor with the same session.
 */
class ChatNodesKillTest {
  static final Pattern RUNNING = Pattern.compile("chat server running: open http://[^:]+:(\\d+)/");
  static final String A = "a@127.0.0.1";
  static final String B = "b@127.0.0.1";

  @TempDir
  Path dir;

  /** A chat node in a JVM of its own, and what it printed. */
  static final class Child implements AutoCloseable {
    final String name;
    final Process process;
    final StringBuilder output = new StringBuilder();
    final CompletableFuture<Integer> port = new CompletableFuture<>();

    Child(String name, Process process) {
      this.name = name;
      this.process = process;
      Thread.ofPlatform().daemon().name("child-" + name).start(() -> {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
            StandardCharsets.UTF_8))) {
          String line;
          while ((line = r.readLine()) != null) {
            synchronized (output) {
              output.append(line).append('\n');
            }
            Matcher m = RUNNING.matcher(line);
            if (m.find()) {
              port.complete(Integer.parseInt(m.group(1)));
            }
          }
        } catch (IOException e) {
          // killed
        }
        port.complete(-1);
      });
    }

    String output() {
      synchronized (output) {
        return output.toString();
      }
    }

    URI ws() throws Exception {
      int p = port.get(TestClient.WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(p).as("node %s did not start; its output:%n%s", name, output()).isPositive();
      return URI.create("ws://127.0.0.1:" + p + "/ws");
    }

    @Override
    public void close() throws Exception {
      if (process.isAlive()) {
        process.destroy(); // as Ctrl-C: the shutdown hook stops the node
        if (!process.waitFor(15, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      }
    }
  }

  @Test
  void aRoomWhoseNodeIsKilledRunsAgainOnTheSurvivor() throws Exception {
    Path logback = dir.resolve("logback.xml");
    Files.writeString(logback, """
        <configuration>
          <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
            <encoder><pattern>%d{HH:mm:ss.SSS} %-5level %logger{24} - %msg%n</pattern></encoder>
          </appender>
          <logger name="org.otp4j.examples.chat.RoomPlacement" level="INFO"/>
          <root level="WARN"><appender-ref ref="OUT"/></root>
        </configuration>
        """);
    List<Integer> ports = List.of(freePort(), freePort());
    String seeds = "127.0.0.1:" + ports.get(0) + ",127.0.0.1:" + ports.get(1);
    List<Child> children = new ArrayList<>();
    try {
      // the first node creates the database (in WAL mode) before the second opens it
      children.add(start(A, ports.get(0), seeds, logback));
      Child a = children.get(0);
      URI wsA = a.ws();
      children.add(start(B, ports.get(1), seeds, logback));
      Child b = children.get(1);
      URI wsB = b.ws();
      for (Child c : children) {
        await().atMost(TestClient.WAIT).until(() -> c.output().contains("chat nodes: [" + A + ", " + B + "]"));
      }

      TestClient alice = signUp(wsA, "alice");
      TestClient bob = signUp(wsB, "bob");
      String room = null;
      for (int i = 0; room == null; i++) {
        if (ChatCluster.owner("shared-" + i, List.of(A, B)).equals(A)) {
          room = "shared-" + i;
        }
      }
      String theRoom = room;
      alice.send("type", "create_room", "room", room);
      alice.take("room_created");
      alice.send("type", "join", "room", room);
      alice.take("joined");
      bob.send("type", "join", "room", room);
      bob.take("joined");
      alice.send("type", "send", "room", room, "clientId", "a1", "text", "before");
      alice.take("ack");
      assertThat(bob.take("message").path("text").asString()).isEqualTo("before");

      a.process.destroyForcibly();
      assertThat(a.process.waitFor(10, TimeUnit.SECONDS)).isTrue();
      // bob's connection saw the room's node go, joined the room again on b, and says where it stands
      bob.take("room_state", f -> f.path("room").asString().equals(theRoom) && f.path("lastSeq").asLong() == 1);
      bob.send("type", "send", "room", room, "clientId", "b1", "text", "after");
      assertThat(bob.take("ack").path("seq").asLong()).isEqualTo(2);
      assertThat(bob.take("message").path("seq").asLong()).isEqualTo(2);
      assertThat(bob.frames().stream().filter(f -> f.path("type").asString().equals("message"))
          .map(f -> f.path("seq").asLong() + " " + f.path("text").asString()).toList())
          .containsExactly("1 before", "2 after");

      // alice's session is in the shared database: her token is valid on the survivor
      TestClient again = TestClient.connect(wsB);
      again.token = alice.token;
      again.send("type", "auth");
      assertThat(again.take("authenticated").path("user").asString()).isEqualTo("alice");
      again.send("type", "join", "room", room);
      JsonNode joined = again.take("joined");
      assertThat(joined.path("lastSeq").asLong()).isEqualTo(2);
      List<String> texts = new ArrayList<>();
      joined.path("messages").forEach(m -> texts.add(m.path("text").asString()));
      assertThat(texts).containsExactly("before", "after");
    } catch (Throwable t) {
      for (Child c : children) {
        t.addSuppressed(new AssertionError("the output of node " + c.name + ":\n" + c.output()));
      }
      throw t;
    } finally {
      for (Child c : children) {
        c.close();
      }
    }
  }

  private static TestClient signUp(URI ws, String user) {
    TestClient c = TestClient.connect(ws);
    c.send("type", "signup", "user", user, "password", "secret-" + user);
    c.take("authenticated");
    return c;
  }

  private Child start(String name, int port, String seeds, Path logback) throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
        "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
        "--add-opens", "java.base/java.lang=ALL-UNNAMED", "-Djava.net.preferIPv4Stack=true",
        // two JVMs start on a machine that may have two cores: the quick compiler and one GC thread
        "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
        "-Dlogback.configurationFile=" + logback, "-Dchat.node=" + name, "-Dchat.clusterPort=" + port,
        "-Dchat.seeds=" + seeds, "-Dchat.secret=chat test", "-Dotp.chat.dataDir=" + dir.resolve("data"),
        "-Dotp.chat.port=0", "-Dotp.chat.host=127.0.0.1", "-Dotp.chat.passwordIterations=1000",
        "org.otp4j.examples.Main", "chat-node"));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    return new Child(name, pb.start());
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
