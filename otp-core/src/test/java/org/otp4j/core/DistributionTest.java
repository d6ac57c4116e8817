package org.otp4j.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.otp4j.core.TestSupport.WAIT;
import static org.otp4j.core.TestSupport.exitReason;
import static org.otp4j.core.TestSupport.next;
import static org.otp4j.core.TestSupport.spinUntil;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The local semantics of distribution, over an in-JVM transport: remote sends, links, monitors and
 * exit signals; {@code noconnection} for every link and monitor when a node goes down, once; node
 * monitors; pids of a dead incarnation.
 */
@DisplayName("Distribution: remote pids, links, monitors, noconnection, node monitors")
@Timeout(30)
class DistributionTest {
  private static final ExitReason BOOM = ExitReason.of("boom");

  private final List<Node> nodes = new ArrayList<>();
  private LoopbackCluster cluster;
  private Node a;
  private Node b;

  @BeforeEach
  void startTwoNodes() {
    cluster = new LoopbackCluster();
    a = start("a@host");
    b = start("b@host");
    awaitConnected(a, b);
  }

  @AfterEach
  void stopNodes() {
    for (Node n : nodes) {
      n.close();
    }
  }

  private Node start(String name) {
    // region: start
    Node billing = Node.start(name, NodeConfig.defaults().withTransport(cluster));
    // endregion: start
    nodes.add(billing);
    return billing;
  }

  private static void awaitConnected(Node x, Node y) {
    spinUntil(() -> x.connectedNodes().contains(y.name()) && y.connectedNodes().contains(x.name()),
        () -> x.name() + " and " + y.name() + " to see each other");
  }

  /**
   * Spawns on {@code node} a process registered as {@code name} that answers every {@code [from, x]}
   * with {@code [self, x]}, exits with the reason it is sent, and traps exits if told.
   */
  private static Pid echo(Node node, String name) {
    Pid p = node.spawn(() -> {
      while (true) {
        Object m = Proc.receive();
        switch (m) {
          case List<?> l when l.size() == 2 && l.get(0) instanceof Pid from ->
              Proc.send(from, List.of(Proc.self(), l.get(1)));
          case ExitReason reason -> Proc.exit(reason);
          default -> { }
        }
      }
    });
    node.run(() -> Proc.register(name, p));
    return p;
  }

  /** The pid of the process registered as {@code name} on {@code node}, as {@code inbox}'s node sees it. */
  private static Pid remotePid(Inbox inbox, String name, Node node) {
    inbox.send(Name.remote(name, node.name()), List.of(inbox.pid(), "who"));
    Object reply = next(inbox);
    assertThat(reply).isInstanceOf(List.class);
    Pid pid = (Pid) ((List<?>) reply).get(0);
    assertThat(pid.isRemote()).as("%s is remote", pid).isTrue();
    assertThat(pid.nodeName()).isEqualTo(node.name());
    return pid;
  }

  @Test
  @DisplayName("nodes have names and creations, and see each other connect")
  void nodesConnect() {
    assertThat(a.name()).isEqualTo("a@host");
    assertThat(a.isDistributed()).isTrue();
    assertThat(a.connectedNodes()).containsExactly("b@host");
    assertThat(b.connectedNodes()).containsExactly("a@host");
    assertThat(a.call(Node::list)).containsExactly("b@host");
    try (Node alone = Node.start()) {
      assertThat(alone.isDistributed()).isFalse();
      assertThat(alone.connectedNodes()).isEmpty();
    }
  }

  @Test
  @DisplayName("the distribution counters count what each node sent and applied; zero without a transport")
  void distributionStats() {
    echo(b, "echo");
    Node.DistributionStats aBefore = a.distributionStats();
    Node.DistributionStats bBefore = b.distributionStats();
    assertThat(aBefore.connectedNodes()).isEqualTo(1);
    try (Inbox inbox = a.openInbox()) {
      Pid remote = remotePid(inbox, "echo", b); // one named send there, one message back
      for (int i = 0; i < 10; i++) {
        inbox.send(remote, List.of(inbox.pid(), i));
      }
      for (int i = 0; i < 10; i++) {
        assertThat(next(inbox)).isEqualTo(List.of(remote, i));
      }
    }
    // b counts a signal as sent once its transport took it, which may be after a received it: the
    // echo's last count comes when its send returns
    spinUntil(() -> b.distributionStats().signalsSent() - bBefore.signalsSent() >= 11,
        () -> "b's count of signals sent: " + (b.distributionStats().signalsSent() - bBefore.signalsSent()));
    Node.DistributionStats aAfter = a.distributionStats();
    Node.DistributionStats bAfter = b.distributionStats();
    assertThat(aAfter.signalsSent() - aBefore.signalsSent()).isEqualTo(11);
    assertThat(aAfter.signalsReceived() - aBefore.signalsReceived()).isEqualTo(11);
    assertThat(bAfter.signalsReceived() - bBefore.signalsReceived()).isEqualTo(11);
    assertThat(bAfter.signalsSent() - bBefore.signalsSent()).isEqualTo(11);
    assertThat(aAfter.signalsDropped()).isZero();
    try (Node alone = Node.start()) {
      assertThat(alone.distributionStats()).isEqualTo(new Node.DistributionStats(0, 0, 0, 0));
    }
  }

  @Test
  @DisplayName("send to a remote pid and to {name, node}; the pid round-trips to the same process")
  void remoteSend() {
    Pid local = echo(b, "echo");
    try (Inbox inbox = a.openInbox()) {
      Pid remote = remotePid(inbox, "echo", b);
      assertThat(remote.serial()).isEqualTo(local.serial());
      assertThat(remote.creation()).isEqualTo(b.creation());
      assertThat(remote).isEqualTo(remotePid(inbox, "echo", b)).hasSameHashCodeAs(remotePid(inbox, "echo", b));
      assertThat(remote.toString()).isEqualTo("<b@host." + local.serial() + ".0>");

      inbox.send(remote, List.of(inbox.pid(), "ping"));
      assertThat(next(inbox)).isEqualTo(List.of(remote, "ping"));
      // a send to a name that nothing holds is dropped, as in Erlang, and does not fail
      inbox.send(Name.remote("nobody", b.name()), "lost");
      inbox.send(Name.remote("nobody", "unknown@host"), "lost");
    }
  }

  @Test
  @DisplayName("messages and the exit signal of one sender arrive in the order they were sent")
  void perPairOrder() {
    try (Inbox inbox = b.openInbox()) {
      inbox.trapExits(true);
      Pid collector = inbox.pid();
      Pid sender = a.spawn(() -> {
        Pid target = (Pid) Proc.receive();
        Proc.link(target);
        for (int i = 0; i < 2000; i++) {
          Proc.send(target, i);
        }
        Proc.exit(BOOM);
      });
      try (Inbox helper = a.openInbox()) {
        // hand the collector's pid to the sender as node a sees it
        b.run(() -> Proc.register("collector", collector));
        helper.send(Name.remote("collector", b.name()), List.of(helper.pid(), "who"));
        Object who = next(inbox);
        Pid helperAtB = (Pid) ((List<?>) who).get(0);
        inbox.send(helperAtB, inbox.pid());
        Pid collectorAtA = (Pid) next(helper);
        helper.send(sender, collectorAtA);
      }
      for (int i = 0; i < 2000; i++) {
        assertThat(next(inbox)).isEqualTo(i);
      }
      ExitMessage exit = next(inbox, ExitMessage.class);
      assertThat(exit.reason()).isEqualTo(BOOM);
      assertThat(exit.from().serial()).isEqualTo(sender.serial());
    }
  }

  @Test
  @DisplayName("a link across nodes carries the exit both ways; unlink removes it on both sides")
  void remoteLink() {
    echo(b, "echo");
    try (Inbox inbox = a.openInbox()) {
      inbox.trapExits(true);
      Pid remote = remotePid(inbox, "echo", b);
      inbox.link(remote);
      inbox.send(remote, BOOM);
      ExitMessage exit = next(inbox, ExitMessage.class);
      assertThat(exit.from()).isEqualTo(remote);
      assertThat(exit.reason()).isEqualTo(BOOM);
    }
    // the other way: the local process dies, the remote non-trapping linked one dies with it
    Pid victim = echo(b, "victim");
    try (Inbox inbox = a.openInbox()) {
      Pid remote = remotePid(inbox, "victim", b);
      Pid dying = a.spawn(() -> {
        Proc.link(remote);
        Proc.send(remote, List.of(Proc.self(), "linked"));
        Proc.receive(m -> m.equals("go")); // not the echo's answer
        Proc.exit(BOOM);
      });
      b.run(() -> assertThat(Proc.isAlive(victim)).isTrue());
      a.run(() -> Proc.send(dying, "go"));
      assertThat(b.call(() -> exitReason(victim))).isEqualTo(BOOM);
    }
    // unlink: the remote exit no longer reaches
    echo(b, "unlinked");
    try (Inbox inbox = a.openInbox()) {
      inbox.trapExits(true);
      Pid remote = remotePid(inbox, "unlinked", b);
      inbox.link(remote);
      inbox.unlink(remote);
      Ref mon = inbox.monitor(remote);
      inbox.send(remote, BOOM);
      Down down = next(inbox, Down.class);
      assertThat(down.ref()).isEqualTo(mon);
      assertThat(inbox.flush()).as("no exit message after unlink").isEmpty();
    }
  }

  @Test
  @DisplayName("a remote monitor gets the exit reason; demonitor stops it; a gone process gives noproc")
  void remoteMonitor() {
    echo(b, "echo");
    try (Inbox inbox = a.openInbox()) {
      Pid remote = remotePid(inbox, "echo", b);
      Ref dropped = inbox.monitor(remote);
      assertThat(inbox.demonitor(dropped)).isTrue();
      Ref ref = inbox.monitor(remote);
      inbox.send(remote, BOOM);
      Down down = next(inbox, Down.class);
      assertThat(down.ref()).isSameAs(ref);
      assertThat(down.target()).isEqualTo(remote);
      assertThat(down.reason()).isEqualTo(BOOM);
      // the process is gone now, on a live node: monitor and link give noproc
      Ref lateRef = inbox.monitor(remote);
      assertThat(next(inbox, Down.class)).isEqualTo(new Down(lateRef, remote, ExitReason.NOPROC));
      inbox.trapExits(true);
      inbox.link(remote);
      assertThat(next(inbox, ExitMessage.class).reason()).isEqualTo(ExitReason.NOPROC);
      assertThat(inbox.flush()).as("the dropped monitor fired nothing").isEmpty();
    }
  }

  @Test
  @DisplayName("exit(pid, reason) reaches a remote process; kill arrives as killed")
  void remoteExitSignal() {
    Pid trapping = b.spawn(() -> {
      Proc.trapExits(true);
      Proc.receive(); // the exit message
      Proc.exit(BOOM);
    });
    b.run(() -> Proc.register("trapping", trapping));
    Pid plain = echo(b, "plain");
    try (Inbox inbox = a.openInbox()) {
      inbox.send(Name.remote("trapping", b.name()), "ping");
      Pid remotePlain = remotePid(inbox, "plain", b);
      Ref mon = inbox.monitor(remotePlain);
      inbox.exit(remotePlain, ExitReason.KILL);
      Down down = next(inbox, Down.class);
      assertThat(down.ref()).isEqualTo(mon);
      assertThat(down.reason()).isEqualTo(ExitReason.KILLED);
      assertThat(b.call(() -> exitReason(plain))).isEqualTo(ExitReason.KILLED);
    }
    assertThat(b.call(() -> Proc.isAlive(trapping))).isFalse();
  }

  @Test
  @DisplayName("a node going down fires every link and monitor to it with noconnection, once, and node monitors")
  void noconnection() {
    Pid oneAtB = echo(b, "one");
    Pid twoAtB = echo(b, "two");
    List<Object> nodeEvents = new ArrayList<>();
    try (Inbox inbox = a.openInbox(); Inbox watcher = a.openInbox()) {
      Pid relay = a.spawn(() -> {
        Proc.monitorNodes(true);
        Proc.monitorNode(b.name());
        Proc.monitorNode(b.name());
        Proc.send(watcher.pid(), "ready");
        while (true) {
          Proc.send(watcher.pid(), Proc.receive());
        }
      });
      assertThat(next(watcher)).isEqualTo("ready");
      inbox.trapExits(true);
      Pid one = remotePid(inbox, "one", b);
      Pid two = remotePid(inbox, "two", b);
      inbox.link(one);
      inbox.link(two);
      Ref m1 = inbox.monitor(one);
      Ref m2 = inbox.monitor(one);
      // a linked, non-trapping process on a dies with noconnection
      Pid linked = a.spawn(() -> {
        Proc.link(two);
        Proc.send(inbox.pid(), "linked");
        Proc.receive();
      });
      assertThat(next(inbox)).isEqualTo("linked");

      cluster.disconnect(a, b);

      List<Object> got = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        got.add(inbox.receive(m -> m instanceof ExitMessage || m instanceof Down, WAIT).orElseThrow());
      }
      assertThat(got).containsExactlyInAnyOrder(
          new ExitMessage(one, ExitReason.NOCONNECTION), new ExitMessage(two, ExitReason.NOCONNECTION),
          new Down(m1, one, ExitReason.NOCONNECTION), new Down(m2, one, ExitReason.NOCONNECTION));
      assertThat(a.call(() -> exitReason(linked))).isEqualTo(ExitReason.NOCONNECTION);
      for (int i = 0; i < 3; i++) {
        nodeEvents.add(next(watcher));
      }
      assertThat(nodeEvents).containsExactly(new NodeDown(b.name(), "disconnected"),
          new NodeDown(b.name(), "disconnected"), new NodeDown(b.name(), "disconnected"));

      // on b, the processes linked to a's went down with noconnection too
      assertThat(b.call(() -> exitReason(oneAtB))).isEqualTo(ExitReason.NOCONNECTION);
      assertThat(b.call(() -> exitReason(twoAtB))).isEqualTo(ExitReason.NOCONNECTION);

      // exactly once: a node that comes back fires nothing old again
      cluster.reconnect(a, b);
      assertThat(next(watcher)).isEqualTo(new NodeUp(b.name()));
      awaitConnected(a, b);
      echo(b, "three");
      Pid three = remotePid(inbox, "three", b);
      inbox.send(three, List.of(inbox.pid(), "after"));
      assertThat(next(inbox)).isEqualTo(List.of(three, "after"));
      assertThat(inbox.flush()).isEmpty();
      assertThat(watcher.flush()).isEmpty();
      a.run(() -> Proc.exit(relay, ExitReason.KILL));
    }
  }

  @Test
  @DisplayName("links and monitors to a node that is not connected fire noconnection at once")
  void notConnected() {
    echo(b, "echo");
    try (Inbox inbox = a.openInbox()) {
      Pid remote = remotePid(inbox, "echo", b);
      cluster.disconnect(a, b);
      spinUntil(() -> a.connectedNodes().isEmpty(), () -> "a to see b go down");
      Ref ref = inbox.monitor(remote);
      assertThat(next(inbox, Down.class)).isEqualTo(new Down(ref, remote, ExitReason.NOCONNECTION));
      inbox.trapExits(true);
      inbox.link(remote);
      assertThat(next(inbox, ExitMessage.class)).isEqualTo(new ExitMessage(remote, ExitReason.NOCONNECTION));
      inbox.send(remote, "dropped"); // no failure
      Pid nonTrapping = a.spawn(() -> Proc.link(remote));
      assertThat(a.call(() -> exitReason(nonTrapping))).isEqualTo(ExitReason.NOCONNECTION);
      Pid nodeWatcher = a.spawn(() -> {
        Proc.monitorNode(b.name());
        Proc.send(inbox.pid(), Proc.receive());
      });
      assertThat(next(inbox)).isEqualTo(new NodeDown(b.name(), "not_connected"));
      assertThat(a.call(() -> exitReason(nodeWatcher))).isEqualTo(ExitReason.NORMAL);
    }
  }

  @Test
  @DisplayName("a restarted node's old pids are dead: send dropped, monitor and link give noproc")
  void deadIncarnation() {
    echo(b, "echo");
    try (Inbox inbox = a.openInbox()) {
      Pid old = remotePid(inbox, "echo", b);
      int oldCreation = b.creation();
      b.close();
      nodes.remove(b);
      spinUntil(() -> a.connectedNodes().isEmpty(), () -> "a to see b go down");
      b = start("b@host");
      assertThat(b.creation()).isNotEqualTo(oldCreation);
      awaitConnected(a, b);
      Pid reborn = echo(b, "echo");
      assertThat(reborn.serial()).isEqualTo(old.serial()); // same serial, other incarnation

      Pid fresh = remotePid(inbox, "echo", b);
      assertThat(fresh).isNotEqualTo(old);
      inbox.send(old, List.of(inbox.pid(), "to the dead"));
      inbox.send(fresh, List.of(inbox.pid(), "to the living"));
      assertThat(next(inbox)).isEqualTo(List.of(fresh, "to the living"));
      Ref ref = inbox.monitor(old);
      assertThat(next(inbox, Down.class)).isEqualTo(new Down(ref, old, ExitReason.NOPROC));
      assertThatThrownBy(() -> inbox.link(old)).isInstanceOf(NoProcException.class);
      assertThat(inbox.flush()).isEmpty();
    }
  }

  /** A request of the tests' call server. */
  record Ask(From from, Object question) {}

  /**
   * Spawns on {@code node} a server registered as {@code name}: it answers {@code Ask(from, q)} with
   * {@code ["answer", q]}, exits with {@code q} if it is an exit reason, and tells {@code told} of
   * (without answering) a question "hold".
   */
  private static Pid server(Node node, String name, Pid told) {
    Pid p = node.spawn(() -> {
      while (true) {
        Object m = Proc.receive();
        switch (m) {
          case Ask(From from, ExitReason reason) -> Proc.exit(reason);
          case Ask(From from, String q) when q.equals("hold") -> Proc.send(told, "holding");
          case Ask(From from, Object q) -> from.reply(List.of("answer", q));
          case List<?> l when l.size() == 2 && l.get(0) instanceof Pid from -> Proc.send(from, List.of(Proc.self(), "x"));
          default -> { }
        }
      }
    });
    node.run(() -> Proc.register(name, p));
    return p;
  }

  @Test
  @DisplayName("call on a remote pid: the reply, the server's exit reason, noproc, timeout")
  void remoteCall() {
    try (Inbox inbox = a.openInbox(); Inbox told = b.openInbox()) {
      server(b, "server", told.pid());
      Pid remote = remotePid(inbox, "server", b);
      assertThat(a.call(() -> Proc.call(remote, from -> new Ask(from, "q1"), WAIT))).isEqualTo(List.of("answer", "q1"));
      Pid caller = a.spawn(() -> Proc.send(inbox.pid(), Proc.call(remote, from -> new Ask(from, 7), WAIT)));
      assertThat(next(inbox)).isEqualTo(List.of("answer", 7));
      assertThat(a.call(() -> exitReason(caller))).isEqualTo(ExitReason.NORMAL);

      assertThatThrownBy(() -> a.call(() -> Proc.call(remote, from -> new Ask(from, "hold"),
          java.time.Duration.ofMillis(200))))
          .isInstanceOf(CallException.class)
          .satisfies(e -> assertThat(((CallException) e).reason()).isEqualTo(ExitReason.TIMEOUT));
      assertThat(next(told)).isEqualTo("holding");
      assertThatThrownBy(() -> a.call(() -> Proc.call(remote, from -> new Ask(from, BOOM), WAIT)))
          .isInstanceOf(CallException.class)
          .satisfies(e -> assertThat(((CallException) e).reason()).isEqualTo(BOOM));
      assertThatThrownBy(() -> a.call(() -> Proc.call(remote, from -> new Ask(from, "late"), WAIT)))
          .isInstanceOf(CallException.class)
          .satisfies(e -> assertThat(((CallException) e).reason()).isEqualTo(ExitReason.NOPROC));
      assertThat(inbox.flush()).isEmpty();
    }
  }

  @Test
  @DisplayName("a call whose server's node goes down fails with noconnection, it does not hang")
  void callNoconnection() {
    try (Inbox inbox = a.openInbox(); Inbox told = b.openInbox()) {
      server(b, "server", told.pid());
      Pid remote = remotePid(inbox, "server", b);
      Pid caller = a.spawn(() -> {
        try {
          Proc.call(remote, from -> new Ask(from, "hold"), Proc.INFINITY);
        } catch (CallException e) {
          Proc.send(inbox.pid(), e.reason());
        }
      });
      assertThat(next(told)).isEqualTo("holding");
      cluster.disconnect(a, b);
      assertThat(next(inbox)).isEqualTo(ExitReason.NOCONNECTION);
      assertThat(a.call(() -> exitReason(caller))).isEqualTo(ExitReason.NORMAL);
      // and a call while the node is away fails at once
      assertThatThrownBy(() -> a.call(() -> Proc.call(remote, from -> new Ask(from, "q"), WAIT)))
          .isInstanceOf(CallException.class)
          .satisfies(e -> assertThat(((CallException) e).reason()).isEqualTo(ExitReason.NOCONNECTION));
    }
  }

  @Test
  @DisplayName("call on {Name, Node}: resolved on the node; noproc for no such name; the server's exit; "
      + "noconnection when the node goes down mid-call or is not connected")
  void remoteNameCall() {
    try (Inbox told = b.openInbox()) {
      Pid server = server(b, "server", told.pid());
      Name byName = Name.remote("server", b.name());
      assertThat(a.call(() -> Proc.call(byName, from -> new Ask(from, "q1"), WAIT))).isEqualTo(List.of("answer", "q1"));
      assertThat(a.call(() -> Proc.call(ServerRef.remote("server", b.name()), from -> new Ask(from, 2), WAIT)))
          .isEqualTo(List.of("answer", 2));
      assertThatThrownBy(() -> a.call(() -> Proc.call(Name.remote("nobody", b.name()), from -> new Ask(from, "q"),
          WAIT)))
          .isInstanceOf(CallException.class)
          .satisfies(e -> assertThat(((CallException) e).reason()).isEqualTo(ExitReason.NOPROC));
      assertThatThrownBy(() -> a.call(() -> Proc.call(byName, from -> new Ask(from, BOOM), WAIT)))
          .isInstanceOf(CallException.class)
          .satisfies(e -> assertThat(((CallException) e).reason()).isEqualTo(BOOM));
      assertThat(b.call(() -> exitReason(server))).isEqualTo(BOOM);
      server(b, "server", told.pid());
      java.util.concurrent.CompletableFuture<ExitReason> outcome = new java.util.concurrent.CompletableFuture<>();
      a.spawn(() -> {
        try {
          Proc.call(byName, from -> new Ask(from, "hold"), Proc.INFINITY);
        } catch (CallException e) {
          outcome.complete(e.reason());
        }
      });
      assertThat(next(told)).isEqualTo("holding");
      cluster.disconnect(a, b);
      assertThat(outcome.orTimeout(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS).join())
          .isEqualTo(ExitReason.NOCONNECTION);
      assertThatThrownBy(() -> a.call(() -> Proc.call(byName, from -> new Ask(from, "q"), WAIT)))
          .isInstanceOf(CallException.class)
          .satisfies(e -> assertThat(((CallException) e).reason()).isEqualTo(ExitReason.NOCONNECTION));
    }
  }

  @Test
  @DisplayName("sendRequest to a remote pid, from a process and from a plain thread: several in flight, "
      + "answered in any order; the server's exit reason; noproc; timeout (G13)")
  void remoteSendRequest() {
    try (Inbox inbox = a.openInbox(); Inbox told = b.openInbox()) {
      server(b, "server", told.pid());
      Pid remote = remotePid(inbox, "server", b);
      Pid requester = a.spawn(() -> {
        List<RequestId<Object>> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
          int q = i;
          ids.add(Proc.sendRequest(remote, from -> new Ask(from, q)));
        }
        List<Object> answers = new ArrayList<>();
        for (int i = ids.size() - 1; i >= 0; i--) {
          answers.add(ids.get(i).receiveResponse(WAIT));
        }
        Proc.send(inbox.pid(), answers);
      });
      assertThat(next(inbox)).isEqualTo(List.of(List.of("answer", 4), List.of("answer", 3), List.of("answer", 2),
          List.of("answer", 1), List.of("answer", 0)));
      assertThat(a.call(() -> exitReason(requester))).isEqualTo(ExitReason.NORMAL);

      assertThat(a.call(() -> Proc.sendRequest(remote, from -> new Ask(from, "plain")).receiveResponse(WAIT)))
          .isEqualTo(List.of("answer", "plain"));

      RequestId<Object> held = a.call(() -> Proc.sendRequest(remote, from -> new Ask(from, "hold")));
      assertThat(next(told)).isEqualTo("holding");
      assertThatThrownBy(() -> held.waitResponse(java.time.Duration.ofMillis(50)))
          .isInstanceOf(CallException.class)
          .satisfies(e -> assertThat(((CallException) e).reason()).isEqualTo(ExitReason.TIMEOUT));
      held.abandon();

      RequestId<Object> dying = a.call(() -> Proc.sendRequest(remote, from -> new Ask(from, BOOM)));
      assertThatThrownBy(() -> dying.receiveResponse(WAIT))
          .isInstanceOf(CallException.class)
          .satisfies(e -> assertThat(((CallException) e).reason()).isEqualTo(BOOM));
      RequestId<Object> toDead = a.call(() -> Proc.sendRequest(remote, from -> new Ask(from, "late")));
      assertThatThrownBy(() -> toDead.receiveResponse(WAIT))
          .isInstanceOf(CallException.class)
          .satisfies(e -> assertThat(((CallException) e).reason()).isEqualTo(ExitReason.NOPROC));
      assertThat(inbox.flush()).isEmpty();
    }
  }

  @Test
  @DisplayName("sendRequest to {Name, Node}: resolved there, noproc for no such name; a request whose "
      + "server's node goes down ends with noconnection, and one to a node not connected at once (G13)")
  void remoteNameSendRequest() {
    try (Inbox told = b.openInbox()) {
      server(b, "server", told.pid());
      Name byName = Name.remote("server", b.name());
      assertThat(a.call(() -> Proc.sendRequest(byName, from -> new Ask(from, "q1")).receiveResponse(WAIT)))
          .isEqualTo(List.of("answer", "q1"));
      RequestId<Object> nobody = a.call(() -> Proc.sendRequest(Name.remote("nobody", b.name()),
          from -> new Ask(from, "q")));
      assertThatThrownBy(() -> nobody.receiveResponse(WAIT))
          .isInstanceOf(CallException.class)
          .satisfies(e -> assertThat(((CallException) e).reason()).isEqualTo(ExitReason.NOPROC));

      java.util.concurrent.CompletableFuture<ExitReason> outcome = new java.util.concurrent.CompletableFuture<>();
      a.spawn(() -> {
        RequestId<Object> id = Proc.sendRequest(byName, from -> new Ask(from, "hold"));
        try {
          id.receiveResponse(Proc.INFINITY);
        } catch (CallException e) {
          outcome.complete(e.reason());
        }
      });
      assertThat(next(told)).isEqualTo("holding");
      cluster.disconnect(a, b);
      assertThat(outcome.orTimeout(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS).join())
          .isEqualTo(ExitReason.NOCONNECTION);
      RequestId<Object> away = a.call(() -> Proc.sendRequest(byName, from -> new Ask(from, "q")));
      assertThatThrownBy(() -> away.receiveResponse(WAIT))
          .isInstanceOf(CallException.class)
          .satisfies(e -> assertThat(((CallException) e).reason()).isEqualTo(ExitReason.NOCONNECTION));
    }
  }

  @Test
  @DisplayName("a node that stops fails its plain threads' calls to other nodes with noconnection")
  void stopFailsRemoteCalls() throws Exception {
    try (Inbox inbox = a.openInbox(); Inbox told = b.openInbox()) {
      server(b, "server", told.pid());
      Pid remote = remotePid(inbox, "server", b);
      java.util.concurrent.CompletableFuture<ExitReason> outcome = new java.util.concurrent.CompletableFuture<>();
      Thread.ofVirtual().start(() -> a.run(() -> {
        try {
          Proc.call(remote, from -> new Ask(from, "hold"), Proc.INFINITY);
        } catch (CallException e) {
          outcome.complete(e.reason());
        }
      }));
      assertThat(next(told)).isEqualTo("holding");
      a.stop();
      assertThat(outcome.get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS))
          .isEqualTo(ExitReason.NOCONNECTION);
    }
  }

  @Test
  @DisplayName("operations that only make sense locally fail with a clear error on a remote pid")
  void localOnly() {
    echo(b, "echo");
    try (Inbox inbox = a.openInbox()) {
      Pid remote = remotePid(inbox, "echo", b);
      assertThatThrownBy(() -> a.run(() -> Proc.register("stolen", remote)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("only a process of this node");
      assertThatThrownBy(() -> a.run(() -> Proc.awaitExit(remote, WAIT)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("monitor it");
      assertThat(a.call(() -> Proc.info(remote))).isEmpty();
    }
  }

  @Test
  @DisplayName("P15: a name on another node is monitored there; its DOWN names {Name, Node}")
  void monitorRemoteName() {
    echo(b, "echo");
    try (Inbox inbox = a.openInbox()) {
      Name name = Name.remote("echo", b.name());
      Ref ref = inbox.monitor(name);
      inbox.send(name, ExitReason.of("boom"));
      assertThat(next(inbox)).isEqualTo(new Down(ref, name, ExitReason.of("boom")));
      Ref none = inbox.monitor(name);
      assertThat(next(inbox)).isEqualTo(new Down(none, name, ExitReason.NOPROC));
    }
  }
}
