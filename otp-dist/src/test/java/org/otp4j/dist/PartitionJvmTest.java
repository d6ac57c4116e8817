package org.otp4j.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.otp4j.dist.TestNodes.forwardNodeEvents;
import static org.otp4j.dist.TestNodes.freePort;
import static org.otp4j.dist.TestNodes.next;
import static org.otp4j.dist.TestNodes.spinUntil;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.otp4j.core.CallException;
import org.otp4j.core.Down;
import org.otp4j.core.ExitMessage;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Inbox;
import org.otp4j.core.Name;
import org.otp4j.core.Node;
import org.otp4j.core.NodeConfig;
import org.otp4j.core.NodeDown;
import org.otp4j.core.NodeUp;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.core.Ref;

/**
 * Nodes in JVMs of their own over TCP on the loopback interface: a partition that cuts one node off
 * with its sockets open, then heals; and a node killed and started again under its name.
 */
@DisplayName("Multi-JVM: a partition and its heal; a node restarted under its name")
class PartitionJvmTest {
  /** The failure timeout of every node here (ChildNodeMain's). */
  private static final Duration FAILURE_TIMEOUT = Duration.ofSeconds(3);
  /** What detection may take beyond the failure timeout: FD_ALL3's check interval, the suspicion's verification and the new view, on a busy machine. */
  private static final Duration DETECTION_MARGIN = Duration.ofSeconds(3);
  /** How long the two sides may take to merge after the heal. */
  private static final Duration MERGE_PATIENCE = Duration.ofSeconds(25);
  private static final String PARENT = "parent@localhost";

  private final InetAddress loopback = InetAddress.getLoopbackAddress();
  private final String clusterName = "partition-" + UUID.randomUUID();
  private final String secret = UUID.randomUUID().toString();
  private final List<ChildJvm> children = new ArrayList<>();
  private Node parent;

  @AfterEach
  void cleanUp() {
    children.forEach(ChildJvm::close);
    if (parent != null) {
      parent.close();
    }
  }

  private Cluster cluster(int parentPort, int... childPorts) {
    List<InetSocketAddress> seeds = new ArrayList<>();
    seeds.add(new InetSocketAddress(loopback, parentPort));
    Arrays.stream(childPorts).forEach(p -> seeds.add(new InetSocketAddress(loopback, p)));
    return Cluster.tcp(clusterName, new InetSocketAddress(loopback, parentPort), seeds)
        .withSecret(secret)
        .withCodec(TermCodec.builder().allow(Ping.class).build())
        .withFailureTimeout(FAILURE_TIMEOUT);
  }

  private ChildJvm child(String name, int port, int parentPort) throws Exception {
    ChildJvm c = ChildJvm.start(name, clusterName, secret, port, parentPort);
    children.add(c);
    return c;
  }

  /**
   * Takes the node events from {@code events} until each of {@code names} was last seen up, {@code up}
   * keeping what was seen: on two busy cores a node joining may make the views flap (a node seen down,
   * then up again) before they settle.
   */
  private static void awaitUp(Inbox events, Map<String, Boolean> up, String... names) {
    while (!Arrays.stream(names).allMatch(n -> up.getOrDefault(n, false))) {
      switch (next(events)) {
        case NodeUp u -> up.put(u.node(), true);
        case NodeDown d -> up.put(d.node(), false);
        default -> { }
      }
    }
  }

  /** Pings the process registered as {@code to} from {@code inbox}, and returns the pid that answered. */
  private static Pid roundTrip(Inbox inbox, Name to, String text) {
    inbox.send(to, new Ping(inbox.pid(), text));
    return answered(inbox, text);
  }

  /** Pings {@code to} from {@code inbox}, and returns the pid that answered. */
  private static Pid roundTrip(Inbox inbox, Pid to, String text) {
    inbox.send(to, new Ping(inbox.pid(), text));
    return answered(inbox, text);
  }

  private static Pid answered(Inbox inbox, String text) {
    Ping answer = next(inbox, Ping.class);
    assertThat(answer.text()).isEqualTo(text);
    return answer.from();
  }

  @Test
  @Timeout(60)
  @DisplayName("a partition cuts a node off with its sockets open: down on every side within the failure "
      + "timeout, links and monitors fire noconnection once, a call fails; the heal brings every node up "
      + "again and one global name conflict resolved, the pg group whole")
  void partitionThenHeal() throws Exception {
    int parentPort = freePort();
    int portA = freePort();
    int portB = freePort();
    Cluster cluster = cluster(parentPort, portA, portB);
    parent = Node.start(PARENT, NodeConfig.defaults().withTransport(cluster));
    Global.start(parent);
    Pg.start(parent, ChildNodeMain.SCOPE);

    try (Inbox inbox = parent.openInbox(); Inbox nodes = parent.openInbox(); CapturedLogs logs = new CapturedLogs()) {
      forwardNodeEvents(parent, nodes);
      // one after the other: two JVMs joining at once on two busy cores make the views flap
      ChildJvm a = child("a@localhost", portA, parentPort);
      a.awaitReady();
      Map<String, Boolean> nodeIsUp = new HashMap<>();
      awaitUp(nodes, nodeIsUp, "a@localhost");
      ChildJvm b = child("b@localhost", portB, parentPort);
      b.awaitReady();
      awaitUp(nodes, nodeIsUp, "a@localhost", "b@localhost");
      a.ask("await-up b@localhost", "UP b@localhost");
      b.ask("await-up a@localhost", "UP a@localhost");
      a.ask("services", "SERVICES");
      b.ask("services", "SERVICES");

      // links and monitors across the cut, both ways: each child's observer links to and monitors the
      // inbox, the inbox (trapping exits) is linked to and monitors each observer
      inbox.trapExits(true);
      Pid observerA = watch(inbox, "a@localhost");
      Pid observerB = watch(inbox, "b@localhost");
      Ref monitorA = inbox.monitor(observerA);
      Ref monitorB = inbox.monitor(observerB);

      // the cut: everything the parent's channel sends or receives is dropped, its sockets stay open
      long cutAt = System.nanoTime();
      cluster.isolate(PARENT, true);
      List<String> down = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        NodeDown d = next(nodes, NodeDown.class, FAILURE_TIMEOUT.plus(DETECTION_MARGIN).plusSeconds(5));
        long detectedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - cutAt);
        System.out.println("a partitioned node (" + d.node() + ") was seen down after " + detectedMillis + " ms");
        assertThat(detectedMillis).as("detection of %s, with a failure timeout of %s", d.node(), FAILURE_TIMEOUT)
            .isLessThanOrEqualTo(FAILURE_TIMEOUT.plus(DETECTION_MARGIN).toMillis());
        down.add(d.node());
      }
      assertThat(down).containsExactlyInAnyOrder("a@localhost", "b@localhost");
      a.ask("await-down " + PARENT, "DOWN " + PARENT);
      b.ask("await-down " + PARENT, "DOWN " + PARENT);
      List<Object> fired = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        fired.add(next(inbox));
      }
      assertThat(fired).containsExactlyInAnyOrder(
          new ExitMessage(observerA, ExitReason.NOCONNECTION), new ExitMessage(observerB, ExitReason.NOCONNECTION),
          new Down(monitorA, observerA, ExitReason.NOCONNECTION), new Down(monitorB, observerB, ExitReason.NOCONNECTION));

      // a call across the cut fails with noconnection at once, not after its timeout
      long callAt = System.nanoTime();
      assertThatThrownBy(() -> parent.call(() -> Proc.call(observerA, from -> "hello", Duration.ofSeconds(30))))
          .isInstanceOfSatisfying(CallException.class,
              e -> assertThat(e.reason()).isEqualTo(ExitReason.NOCONNECTION));
      assertThat(Duration.ofNanos(System.nanoTime() - callAt)).isLessThan(Duration.ofSeconds(5));

      // each side registers the same global name and joins the same group
      Pid parentHolder = parent.spawn(() -> Proc.receive(m -> m.equals("stop")));
      Pid parentMember = parent.spawn(() -> Proc.receive(m -> m.equals("stop")));
      assertThat(parent.call(() -> Global.registerName("svc", parentHolder))).isTrue();
      parent.run(() -> Pg.join(ChildNodeMain.SCOPE, "workers", parentMember));
      String registered = a.ask("register svc", "REGISTERED svc ");
      assertThat(registered).as("a's side has no holder of the name").startsWith("REGISTERED svc true ");
      String holderA = registered.substring("REGISTERED svc true ".length());
      String joined = a.ask("join workers", "JOINED workers ");
      String memberA = joined.substring("JOINED workers ".length());
      Ref holderMonitor = inbox.monitor(parentHolder);

      // the heal
      cluster.isolate(PARENT, false);
      long healedAt = System.nanoTime();
      List<Object> up = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        Duration left = MERGE_PATIENCE.minusNanos(System.nanoTime() - healedAt);
        nodes.receive(NodeUp.class::isInstance, left.isNegative() ? Duration.ZERO : left).ifPresent(up::add);
      }
      assertThat(up).as("the parent to see both sides merge within %s, it sees %s and its log says %s; a's "
          + "output:\n%s\nb's output:\n%s", MERGE_PATIENCE, parent.connectedNodes(), logs.lines(), a.output(),
          b.output()).containsExactlyInAnyOrder(new NodeUp("a@localhost"), new NodeUp("b@localhost"));
      System.out.println("the two sides merged " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - healedAt)
          + " ms after the heal");
      a.ask("await-up " + PARENT, "UP " + PARENT);
      b.ask("await-up " + PARENT, "UP " + PARENT);

      // the conflict: the node of the two holders with the smaller name, a, keeps its own by default
      Down lost = next(inbox, Down.class, MERGE_PATIENCE);
      assertThat(lost.ref()).isEqualTo(holderMonitor);
      assertThat(lost.reason()).isEqualTo(ExitReason.of(new Global.NameConflict("svc")));
      assertThat(a.ask("await-global svc a@localhost", "GLOBAL svc ")).isEqualTo("GLOBAL svc " + holderA);
      assertThat(b.ask("await-global svc a@localhost", "GLOBAL svc ")).isEqualTo("GLOBAL svc " + holderA);
      spinUntil(() -> parent.call(() -> Global.whereis("svc")).map(Pid::nodeName).equals(Optional.of("a@localhost")),
          () -> "the parent to see a's holder of svc, it sees " + parent.call(() -> Global.whereis("svc")),
          MERGE_PATIENCE);
      assertThat(ChildNodeMain.describe(parent.call(() -> Global.whereis("svc")).orElseThrow())).isEqualTo(holderA);

      // the group has both sides' members on every node
      String members = "MEMBERS workers " + ChildNodeMain.describe(
          List.of(parentMember)) + "," + memberA;
      List<String> sorted = Arrays.stream(members.substring("MEMBERS workers ".length()).split(",")).sorted().toList();
      String expected = "MEMBERS workers " + String.join(",", sorted);
      assertThat(a.ask("await-members workers 2", "MEMBERS workers ")).isEqualTo(expected);
      assertThat(b.ask("await-members workers 2", "MEMBERS workers ")).isEqualTo(expected);
      spinUntil(() -> parent.call(() -> Pg.members(ChildNodeMain.SCOPE, "workers")).size() == 2,
          () -> "the parent to see both members, it sees " + parent.call(() -> Pg.members(ChildNodeMain.SCOPE, "workers")),
          MERGE_PATIENCE);
      assertThat("MEMBERS workers " + ChildNodeMain.describe(parent.call(() -> Pg.members(ChildNodeMain.SCOPE, "workers"))))
          .isEqualTo(expected);

      // every firing across the cut happened once, on every side: the observers (alive, trapping
      // exits) answer over the healed connections with what they saw
      for (Pid observer : List.of(observerA, observerB)) {
        inbox.send(observer, new Ping(inbox.pid(), "log"));
        Ping log = next(inbox, Ping.class);
        List<String> seen = log.text().lines().toList();
        String inboxPid = ChildNodeMain.describe(inbox.pid());
        assertThat(seen).as("what the observer on %s saw", observer.nodeName())
            .containsOnlyOnce("EXIT " + inboxPid + " noconnection", "DOWN " + inboxPid + " noconnection",
                "NODEDOWN " + PARENT)
            .doesNotContain("NODEDOWN a@localhost", "NODEDOWN b@localhost");
        assertThat(seen.stream().filter(l -> l.startsWith("EXIT") || l.startsWith("DOWN")).count()).isEqualTo(2);
        assertThat(seen.subList(seen.indexOf("NODEDOWN " + PARENT), seen.size())).contains("NODEUP " + PARENT);
      }
      assertThat(inbox.flush()).as("nothing more fired in the parent").isEmpty();
      assertThat(nodes.flush()).as("no other node event in the parent").isEmpty();
      assertThat(parent.connectedNodes()).containsExactlyInAnyOrder("a@localhost", "b@localhost");
      // a child whose own view still held the parent redials the connection the parent closed, and is
      // refused until its view follows: the only errors
      assertThat(logs.lines()).filteredOn(l -> l.startsWith("ERROR"))
          .allMatch(l -> l.contains("refused a direct connection") && l.endsWith("not a member of the cluster's view"));
    }
  }

  /** Makes the observer on {@code node} link to and monitor {@code inbox}; returns the observer. */
  private static Pid watch(Inbox inbox, String node) {
    inbox.send(Name.remote("observer", node), new Ping(inbox.pid(), "watch"));
    Ping answer = next(inbox, Ping.class);
    assertThat(answer.text()).isEqualTo("watching");
    return answer.from();
  }

  @Test
  @Timeout(60)
  @DisplayName("a node killed with kill -9 and started again under its name in a new JVM: a new "
      + "creation, the old pids dead (send dropped, monitor and link noproc), the new pids answer")
  void restartedUnderTheSameName() throws Exception {
    int parentPort = freePort();
    int childPort = freePort();
    Cluster cluster = cluster(parentPort, childPort);
    parent = Node.start(PARENT, NodeConfig.defaults().withTransport(cluster));
    String name = "child@localhost";
    try (Inbox inbox = parent.openInbox(); Inbox nodes = parent.openInbox(); CapturedLogs logs = new CapturedLogs()) {
      forwardNodeEvents(parent, nodes);
      ChildJvm first = child(name, childPort, parentPort);
      first.awaitReady();
      assertThat(next(nodes)).isEqualTo(new NodeUp(name));
      Pid oldEcho = roundTrip(inbox, Name.remote("echo", name), "first");

      first.kill();
      assertThat(next(nodes, NodeDown.class).node()).isEqualTo(name);

      ChildJvm second = child(name, freePort(), parentPort);
      second.awaitReady();
      assertThat(next(nodes)).isEqualTo(new NodeUp(name));
      Pid newEcho = roundTrip(inbox, Name.remote("echo", name), "second");
      assertThat(newEcho.nodeName()).isEqualTo(name);
      assertThat(newEcho.creation()).as("the new incarnation's creation").isNotEqualTo(oldEcho.creation());

      // a send to the old pid is dropped: the new echo answers the later ping, and only that one
      inbox.send(oldEcho, new Ping(inbox.pid(), "to the old"));
      assertThat(roundTrip(inbox, newEcho, "to the new")).isEqualTo(newEcho);
      assertThat(inbox.flush()).as("nothing answered the old pid").isEmpty();

      // a monitor of an old pid fires noproc, a link to it gives a noproc exit
      Ref monitor = inbox.monitor(oldEcho);
      assertThat(next(inbox, Down.class)).isEqualTo(new Down(monitor, oldEcho, ExitReason.NOPROC));
      inbox.trapExits(true);
      inbox.link(oldEcho);
      assertThat(next(inbox, ExitMessage.class)).isEqualTo(new ExitMessage(oldEcho, ExitReason.NOPROC));

      // a call to the old pid fails with noproc at once; the new pid still answers
      assertThatThrownBy(() -> parent.call(() -> Proc.call(oldEcho, from -> "hello", Duration.ofSeconds(30))))
          .isInstanceOfSatisfying(CallException.class, e -> assertThat(e.reason()).isEqualTo(ExitReason.NOPROC));
      assertThat(roundTrip(inbox, newEcho, "again")).isEqualTo(newEcho);
      assertThat(parent.connectedNodes()).containsExactly(name);
      assertThat(nodes.flush()).isEmpty();
      assertThat(logs.lines()).noneMatch(l -> l.startsWith("ERROR"));
    }
  }
}
