package org.otp4j.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.otp4j.core.TestSupport.exitReason;
import static org.otp4j.core.TestSupport.next;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Bounded mailboxes. The receiving process is held on a latch (outside the runtime), so messages
 * pile up in its mailbox while the test sends them.
 */
@DisplayName("Bounded mailboxes and overflow policies")
class BoundedMailboxTest {
  private static final int CAPACITY = 3;

  /** A process that waits for {@code release}, then reports everything in its mailbox to {@code report}. */
  private static Proc.Body heldThenReport(CountDownLatch release, Pid report) {
    return () -> {
      release.await();
      Proc.send(report, Proc.flush());
      TestSupport.idle();
    };
  }

  @Test
  @DisplayName("DROP_NEWEST: once full, arriving messages are dropped silently and counted")
  void dropNewest() {
    CountDownLatch release = new CountDownLatch(1);
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid p = node.spawn(SpawnOptions.defaults().withMailbox(CAPACITY, MailboxOverflow.DROP_NEWEST),
          heldThenReport(release, inbox.pid()));

      for (int i = 1; i <= 5; i++) {
        inbox.send(p, i);
      }

      ProcessInfo info = Proc.info(p).orElseThrow();
      assertThat(info.mailboxLength()).isEqualTo(CAPACITY);
      assertThat(info.droppedMessages()).isEqualTo(2);
      release.countDown();
      assertThat(next(inbox)).isEqualTo(List.of(1, 2, 3));
    }
  }

  @Test
  @DisplayName("REJECT: once full, the sender gets MailboxFullException and the message is not delivered")
  void reject() {
    CountDownLatch release = new CountDownLatch(1);
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid p = node.spawn(SpawnOptions.defaults().withMailbox(CAPACITY, MailboxOverflow.REJECT),
          heldThenReport(release, inbox.pid()));
      for (int i = 1; i <= CAPACITY; i++) {
        inbox.send(p, i);
      }

      assertThatThrownBy(() -> inbox.send(p, 4))
          .isInstanceOfSatisfying(MailboxFullException.class, e -> assertThat(e.pid()).isSameAs(p))
          .hasMessage("the mailbox of " + p + " is full (capacity 3, overflow policy REJECT): the message was not "
              + "delivered");

      assertThat(Proc.info(p).orElseThrow().droppedMessages()).isEqualTo(1);
      release.countDown();
      assertThat(next(inbox)).isEqualTo(List.of(1, 2, 3));
      assertThat(Proc.isAlive(p)).isTrue();
    }
  }

  @Test
  @DisplayName("REJECT: a process sending to a full mailbox gets the exception and can go on")
  void rejectSeenByASendingProcess() {
    CountDownLatch release = new CountDownLatch(1);
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid me = inbox.pid();
      Pid full = node.spawn(SpawnOptions.defaults().withMailbox(1, MailboxOverflow.REJECT),
          heldThenReport(release, me));
      Pid sender = node.spawn(() -> {
        Proc.send(full, "first");
        try {
          Proc.send(full, "second");
          Proc.send(me, "delivered");
        } catch (MailboxFullException e) {
          Proc.send(me, "rejected");
        }
      });

      assertThat(next(inbox)).isEqualTo("rejected");
      assertThat(exitReason(sender)).isEqualTo(ExitReason.NORMAL);
      release.countDown();
    }
  }

  @Test
  @DisplayName("REJECT under concurrent senders: exactly CAPACITY messages get in; every other one is refused "
      + "and counted")
  void rejectWithConcurrentSenders() {
    int senders = 8;
    int each = 100;
    int capacity = 50;
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch start = new CountDownLatch(1);
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid me = inbox.pid();
      Pid full = node.spawn(SpawnOptions.defaults().withMailbox(capacity, MailboxOverflow.REJECT), () -> {
        release.await();
        Proc.send(me, Proc.flush().size());
        TestSupport.idle();
      });
      for (int s = 0; s < senders; s++) {
        node.spawn(() -> {
          start.await();
          int accepted = 0;
          for (int i = 0; i < each; i++) {
            try {
              Proc.send(full, i);
              accepted++;
            } catch (MailboxFullException e) {
              // counted by the receiver
            }
          }
          Proc.send(me, accepted);
        });
      }
      start.countDown();

      int accepted = 0;
      for (int s = 0; s < senders; s++) {
        accepted += (int) next(inbox);
      }

      assertThat(accepted).isEqualTo(capacity);
      assertThat(Proc.info(full).orElseThrow().mailboxLength()).isEqualTo(capacity);
      assertThat(Proc.info(full).orElseThrow().droppedMessages()).isEqualTo(senders * each - capacity);
      release.countDown();
      assertThat(next(inbox)).isEqualTo(capacity);
    }
  }

  @Test
  @DisplayName("EXIT: a message to a full mailbox terminates the receiver with mailbox_overflow")
  void exitPolicy() {
    CountDownLatch release = new CountDownLatch(1);
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      inbox.trapExits(true);
      Pid p = node.spawn(SpawnOptions.defaults().withMailbox(CAPACITY, MailboxOverflow.EXIT),
          heldThenReport(release, inbox.pid()));
      inbox.link(p);
      for (int i = 1; i <= CAPACITY; i++) {
        inbox.send(p, i);
      }
      assertThat(Proc.isAlive(p)).isTrue();

      inbox.send(p, "one too many");

      assertThat(exitReason(p)).isEqualTo(ExitReason.of("mailbox_overflow"));
      assertThat(next(inbox)).isEqualTo(new ExitMessage(p, ExitReason.of("mailbox_overflow")));
      release.countDown();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(MailboxOverflow.class)
  @DisplayName("Exit and down signals are always delivered to a full mailbox, whatever the policy")
  void systemMessagesAreNeverRefused(MailboxOverflow policy) {
    CountDownLatch release = new CountDownLatch(1);
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid me = inbox.pid();
      Pid peer = node.spawn(() -> {
        Proc.receive();
        Proc.exit(ExitReason.of("boom"));
      });
      Pid full = node.spawn(SpawnOptions.defaults().withMailbox(1, policy).withTrapExits(true), () -> {
        Proc.link(peer);
        Ref ref = Proc.monitor(peer);
        Proc.send(me, ref);
        release.await();
        Proc.send(me, Proc.flush());
        TestSupport.idle();
      });
      Ref ref = next(inbox, Ref.class);
      inbox.send(full, "fills it");

      inbox.send(peer, "go");
      exitReason(peer);
      // every exit and down signal of the peer has been delivered once it has left the process table
      TestSupport.awaitProcessCount(node, 2);
      release.countDown();

      assertThat(next(inbox)).isEqualTo(List.of("fills it", new ExitMessage(peer, ExitReason.of("boom")),
          new Down(ref, peer, ExitReason.of("boom"))));
      assertThat(Proc.isAlive(full)).isTrue();
    }
  }

  @Test
  @DisplayName("Receiving makes room again: round after round the mailbox takes CAPACITY messages, no drops")
  void roomIsFreedByReceiving() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid me = inbox.pid();
      Pid p = node.spawn(SpawnOptions.defaults().withMailbox(CAPACITY, MailboxOverflow.DROP_NEWEST), () -> {
        while (true) {
          Proc.receive("drain"::equals); // selective: the messages before it stay in the mailbox
          Proc.send(me, Proc.flush());
          Proc.send(me, Proc.info(Proc.self()).orElseThrow().droppedMessages());
        }
      });

      for (int round = 0; round < 5; round++) {
        for (int i = 0; i < CAPACITY - 1; i++) {
          inbox.send(p, i);
        }
        inbox.send(p, "drain"); // the CAPACITY-th message: fits exactly, if the earlier rounds freed their room

        assertThat(next(inbox)).as("round %d", round).isEqualTo(List.of(0, 1));
        assertThat(next(inbox)).as("dropped after round %d", round).isEqualTo(0L);
      }
    }
  }

  @Test
  @DisplayName("A mailbox capacity must be positive; the message says how to get an unbounded one")
  void invalidCapacity() {
    assertThatThrownBy(() -> SpawnOptions.defaults().withMailbox(0, MailboxOverflow.REJECT))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a mailbox capacity must be positive, got 0; leave the mailbox unbounded with "
            + "SpawnOptions.defaults()");
    assertThat(SpawnOptions.defaults().withMailbox(5, MailboxOverflow.EXIT))
        .hasToString("SpawnOptions[mailbox=5/EXIT, trapExits=false]");
  }
}
