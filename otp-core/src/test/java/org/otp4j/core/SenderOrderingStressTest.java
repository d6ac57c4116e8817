package org.otp4j.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.otp4j.core.TestSupport.next;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * P19 under load: 64 senders each send a numbered sequence to one receiver, which monitors them
 * all (spawnMonitor, so no sender can finish unobserved). Every eighth sender sends a longer
 * sequence and is killed by the receiver as soon as its tenth message arrives, while it is still
 * sending (the engine must let a send in flight land before the Down goes out, or drop it). For
 * every sender the receiver checks: its messages arrive in order without gaps, none arrives after
 * its Down, and a sender that exited normally had all its messages delivered before its Down.
 */
@Tag("stress")
@DisplayName("Stress: 64 senders, per-sender order and nothing after the sender's Down")
class SenderOrderingStressTest {
  private static final int ROUNDS = 1_000;
  private static final int SENDERS = 64;
  private static final int EACH = 20;
  private static final int HALF = EACH / 2;
  /** The senders that get killed send more, so that the kill lands in the middle of their sends. */
  private static final int EACH_KILLED = 500;
  private static final int KILL_EVERY = 8;

  record Seq(Pid from, int n) {}

  /** The receiver: spawns the senders, checks every message, reports the violations it saw. */
  private static Proc.Body receiver(Pid report) {
    return () -> {
      Pid self = Proc.self();
      Map<Pid, Integer> expected = new HashMap<>();
      Map<Pid, Integer> total = new HashMap<>();
      Set<Pid> toKill = new HashSet<>();
      Set<Pid> down = new HashSet<>();
      List<String> violations = new ArrayList<>();
      for (int i = 0; i < SENDERS; i++) {
        boolean killed = i % KILL_EVERY == 0;
        int count = killed ? EACH_KILLED : EACH;
        Pid sender = Proc.spawnMonitor(() -> {
          Pid me = Proc.self();
          for (int n = 0; n < count; n++) {
            Proc.send(self, new Seq(me, n));
            if (killed) {
              Thread.yield(); // let the receiver catch up: it kills this sender in mid-sequence
            }
          }
        }).pid();
        expected.put(sender, 0);
        total.put(sender, count);
        if (killed) {
          toKill.add(sender);
        }
      }
      while (down.size() < SENDERS) {
        switch (Proc.receive()) {
          case Seq(Pid from, int n) -> {
            if (down.contains(from)) {
              violations.add(from + " sent " + n + " after its Down");
            }
            if (n != expected.get(from)) {
              violations.add(from + " sent " + n + " where " + expected.get(from) + " was expected");
            }
            expected.put(from, n + 1);
            if (n == HALF && toKill.contains(from)) {
              Proc.exit(from, ExitReason.KILL);
            }
          }
          case Down(Ref ref, Address target, ExitReason reason) -> {
            Pid from = (Pid) target;
            if (!down.add(from)) {
              violations.add("a second Down for " + from);
            }
            if (reason == ExitReason.NORMAL && !expected.get(from).equals(total.get(from))) {
              violations.add(from + " exited normally but its Down came after " + expected.get(from) + " messages");
            } else if (reason == ExitReason.KILLED && !toKill.contains(from)) {
              violations.add(from + " was killed but nobody killed it");
            } else if (reason != ExitReason.NORMAL && reason != ExitReason.KILLED) {
              violations.add(from + " exited with " + reason);
            }
          }
          default -> violations.add("unexpected message");
        }
      }
      for (Object late : Proc.flush()) {
        violations.add("after every Down: " + late);
      }
      Proc.send(report, violations);
    };
  }

  @Test
  @DisplayName("P19: 1,000 rounds of 64 senders, every eighth sender killed while sending")
  void sixtyFourSenders() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      for (int round = 0; round < ROUNDS; round++) {
        node.spawn(receiver(inbox.pid()));

        assertThat(next(inbox)).as("round %d: violations", round).isEqualTo(List.of());
      }
    }
  }

  /**
   * Selective receive while the mailbox is being appended to: the receiver takes the two senders'
   * messages alternately, each with a filter for its sender, so it keeps taking messages from the
   * middle and from the very end of the queue (where a producer may be linking the next node).
   */
  @Test
  @DisplayName("P21/P19: alternating selective receives while two senders send: nothing lost, duplicated or "
      + "reordered")
  void selectiveReceiveWhileSendersRun() {
    int count = 200;
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid me = inbox.pid();
      for (int round = 0; round < ROUNDS; round++) {
        node.spawn(() -> {
          Pid self = Proc.self();
          Proc.Body send = () -> {
            Pid sender = Proc.self();
            for (int n = 0; n < count; n++) {
              Proc.send(self, new Seq(sender, n));
            }
          };
          Pid a = Proc.spawn(send);
          Pid b = Proc.spawn(send);
          List<String> violations = new ArrayList<>();
          for (int n = 0; n < count; n++) {
            for (Pid from : List.of(a, b)) {
              Object m = Proc.receive(x -> x instanceof Seq(Pid f, int i) && f == from, TestSupport.WAIT)
                  .orElse(null);
              if (!(m instanceof Seq(Pid f, int i)) || i != n) {
                violations.add("from " + from + " expected " + n + " got " + m);
              }
            }
          }
          violations.addAll(Proc.flush().stream().map(m -> "left over: " + m).toList());
          Proc.send(me, violations);
        });

        assertThat(next(inbox)).as("round %d: violations", round).isEqualTo(List.of());
      }
    }
  }
}
