package org.otp4j.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.otp4j.dist.TestNodes.awaitConnected;
import static org.otp4j.dist.TestNodes.next;
import static org.otp4j.dist.TestNodes.spinUntil;

import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Inbox;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;

/** OTP's pg across nodes (OTP-SEMANTICS P29), over JGroups' shared loopback. */
@DisplayName("Pg: scoped process groups across nodes")
@Timeout(60)
class PgTest {
  private final String clusterName = "pg-" + UUID.randomUUID();
  private final TestNodes.Started nodes = new TestNodes.Started();
  private final Cluster cluster = Cluster.inJvm(clusterName).withSecret("s3cret");

  @AfterEach
  void stop() {
    nodes.close();
  }

  private Node start(String name) {
    return nodes.start(name, cluster);
  }

  private static Pid idle(Node node) {
    return node.spawn(() -> Proc.receive(m -> m.equals("stop")));
  }

  @Test
  @DisplayName("P29: join is seen on every node; a pid may join several times and leaves as many; "
      + "members all and local; a dead member leaves; not_joined")
  void joinAndLeave() {
    Node a = start("a@host");
    Node b = start("b@host");
    awaitConnected(a, b);
    Pg.start(b, "chat");
    Pid alice = idle(a);
    // region: join
    Pg.start(a, "chat");                                  // on every node that takes part
    a.run(() -> Pg.join("chat", "room:lobby", alice));    // alice: a process of node a
    List<Pid> members = b.call(() -> Pg.members("chat", "room:lobby"));
    // endregion: join
    assertThat(a.call(() -> Pg.members("chat", "room:lobby"))).containsExactly(alice);
    spinUntil(() -> b.call(() -> Pg.members("chat", "room:lobby")).size() == 1, () -> "b to see alice");
    assertThat(members).hasSizeLessThanOrEqualTo(1); // eventually consistent: b may not have seen alice yet
    List<Pid> seen = b.call(() -> Pg.members("chat", "room:lobby"));
    assertThat(seen.getFirst().nodeName()).isEqualTo("a@host");
    assertThat(seen.getFirst().serial()).isEqualTo(alice.serial());
    assertThat(b.call(() -> Pg.localMembers("chat", "room:lobby"))).isEmpty();
    assertThat(a.call(() -> Pg.localMembers("chat", "room:lobby"))).containsExactly(alice);

    Pid bob = idle(b);
    b.run(() -> Pg.join("chat", "room:lobby", bob));
    b.run(() -> Pg.join("chat", "room:lobby", bob));
    b.run(() -> Pg.join("chat", "room:dev", bob));
    spinUntil(() -> a.call(() -> Pg.members("chat", "room:lobby")).size() == 3
        && a.call(() -> Pg.whichGroups("chat")).equals(List.of("room:dev", "room:lobby")), () -> "a to see bob");
    assertThat(b.call(() -> Pg.leave("chat", "room:lobby", bob))).isTrue();
    spinUntil(() -> a.call(() -> Pg.members("chat", "room:lobby")).size() == 2, () -> "a to see one leave");
    assertThat(b.call(() -> Pg.leave("chat", "room:lobby", bob))).isTrue();
    assertThat(b.call(() -> Pg.leave("chat", "room:lobby", bob))).as("not_joined").isFalse();
    spinUntil(() -> a.call(() -> Pg.members("chat", "room:lobby")).size() == 1, () -> "a to see bob leave");

    b.run(() -> Proc.send(bob, "stop"));
    spinUntil(() -> a.call(() -> Pg.whichGroups("chat")).equals(List.of("room:lobby"))
        && b.call(() -> Pg.whichGroups("chat")).equals(List.of("room:lobby")), () -> "bob's groups to go");

    assertThatThrownBy(() -> a.run(() -> Pg.join("chat", "g", seen.getFirst())))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("only processes of this node");
    assertThatThrownBy(() -> a.call(() -> Pg.members("nochat", "g")))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("Pg.start");
  }

  @Test
  @DisplayName("P29: monitors see joins and leaves; a node that goes takes its members away everywhere; "
      + "a node that comes exchanges memberships")
  void monitorsAndNodes() {
    Node a = start("a@host");
    Node b = start("b@host");
    awaitConnected(a, b);
    Pg.start(a, "jobs");
    Pg.start(b, "jobs");
    Pid early = idle(b);
    b.run(() -> Pg.join("jobs", "workers", early));
    spinUntil(() -> a.call(() -> Pg.members("jobs", "workers")).size() == 1, () -> "a to see the early worker");
    try (Inbox inbox = a.openInbox()) {
      a.spawn(() -> {
        Pg.ScopeMonitor scope = Pg.monitorScope("jobs");
        Pg.GroupMonitor group = Pg.monitor("jobs", "workers");
        Proc.send(inbox.pid(), scope);
        Proc.send(inbox.pid(), group);
        while (true) {
          Proc.send(inbox.pid(), Proc.receive());
        }
      });
      Pg.ScopeMonitor scope = next(inbox, Pg.ScopeMonitor.class);
      Pg.GroupMonitor group = next(inbox, Pg.GroupMonitor.class);
      assertThat(scope.groups()).containsOnlyKeys("workers");
      assertThat(group.members()).hasSize(1);

      // a third node comes: its scope and the others exchange what they have
      Node c = start("c@host");
      awaitConnected(a, c);
      awaitConnected(b, c);
      Pid late = idle(c);
      Pg.start(c, "jobs");
      spinUntil(() -> c.call(() -> Pg.members("jobs", "workers")).size() == 1, () -> "c to learn the early worker");
      c.run(() -> Pg.join("jobs", "workers", late));
      Pg.Notification joined = next(inbox, Pg.Notification.class);
      Pg.Notification joinedToo = next(inbox, Pg.Notification.class);
      assertThat(List.of(joined.ref(), joinedToo.ref())).containsExactlyInAnyOrder(scope.ref(), group.ref());
      assertThat(joined.change()).isEqualTo(Pg.Change.JOIN);
      assertThat(joined.pids()).singleElement().satisfies(p -> assertThat(p.nodeName()).isEqualTo("c@host"));
      spinUntil(() -> b.call(() -> Pg.members("jobs", "workers")).size() == 2, () -> "b to see the late worker");

      nodes.stop(c);
      List<Pg.Notification> left = List.of(next(inbox, Pg.Notification.class), next(inbox, Pg.Notification.class));
      assertThat(left).allSatisfy(n -> {
        assertThat(n.change()).isEqualTo(Pg.Change.LEAVE);
        assertThat(n.pids()).singleElement().satisfies(p -> assertThat(p.nodeName()).isEqualTo("c@host"));
      });
      spinUntil(() -> b.call(() -> Pg.members("jobs", "workers")).size() == 1, () -> "b to see c's worker go");
      assertThat(a.call(() -> Pg.members("jobs", "workers"))).singleElement()
          .satisfies(p -> assertThat(p.nodeName()).isEqualTo("b@host"));
      assertThat(a.call(() -> Pg.demonitor("jobs", group.ref()))).isTrue();
      assertThat(a.call(() -> Pg.demonitor("jobs", group.ref()))).isFalse();
      b.run(() -> Proc.exit(early, ExitReason.KILL));
      Pg.Notification last = next(inbox, Pg.Notification.class);
      assertThat(last.ref()).isEqualTo(scope.ref());
      assertThat(last.change()).isEqualTo(Pg.Change.LEAVE);
      assertThat(inbox.receive(java.time.Duration.ofMillis(50))).as("the group monitor is gone").isEmpty();
      assertThat(a.call(() -> Pg.whichGroups("jobs"))).isEmpty();
      assertThatThrownBy(() -> a.call(() -> Pg.monitorScope("jobs")))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("from a process");
    }
  }
}
