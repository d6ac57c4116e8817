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
import java.util.List;
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
