package org.otp4j.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.otp4j.dist.TestNodes.WAIT;
import static org.otp4j.dist.TestNodes.awaitConnected;
import static org.otp4j.dist.TestNodes.next;
import static org.otp4j.dist.TestNodes.spinUntil;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.otp4j.core.CallException;
import org.otp4j.core.Down;
import org.otp4j.core.ExitMessage;
import org.otp4j.core.ExitReason;
import org.otp4j.core.From;
import org.otp4j.core.Inbox;
import org.otp4j.core.Name;
import org.otp4j.core.Node;
import org.otp4j.core.NodeConfig;
import org.otp4j.core.NodeDown;
import org.otp4j.core.NodeUp;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.core.dist.Dispatcher;
import org.otp4j.core.dist.Signal;
import org.otp4j.core.dist.UnencodableMessageException;

/** Several nodes in one JVM on JGroups' shared loopback, with the real codec and authentication. */
@DisplayName("Cluster (in one JVM): membership, messages, links and monitors, secret, bad frames")
@Timeout(60)
class ClusterTest {
  private static final ExitReason BOOM = ExitReason.of("boom");

  private final String clusterName = "test-" + UUID.randomUUID();
  private final List<Node> nodes = new ArrayList<>();
  private final Cluster cluster = Cluster.inJvm(clusterName).withSecret("let me in")
      .withCodec(TermCodec.builder().allow(Ping.class).build());

  @AfterEach
  void stop() {
    for (Node n : nodes.reversed()) {
      n.close();
    }
  }

  private Node start(String name, Cluster c) {
    Node n = Node.start(name, NodeConfig.defaults().withTransport(c));
    nodes.add(n);
    return n;
  }

  @Test
  @DisplayName("nodes see each other come and go (NodeUp, NodeDown), with the documented start")
  void membership() {
    // region: start
    Cluster cluster = Cluster.inJvm(clusterName).withSecret("let me in");
    Node a = Node.start("a@host", NodeConfig.defaults().withTransport(cluster));
    Node b = Node.start("b@host", NodeConfig.defaults().withTransport(cluster));
    // endregion: start
    nodes.add(a);
    nodes.add(b);
    awaitConnected(a, b);
    try (Inbox inbox = a.openInbox()) {
      TestNodes.forwardNodeEvents(a, inbox);
      Node c = start("c@host", cluster);
      assertThat(next(inbox)).isEqualTo(new NodeUp("c@host"));
      awaitConnected(b, c);
      c.close();
      nodes.remove(c);
      assertThat(next(inbox)).isEqualTo(new NodeDown("c@host", "connection_closed"));
      spinUntil(() -> b.connectedNodes().equals(List.of("a@host")), () -> "b to see c go");
      assertThat(a.connectedNodes()).containsExactly("b@host");
    }
  }

  @Test
  @DisplayName("messages, {name, node} sends, links, monitors and exit signals travel between nodes")
  void signals() {
    Node a = start("a@host", cluster);
    Node b = start("b@host", cluster);
    awaitConnected(a, b);
    Pid echo = b.spawn(Ping::echo);
    b.run(() -> Proc.register("echo", echo));
    try (Inbox inbox = a.openInbox()) {
      inbox.send(Name.remote("echo", "b@host"), new Ping(inbox.pid(), "hello"));
      Ping reply = next(inbox, Ping.class);
      assertThat(reply.text()).isEqualTo("hello");
      Pid remote = reply.from();
      assertThat(remote.isRemote()).isTrue();
      for (int i = 0; i < 500; i++) {
        inbox.send(remote, new Ping(inbox.pid(), "n" + i));
      }
      for (int i = 0; i < 500; i++) {
        assertThat(next(inbox, Ping.class).text()).isEqualTo("n" + i);
      }
      inbox.trapExits(true);
      inbox.link(remote);
      org.otp4j.core.Ref mon = inbox.monitor(remote);
      inbox.send(remote, BOOM);
      assertThat(next(inbox, ExitMessage.class)).isEqualTo(new ExitMessage(remote, BOOM));
      assertThat(next(inbox, Down.class)).isEqualTo(new Down(mon, remote, BOOM));
    }
  }

  /** Not a record: the codec cannot send it. */
  private static final class NotAMessage {}

  @Test
  @DisplayName("a node going away fires links and monitors to its processes with noconnection, once")
  void noconnection() {
    Node a = start("a@host", cluster);
    Node b = start("b@host", cluster);
    awaitConnected(a, b);
    Pid idle = b.spawn(Proc::receive);
    b.run(() -> Proc.register("idle", idle));
    try (Inbox inbox = a.openInbox(); Inbox helper = b.openInbox()) {
      helper.send(Name.remote("x", "a@host"), "nothing"); // nothing registered: dropped
      b.run(() -> Proc.register("helper", helper.pid()));
      inbox.send(Name.remote("helper", "b@host"), new Ping(inbox.pid(), "who"));
      Ping ping = next(helper, Ping.class);
      helper.send(ping.from(), new Ping(idle, "idle"));
      Pid remote = next(inbox, Ping.class).from();
      inbox.trapExits(true);
      inbox.link(remote);
      org.otp4j.core.Ref mon = inbox.monitor(remote);
      Pid linked = a.spawn(() -> {
        Proc.link(remote);
        Proc.receive();
      });
      Pid monitorNode = a.spawn(() -> {
        Proc.monitorNode("b@host");
        Proc.send(inbox.pid(), "watching");
        Proc.send(inbox.pid(), Proc.receive());
      });
      assertThat(next(inbox)).isEqualTo("watching");
      b.close();
      nodes.remove(b);
      List<Object> got = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        got.add(next(inbox));
      }
      assertThat(got).containsExactlyInAnyOrder(new ExitMessage(remote, ExitReason.NOCONNECTION),
          new Down(mon, remote, ExitReason.NOCONNECTION), new NodeDown("b@host", "connection_closed"));
      assertThat(a.call(() -> Proc.awaitExit(linked, WAIT))).contains(ExitReason.NOCONNECTION);
      assertThat(a.call(() -> Proc.awaitExit(monitorNode, WAIT))).contains(ExitReason.NORMAL);
      assertThat(inbox.flush()).as("nothing fired twice").isEmpty();
    }
  }

  /** A call request of the tests. */
  public record Ask(From from, String question) {}

  @Test
  @DisplayName("a remote call returns the reply; a remote crash comes back typed; a gone node is noconnection")
  void remoteCall() {
    Cluster withAsk = cluster.withCodec(TermCodec.builder().allow(Ping.class, Ask.class).build());
    Node a = start("a@host", withAsk);
    Node b = start("b@host", withAsk);
    awaitConnected(a, b);
    Pid server = b.spawn(() -> {
      while (true) {
        switch (Proc.receive()) {
          case Ask(From from, String q) when q.equals("crash") -> throw new IllegalStateException("bad question");
          case Ask(From from, String q) -> from.reply("answer to " + q);
          case Ping(Pid from, String text) -> Proc.send(from, new Ping(Proc.self(), text));
          default -> { }
        }
      }
    });
    b.run(() -> Proc.register("server", server));
    try (CapturedLogs crashes = new CapturedLogs("org.otp4j.core.Node"); Inbox inbox = a.openInbox()) {
      inbox.send(Name.remote("server", "b@host"), new Ping(inbox.pid(), "who"));
      Pid remote = next(inbox, Ping.class).from();
      assertThat(a.call(() -> Proc.call(remote, from -> new Ask(from, "life"), WAIT))).isEqualTo("answer to life");
      assertThatThrownBy(() -> a.call(() -> Proc.call(remote, from -> new Ask(from, "crash"), WAIT)))
          .isInstanceOf(CallException.class)
          .satisfies(e -> {
            ExitReason.Crash crash = (ExitReason.Crash) ((CallException) e).reason();
            assertThat(crash.error()).isInstanceOf(RemoteCrash.class)
                .hasToString("java.lang.IllegalStateException: bad question");
          });
      spinUntil(() -> !crashes.lines().isEmpty(), () -> "the crash report of the server on b");
      assertThat(crashes.lines()).singleElement().asString().startsWith("ERROR Error in process")
          .contains("bad question");
      b.close();
      nodes.remove(b);
      spinUntil(() -> a.connectedNodes().isEmpty(), () -> "a to see b go");
      assertThatThrownBy(() -> a.call(() -> Proc.call(remote, from -> new Ask(from, "anyone?"), WAIT)))
          .isInstanceOf(CallException.class)
          .satisfies(e -> assertThat(((CallException) e).reason()).isEqualTo(ExitReason.NOCONNECTION));
    }
  }

  @Test
  @DisplayName("a message the codec cannot encode fails at the sender, naming its type")
  void unencodable() {
    Node a = start("a@host", cluster);
    Node b = start("b@host", cluster);
    awaitConnected(a, b);
    try (Inbox inbox = a.openInbox(); Inbox other = b.openInbox()) {
      b.run(() -> Proc.register("other", other.pid()));
      assertThatThrownBy(() -> inbox.send(Name.remote("other", "b@host"), new NotAMessage()))
          .isInstanceOf(UnencodableMessageException.class).hasMessageContaining(NotAMessage.class.getName());
      inbox.send(Name.remote("other", "b@host"), "still fine");
      assertThat(next(other)).isEqualTo("still fine");
    }
  }

  @Test
  @DisplayName("a frame that cannot be decoded is dropped, counted and logged; the node carries on")
  void badFrame() {
    Codec corrupting = new Codec() {
      private final Codec real = TermCodec.defaults();

      @Override
      public byte[] encode(Signal signal, Dispatcher dispatcher) {
        byte[] frame = real.encode(signal, dispatcher);
        if (signal instanceof Signal.NamedSend s && "corrupt".equals(s.message())) {
          frame[frame.length - 8] = 99; // the tag of the string: unknown
        }
        return frame;
      }

      @Override
      public Signal decode(byte[] frame, int offset, int length, Dispatcher dispatcher) {
        return real.decode(frame, offset, length, dispatcher);
      }
    };
    Node a = start("a@host", cluster.withCodec(corrupting));
    Node b = start("b@host", cluster);
    awaitConnected(a, b);
    try (CapturedLogs logs = new CapturedLogs(); Inbox inbox = a.openInbox(); Inbox other = b.openInbox()) {
      b.run(() -> Proc.register("other", other.pid()));
      inbox.send(Name.remote("other", "b@host"), "corrupt");
      inbox.send(Name.remote("other", "b@host"), "after");
      assertThat(next(other)).isEqualTo("after");
      assertThat(cluster.droppedFrames("b@host")).isEqualTo(1);
      assertThat(logs.lines()).anySatisfy(l -> assertThat(l).startsWith("WARN node b@host dropped a frame"));
    }
  }

  @Test
  @DisplayName("a node with the wrong secret is refused, and the refusal is logged")
  void wrongSecret() {
    Node a = start("a@host", cluster);
    try (CapturedLogs logs = new CapturedLogs()) {
      assertThatThrownBy(() -> start("intruder@host", Cluster.inJvm(clusterName).withSecret("guess")))
          .isInstanceOf(SecurityException.class);
      assertThat(logs.lines()).anySatisfy(l -> assertThat(l).contains("refused a node that does not hold"));
      assertThat(logs.lines()).anySatisfy(l -> assertThat(l).contains("node intruder@host was refused"));
    }
    assertThat(a.connectedNodes()).isEmpty();
    assertThatThrownBy(() -> Node.start("nosecret@host", NodeConfig.defaults().withTransport(Cluster.inJvm("x"))))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("no secret");
  }
}
