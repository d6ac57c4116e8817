package org.otp4j.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.otp4j.core.TestSupport.exitReason;
import static org.otp4j.core.TestSupport.next;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Per-pair ordering of messages and signals (P19, P21)")
class OrderingTest {
  private static final ExitReason BOOM = ExitReason.of("boom");
  private static final int COUNT = 10_000;

  @Test
  @DisplayName("P19 (10): 1..10000 sent by one process arrive in order, then its EXIT, then its Down")
  void messagesThenExitThenDown() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid me = inbox.pid();
      inbox.trapExits(true);
      Pid sender = node.spawn(() -> {
        Proc.receive();
        for (int i = 1; i <= COUNT; i++) {
          Proc.send(me, i);
        }
        Proc.exit(BOOM);
      });
      inbox.link(sender);
      Ref ref = inbox.monitor(sender);
      inbox.send(sender, "go");

      List<Object> received = new ArrayList<>();
      for (int i = 0; i < COUNT + 2; i++) {
        received.add(next(inbox));
      }

      assertThat(received.subList(0, COUNT)).containsExactlyElementsOf(
          IntStream.rangeClosed(1, COUNT).boxed().toList());
      assertThat(received.subList(COUNT, COUNT + 2))
          .containsExactly(new ExitMessage(sender, BOOM), new Down(ref, sender, BOOM));
      assertThat(inbox.flush()).isEmpty();
    }
  }

  @Test
  @DisplayName("P19 (10): a message sent just before a normal exit arrives before the Down")
  void lastMessageBeforeDown() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid me = inbox.pid();
      Pid sender = node.spawn(() -> {
        Proc.receive();
        Proc.send(me, "last words");
      });
      Ref ref = inbox.monitor(sender);
      inbox.send(sender, "go");

      assertThat(next(inbox)).isEqualTo("last words");
      assertThat(next(inbox)).isEqualTo(new Down(ref, sender, ExitReason.NORMAL));
    }
  }

  @Test
  @DisplayName("P19: a message sent before the sender is killed arrives before the Down(killed)")
  void messageBeforeKill() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid me = inbox.pid();
      Pid sender = node.spawn(() -> {
        Proc.send(me, "sent");
        TestSupport.idle();
      });
      Ref ref = inbox.monitor(sender);
      // the monitor may have been set after "sent" arrived; either way "sent" precedes the Down
      assertThat(next(inbox)).isEqualTo("sent");

      Proc.exit(sender, ExitReason.KILL);

      assertThat(next(inbox)).isEqualTo(new Down(ref, sender, ExitReason.KILLED));
    }
  }

  @Test
  @DisplayName("P19: a message then an exit signal from the same sender arrive in that order")
  void messageThenExitSignal() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid me = inbox.pid();
      inbox.trapExits(true);
      Pid sender = node.spawn(() -> {
        for (int i = 0; i < 100; i++) {
          Proc.send(me, i);
        }
        Proc.exit(me, BOOM);
        Proc.send(me, "after");
      });

      List<Object> received = new ArrayList<>();
      for (int i = 0; i < 102; i++) {
        received.add(next(inbox));
      }

      assertThat(received.subList(0, 100)).containsExactlyElementsOf(IntStream.range(0, 100).boxed().toList());
      assertThat(received.subList(100, 102)).containsExactly(new ExitMessage(sender, BOOM), "after");
      assertThat(exitReason(sender)).isEqualTo(ExitReason.NORMAL);
    }
  }

  @Test
  @DisplayName("P19: messages sent from a plain thread arrive in order")
  void plainThreadOrder() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid me = inbox.pid();
      Pid echo = node.spawn(() -> {
        while (true) {
          Proc.send(me, Proc.receive());
        }
      });

      node.run(() -> {
        for (int i = 0; i < COUNT; i++) {
          Proc.send(echo, i);
        }
      });

      for (int i = 0; i < COUNT; i++) {
        assertThat(next(inbox)).isEqualTo(i);
      }
    }
  }

  @Test
  @DisplayName("P19: each of several senders' messages arrive in its own order")
  void perSenderOrderWithSeveralSenders() {
    int senders = 8;
    int each = 2_000;
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid me = inbox.pid();
      record Seq(int sender, int n) {}
      for (int s = 0; s < senders; s++) {
        int id = s;
        node.spawn(() -> {
          for (int i = 0; i < each; i++) {
            Proc.send(me, new Seq(id, i));
          }
        });
      }

      int[] expected = new int[senders];
      for (int i = 0; i < senders * each; i++) {
        Seq seq = next(inbox, Seq.class);
        assertThat(seq.n()).as("next message of sender %d", seq.sender()).isEqualTo(expected[seq.sender()]);
        expected[seq.sender()]++;
      }
      assertThat(expected).containsOnly(each);
    }
  }
}
