package org.otp4j.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.otp4j.dist.Cluster;
import tools.jackson.databind.JsonNode;

/**
 * The chat on two nodes in this JVM (a cluster on JGroups' loopback) sharing one SQLite file: a
 * room lives on one node and is used from both, its messages reach the members of both nodes live,
 * in the same order, once each; and when its node stops, it runs again on the survivor, whose
 * members go on with it without missing a message. A logout on one node ends the session on both.
 */
class ChatClusterTest {
  static final String A = "a@host";
  static final String B = "b@host";

  @TempDir
  Path dir;

  @Test
  void aRoomIsUsedFromBothNodesInOneOrder() {
    Cluster cluster = cluster();
    try (ChatServer a = ChatServer.startNode(A, cluster, dir); ChatServer b = ChatServer.startNode(B, cluster, dir)) {
      Members m = aliceOnAAndBobOnBInARoomOfA(a, b);
      TestClient alice = m.alice();
      TestClient bob = m.bob();
      String room = m.room();
      // the room runs on its owner only, and the other node's member reaches it by pid
      assertThat(a.on(() -> Room.whereisHere(a.chat(), room))).isPresent();
      assertThat(b.on(() -> Room.whereisHere(b.chat(), room))).isEmpty();

      alice.send("type", "send", "room", room, "clientId", "a1", "text", "from alice");
      bob.send("type", "send", "room", room, "clientId", "b1", "text", "from bob");
      alice.take("ack");
      bob.take("ack");
      List<String> seenByAlice = messages(alice, room, 2);
      List<String> seenByBob = messages(bob, room, 2);
      assertThat(seenByAlice).containsExactlyInAnyOrder("1 from alice", "2 from bob")
          .containsExactlyElementsOf(seenByBob);
      assertThat(seenByBob).hasSize(2);

      // a third message, after which no duplicate of the first two can still be on its way
      alice.send("type", "send", "room", room, "clientId", "a2", "text", "last");
      alice.take("ack");
      assertThat(messages(alice, room, 1)).containsExactly("3 last");
      assertThat(messages(bob, room, 1)).containsExactly("3 last");
      assertThat(allMessages(alice, room)).containsExactly(seenByAlice.get(0), seenByAlice.get(1), "3 last");
      assertThat(allMessages(bob, room)).containsExactlyElementsOf(allMessages(alice, room));

      // one database: the history and the accounts are the same from either node
      assertThat(history(alice, room)).containsExactlyElementsOf(allMessages(alice, room));
      assertThat(history(bob, room)).containsExactlyElementsOf(allMessages(alice, room));
      TestClient aliceOnB = TestClient.loggedIn(b, "alice");
      join(aliceOnB, room);
      assertThat(history(aliceOnB, room)).containsExactlyElementsOf(allMessages(alice, room));
    }
  }

  @Test
  void logoutOnOneNodeEndsTheSessionOnTheOther() {
    Cluster cluster = cluster();
    try (ChatServer a = ChatServer.startNode(A, cluster, dir); ChatServer b = ChatServer.startNode(B, cluster, dir)) {
      awaitBothNodes(a, b);
      try (TestClient onA = TestClient.signedUp(a, "alice"); TestClient onB = TestClient.connect(b)) {
        // the same session on the other node (b's server now knows the token, and keeps it in memory)
        onB.send("type", "auth", "token", onA.token);
        onB.take("authenticated");
        onB.token = onA.token;

        onA.send("type", "logout");
        onA.take("logged_out");
        onB.take("logged_out");
        onB.send("type", "rooms");
        assertThat(onB.takeError("unauthenticated").path("message").asString()).contains("not valid");
        // and a new socket of b's with the old token is refused
        try (TestClient late = TestClient.connect(b)) {
          late.send("type", "auth", "token", onA.token);
          late.takeError("unauthenticated");
        }
      }
    }
  }

  @Test
  void aRoomWhoseNodeStopsRunsAgainOnTheSurvivor() {
    Cluster cluster = cluster();
    try (ChatServer a = ChatServer.startNode(A, cluster, dir); ChatServer b = ChatServer.startNode(B, cluster, dir)) {
      Members m = aliceOnAAndBobOnBInARoomOfA(a, b);
      TestClient alice = m.alice();
      TestClient bob = m.bob();
      String room = m.room();
      alice.send("type", "send", "room", room, "clientId", "a1", "text", "before");
      alice.take("ack");
      assertThat(messages(bob, room, 1)).containsExactly("1 before");

      a.close();
      // bob's connection saw the room end, joined it again on b and says where the room stands
      bob.take("room_state", f -> f.path("room").asString().equals(room) && f.path("lastSeq").asLong() == 1);
      assertThat(b.on(() -> Room.whereisHere(b.chat(), room))).isPresent();

      bob.send("type", "send", "room", room, "clientId", "b1", "text", "after");
      assertThat(bob.take("ack").path("seq").asLong()).isEqualTo(2);
      assertThat(messages(bob, room, 1)).containsExactly("2 after");
      assertThat(allMessages(bob, room)).containsExactly("1 before", "2 after");
      assertThat(history(bob, room)).containsExactly("1 before", "2 after");

      TestClient carol = TestClient.signedUp(b, "carol");
      carol.send("type", "join", "room", room);
      JsonNode joined = carol.take("joined");
      assertThat(joined.path("lastSeq").asLong()).isEqualTo(2);
      assertThat(texts(joined.path("messages"))).containsExactly("1 before", "2 after");
    }
  }

  @Test
  void aRoomMovesToANodeThatJoinsAndItsMembersFollow() {
    Cluster cluster = cluster();
    try (ChatServer a = ChatServer.startNode(A, cluster, dir)) {
      await().atMost(TestClient.WAIT).until(() -> a.on(ChatCluster::members).equals(List.of(A)));
      TestClient alice = TestClient.signedUp(a, "alice");
      String room = createRoomOwnedBy(alice, B); // b's once it runs; a's until then
      join(alice, room);
      alice.send("type", "send", "room", room, "clientId", "a1", "text", "alone");
      alice.take("ack");
      assertThat(messages(alice, room, 1)).containsExactly("1 alone");
      assertThat(a.on(() -> Room.whereisHere(a.chat(), room))).isPresent();

      try (ChatServer b = ChatServer.startNode(B, cluster, dir)) {
        awaitBothNodes(a, b);
        // a hands the room over: alice's connection sees it end, and joins it again on b
        // (the room_state frames with lastSeq 0 are from the room's first start, on a)
        alice.take("room_state", f -> f.path("room").asString().equals(room) && f.path("lastSeq").asLong() == 1);
        assertThat(b.on(() -> Room.whereisHere(b.chat(), room))).isPresent();
        assertThat(a.on(() -> Room.whereisHere(a.chat(), room))).isEmpty();

        TestClient bob = TestClient.signedUp(b, "bob");
        join(bob, room);
        bob.send("type", "send", "room", room, "clientId", "b1", "text", "together");
        bob.take("ack");
        assertThat(messages(alice, room, 1)).containsExactly("2 together");
        assertThat(messages(bob, room, 1)).containsExactly("2 together");
        assertThat(allMessages(alice, room)).containsExactly("1 alone", "2 together");
      }
    }
  }

  /** Alice, connected to a, and bob, connected to b, both in a room that lives on a. */
  record Members(TestClient alice, TestClient bob, String room) {}

  private static Members aliceOnAAndBobOnBInARoomOfA(ChatServer a, ChatServer b) {
    awaitBothNodes(a, b);
    TestClient alice = TestClient.signedUp(a, "alice");
    TestClient bob = TestClient.signedUp(b, "bob");
    String room = createRoomOwnedBy(alice, A);
    join(alice, room);
    join(bob, room);
    return new Members(alice, bob, room);
  }

  private static Cluster cluster() {
    return Cluster.inJvm("chat-" + System.nanoTime()).withSecret("chat test").withCodec(ChatCluster.codec());
  }

  /** Waits until each node sees both in the chat's group: until then, each would place rooms alone. */
  private static void awaitBothNodes(ChatServer a, ChatServer b) {
    for (ChatServer s : List.of(a, b)) {
      await().atMost(TestClient.WAIT).until(() -> s.on(ChatCluster::members).equals(List.of(A, B)));
    }
  }

  /** Creates a room that lives on {@code node} (rendezvous hashing over both nodes). */
  private static String createRoomOwnedBy(TestClient client, String node) {
    for (int i = 0; ; i++) {
      String room = "shared-" + i;
      if (ChatCluster.owner(room, List.of(A, B)).equals(node)) {
        client.send("type", "create_room", "room", room);
        client.take("room_created");
        return room;
      }
    }
  }

  private static void join(TestClient client, String room) {
    client.send("type", "join", "room", room);
    client.take("joined", f -> f.path("room").asString().equals(room));
  }

  /** The next {@code n} message frames of {@code room} not taken yet, as "seq text". */
  private static List<String> messages(TestClient client, String room, int n) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      JsonNode m = client.take("message", f -> f.path("room").asString().equals(room));
      out.add(m.path("seq").asLong() + " " + m.path("text").asString());
    }
    return out;
  }

  /** Every message frame of {@code room} the client received, in order, as "seq text". */
  private static List<String> allMessages(TestClient client, String room) {
    return client.frames().stream()
        .filter(f -> f.path("type").asString().equals("message") && f.path("room").asString().equals(room))
        .map(m -> m.path("seq").asLong() + " " + m.path("text").asString()).toList();
  }

  private static List<String> history(TestClient client, String room) {
    client.send("type", "history", "room", room, "since", 0);
    return texts(client.take("history", f -> f.path("room").asString().equals(room)).path("messages"));
  }

  private static List<String> texts(JsonNode messages) {
    List<String> out = new ArrayList<>();
    messages.forEach(m -> out.add(m.path("seq").asLong() + " " + m.path("text").asString()));
    return out;
  }
}
