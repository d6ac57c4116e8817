package org.otp4j.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.otp4j.dist.TestNodes.WAIT;
import static org.otp4j.dist.TestNodes.awaitConnected;
import static org.otp4j.dist.TestNodes.freePort;
import static org.otp4j.dist.TestNodes.next;
import static org.otp4j.dist.TestNodes.spinUntil;

import java.io.IOException;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.otp4j.behaviours.GenServer;
import org.otp4j.core.Call;
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
import org.otp4j.core.Ref;
import org.otp4j.core.RequestId;
import org.otp4j.core.ServerRef;
import org.otp4j.core.dist.UnencodableMessageException;

/**
 * The examples of the guide's chapter on distribution (docs/guide/12-distribution.md), run on nodes of
 * one JVM over JGroups' shared loopback (and one pair over TCP on the loopback address), with the real
 * codec and authentication.
 */
@DisplayName("The guide's distribution chapter: its examples run on real nodes")
@Timeout(60)
class DistributionGuideTest {
  private final String clusterName = "guide-" + UUID.randomUUID();
  private final TestNodes.Started nodes = new TestNodes.Started();
  private final Cluster cluster = Cluster.inJvm(clusterName).withSecret("s3cret")
      .withCodec(TermCodec.builder().allow(Ping.class, Stock.Msg.Reserve.class).build());

  @AfterEach
  void stop() {
    nodes.close();
  }

  private Node start(String name) {
    return nodes.start(name, cluster);
  }

  /** A stock of items; reserving takes some and answers what is left. */
  public static final class Stock extends GenServer<Map<String, Integer>, Stock.Msg> {
    /** Its protocol. */
    public sealed interface Msg {
      /** Takes {@code n} of {@code item}; the answer is how many are left. */
      record Reserve(String item, int n) implements Msg, Call<Integer> {}
    }

    @Override
    protected Init<Map<String, Integer>> init() {
      return Init.ok(Map.of("tea", 10));
    }

    @Override
    protected CallResult<Map<String, Integer>> handleCall(Msg msg, From from, Map<String, Integer> stock) {
      return switch (msg) {
        case Msg.Reserve r -> {
          Map<String, Integer> next = new HashMap<>(stock);
          int left = next.merge(r.item(), -r.n(), Integer::sum);
          yield reply(r, left, next);
        }
      };
    }
  }

  @Test
  @DisplayName("two nodes of one JVM join a cluster and see each other; a node without the secret is refused")
  void inJvm() {
    // region: in-jvm
    Cluster cluster = Cluster.inJvm(clusterName).withSecret("s3cret")
        .withCodec(TermCodec.builder().allow(Ping.class, Stock.Msg.Reserve.class).build());
    Node a = Node.start("a@host", NodeConfig.defaults().withTransport(cluster));
    Node b = Node.start("b@host", NodeConfig.defaults().withTransport(cluster));
    // endregion: in-jvm
    try {
      awaitConnected(a, b);
      assertThat(a.connectedNodes()).containsExactly("b@host");
      try (CapturedLogs logs = new CapturedLogs()) {
        // region: secret
        Cluster guess = Cluster.inJvm(clusterName).withSecret("guess");
        assertThatThrownBy(() -> Node.start("intruder@host", NodeConfig.defaults().withTransport(guess)))
            .isInstanceOf(SecurityException.class);
        // endregion: secret
        assertThat(logs.lines()).anySatisfy(l -> assertThat(l).contains("node intruder@host was refused"));
      }
      assertThat(a.connectedNodes()).containsExactly("b@host");
    } finally {
      b.close();
      a.close();
    }
  }

  // region: tcp
  /** Starts node {@code name}, listening on {@code port}, that finds the cluster through {@code seedPort}. */
  static Node startTcp(String name, int port, int seedPort) {
    InetAddress host = InetAddress.getLoopbackAddress();   // a real cluster: each machine's own address
    Cluster cluster = Cluster.tcp("shop", new InetSocketAddress(host, port),
            List.of(new InetSocketAddress(host, seedPort)))
        .withSecret(System.getenv().getOrDefault("SHOP_SECRET", "s3cret"));
    return Node.start(name, NodeConfig.defaults().withTransport(cluster));
  }
  // endregion: tcp

  /** A node in a terminal of its own: {@code ShopNode a@host 7800 7800}, then {@code ShopNode b@host 7801 7800}. */
  public static final class ShopNode {
    private ShopNode() {}

    /**
     * Runs the node until Enter is pressed.
     *
     * @param args the node's name, its port, and the port of the node it finds the cluster through
     */
    public static void main(String[] args) throws IOException {
      run(args, System.in, System.out);
    }

    // region: tcp-main
    static void run(String[] args, InputStream in, PrintStream out) throws IOException {
      try (Node node = startTcp(args[0], Integer.parseInt(args[1]), Integer.parseInt(args[2]))) {
        node.spawn(() -> {
          Proc.monitorNodes(true);
          out.println(node.name() + " is up; it sees " + Node.list());
          while (true) {
            switch (Proc.receive()) {
              case NodeUp(String other) -> out.println(node.name() + " sees " + other);
              case NodeDown(String other, String reason) -> out.println(other + " left: " + reason);
              default -> { }
            }
          }
        });
        in.read();                                        // Enter stops the node
      }
    }
    // endregion: tcp-main
  }

  @Test
  @DisplayName("two nodes over TCP, as two terminals run them: the second finds the first through its seed")
  void tcp() throws Exception {
    int first = freePort();
    int second = freePort();
    List<String> said = java.util.Collections.synchronizedList(new ArrayList<>());
    PrintStream out = new PrintStream(new java.io.OutputStream() {
      private final StringBuilder line = new StringBuilder();

      @Override
      public synchronized void write(int b) {
        if (b == '\n') {
          said.add(line.toString());
          line.setLength(0);
        } else {
          line.append((char) b);
        }
      }
    }, true);
    PipedOutputStream enterA = new PipedOutputStream();
    PipedOutputStream enterB = new PipedOutputStream();
    PipedInputStream inA = new PipedInputStream(enterA);
    PipedInputStream inB = new PipedInputStream(enterB);
    Thread terminalA = Thread.ofPlatform().start(() -> runQuietly(new String[] {"a@host", "" + first, "" + first}, inA, out));
    spinUntil(() -> said.contains("a@host is up; it sees []") || !terminalA.isAlive(), () -> "a@host to start; " + said);
    Thread terminalB = Thread.ofPlatform().start(() -> runQuietly(new String[] {"b@host", "" + second, "" + first}, inB, out));
    spinUntil(() -> said.contains("a@host sees b@host")
        && (said.contains("b@host sees a@host") || said.contains("b@host is up; it sees [a@host]")),
        () -> "the two nodes to see each other; they said " + said);
    enterB.write('\n');
    enterB.flush();
    terminalB.join(WAIT);
    spinUntil(() -> said.contains("b@host left: connection_closed"), () -> "a@host to see b@host leave; " + said);
    enterA.write('\n');
    enterA.flush();
    terminalA.join(WAIT);
    assertThat(terminalA.isAlive() || terminalB.isAlive()).as("both programs ended").isFalse();
  }

  private static void runQuietly(String[] args, InputStream in, PrintStream out) {
    try {
      ShopNode.run(args, in, out);
    } catch (IOException e) {
      out.println("failed: " + e);
    }
  }


  @Test
  @DisplayName("Node.list names the connected nodes; monitorNodes reports each node up and down")
  void listAndMonitor() {
    Node a = start("a@host");
    Node b = start("b@host");
    awaitConnected(a, b);
    try (Inbox inbox = a.openInbox()) {
      Pid log = inbox.pid();
      // region: monitor-nodes
      List<String> others = a.call(Node::list);                 // ["b@host"]
      a.spawn(() -> {
        Proc.monitorNodes(true);                                // from now on, for every node
        Proc.send(log, "watching");
        while (true) {
          switch (Proc.receive()) {
            case NodeUp(String node) -> Proc.send(log, node + " is up");
            case NodeDown(String node, String reason) -> Proc.send(log, node + " is down: " + reason);
            default -> { }
          }
        }
      });
      // endregion: monitor-nodes
      assertThat(others).containsExactly("b@host");
      assertThat(next(inbox)).isEqualTo("watching");
      Node c = start("c@host");
      assertThat(next(inbox)).isEqualTo("c@host is up");
      nodes.stop(c);
      assertThat(next(inbox)).isEqualTo("c@host is down: connection_closed");
      spinUntil(() -> !b.connectedNodes().contains("c@host"), () -> "b to see c go");
    }
  }

  @Test
  @DisplayName("a message goes to a registered name of another node, and to a pid of it")
  void send() {
    Node a = start("a@host");
    Node b = start("b@host");
    awaitConnected(a, b);
    Pid echo = b.spawn(Ping::echo);
    b.run(() -> Proc.register("echo", echo));
    try (Inbox inbox = a.openInbox()) {
      // region: send
      inbox.send(Name.remote("echo", "b@host"), new Ping(inbox.pid(), "hello"));   // {echo, 'b@host'} ! ...
      Ping reply = (Ping) inbox.receive(Duration.ofSeconds(5)).orElseThrow();
      Pid remote = reply.from();                        // a pid of b@host: send, link, monitor as any other
      inbox.send(remote, new Ping(inbox.pid(), "again"));
      // endregion: send
      assertThat(reply.text()).isEqualTo("hello");
      assertThat(remote.isRemote()).isTrue();
      assertThat(remote.nodeName()).isEqualTo("b@host");
      assertThat(next(inbox, Ping.class).text()).isEqualTo("again");
      // region: monitor-name
      Ref watch = inbox.monitor(Name.remote("echo", "b@host"));   // monitor(process, {echo, 'b@host'})
      inbox.send(remote, ExitReason.of("closing"));
      Down down = (Down) inbox.receive(m -> m instanceof Down, Duration.ofSeconds(5)).orElseThrow();
      // down.name() is Name.remote("echo", "b@host"); down.reason() is "closing"
      // endregion: monitor-name
      assertThat(down).isEqualTo(new Down(watch, Name.remote("echo", "b@host"), ExitReason.of("closing")));
    }
  }

  @Test
  @DisplayName("a GenServer call to a server registered on another node returns its typed reply")
  void call() {
    Node a = start("a@host");
    Node b = start("b@host");
    awaitConnected(a, b);
    b.call(() -> GenServer.start(ServerRef.local("stock"), new Stock()));
    int left = a.call(() -> {
      // region: call
      ServerRef<Stock.Msg> stock = ServerRef.remote("stock", "b@host");
      int tea = GenServer.call(stock, new Stock.Msg.Reserve("tea", 2));   // 8
      // endregion: call
      return tea;
    });
    assertThat(left).isEqualTo(8);
    assertThat(a.call(() -> GenServer.call(ServerRef.<Stock.Msg>remote("stock", "b@host"),
        new Stock.Msg.Reserve("tea", 3)))).isEqualTo(5);
    List<Integer> answers = a.call(() -> {
      ServerRef<Stock.Msg> stock = ServerRef.remote("stock", "b@host");
      // region: send-request
      RequestId<Integer> first = GenServer.sendRequest(stock, new Stock.Msg.Reserve("tea", 1));
      RequestId<Integer> second = GenServer.sendRequest(stock, new Stock.Msg.Reserve("tea", 1));
      int afterFirst = first.receiveResponse(Duration.ofSeconds(5));     // 4
      int afterSecond = second.receiveResponse(Duration.ofSeconds(5));   // 3
      // endregion: send-request
      return List.of(afterFirst, afterSecond);
    });
    assertThat(answers).containsExactly(4, 3);
  }

  @Test
  @DisplayName("rpc runs only the entry points a node serves; a failure comes back as a typed RpcException")
  void rpc() {
    Node a = start("a@host");
    Node b = start("b@host");
    awaitConnected(a, b);
    // region: entries
    EntryPoints entries = EntryPoints.builder()
        .function("stock.level", args -> ((String) args.get(0)).equals("tea") ? 10 : 0)
        .function("worker", args -> Proc.receive(m -> m.equals("stop")))
        .build();
    Rpc.serve(b, entries);                      // b runs these, and nothing else, for other nodes
    // endregion: entries
    String why = a.call(() -> {
      // region: rpc
      int level = (Integer) Rpc.call("b@host", "stock.level", List.of("tea"), Duration.ofSeconds(5));
      try {
        Rpc.call("b@host", "java.lang.System::exit", List.of(1), Duration.ofSeconds(5));
      } catch (RpcException e) {
        return switch (e) {
          case RpcException.RemoteError r -> "it threw " + r.remoteClass() + ": " + r.remoteMessage();
          case RpcException.UnknownEntry u -> "b does not serve " + u.entry() + "; it serves " + u.known();
          case RpcException.NoAnswer n -> "no answer: " + n.reason();
        };
      }
      // endregion: rpc
      return "level " + level;
    });
    assertThat(why).isEqualTo("b does not serve java.lang.System::exit; it serves [stock.level, worker]");
    assertThat(a.call(() -> Rpc.call("b@host", "stock.level", List.of("tea"), WAIT))).isEqualTo(10);
  }

  @Test
  @DisplayName("spawnLink and spawnMonitor on another node: the exit and the DOWN come back as local ones")
  void remoteSpawn() {
    Node a = start("a@host");
    Node b = start("b@host");
    awaitConnected(a, b);
    Rpc.serve(b, EntryPoints.builder().function("worker", args -> Proc.receive(m -> m.equals("stop"))).build());
    try (Inbox inbox = a.openInbox()) {
      Pid log = inbox.pid();
      a.spawn(() -> {
        // region: spawn
        Proc.trapExits(true);
        Pid linked = Rpc.spawnLink("b@host", "worker", List.of());      // runs b's entry point "worker"
        Proc.SpawnMonitor monitored = Rpc.spawnMonitor("b@host", "worker", List.of());
        Proc.send(linked, "stop");
        Proc.send(monitored.pid(), "stop");
        ExitMessage exit = (ExitMessage) Proc.receive(m -> m instanceof ExitMessage);   // normal
        Down down = (Down) Proc.receive(m -> m instanceof Down);                        // normal
        // endregion: spawn
        Proc.send(log, List.of(linked, monitored.pid(), monitored.ref()));
        Proc.send(log, exit);
        Proc.send(log, down);
      });
      List<?> started = next(inbox, List.class);
      ExitMessage exit = next(inbox, ExitMessage.class);
      assertThat(exit).isEqualTo(new ExitMessage((Pid) started.get(0), ExitReason.NORMAL));
      Down down = next(inbox, Down.class);
      assertThat(down).isEqualTo(new Down((Ref) started.get(2), (Pid) started.get(1), ExitReason.NORMAL));
      assertThat(((Pid) started.get(0)).nodeName()).isEqualTo("b@host");
    }
  }

  @Test
  @DisplayName("a node that goes down: links fire noconnection, monitors DOWN noconnection, NodeDown; each once")
  void nodeGoesDown() {
    Node a = start("a@host");
    Node b = start("b@host");
    awaitConnected(a, b);
    Pid echo = b.spawn(Ping::echo);
    b.run(() -> Proc.register("echo", echo));
    try (Inbox inbox = a.openInbox()) {
      Pid log = inbox.pid();
      inbox.send(Name.remote("echo", "b@host"), new Ping(log, "who"));
      Pid worker = next(inbox, Ping.class).from();
      a.spawn(() -> {
        // region: watch
        Proc.trapExits(true);
        Proc.link(worker);                     // worker: a pid of b@host
        Ref ref = Proc.monitor(worker);
        Proc.monitorNode("b@host");
        // endregion: watch
        Proc.send(log, ref);
        while (true) {
          Proc.send(log, Proc.receive());
        }
      });
      Ref ref = next(inbox, Ref.class);
      nodes.stop(b);
      List<Object> got = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        got.add(next(inbox));
      }
      assertThat(got).containsExactlyInAnyOrder(
          new ExitMessage(worker, ExitReason.NOCONNECTION),
          new Down(ref, worker, ExitReason.NOCONNECTION),
          new NodeDown("b@host", "connection_closed"));
      spinUntil(() -> a.connectedNodes().isEmpty(), () -> "a to see b go");
      assertThat(inbox.receive(Duration.ofMillis(200))).as("nothing fired twice").isEmpty();
    }
  }

  @Test
  @DisplayName("pg: a process of one node joins a group; another node finds it among the members")
  void pg() {
    Node a = start("a@host");
    Node b = start("b@host");
    awaitConnected(a, b);
    try (Inbox inbox = a.openInbox()) {
      Pid log = inbox.pid();
      Pid alice = a.spawn(() -> { // passes on what it receives: a process that ended would leave the group
        while (true) {
          Proc.send(log, Proc.receive());
        }
      });
      // region: pg
      Pg.start(a, "chat");                                  // a scope, started on every node that takes part
      Pg.start(b, "chat");
      a.run(() -> Pg.join("chat", "room:lobby", alice));    // alice: a process of a
      // b learns of the join soon after; then:
      b.run(() -> {
        for (Pid member : Pg.members("chat", "room:lobby")) {
          Proc.send(member, "welcome");
        }
      });
      // endregion: pg
      assertThat(a.call(() -> Pg.members("chat", "room:lobby"))).containsExactly(alice);
      // the region's broadcast from b may come before b saw the join (and reach no one): wait for b
      // to see it, then send again; alice stays a member either way
      spinUntil(() -> b.call(() -> Pg.members("chat", "room:lobby")).size() == 1, () -> "b to see alice");
      b.run(() -> Pg.members("chat", "room:lobby").forEach(p -> Proc.send(p, "welcome")));
      assertThat(next(inbox)).isEqualTo("welcome");
    }
  }

  @Test
  @DisplayName("global: a name registered from one node is found and sent to from the other")
  void global() {
    Node a = start("a@host");
    Node b = start("b@host");
    awaitConnected(a, b);
    Global.start(a);
    Global.start(b);
    spinUntil(() -> a.call(Global::syncedNodes).contains("b@host") && b.call(Global::syncedNodes).contains("a@host"),
        () -> "the registries of a and b to find each other");
    try (Inbox inbox = a.openInbox()) {
      Pid log = inbox.pid();
      Pid billing = a.spawn(() -> Proc.send(log, Proc.receive()));
      // region: global
      boolean mine = a.call(() -> Global.registerName("billing", billing));   // false if another has it
      Optional<Pid> found = b.call(() -> Global.whereis("billing"));
      b.run(() -> Global.send("billing", "invoice 42"));
      // endregion: global
      assertThat(mine).isTrue();
      assertThat(found).hasValueSatisfying(p -> assertThat(p.serial()).isEqualTo(billing.serial()));
      assertThat(next(inbox)).isEqualTo("invoice 42");
    }
  }

  /** A record that no node allowed. */
  public record Invoice(int number) {}

  @Test
  @DisplayName("the codec sends what is allowed and refuses, at the sender, what is not")
  void codec() {
    Node a = start("a@host");
    Node b = start("b@host");
    awaitConnected(a, b);
    try (Inbox inbox = a.openInbox(); Inbox other = b.openInbox()) {
      b.run(() -> Proc.register("other", other.pid()));
      // region: unencodable
      assertThatThrownBy(() -> inbox.send(Name.remote("other", "b@host"), new Invoice(42)))
          .isInstanceOf(UnencodableMessageException.class)
          .hasMessageContaining(Invoice.class.getName());
      // endregion: unencodable
      inbox.send(Name.remote("other", "b@host"), new Ping(inbox.pid(), "allowed"));
      assertThat(next(other, Ping.class).text()).isEqualTo("allowed");
    }
  }
}
