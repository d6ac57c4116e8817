package org.otp4j.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.otp4j.dist.TestNodes.WAIT;
import static org.otp4j.dist.TestNodes.awaitConnected;
import static org.otp4j.dist.TestNodes.freePort;
import static org.otp4j.dist.TestNodes.next;
import static org.otp4j.dist.TestNodes.spinUntil;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.otp4j.behaviours.GenServer;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Inbox;
import org.otp4j.core.Name;
import org.otp4j.core.NameConflictException;
import org.otp4j.core.NoSuchNameException;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.core.ServerRef;

/** OTP's global names across nodes: unique in the cluster, gone with their process or node, resolved on merge. */
@DisplayName("Global: cluster-wide unique names")
@Timeout(90)
class GlobalTest {
  /** How long a merge of two partitions may take to settle (see conflictAfterMerge). */
  static final Duration MERGE_PATIENCE = Duration.ofSeconds(30);
  private final String clusterName = "global-" + UUID.randomUUID();
  private final TestNodes.Started nodes = new TestNodes.Started();
  private final Cluster cluster = Cluster.inJvm(clusterName).withSecret("s3cret")
      .withCodec(TermCodec.builder().allow(RemoteGenServerTest.Counter.Msg.Get.class,
          RemoteGenServerTest.Counter.Msg.Bump.class).build());

  @AfterEach
  void stop() {
    nodes.close();
  }

  private Node start(String name, Cluster c) {
    return nodes.start(name, c);
  }

  private static Pid idle(Node node) {
    return node.spawn(() -> Proc.receive(m -> m.equals("stop")));
  }

  @Test
  @DisplayName("a name is unique in the cluster, found and sent to from every node, released with its "
      + "process, by unregister, and with its node")
  void registerWhereisSend() {
    Node a = start("a@host", cluster);
    Node b = start("b@host", cluster);
    awaitConnected(a, b);
    try (Inbox inbox = b.openInbox()) {
      Pid billing = inbox.pid();
      Global.start(a);
      Global.start(b);
      awaitSynced(a, b);
      // region: register
      boolean mine = a.call(() -> Global.registerName("billing", billing));   // Global.start(node) on each node first
      Optional<Pid> found = b.call(() -> Global.whereis("billing"));
      // endregion: register
      assertThat(mine).isTrue();
      assertThat(found).contains(billing);
      assertThat(a.call(() -> Global.whereis("billing"))).hasValueSatisfying(p -> {
        assertThat(p.nodeName()).isEqualTo("b@host");
        assertThat(p.serial()).isEqualTo(billing.serial());
      });
      Pid other = idle(b);
      assertThat(b.call(() -> Global.registerName("billing", other))).as("taken").isFalse();
      assertThat(a.call(() -> Global.registerName("billing", idle(a)))).as("taken, from another node").isFalse();
      a.run(() -> Global.send("billing", "hello"));
      assertThat(next(inbox)).isEqualTo("hello");
      assertThatThrownBy(() -> a.run(() -> Global.send("nobody", "x"))).isInstanceOf(NoSuchNameException.class);

      assertThat(b.call(() -> Global.registerName("worker", other))).isTrue();
      b.run(() -> Proc.send(other, "stop"));
      spinUntil(() -> a.call(() -> Global.whereis("worker")).isEmpty()
          && b.call(() -> Global.whereis("worker")).isEmpty(), () -> "the name to go with its process");
      assertThat(a.call(() -> Global.registerName("worker", idle(a)))).isTrue();

      a.run(() -> Global.unregisterName("billing"));
      assertThat(a.call(() -> Global.whereis("billing"))).isEmpty();
      spinUntil(() -> b.call(() -> Global.whereis("billing")).isEmpty(), () -> "b to see the unregister");
      assertThat(b.call(() -> Global.registerName("billing", idle(b)))).isTrue();
      assertThat(a.call(Global::registeredNames)).containsExactly("billing", "worker");

      nodes.stop(b);
      spinUntil(() -> a.call(Global::registeredNames).equals(List.of("worker")), () -> "b's names to go with b");
    }
    assertThatThrownBy(() -> Global.start(a)).isInstanceOf(NameConflictException.class);
  }

  private static void awaitSynced(Node a, Node b) {
    spinUntil(() -> a.call(Global::syncedNodes).contains(b.name()) && b.call(Global::syncedNodes).contains(a.name()),
        () -> "the registries of " + a.name() + " and " + b.name() + " to find each other");
  }

  @Test
  @DisplayName("a behaviour started under a global via name is called from another node")
  void viaName() {
    Node a = start("a@host", cluster);
    Node b = start("b@host", cluster);
    awaitConnected(a, b);
    Global.start(a);
    Global.start(b);
    awaitSynced(a, b);
    Name counter = Name.via(Global.names(), "counter");
    b.run(() -> GenServer.start(ServerRef.of(counter), new RemoteGenServerTest.Counter()));
    assertThat(a.call(() -> GenServer.call(ServerRef.<RemoteGenServerTest.Counter.Msg>of(counter),
        new RemoteGenServerTest.Counter.Msg.Bump(3)))).isEqualTo(3);
    GenServer.MultiCallResult<Integer> none = a.call(() -> GenServer.multiCall(List.of("b@host"),
        ServerRef.local("counter"), new RemoteGenServerTest.Counter.Msg.Get(), WAIT));
    assertThat(none.badNodes()).as("the global name is not a local one").containsExactly("b@host");
    Pid pid = b.call(() -> Global.whereis("counter")).orElseThrow();
    b.run(() -> GenServer.stop(pid));
    spinUntil(() -> a.call(() -> Global.whereis("counter")).isEmpty(), () -> "the name to go with the server");
  }

  @Test
  @DisplayName("after a partition merges, a conflict keeps one process (by default the smaller node's) and "
      + "exits the other with NameConflict; a resolver chooses otherwise")
  void conflictAfterMerge() throws Exception {
    InetAddress loopback = InetAddress.getLoopbackAddress();
    int portA = freePort();
    int portC = freePort();
    String name = "merge-" + UUID.randomUUID();
    // a knows c's address, c knows only its own: each starts alone, then a's merge discovery finds c
    Cluster clusterA = Cluster.tcp(name, new InetSocketAddress(loopback, portA),
            List.of(new InetSocketAddress(loopback, portA), new InetSocketAddress(loopback, portC)))
        .withSecret("s3cret").withFailureTimeout(Duration.ofSeconds(1)).withJoinTimeout(Duration.ofMillis(300));
    Cluster clusterC = Cluster.tcp(name, new InetSocketAddress(loopback, portC),
            List.of(new InetSocketAddress(loopback, portC)))
        .withSecret("s3cret").withFailureTimeout(Duration.ofSeconds(1)).withJoinTimeout(Duration.ofMillis(300));
    Node a = start("a@host", clusterA);
    Global.start(a);
    Pid keptA = idle(a);
    Pid losesA = idle(a);
    assertThat(a.call(() -> Global.registerName("x", keptA))).isTrue();
    // region: resolver
    Global.Resolver theirs = (n, registered, other) -> other;   // keep the other side's process
    a.call(() -> Global.registerName("y", losesA, theirs));
    // endregion: resolver
    Node c = start("c@host", clusterC);
    assertThat(c.connectedNodes()).as("c starts alone").isEmpty();
    Global.start(c);
    Pid losesC = idle(c);
    Pid keptC = idle(c);
    assertThat(c.call(() -> Global.registerName("x", losesC))).isTrue();
    assertThat(c.call(() -> Global.registerName("y", keptC))).isTrue();
    try (Inbox watchA = a.openInbox(); Inbox watchC = c.openInbox()) {
      var monA = watchA.monitor(losesA);
      var monC = watchC.monitor(losesC);
      awaitConnected(a, c); // the merge
      // on a busy machine a failure timeout of 1 s makes the new connection flap a few times before
      // it holds, and each flap means one more merge and sync: give the settlement that long
      org.otp4j.core.Down downC = next(watchC, org.otp4j.core.Down.class, MERGE_PATIENCE);
      assertThat(downC.ref()).isEqualTo(monC);
      assertThat(downC.reason()).isEqualTo(ExitReason.of(new Global.NameConflict("x")));
      org.otp4j.core.Down downA = next(watchA, org.otp4j.core.Down.class, MERGE_PATIENCE);
      assertThat(downA.ref()).isEqualTo(monA);
      assertThat(downA.reason()).isEqualTo(ExitReason.of(new Global.NameConflict("y")));
    }
    spinUntil(() -> c.call(() -> Global.whereis("x")).map(Pid::nodeName).equals(Optional.of("a@host"))
        && a.call(() -> Global.whereis("y")).map(Pid::nodeName).equals(Optional.of("c@host")),
        () -> "both nodes to agree: a has x=" + a.call(() -> Global.whereis("x")) + " y="
            + a.call(() -> Global.whereis("y")) + ", c has x=" + c.call(() -> Global.whereis("x")) + " y="
            + c.call(() -> Global.whereis("y")), MERGE_PATIENCE);
    assertThat(a.call(() -> Global.whereis("x"))).contains(keptA);
    assertThat(c.call(() -> Global.whereis("y"))).contains(keptC);
    assertThat(a.call(() -> Proc.isAlive(keptA))).isTrue();
    assertThat(c.call(() -> Proc.isAlive(keptC))).isTrue();
  }
}
