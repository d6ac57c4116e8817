package org.otp4j.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.otp4j.examples.ChildJvm;
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

  @Test
  void aRoomWhoseNodeIsKilledRunsAgainOnTheSurvivor() throws Exception {
    Path logback = ChildJvm.logback(dir.resolve("logback.xml"), "org.otp4j.examples.chat.RoomPlacement");
    List<Integer> ports = List.of(ChildJvm.freePort(), ChildJvm.freePort());
    String seeds = "127.0.0.1:" + ports.get(0) + ",127.0.0.1:" + ports.get(1);
    List<ChildJvm> children = new ArrayList<>();
    try {
      // the first node creates the database (in WAL mode) before the second opens it
      children.add(start(A, ports.get(0), seeds, logback));
      ChildJvm a = children.get(0);
      URI wsA = ws(a);
      children.add(start(B, ports.get(1), seeds, logback));
      ChildJvm b = children.get(1);
      URI wsB = ws(b);
      for (ChildJvm c : children) {
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
      for (ChildJvm c : children) {
        t.addSuppressed(new AssertionError("the output of node " + c.name + ":\n" + c.output()));
      }
      throw t;
    } finally {
      for (ChildJvm c : children) {
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

  private ChildJvm start(String name, int port, String seeds, Path logback) throws IOException {
    return ChildJvm.start(name, "chat-node", List.of(
        "-Dlogback.configurationFile=" + logback, "-Dchat.node=" + name, "-Dchat.clusterPort=" + port,
        "-Dchat.seeds=" + seeds, "-Dchat.secret=chat test", "-Dotp.chat.dataDir=" + dir.resolve("data"),
        "-Dotp.chat.port=0", "-Dotp.chat.host=127.0.0.1", "-Dotp.chat.passwordIterations=1000"), RUNNING, false);
  }

  private static URI ws(ChildJvm node) throws Exception {
    return URI.create("ws://127.0.0.1:" + node.port(TestClient.WAIT) + "/ws");
  }
}
