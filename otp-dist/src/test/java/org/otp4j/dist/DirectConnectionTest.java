package org.otp4j.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.otp4j.dist.TestNodes.awaitConnected;
import static org.otp4j.dist.TestNodes.next;
import static org.otp4j.dist.TestNodes.spinUntil;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.otp4j.core.ExitMessage;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Inbox;
import org.otp4j.core.Name;
import org.otp4j.core.Node;
import org.otp4j.core.NodeDown;
import org.otp4j.core.NodeUp;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.core.dist.Signal;
import org.otp4j.dist.internal.DirectLinks;
import org.otp4j.dist.internal.Handshake;

/**
 * The direct data path: the signals of processes on one TCP connection per node pair, JGroups
 * keeping membership.
 */
@DisplayName("Direct connections: traffic, order across the switch, handshake, drop and reconnect, framing")
@Timeout(120)
class DirectConnectionTest {
  private final String clusterName = "direct-" + UUID.randomUUID();
  private final Cluster cluster = Cluster.inJvm(clusterName).withSecret("let me in")
      .withCodec(TermCodec.builder().allow(Ping.class).build())
      .withDirectConnections(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
  private final TestNodes.Started nodes = new TestNodes.Started();

  @AfterEach
  void stop() {
    nodes.close();
  }

  @Test
  @DisplayName("messages and replies travel over the direct connection, in order")
  void trafficGoesDirect() {
    Node a = nodes.start("a@host", cluster);
    Node b = nodes.start("b@host", cluster);
    awaitConnected(a, b);
    spinUntil(() -> cluster.directlyConnected("a@host", "b@host") && cluster.directlyConnected("b@host", "a@host"),
        () -> "the direct connection between a and b");
    Pid echo = b.spawn(Ping::echo);
    b.run(() -> Proc.register("echo", echo));
    long before = cluster.directFrames("a@host");
    try (Inbox inbox = a.openInbox()) {
      for (int i = 0; i < 500; i++) {
        inbox.send(Name.remote("echo", "b@host"), new Ping(inbox.pid(), "m" + i));
      }
      for (int i = 0; i < 500; i++) {
        assertThat(next(inbox, Ping.class).text()).isEqualTo("m" + i);
      }
    }
    assertThat(cluster.directFrames("a@host") - before).isGreaterThanOrEqualTo(500);
    assertThat(cluster.directFrames("b@host")).isGreaterThanOrEqualTo(500);
  }

  @Test
  @DisplayName("messages sent as soon as a node is up, while its direct connection is being made, arrive in order")
  void orderAcrossTheSwitch() {
    Node a = nodes.start("a@host", cluster);
    List<Object> got = new ArrayList<>();
    int n = 20_000;
    try (Inbox sink = a.openInbox()) {
      a.run(() -> Proc.register("sink", sink.pid()));
      // b is the side that is dialled: it sees a up from a's greeting, before a dials
      Node b = nodes.start("b@host", cluster);
      spinUntil(() -> b.connectedNodes().contains("a@host"), () -> "b to see a");
      boolean directYet = cluster.directlyConnected("b@host", "a@host");
      try (Inbox sender = b.openInbox()) {
        for (int i = 0; i < n; i++) {
          sender.send(Name.remote("sink", "a@host"), i);
        }
      }
      System.out.println("messages sent from b while " + (directYet ? "" : "not yet ") + "directly connected");
      for (int i = 0; i < n; i++) {
        got.add(next(sink));
      }
    }
    List<Integer> expected = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      expected.add(i);
    }
    assertThat(got).isEqualTo(expected);
    assertThat(cluster.directFrames("b@host")).isGreaterThanOrEqualTo(n);
  }

  @Test
  @DisplayName("a dialler with a wrong secret, or one not in the cluster, is refused and logged")
  void wrongSecretRefused() throws IOException {
    Node a = nodes.start("a@host", cluster);
    InetSocketAddress where = cluster.directAddress("a@host");
    assertThat(where).isNotNull();
    byte[] wrongKey = Cluster.inJvm(clusterName).withSecret("not the secret").directKey();
    try (CapturedLogs logs = new CapturedLogs()) {
      try (Socket s = new Socket(where.getAddress(), where.getPort())) {
        DataInputStream in = new DataInputStream(s.getInputStream());
        DataOutputStream out = new DataOutputStream(s.getOutputStream());
        assertThatThrownBy(() -> Handshake.dial(in, out, wrongKey, "0@host", 1, "a@host"))
            .isInstanceOf(Handshake.RefusedException.class)
            .hasMessageContaining("refused this node");
      }
      // the right secret, but a node that is not a member of the cluster's view
      try (Socket s = new Socket(where.getAddress(), where.getPort())) {
        DataInputStream in = new DataInputStream(s.getInputStream());
        DataOutputStream out = new DataOutputStream(s.getOutputStream());
        assertThatThrownBy(() -> Handshake.dial(in, out, cluster.directKey(), "0@host", 1, "a@host"))
            .isInstanceOf(Handshake.RefusedException.class)
            .hasMessageContaining("refused this node");
      }
      spinUntil(() -> logs.lines().size() >= 2, () -> "two refusals logged, got " + logs.lines());
      assertThat(logs.lines()).anySatisfy(line -> assertThat(line)
          .startsWith("ERROR node a@host refused a direct connection").contains("does not hold the cluster's secret"));
      assertThat(logs.lines()).anySatisfy(line -> assertThat(line)
          .contains("node 0@host is not admitted: it is not a member of the cluster's view"));
    }
    assertThat(a.connectedNodes()).isEmpty();
  }

  @Test
  @DisplayName("a dropped connection is a node down at once (links fire noconnection), then it reconnects and is up")
  void reconnectAfterDrop() {
    Node a = nodes.start("a@host", cluster);
    Node b = nodes.start("b@host", cluster);
    awaitConnected(a, b);
    spinUntil(() -> cluster.directlyConnected("a@host", "b@host"), () -> "the direct connection of a");
    Pid local = b.spawn(Ping::echo);
    b.run(() -> Proc.register("echo", local));
    Pid unlinkedLocal = b.spawn(Ping::echo);
    b.run(() -> Proc.register("unlinked", unlinkedLocal));
    try (Inbox events = a.openInbox(); Inbox inbox = a.openInbox()) {
      inbox.send(Name.remote("echo", "b@host"), new Ping(inbox.pid(), "who"));
      Pid echo = next(inbox, Ping.class).from();
      inbox.send(Name.remote("unlinked", "b@host"), new Ping(inbox.pid(), "who"));
      Pid unlinked = next(inbox, Ping.class).from();
      TestNodes.forwardNodeEvents(a, events);
      inbox.trapExits(true);
      inbox.link(echo);

      cluster.dropDirectConnections("b@host");
      assertThat(next(events, NodeDown.class)).isEqualTo(new NodeDown("b@host", "connection_closed"));
      assertThat(next(inbox, ExitMessage.class)).isEqualTo(new ExitMessage(echo, ExitReason.NOCONNECTION));
      assertThat(next(events, NodeUp.class)).isEqualTo(new NodeUp("b@host"));
      spinUntil(() -> cluster.directlyConnected("a@host", "b@host"), () -> "the new direct connection of a");
      // the same incarnation: its pids still reach it (the linked echo died of the noconnection exit on b)
      inbox.send(unlinked, new Ping(inbox.pid(), "again"));
      assertThat(next(inbox, Ping.class).text()).isEqualTo("again");
      assertThat(events.flush()).isEmpty();
    }
  }

  @Test
  @DisplayName("random frames on the stream are dropped and counted; a length out of bounds ends the stream")
  void framingFuzz() throws IOException {
    try (TestNodes.Detached detached = TestNodes.Detached.start("fuzz@host"); CapturedLogs logs = new CapturedLogs()) {
      Random random = new Random(42);
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      DataOutputStream out = new DataOutputStream(bytes);
      int frames = 300;
      for (int i = 0; i < frames; i++) {
        byte[] body = new byte[1 + random.nextInt(64)];
        random.nextBytes(body);
        body[0] = (byte) 0x7f; // no signal kind: never a valid frame
        out.writeInt(body.length);
        out.write(body);
      }
      AtomicLong dropped = new AtomicLong();
      List<Signal> delivered = new ArrayList<>();
      assertThatThrownBy(() -> DirectLinks.readFrames(new ByteArrayInputStream(bytes.toByteArray()), cluster.codec(),
          detached.dispatcher(), "fuzz@host", "x@host", dropped, delivered::add)).isInstanceOf(EOFException.class);
      assertThat(delivered).isEmpty();
      assertThat(dropped.get()).isEqualTo(frames);

      for (int i = 0; i < 200; i++) {
        byte[] noise = new byte[random.nextInt(200)];
        random.nextBytes(noise);
        AtomicLong n = new AtomicLong();
        assertThatThrownBy(() -> DirectLinks.readFrames(new ByteArrayInputStream(noise), cluster.codec(),
            detached.dispatcher(), "fuzz@host", "x@host", n, s -> {})).isInstanceOf(IOException.class);
      }
      assertThat(logs.lines()).isNotEmpty().allSatisfy(line -> assertThat(line)
          .containsAnyOf("dropped a frame from node x@host", "read a frame length of"));
    }
  }
}
