package org.otp4j.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.otp4j.core.TestSupport.assertCrashReport;
import static org.otp4j.core.TestSupport.exitReason;
import static org.otp4j.core.TestSupport.next;
import static org.otp4j.core.TestSupport.onNode;
import static org.otp4j.core.TestSupport.spinUntil;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.otp4j.core.TestSupport.Reports;

@DisplayName("Nodes: several per JVM, stop, termination")
class NodeTest {

  @Test
  @DisplayName("Several nodes in one JVM: distinct indices and pids, messages cross between them")
  void severalNodes() {
    try (Node a = Node.start(NodeConfig.defaults().withName("alpha"));
        Node b = Node.start(NodeConfig.defaults().withName("beta"));
        Inbox inbox = b.openInbox()) {
      Pid me = inbox.pid();
      Pid onA = a.spawn(() -> Proc.send(me, List.of(Node.current().name(), Proc.self())));

      assertThat(a.index()).isNotEqualTo(b.index()).isPositive();
      assertThat(b.index()).isPositive();
      assertThat(a.name()).isEqualTo("alpha");
      assertThat(onA.node()).isSameAs(a);
      assertThat(me.node()).isSameAs(b);
      assertThat(onA.toString()).startsWith("<" + a.index() + ".");
      assertThat(next(inbox)).isEqualTo(List.of("alpha", onA));
    }
  }

  @Test
  @DisplayName("Stopping one node leaves the processes of another untouched")
  void nodesAreIndependent() {
    try (Node a = Node.start(); Node b = Node.start(); Inbox inbox = b.openInbox()) {
      Pid onA = a.spawn(TestSupport::idle);
      Pid onB = b.spawn(TestSupport::idle);

      a.stop();

      assertThat(exitReason(onA)).isEqualTo(ExitReason.KILLED);
      assertThat(Proc.isAlive(onB)).isTrue();
      assertThat(b.isStopped()).isFalse();
      assertThat(b.processCount()).isEqualTo(2);
      assertThat(inbox.isAlive()).isTrue();
    }
  }

  @Test
  @DisplayName("stop() kills every process (in receive, blocked in the JDK, or in an inbox) with reason killed")
  void stopKillsEverything() {
    CountDownLatch never = new CountDownLatch(1);
    Node node = Node.start();
    Inbox inbox = node.openInbox();
    Pid receiving = node.spawn(TestSupport::idle);
    Pid blocked = node.spawn(never::await);
    Pid trapping = node.spawn(SpawnOptions.defaults().withTrapExits(true), TestSupport::idle);
    List<Pid> all = List.of(inbox.pid(), receiving, blocked, trapping);

    node.stop();

    assertThat(node.isStopped()).isTrue();
    for (Pid p : all) {
      assertThat(Proc.awaitExit(p, Duration.ZERO)).as("%s", p).contains(ExitReason.KILLED);
    }
    assertThat(node.awaitTermination(TestSupport.WAIT)).isTrue();
    assertThat(node.processCount()).isZero();
    assertThat(node.processes()).isEmpty();
    assertThatThrownBy(inbox::receive).isInstanceOf(ProcessTerminated.class);
    node.close(); // idempotent
  }

  @Test
  @DisplayName("After stop: spawn and openInbox throw NodeStoppedException, which says what to do")
  void spawnOnAStoppedNode() {
    Node node = Node.start(NodeConfig.defaults().withName("gone"));
    node.stop();

    assertThatThrownBy(() -> node.spawn(() -> {}))
        .isInstanceOf(NodeStoppedException.class)
        .hasMessage("node " + node + " has been stopped: start a new node with Node.start()");
    assertThatThrownBy(node::openInbox).isInstanceOf(NodeStoppedException.class);
    assertThat(node.stats().spawned()).isZero();
  }

  @Test
  @DisplayName("A process spawning on its own stopped node unwinds (it was killed by the stop)")
  void spawnFromAProcessOfAStoppedNode() {
    CountDownLatch stopped = new CountDownLatch(1);
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    CountDownLatch done = new CountDownLatch(1);
    Node node = Node.start();
    Pid p = node.spawn(() -> {
      try {
        stopped.await();
      } catch (InterruptedException e) {
        // the stop interrupts the killed process; go on to the runtime call below
      }
      try {
        Proc.spawn(() -> {});
      } catch (Throwable t) {
        thrown.set(t);
        throw t;
      } finally {
        done.countDown();
      }
    });

    spinUntil(() -> Proc.info(p).map(i -> i.status() == ProcessStatus.BLOCKED).orElse(false),
        () -> p + " to block on the latch"); // a process killed before it runs never runs its body

    node.stop();
    stopped.countDown();

    assertThat(exitReason(p)).isEqualTo(ExitReason.KILLED);
    assertThat(node.awaitTermination(TestSupport.WAIT)).isTrue();
    assertThat(done.getCount()).isZero();
    // The process was killed by the stop: like any runtime call of a killed process, spawn throws
    // ProcessTerminated, which a catch (Exception e) in its code cannot swallow.
    assertThat(thrown.get()).isInstanceOf(ProcessTerminated.class);
  }

  @Test
  @DisplayName("awaitTermination waits for threads: false while a killed process still computes, true after")
  void awaitTerminationWaitsForZombies() {
    AtomicBoolean spinning = new AtomicBoolean();
    AtomicBoolean release = new AtomicBoolean();
    Node node = Node.start();
    try {
      Pid busy = node.spawn(() -> {
        spinning.set(true);
        while (!release.get()) {
          Thread.onSpinWait();
        }
        Proc.send(Proc.self(), "unwind here");
      });
      spinUntil(spinning::get, () -> "the busy process to start");

      node.stop();

      assertThat(Proc.isAlive(busy)).isFalse();
      assertThat(node.awaitTermination(Duration.ofMillis(50))).isFalse();
    } finally {
      release.set(true);
    }
    assertThat(node.awaitTermination(TestSupport.WAIT)).isTrue();
  }

  @Test
  @DisplayName("Node.current(): a process's node inside it; on a plain thread the node bound by run()")
  void currentNode() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid me = inbox.pid();
      node.spawn(() -> Proc.send(me, Node.current()));

      assertThat(next(inbox)).isSameAs(node);
      assertThat(onNode(node, Node::current)).isSameAs(node);
      assertThat(Node.current()).isNotSameAs(node);
    }
  }

  @Test
  @DisplayName("Node.stats() counts spawned, alive and crashed processes")
  void stats() {
    IllegalStateException crash = new IllegalStateException("counted");
    try (Node node = Node.start(); Reports reports = Reports.capture(node)) {
      List<Pid> pids = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        pids.add(node.spawn(() -> {}));
      }
      Pid crasher = node.spawn(() -> {
        throw crash;
      });
      Pid alive = node.spawn(TestSupport::idle);
      pids.forEach(TestSupport::exitReason);
      exitReason(crasher);
      TestSupport.awaitProcessCount(node, 1);
      // the crash is counted before the exit is visible
      assertThat(node.stats().crashed()).isEqualTo(1);

      Node.Stats stats = node.stats();

      assertThat(stats.spawned()).isEqualTo(7);
      assertThat(stats.alive()).isEqualTo(1);
      assertThat(stats.crashed()).isEqualTo(1);
      assertThat(stats.runaways()).isZero();
      assertThat(Proc.isAlive(alive)).isTrue();
      assertThat(reports.errorsAfterStop()).satisfiesExactly(r -> assertCrashReport(r, crasher, crash));
    }
  }

  @Test
  @DisplayName("Node.stats().exitedAbnormally() counts every exit but normal and shutdown, inboxes apart")
  void abnormalExits() {
    try (Node node = Node.start(); Reports reports = Reports.capture(node)) {
      List<Pid> orderly = List.of(node.spawn(() -> {}), node.spawn(() -> Proc.exit(ExitReason.SHUTDOWN)),
          node.spawn(() -> Proc.exit(ExitReason.shutdown("done"))));
      orderly.forEach(TestSupport::exitReason);
      node.openInbox().close();
      assertThat(node.stats().exitedAbnormally()).isZero();

      Pid custom = node.spawn(() -> Proc.exit(ExitReason.of("boom")));
      assertThat(exitReason(custom)).isEqualTo(ExitReason.of("boom"));
      assertThat(node.stats().exitedAbnormally()).isEqualTo(1);

      Pid killed = node.spawn(TestSupport::idle);
      Proc.exit(killed, ExitReason.KILL);
      assertThat(exitReason(killed)).isEqualTo(ExitReason.KILLED);
      assertThat(node.stats().exitedAbnormally()).isEqualTo(2);

      IllegalStateException crash = new IllegalStateException("counted twice over");
      Pid crasher = node.spawn(() -> {
        throw crash;
      });
      exitReason(crasher);
      Node.Stats stats = node.stats();
      assertThat(stats.exitedAbnormally()).isEqualTo(3);
      assertThat(stats.crashed()).isEqualTo(1);
      assertThat(reports.errorsAfterStop()).satisfiesExactly(r -> assertCrashReport(r, crasher, crash));
    }
  }

  @Test
  @DisplayName("Node.load(): waiting processes, queued messages, the longest mailbox; the scheduler's carriers")
  void load() {
    try (Node node = Node.start(NodeConfig.defaults().withScheduler(Scheduler.local(2)))) {
      Pid a = node.spawn(() -> Proc.receive(m -> m.equals("go"), Proc.INFINITY));
      Pid b = node.spawn(() -> Proc.receive(m -> m.equals("go"), Proc.INFINITY));
      for (int i = 0; i < 3; i++) {
        Proc.send(a, i);
      }
      Proc.send(b, "x");
      spinUntil(() -> node.load().waiting() == 2 && node.load().queued() == 4,
          () -> "two processes waiting with 4 messages, got " + node.load());
      Node.Load load = node.load();
      assertThat(load.longestMailbox()).isEqualTo(3);
      assertThat(load.running()).isZero();
      assertThat(node.scheduler().carriers()).isEqualTo(node.scheduler() instanceof Scheduler.Local ? 2
          : Runtime.getRuntime().availableProcessors());
      Proc.send(a, "go");
      assertThat(exitReason(a)).isEqualTo(ExitReason.NORMAL);
      assertThat(node.load().longestMailbox()).isEqualTo(1);
    }
  }

  @Test
  @DisplayName("NodeConfig validates its settings")
  void config() {
    assertThatThrownBy(() -> NodeConfig.defaults().withRunawayThreshold(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("runawayThreshold must be positive, got PT0S");
    assertThat(NodeConfig.defaults().runawayThreshold()).isEqualTo(Duration.ofSeconds(1));
  }
}
