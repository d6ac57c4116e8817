package org.otp4j.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.otp4j.core.Proc.receive;
import static org.otp4j.core.Proc.send;
import static org.otp4j.core.Proc.spawn;
import static org.otp4j.core.TestSupport.WAIT;
import static org.otp4j.core.TestSupport.exitReason;
import static org.otp4j.core.TestSupport.next;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The examples of otp-core's Javadoc, each a region that the Javadoc quotes, run here. */
@DisplayName("The Javadoc's examples run")
class JavadocExamplesTest {

  record Ping(Pid from) {}

  @Test
  @DisplayName("Proc: an echo process")
  void echo() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid echo = node.call(() -> {
        // region: echo
        Pid p = spawn(() -> {
          while (true) {
            if (receive() instanceof Ping(Pid from)) {
              send(from, "pong");
            }
          }
        });
        // endregion: echo
        return p;
      });
      send(echo, new Ping(inbox.pid()));
      assertThat(next(inbox)).isEqualTo("pong");
    }
  }

  @Test
  @DisplayName("SpawnOptions: a bounded mailbox")
  void boundedMailbox() {
    try (Node node = Node.start()) {
      Pid p = node.call(() -> {
        // region: bounded
        Pid worker = Proc.spawn(SpawnOptions.defaults().withMailbox(10_000, MailboxOverflow.DROP_NEWEST),
            () -> Proc.receive());
        // endregion: bounded
        return worker;
      });
      send(p, "go");
      assertThat(exitReason(p)).isEqualTo(ExitReason.NORMAL);
    }
  }

  @Test
  @DisplayName("Scheduler: a node on four carrier threads of its own")
  void localScheduler() {
    // region: scheduler
    Node node = Node.start(NodeConfig.defaults().withScheduler(Scheduler.local(4)));
    // endregion: scheduler
    try {
      assertThat(node.scheduler()).isEqualTo(Scheduler.local(4));
      assertThat(node.call(() -> 6 * 7)).isEqualTo(42);
    } finally {
      node.stop();
    }
  }

  @Test
  @DisplayName("Inbox: a plain thread takes part in message passing")
  void inbox() {
    Node node = Node.start();
    try {
      Object reply = node.call(() -> {
        // region: inbox
        try (Inbox inbox = Node.current().openInbox()) {
          Pid me = inbox.pid();
          Pid worker = Proc.spawn(() -> Proc.send(me, "done"));
          inbox.monitor(worker);
          return inbox.receive(Duration.ofSeconds(5)).orElseThrow();
        }
        // endregion: inbox
      });
      assertThat(reply).isEqualTo("done");
    } finally {
      node.close();
    }
  }

  @Test
  @DisplayName("Node: a node of one's own")
  void node() {
    // region: node
    try (Node node = Node.start()) {
      Pid p = node.spawn(() -> System.out.println("hello from " + Proc.self()));
      Proc.awaitExit(p, Duration.ofSeconds(5));
    }
    // endregion: node
  }

  @Test
  @DisplayName("NodeLocal: a map per node")
  void nodeLocal() {
    try (Node node = Node.start(); Node other = Node.start()) {
      // region: nodelocal
      NodeLocal<Map<String, Integer>> counts = NodeLocal.withInitial(ConcurrentHashMap::new);
      counts.get(node).merge("hits", 1, Integer::sum);   // this node's map only
      // endregion: nodelocal
      assertThat(counts.get(node)).containsEntry("hits", 1);
      assertThat(counts.get(other)).isEmpty();
    }
    assertThat(WAIT).isPositive();
  }
}
