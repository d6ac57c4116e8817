package org.otp4j.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.otp4j.core.TestSupport.awaitStatus;
import static org.otp4j.core.TestSupport.exitReason;
import static org.otp4j.core.TestSupport.next;
import static org.otp4j.core.TestSupport.spinUntil;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Process info (P24)")
class ProcessInfoTest {

  private static ProcessInfo info(Pid pid) {
    return Proc.info(pid).orElseThrow(() -> new AssertionError(pid + " is not alive"));
  }

  @Test
  @DisplayName("P24: info of a dead process is empty")
  void deadProcess() {
    try (Node node = Node.start()) {
      Pid p = node.spawn(() -> {});
      exitReason(p);

      assertThat(Proc.info(p)).isEmpty();
      assertThat(Proc.isAlive(p)).isFalse();
    }
  }

  @Test
  @DisplayName("P24: a process waiting in receive: WAITING in \"receive\", with its mailbox length, messages kept")
  void waitingInReceive() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid p = node.spawn(() -> Proc.receive("never"::equals));
      for (int i = 0; i < 3; i++) {
        inbox.send(p, i);
      }

      // the snapshot that shows it waiting: each message wakes it, and it runs briefly before it parks again
      ProcessInfo info = awaitStatus(p, ProcessStatus.WAITING);

      assertThat(info.pid()).isSameAs(p);
      assertThat(info.blockedOn()).isEqualTo("receive");
      assertThat(info.mailboxLength()).isEqualTo(3);
      assertThat(info.registeredName()).isEmpty();
      assertThat(info.trapExits()).isFalse();
      assertThat(info.droppedMessages()).isZero();
      assertThat(info.runaway()).isFalse();
    }
  }

  @Test
  @DisplayName("P24: a process blocked outside the runtime (a JDK latch) is BLOCKED; one computing is RUNNING")
  void blockedAndRunning() {
    CountDownLatch latch = new CountDownLatch(1);
    AtomicBoolean stop = new AtomicBoolean();
    AtomicBoolean spinning = new AtomicBoolean();
    try (Node node = Node.start()) {
      Pid blocked = node.spawn(latch::await);
      Pid running = node.spawn(() -> {
        spinning.set(true);
        while (!stop.get()) {
          Thread.onSpinWait();
        }
      });
      try {
        awaitStatus(blocked, ProcessStatus.BLOCKED);
        spinUntil(spinning::get, () -> "the spinner to start");

        assertThat(info(blocked).blockedOn()).isEmpty();
        assertThat(info(running).status()).isEqualTo(ProcessStatus.RUNNING);
      } finally {
        stop.set(true);
        latch.countDown();
      }
      assertThat(exitReason(blocked)).isEqualTo(ExitReason.NORMAL);
      assertThat(exitReason(running)).isEqualTo(ExitReason.NORMAL);
    }
  }

  @Test
  @DisplayName("P24: registered name, trap flag, links, monitors (pid and name) and monitored-by")
  void signalState() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid me = inbox.pid();
      Pid named = node.spawn(TestSupport::idle);
      Proc.register("named", named);
      Pid p = node.spawn(() -> {
        Proc.trapExits(true);
        Proc.link(me);
        Proc.monitor(me);
        Proc.monitor(Name.local("named"));
        Proc.send(me, "ready");
        TestSupport.idle();
      });
      assertThat(next(inbox)).isEqualTo("ready");
      inbox.monitor(p);

      ProcessInfo info = info(p);

      assertThat(info.trapExits()).isTrue();
      assertThat(info.links()).containsExactly(me);
      assertThat(info.monitors()).containsExactlyInAnyOrder(me, Name.local("named"));
      assertThat(info.monitoredBy()).containsExactly(me);
      assertThat(info(named).registeredName()).contains("named");
      assertThat(info(named).monitoredBy()).containsExactly(p);
      assertThat(info(me).links()).containsExactly(p);
      assertThat(info(me).monitoredBy()).containsExactly(p);
      assertThat(info(me).monitors()).containsExactly(p);
    }
  }

  @Test
  @DisplayName("P24: a process waiting for a call's reply is WAITING in \"call to <server>\" and monitors it meanwhile")
  void waitingInACall() {
    CountDownLatch release = new CountDownLatch(1);
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid me = inbox.pid();
      record Request(From from) {}
      Pid server = node.spawn(() -> {
        Request r = (Request) Proc.receive();
        release.await();
        r.from().reply("done");
        TestSupport.idle();
      });
      Pid client = node.spawn(() -> {
        Object reply = Proc.call(server, Request::new, Proc.INFINITY); // however long the test takes to release it
        Proc.send(me, reply);
      });
      awaitStatus(client, ProcessStatus.WAITING);

      assertThat(info(client).blockedOn()).isEqualTo("call to " + server);
      assertThat(info(server).monitoredBy()).containsExactly(client);
      release.countDown();
      assertThat(next(inbox)).isEqualTo("done");
      assertThat(info(server).monitoredBy()).isEmpty();
    }
  }

  @Test
  @DisplayName("P24: a process in awaitExit is WAITING in \"await exit\"")
  void waitingInAwaitExit() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid me = inbox.pid();
      Pid target = node.spawn(TestSupport::idle);
      // waits however long the test takes to end the target
      Pid waiter = node.spawn(() -> Proc.send(me, Proc.awaitExit(target, Proc.INFINITY)));
      awaitStatus(waiter, ProcessStatus.WAITING);

      assertThat(info(waiter).blockedOn()).isEqualTo("await exit");
      Proc.exit(target, ExitReason.of("done"));
      assertThat(next(inbox)).isEqualTo(Optional.of(ExitReason.of("done")));
    }
  }

  @Test
  @DisplayName("P24: node.processes() lists the live processes (inboxes too), ordered by pid, without the dead")
  void nodeProcesses() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid a = node.spawn(TestSupport::idle);
      Pid b = node.spawn(TestSupport::idle);
      Pid dead = node.spawn(() -> {});
      exitReason(dead);
      TestSupport.awaitProcessCount(node, 3);

      assertThat(node.processes()).extracting(ProcessInfo::pid).containsExactly(inbox.pid(), a, b);
      assertThat(node.processCount()).isEqualTo(3);
      assertThat(node.stats().alive()).isEqualTo(3);
      assertThat(node.stats().spawned()).isEqualTo(3);
    }
  }

  @Test
  @DisplayName("P24: mailbox length follows selective receives")
  void mailboxLengthAfterSelectiveReceive() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      for (int i = 0; i < 10; i++) {
        inbox.send(inbox.pid(), i);
      }
      inbox.receive(m -> (int) m == 9, Duration.ZERO);
      inbox.receive(m -> (int) m == 4, Duration.ZERO);

      assertThat(info(inbox.pid()).mailboxLength()).isEqualTo(8);
      assertThat(inbox.flush()).containsExactly(0, 1, 2, 3, 5, 6, 7, 8);
      assertThat(info(inbox.pid()).mailboxLength()).isZero();
    }
  }

  @Test
  @DisplayName("P24: process info counts the messages a process took; the node's count keeps those of ended processes")
  void messagesReceived() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid taker = node.spawn(() -> {
        for (int i = 0; i < 3; i++) {
          Proc.receive();
        }
        Proc.send(inbox.pid(), "took three");
        Proc.receive(m -> m.equals("stop"));
      });
      for (int i = 0; i < 3; i++) {
        inbox.send(taker, i);
      }
      inbox.send(taker, "left in the mailbox");
      assertThat(next(inbox)).isEqualTo("took three");
      ProcessInfo info = onNodeInfo(node, taker);
      assertThat(info.messagesReceived()).as("taken, not merely delivered").isEqualTo(3);
      assertThat(info.mailboxLength()).isEqualTo(1);
      assertThat(onNodeInfo(node, inbox.pid()).messagesReceived()).isEqualTo(1);
      assertThat(node.messagesReceived()).isEqualTo(4);

      inbox.send(taker, "stop"); // the selective receive takes it past the message left waiting
      exitReason(taker);
      // the ended process's count moves to the node's as its thread finishes
      spinUntil(() -> node.messagesReceived() == 5, () -> "node.messagesReceived() = " + node.messagesReceived());
    }
  }

  private static ProcessInfo onNodeInfo(Node node, Pid pid) {
    return node.processes().stream().filter(p -> p.pid().equals(pid)).findFirst()
        .orElseThrow(() -> new AssertionError(pid + " is not alive"));
  }
}
