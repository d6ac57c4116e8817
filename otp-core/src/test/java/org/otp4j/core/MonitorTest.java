package org.otp4j.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.otp4j.core.TestSupport.assertCrashReport;
import static org.otp4j.core.TestSupport.awaitProcessCount;
import static org.otp4j.core.TestSupport.exitReason;
import static org.otp4j.core.TestSupport.idle;
import static org.otp4j.core.TestSupport.next;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.otp4j.core.TestSupport.Reports;

@DisplayName("Monitors (P14-P17)")
class MonitorTest {
  private static final ExitReason BOOM = ExitReason.of("boom");

  private static Proc.Body exitOnMessage(ExitReason reason) {
    return () -> {
      Proc.receive();
      Proc.exit(reason);
    };
  }

  @Test
  @DisplayName("P14: a monitor delivers Down(ref, pid, reason) when the target terminates")
  void downOnExit() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid b = node.spawn(exitOnMessage(BOOM));
      Ref ref = inbox.monitor(b);
      assertThat(inbox.flush()).isEmpty();

      inbox.send(b, "go");

      assertThat(next(inbox)).isEqualTo(new Down(ref, b, BOOM));
      assertThat(inbox.isAlive()).isTrue();
    }
  }

  @Test
  @DisplayName("P14 (7): monitoring a dead pid delivers Down(ref, pid, noproc) at once")
  void monitorADeadPid() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid dead = node.spawn(() -> {});
      exitReason(dead);

      Ref ref = inbox.monitor(dead);

      assertThat(inbox.receive(Duration.ZERO)).contains(new Down(ref, dead, ExitReason.NOPROC));
      assertThat(inbox.flush()).isEmpty();
      assertThat(Proc.info(inbox.pid()).orElseThrow().monitors()).isEmpty();
    }
  }

  @Test
  @DisplayName("P15 (7): monitoring an unregistered name delivers Down(ref, name, noproc) at once")
  void monitorAnUnregisteredName() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Name name = Name.local("no_such_name");

      Ref ref = inbox.monitor(name);

      assertThat(inbox.receive(Duration.ZERO)).contains(new Down(ref, name, ExitReason.NOPROC));
    }
  }

  @Test
  @DisplayName("P15: a monitor by name resolves the name once; its Down names the name, not the pid")
  void monitorByNameResolvesOnce() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid first = node.spawn(exitOnMessage(BOOM));
      Proc.register("svc", first);
      Name name = Name.local("svc");

      Ref ref = inbox.monitor(name);
      assertThat(Proc.info(inbox.pid()).orElseThrow().monitors()).containsExactly(name);
      assertThat(Proc.info(first).orElseThrow().monitoredBy()).containsExactly(inbox.pid());
      onNodeUnregister(node, "svc");
      Pid second = node.spawn(TestSupport::idle);
      Proc.register("svc", second);
      inbox.send(first, "go");

      assertThat(next(inbox)).isEqualTo(new Down(ref, name, BOOM));
      assertThat(Proc.info(second).orElseThrow().monitoredBy()).isEmpty();
    }
  }

  private static void onNodeUnregister(Node node, String name) {
    TestSupport.onNode(node, () -> Proc.unregister(name));
  }

  @Test
  @DisplayName("P16 (7): two monitors on the same process are independent: two refs, two Downs, each once")
  void twoMonitorsTwoDowns() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid b = node.spawn(exitOnMessage(BOOM));
      Ref first = inbox.monitor(b);
      Ref second = inbox.monitor(b);
      assertThat(first).isNotSameAs(second);

      inbox.send(b, "go");
      awaitProcessCount(node, 1);

      assertThat(inbox.flush()).containsExactlyInAnyOrder(new Down(first, b, BOOM), new Down(second, b, BOOM));
    }
  }

  @Test
  @DisplayName("P16 (7): two monitors on a dead pid: two Downs with noproc")
  void twoMonitorsOnADeadPid() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid dead = node.spawn(() -> {});
      exitReason(dead);

      Ref first = inbox.monitor(dead);
      Ref second = inbox.monitor(dead);

      assertThat(inbox.flush())
          .containsExactly(new Down(first, dead, ExitReason.NOPROC), new Down(second, dead, ExitReason.NOPROC));
    }
  }

  @Test
  @DisplayName("P16: monitors are unidirectional: the monitoring process's death does not touch the target")
  void monitorsAreUnidirectional() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid me = inbox.pid();
      Pid target = node.spawn(SpawnOptions.defaults().withTrapExits(true), () -> {
        while (true) {
          Proc.send(me, Proc.receive());
        }
      });
      Pid watcher = node.spawn(() -> {
        Proc.monitor(target);
        Proc.send(me, "monitoring");
        Proc.receive();
        Proc.exit(BOOM);
      });
      assertThat(next(inbox)).isEqualTo("monitoring");
      assertThat(Proc.info(target).orElseThrow().monitoredBy()).containsExactly(watcher);

      inbox.send(watcher, "go");
      assertThat(exitReason(watcher)).isEqualTo(BOOM);
      // A terminating process drops the monitors it holds after its Downs have gone out (the one that
      // exitReason waits for among them), and leaves the process table after that.
      awaitProcessCount(node, 2);
      inbox.send(target, "fence");

      assertThat(next(inbox)).isEqualTo("fence");
      assertThat(Proc.isAlive(target)).isTrue();
      assertThat(Proc.info(target).orElseThrow().monitoredBy()).isEmpty();
    }
  }

  @Test
  @DisplayName("P17 (8): demonitor on a live target returns true, and no Down ever arrives")
  void demonitorALiveTarget() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid b = node.spawn(exitOnMessage(BOOM));
      Ref ref = inbox.monitor(b);

      assertThat(inbox.demonitor(ref)).isTrue();
      assertThat(Proc.info(b).orElseThrow().monitoredBy()).isEmpty();
      assertThat(Proc.info(inbox.pid()).orElseThrow().monitors()).isEmpty();
      inbox.send(b, "go");
      awaitProcessCount(node, 1);

      assertThat(inbox.flush()).isEmpty();
      assertThat(inbox.demonitor(ref)).as("a second demonitor").isFalse();
    }
  }

  @Test
  @DisplayName("P17 (8): demonitorFlush on a live target returns true, and no Down ever arrives")
  void demonitorFlushALiveTarget() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid b = node.spawn(exitOnMessage(BOOM));
      Ref ref = inbox.monitor(b);

      assertThat(inbox.demonitorFlush(ref)).isTrue();
      inbox.send(b, "go");
      awaitProcessCount(node, 1);

      assertThat(inbox.flush()).isEmpty();
    }
  }

  @Test
  @DisplayName("P17 (8): demonitor after the target died returns false and leaves its Down in the mailbox")
  void demonitorADeadTarget() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid b = node.spawn(exitOnMessage(BOOM));
      Ref ref = inbox.monitor(b);
      inbox.send(b, "go");
      awaitProcessCount(node, 1);

      assertThat(inbox.demonitor(ref)).isFalse();
      assertThat(inbox.flush()).containsExactly(new Down(ref, b, BOOM));
    }
  }

  @Test
  @DisplayName("P17 (8): demonitorFlush after the target died returns false and removes only its Down")
  void demonitorFlushADeadTarget() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid b = node.spawn(exitOnMessage(BOOM));
      Pid other = node.spawn(exitOnMessage(BOOM));
      inbox.send(inbox.pid(), "before");
      Ref ref = inbox.monitor(b);
      Ref otherRef = inbox.monitor(other);
      inbox.send(b, "go");
      awaitProcessCount(node, 2);
      inbox.send(other, "go");
      awaitProcessCount(node, 1);
      inbox.send(inbox.pid(), "after");

      assertThat(inbox.demonitorFlush(ref)).isFalse();
      assertThat(inbox.flush()).containsExactly("before", new Down(otherRef, other, BOOM), "after");
    }
  }

  @Test
  @DisplayName("P17 (8): demonitor of a name monitor that fired with noproc returns false; flush removes the Down")
  void demonitorANameMonitorThatFired() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Ref kept = inbox.monitor(Name.local("ghost"));
      Ref flushed = inbox.monitor(Name.local("ghost"));

      assertThat(inbox.demonitor(kept)).isFalse();
      assertThat(inbox.demonitorFlush(flushed)).isFalse();
      assertThat(inbox.flush()).containsExactly(new Down(kept, Name.local("ghost"), ExitReason.NOPROC));
    }
  }

  @Test
  @DisplayName("P17: demonitor of a reference that is not one of this process's monitors returns false and "
      + "leaves that monitor in place")
  void demonitorSomeoneElsesRef() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox(); Inbox other = node.openInbox()) {
      Pid b = node.spawn(exitOnMessage(BOOM));
      Ref othersRef = other.monitor(b);

      assertThat(inbox.demonitor(othersRef)).isFalse();
      assertThat(inbox.demonitor(Ref.make())).isFalse();
      inbox.send(b, "go");

      assertThat(next(other)).isEqualTo(new Down(othersRef, b, BOOM));
    }
  }

  @Test
  @DisplayName("P14: monitoring through a via name: Down names the via name")
  void monitorAViaName() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Registry registry = Registry.unique("things");
      Pid b = node.spawn(exitOnMessage(BOOM));
      Name name = Name.via(registry, "thing-1");
      Proc.register(name, b);

      Ref ref = inbox.monitor(name);
      inbox.send(b, "go");

      assertThat(next(inbox)).isEqualTo(new Down(ref, name, BOOM));
    }
  }

  @Test
  @DisplayName("P14: a monitoring process's monitors are dropped from their targets when it terminates")
  void monitorsOfADeadWatcherAreRemoved() {
    try (Node node = Node.start()) {
      Pid target = node.spawn(TestSupport::idle);
      Inbox watcher = node.openInbox();
      watcher.monitor(target);
      assertThat(Proc.info(target).orElseThrow().monitoredBy()).containsExactly(watcher.pid());

      watcher.close();

      assertThat(Proc.info(target).orElseThrow().monitoredBy()).isEmpty();
    }
  }

  @Test
  @DisplayName("P14: monitors set from inside a process; Down reason is the crash")
  void monitorFromAProcess() {
    IllegalArgumentException crash = new IllegalArgumentException("bad input");
    try (Node node = Node.start(); Reports reports = Reports.capture(node); Inbox inbox = node.openInbox()) {
      Pid me = inbox.pid();
      node.spawn(() -> {
        Pid child = Proc.spawn(() -> {
          Proc.receive();
          throw crash;
        });
        Ref ref = Proc.monitor(child);
        Proc.send(child, "go");
        Object down = Proc.receive();
        Proc.send(me, List.of(child, down.equals(new Down(ref, child, ExitReason.crash(crash)))));
        idle();
      });

      List<?> report = next(inbox, List.class);
      assertThat(report.get(1)).as("the Down carries the crash").isEqualTo(true);
      Pid child = (Pid) report.get(0);
      assertThat(reports.errorsAfterStop()).satisfiesExactly(r -> assertCrashReport(r, child, crash));
    }
  }
}
