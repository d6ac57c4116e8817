package org.otp4j.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.otp4j.core.TestSupport.next;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("Receive: selective receive, timeouts, polls, receive markers (P21)")
class SelectiveReceiveTest {

  @Test
  @DisplayName("P21: queue [a, b]: receive b -> b; receive c after 10 ms -> timeout; receive -> a")
  void otpExample() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid me = inbox.pid();
      Pid p = node.spawn(() -> {
        Proc.receive("go"::equals);
        List<Object> results = new ArrayList<>();
        results.add(Proc.receive("b"::equals, TestSupport.WAIT));
        results.add(Proc.receive("c"::equals, Duration.ofMillis(10)));
        results.add(Proc.receive(Duration.ZERO));
        results.add(Proc.receive(Duration.ZERO));
        Proc.send(me, results);
      });
      inbox.send(p, "a");
      inbox.send(p, "b");
      inbox.send(p, "go");

      assertThat(next(inbox)).isEqualTo(List.of(Optional.of("b"), Optional.empty(), Optional.of("a"),
          Optional.empty()));
    }
  }

  @Test
  @DisplayName("P21 (11): selective receive takes the first match and keeps the skipped messages in order")
  void skippedMessagesKeepTheirOrder() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      for (int i = 1; i <= 100; i++) {
        inbox.send(inbox.pid(), i);
      }

      assertThat(inbox.receive(m -> (int) m % 50 == 0, Duration.ZERO)).contains(50);
      assertThat(inbox.receive(m -> (int) m > 97, Duration.ZERO)).contains(98);
      assertThat(inbox.receive(m -> (int) m == 100, Duration.ZERO)).contains(100); // the last one

      List<Integer> rest = IntStream.rangeClosed(1, 99).filter(i -> i != 50 && i != 98).boxed().toList();
      assertThat(inbox.flush()).containsExactlyElementsOf(rest);
    }
  }

  @Test
  @DisplayName("P21 (11): receive with a timeout returns empty when nothing matches and leaves the mailbox as it was")
  void timeoutLeavesTheMailboxUnchanged() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      inbox.send(inbox.pid(), "a");
      inbox.send(inbox.pid(), "b");

      long start = System.nanoTime();
      Optional<Object> none = inbox.receive("c"::equals, Duration.ofMillis(50));
      long elapsed = System.nanoTime() - start;

      assertThat(none).isEmpty();
      assertThat(Duration.ofNanos(elapsed)).isGreaterThanOrEqualTo(Duration.ofMillis(50));
      assertThat(inbox.flush()).containsExactly("a", "b");
    }
  }

  @Test
  @DisplayName("P21 (11): receive with Duration.ZERO polls: it returns at once, empty or with a match")
  void zeroTimeoutPolls() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      // A poll does not wait at all, but a round of polls may still take long if the thread is
      // descheduled (a loaded machine): the fastest of several rounds is what a poll costs.
      Duration fastest = null;
      for (int round = 0; round < 10; round++) {
        long start = System.nanoTime();
        assertThat(inbox.receive(Duration.ZERO)).isEmpty();
        assertThat(inbox.receive(m -> true, Duration.ZERO)).isEmpty();
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        fastest = fastest == null || took.compareTo(fastest) < 0 ? took : fastest;
      }
      assertThat(fastest).isLessThan(Duration.ofSeconds(1));

      inbox.send(inbox.pid(), "x");
      assertThat(inbox.receive("y"::equals, Duration.ZERO)).isEmpty();
      assertThat(inbox.receive(Duration.ZERO)).contains("x");
    }
  }

  @Test
  @DisplayName("P21: a receive that waits takes a matching message that arrives later, skipping others")
  void waitingReceiveTakesALaterMatch() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid me = inbox.pid();
      Pid p = node.spawn(() -> {
        Object m = Proc.receive(x -> x instanceof Integer i && i > 10);
        Proc.send(me, m);
        Proc.receive("done"::equals);
        Proc.send(me, Proc.flush());
      });

      for (int i = 0; i <= 20; i++) {
        inbox.send(p, i);
      }
      inbox.send(p, "done");

      assertThat(next(inbox)).isEqualTo(11);
      assertThat(next(inbox)).isEqualTo(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 13, 14, 15, 16, 17, 18, 19,
          20));
    }
  }

  @Test
  @DisplayName("P21: receive(INFINITY) waits until a message arrives")
  void infiniteReceive() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid me = inbox.pid();
      Pid p = node.spawn(() -> Proc.send(me, Proc.receive(Proc.INFINITY)));
      TestSupport.spinUntil(() -> Proc.info(p).map(i -> i.status() == ProcessStatus.WAITING).orElse(false),
          () -> p + " to wait in receive");

      inbox.send(p, "hello");

      assertThat(next(inbox)).isEqualTo(Optional.of("hello"));
    }
  }

  @Test
  @DisplayName("P21: taking the newest message (a tombstone in the queue) does not disturb later sends")
  void takeTheLastMessageThenSendMore() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid me = inbox.pid();
      for (int round = 0; round < 100; round++) {
        inbox.send(me, "a" + round);
        inbox.send(me, "b" + round);
        String b = "b" + round;
        assertThat(inbox.receive(b::equals, Duration.ZERO)).contains(b);
        inbox.send(me, "c" + round);
        assertThat(inbox.receive(Duration.ZERO)).contains("a" + round);
        assertThat(inbox.receive(Duration.ZERO)).contains("c" + round);
        assertThat(inbox.receive(Duration.ZERO)).isEmpty();
      }
      assertThat(Proc.info(me).orElseThrow().mailboxLength()).isZero();
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 42, 2024})
  @DisplayName("P21: the mailbox behaves like a list model under random sends and selective receives")
  void mailboxMatchesAListModel(long seed) {
    Random random = new Random(seed);
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid me = inbox.pid();
      List<Integer> model = new ArrayList<>();
      int nextValue = 0;
      for (int step = 0; step < 5_000; step++) {
        int op = random.nextInt(10);
        if (op < 5) {
          int burst = 1 + random.nextInt(3);
          for (int i = 0; i < burst; i++) {
            inbox.send(me, nextValue);
            model.add(nextValue++);
          }
        } else if (op < 9) {
          int modulus = 1 + random.nextInt(7);
          int rest = random.nextInt(modulus);
          Predicate<Object> filter = m -> (int) m % modulus == rest;
          Optional<Integer> expected = model.stream().filter(filter::test).findFirst();
          expected.ifPresent(model::remove);
          assertThat(inbox.receive(filter, Duration.ZERO))
              .as("step %d: first message %% %d == %d", step, modulus, rest)
              .isEqualTo(expected.map(Object.class::cast));
        } else {
          assertThat(Proc.info(me).orElseThrow().mailboxLength()).as("step %d: mailbox length", step)
              .isEqualTo(model.size());
        }
      }
      assertThat(inbox.flush()).containsExactlyElementsOf(model);
    }
  }

  record Request(Pid from, Ref ref) {}

  record Reply(Ref ref) {}

  @Test
  @DisplayName("P21 (11): receiveAfter(makeRef()) finds a reply behind a backlog of 100,000 messages "
      + "without examining the backlog, which stays intact")
  void receiveAfterSkipsTheBacklog() {
    int backlog = 100_000;
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid me = inbox.pid();
      Pid server = node.spawn(() -> {
        while (true) {
          if (Proc.receive() instanceof Request(Pid from, Ref ref)) {
            Proc.send(from, new Reply(ref));
          }
        }
      });
      CountDownLatch filled = new CountDownLatch(1);
      Pid client = node.spawn(() -> {
        filled.await();
        Ref ref = Proc.makeRef();
        Proc.send(server, new Request(Proc.self(), ref));
        AtomicInteger examined = new AtomicInteger();
        Optional<Object> reply = Proc.receiveAfter(ref, m -> {
          examined.incrementAndGet();
          return m instanceof Reply r && r.ref() == ref;
        }, TestSupport.WAIT);
        Proc.send(me, List.of(reply.isPresent(), examined.get(), Proc.info(Proc.self()).orElseThrow().mailboxLength(),
            Proc.receive(Duration.ZERO).orElseThrow()));
      });
      for (int i = 0; i < backlog; i++) {
        inbox.send(client, i);
      }
      filled.countDown();

      List<?> report = (List<?>) next(inbox);
      assertThat(report.get(0)).as("reply found").isEqualTo(true);
      assertThat((int) report.get(1)).as("messages examined").isEqualTo(1);
      assertThat(report.get(2)).as("backlog left").isEqualTo(backlog);
      assertThat(report.get(3)).as("oldest message").isEqualTo(0);
    }
  }

  @Test
  @DisplayName("P21: receiveAfter with a reference that is not the latest still finds the reply, scanning all")
  void receiveAfterWithAStaleRef() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid me = inbox.pid();
      Pid p = node.spawn(() -> {
        Ref old = Proc.makeRef();
        Proc.send(Proc.self(), new Reply(old));
        Proc.makeRef(); // a newer marker: receiveAfter(old) must not use it
        Proc.send(me, Proc.receiveAfter(old, m -> m instanceof Reply r && r.ref() == old, Duration.ZERO)
            .isPresent());
      });

      assertThat(next(inbox)).isEqualTo(true);
      assertThat(TestSupport.exitReason(p)).isEqualTo(ExitReason.NORMAL);
    }
  }

  @Test
  @DisplayName("flush() takes everything in order; flush(filter) takes only the matches")
  void flushes() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid me = inbox.pid();
      node.spawn(() -> {
        for (int i = 0; i < 10; i++) {
          Proc.send(Proc.self(), i);
        }
        int removed = Proc.flush(m -> (int) m % 2 == 0);
        Proc.send(me, List.of(removed, Proc.flush(), Proc.flush()));
      });

      assertThat(next(inbox)).isEqualTo(List.of(5, List.of(1, 3, 5, 7, 9), List.of()));
    }
  }

  @Test
  @DisplayName("Timeouts must be non-negative and not null; the message says what to use instead")
  void invalidTimeouts() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      assertThatThrownBy(() -> inbox.receive(Duration.ofMillis(-1)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("a timeout cannot be negative, got PT-0.001S; use Duration.ZERO to poll or Proc.INFINITY "
              + "to wait forever");
      assertThatThrownBy(() -> inbox.receive(null))
          .isInstanceOf(NullPointerException.class)
          .hasMessage("timeout: use Duration.ZERO to poll or Proc.INFINITY to wait forever");
      assertThatThrownBy(() -> inbox.receive(null, Duration.ZERO))
          .isInstanceOf(NullPointerException.class)
          .hasMessage("filter");
    }
  }
}
