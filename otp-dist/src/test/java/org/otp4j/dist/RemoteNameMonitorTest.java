package org.otp4j.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.otp4j.dist.TestNodes.awaitConnected;
import static org.otp4j.dist.TestNodes.next;

import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.otp4j.core.Down;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Inbox;
import org.otp4j.core.Name;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.core.Ref;

/**
 * Monitoring a registered name on another node ({@code monitor(process, {Name, Node})}): the name is
 * resolved there, once, and the DOWN names {@code {Name, Node}} (OTP-SEMANTICS P15).
 */
@DisplayName("Monitoring {Name, Node}: resolved on its node, DOWN with the name, noproc, noconnection")
@Timeout(60)
class RemoteNameMonitorTest {
  private static final ExitReason BOOM = ExitReason.of("boom");

  private final Cluster cluster = Cluster.inJvm("test-" + UUID.randomUUID()).withSecret("let me in")
      .withCodec(TermCodec.builder().allow(Ping.class).build());
  private final TestNodes.Started nodes = new TestNodes.Started();

  @AfterEach
  void stop() {
    nodes.close();
  }

  /** Starts an echo process ({@link Ping#echo}) on {@code node}, registered as {@code name}. */
  private static Pid registered(Node node, String name) {
    Pid pid = node.spawn(Ping::echo);
    node.run(() -> Proc.register(name, pid));
    return pid;
  }

  @Test
  @DisplayName("P15: from a process, the DOWN of a remote name carries {Name, Node} and the exit reason")
  void fromAProcess() {
    Node a = nodes.start("a@host", cluster);
    Node b = nodes.start("b@host", cluster);
    awaitConnected(a, b);
    Pid worker = registered(b, "worker");
    Name name = Name.remote("worker", "b@host");
    try (Inbox inbox = a.openInbox()) {
      a.spawn(() -> {
        Ref ref = Proc.monitor(name);
        Proc.send(inbox.pid(), ref);
        Proc.send(inbox.pid(), Proc.receive(m -> m instanceof Down));
      });
      Ref ref = next(inbox, Ref.class);
      awaitMonitors(b, worker, 1);
      b.run(() -> Proc.send(worker, BOOM));
      Down down = next(inbox, Down.class);
      assertThat(down).isEqualTo(new Down(ref, name, BOOM));
      assertThat(down.name()).contains(name);
      assertThat(down.pid()).isEmpty();
    }
  }

  @Test
  @DisplayName("P15: from a plain thread's inbox; a name registered to nobody there gives noproc at once")
  void fromAnInboxAndNoproc() {
    Node a = nodes.start("a@host", cluster);
    Node b = nodes.start("b@host", cluster);
    awaitConnected(a, b);
    Pid worker = registered(b, "worker");
    try (Inbox inbox = a.openInbox()) {
      Ref missing = inbox.monitor(Name.remote("nobody", "b@host"));
      assertThat(next(inbox, Down.class)).isEqualTo(new Down(missing, Name.remote("nobody", "b@host"),
          ExitReason.NOPROC));
      Ref ref = inbox.monitor(Name.remote("worker", "b@host"));
      // a ping through the worker's node after the monitor: per-pair order puts the monitor first
      inbox.send(Name.remote("worker", "b@host"), BOOM);
      assertThat(next(inbox, Down.class)).isEqualTo(new Down(ref, Name.remote("worker", "b@host"), BOOM));
      assertThat(b.call(() -> Proc.isAlive(worker))).isFalse();
      assertThat(inbox.flush()).as("each monitor fired once").isEmpty();
    }
  }

  @Test
  @DisplayName("a demonitored remote name leaves no monitor on its node and sends no DOWN")
  void demonitor() {
    Node a = nodes.start("a@host", cluster);
    Node b = nodes.start("b@host", cluster);
    awaitConnected(a, b);
    Pid worker = registered(b, "worker");
    try (Inbox inbox = a.openInbox()) {
      Ref byName = inbox.monitor(Name.remote("worker", "b@host"));
      awaitMonitors(b, worker, 1);
      assertThat(inbox.demonitor(byName)).isTrue();
      assertThat(inbox.demonitor(byName)).as("a second demonitor finds nothing").isFalse();
      awaitMonitors(b, worker, 0);
      inbox.send(Name.remote("worker", "b@host"), new Ping(inbox.pid(), "who"));
      Pid remote = next(inbox, Ping.class).from();
      assertThat(remote.isRemote()).isTrue();
      Ref byPid = inbox.monitor(remote);
      inbox.send(Name.remote("worker", "b@host"), BOOM);
      assertThat(next(inbox, Down.class)).isEqualTo(new Down(byPid, remote, BOOM));
      assertThat(inbox.flush()).as("no DOWN for the demonitored name").isEmpty();
    }
  }

  private static void awaitMonitors(Node node, Pid pid, int count) {
    TestNodes.spinUntil(() -> node.call(() -> Proc.info(pid).orElseThrow().monitoredBy().size()) == count,
        () -> pid + " to be monitored " + count + " time(s) on " + node.name());
  }

  @Test
  @DisplayName("the node going down fires a remote-name monitor once, with noconnection; not connected: at once")
  void noconnection() {
    Node a = nodes.start("a@host", cluster);
    Node b = nodes.start("b@host", cluster);
    awaitConnected(a, b);
    registered(b, "worker");
    try (Inbox inbox = a.openInbox()) {
      Ref ref = inbox.monitor(Name.remote("worker", "b@host"));
      // the monitor reached b: a request through the same pair, answered, comes after it
      Pid echo = b.spawn(Ping::echo);
      b.run(() -> Proc.register("echo", echo));
      inbox.send(Name.remote("echo", "b@host"), new Ping(inbox.pid(), "after the monitor"));
      assertThat(next(inbox, Ping.class).text()).isEqualTo("after the monitor");
      nodes.stop(b);
      assertThat(next(inbox, Down.class)).isEqualTo(new Down(ref, Name.remote("worker", "b@host"),
          ExitReason.NOCONNECTION));
      Ref elsewhere = inbox.monitor(Name.remote("worker", "nowhere@host"));
      assertThat(next(inbox, Down.class)).isEqualTo(new Down(elsewhere, Name.remote("worker", "nowhere@host"),
          ExitReason.NOCONNECTION));
      assertThat(inbox.flush()).as("nothing fired twice").isEmpty();
    }
  }
}
