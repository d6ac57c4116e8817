package org.otp4j.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.otp4j.core.TestSupport.awaitProcessCount;
import static org.otp4j.core.TestSupport.exitReason;
import static org.otp4j.core.TestSupport.next;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Race hammers: link, monitor, demonitor and unlink issued at the moment the target exits. The
 * target spins on a flag (so it reacts within nanoseconds, on the other carrier) and exits as soon
 * as the test thread sets it, right before the racing operation. Every round must end with exactly
 * the messages OTP allows: never a missing, duplicate or wrong EXIT or DOWN.
 */
@Tag("stress")
@DisplayName("Stress: link, monitor, demonitor and unlink racing the target's exit")
class LinkMonitorRaceStressTest {
  private static final int ROUNDS = 1_000;
  private static final ExitReason BOOM = ExitReason.of("boom");
  private static final int MAX_JITTER_NANOS = 20_000;
  private static final long SEED = 20_240_611L;

  /**
   * Starts a process that exits with {@code reason} as soon as {@code go} is set, and returns once
   * it is spinning on the flag (it tells {@code inbox} so; the test thread does not spin).
   */
  private static Pid racer(Node node, Inbox inbox, AtomicBoolean go, ExitReason reason) {
    Pid me = inbox.pid();
    Pid racer = node.spawn(() -> {
      Proc.send(me, "spinning");
      while (!go.get()) {
        Thread.onSpinWait();
      }
      Proc.exit(reason);
    });
    assertThat(inbox.receive("spinning"::equals, TestSupport.WAIT)).isPresent();
    return racer;
  }

  /**
   * Busy-waits for a pseudo-random 0-{@value #MAX_JITTER_NANOS} ns, so that over the rounds the racing
   * operation lands at every point of the target's exit (before it, inside it, after it).
   */
  private static void jitter(Random random) {
    long until = System.nanoTime() + random.nextInt(MAX_JITTER_NANOS);
    while (System.nanoTime() < until) {
      Thread.onSpinWait();
    }
  }

  /** Waits until {@code pid} has exited and left the process table: no signal from it can follow. */
  private static void awaitGone(Node node, Pid pid, int remaining) {
    exitReason(pid);
    awaitProcessCount(node, remaining);
  }

  @Test
  @DisplayName("P12/P8: link racing the exit: exactly one ExitMessage, reason boom or noproc")
  void linkRacingExit() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      inbox.trapExits(true);
      Random random = new Random(SEED);
      for (int round = 0; round < ROUNDS; round++) {
        AtomicBoolean go = new AtomicBoolean();
        Pid b = racer(node, inbox, go, BOOM);
        Ref fence = inbox.monitor(b); // set while b is alive: its Down follows any EXIT from b

        go.set(true);
        jitter(random);
        inbox.link(b);

        assertThat(next(inbox, Down.class)).isEqualTo(new Down(fence, b, BOOM));
        List<Object> rest = inbox.flush();
        assertThat(rest).as("round %d", round).hasSize(1);
        assertThat(rest.getFirst()).as("round %d", round).isIn(new ExitMessage(b, BOOM),
            new ExitMessage(b, ExitReason.NOPROC));
      }
      assertThat(Proc.info(inbox.pid()).orElseThrow().links()).isEmpty();
    }
  }

  @Test
  @DisplayName("P14: monitor racing the exit: exactly one Down, reason boom or noproc")
  void monitorRacingExit() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Random random = new Random(SEED);
      for (int round = 0; round < ROUNDS; round++) {
        AtomicBoolean go = new AtomicBoolean();
        Pid b = racer(node, inbox, go, BOOM);

        go.set(true);
        jitter(random);
        Ref ref = inbox.monitor(b);

        assertThat(next(inbox)).as("round %d", round).isIn(new Down(ref, b, BOOM),
            new Down(ref, b, ExitReason.NOPROC));
        awaitGone(node, b, 1);
        assertThat(inbox.flush()).as("round %d: after the Down", round).isEmpty();
      }
    }
  }

  @Test
  @DisplayName("P17: demonitor racing the exit: true and no Down, or false and exactly one Down")
  void demonitorRacingExit() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Random random = new Random(SEED);
      for (int round = 0; round < ROUNDS; round++) {
        AtomicBoolean go = new AtomicBoolean();
        Pid b = racer(node, inbox, go, BOOM);
        Ref ref = inbox.monitor(b);

        go.set(true);
        jitter(random);
        boolean removed = inbox.demonitor(ref);

        awaitGone(node, b, 1);
        List<Object> mailbox = inbox.flush();
        if (removed) {
          assertThat(mailbox).as("round %d: demonitor returned true", round).isEmpty();
        } else {
          assertThat(mailbox).as("round %d: demonitor returned false", round).containsExactly(new Down(ref, b, BOOM));
        }
      }
    }
  }

  @Test
  @DisplayName("P13: unlink racing the exit: at most one ExitMessage, and the link is gone")
  void unlinkRacingExit() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      inbox.trapExits(true);
      Random random = new Random(SEED);
      for (int round = 0; round < ROUNDS; round++) {
        AtomicBoolean go = new AtomicBoolean();
        Pid b = racer(node, inbox, go, BOOM);
        inbox.link(b);

        go.set(true);
        jitter(random);
        inbox.unlink(b);

        awaitGone(node, b, 1);
        assertThat(inbox.flush()).as("round %d", round).isSubsetOf(new ExitMessage(b, BOOM)).hasSizeLessThan(2);
        assertThat(Proc.info(inbox.pid()).orElseThrow().links()).isEmpty();
      }
    }
  }

  /**
   * From inside a process: spawns a linked process that exits with boom as soon as {@code go} is
   * set, and returns once it is spinning on the flag.
   */
  private static Pid spawnLinkedRacer(AtomicBoolean go) {
    Pid parent = Proc.self();
    Pid b = Proc.spawnLink(() -> {
      Proc.send(parent, "spinning");
      while (!go.get()) {
        Thread.onSpinWait();
      }
      Proc.exit(BOOM);
    });
    Proc.receive("spinning"::equals);
    return b;
  }

  /**
   * A is linked to B (spawnLink) and keeps calling link(B) while B exits with boom. Linking to a
   * process one is already linked to is a no-op (P11), so A must die with boom (P7b): it can never
   * be told noproc and survive.
   */
  @Test
  @DisplayName("P11/P7b: repeated link to an already linked peer that exits: the non-trapping linker dies with boom")
  void repeatedLinkWhileLinkedPeerExits() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid me = inbox.pid();
      int survived = 0;
      for (int round = 0; round < ROUNDS; round++) {
        AtomicBoolean go = new AtomicBoolean();
        Pid a = node.spawn(() -> {
          Pid b = spawnLinkedRacer(go);
          go.set(true);
          try {
            while (true) {
              Proc.link(b);
            }
          } catch (NoProcException e) {
            Proc.send(me, "told noproc");
          }
        });

        ExitReason reason = exitReason(a);
        if (!reason.equals(BOOM)) {
          survived++;
        }
      }
      assertThat(survived).as("rounds where the linked process survived its peer's boom").isZero();
      assertThat(inbox.flush()).as("link(B) raised noproc although A was linked to B").isEmpty();
    }
  }

  /** The trapping variant: the EXIT that A receives must carry B's reason, not noproc. */
  @Test
  @DisplayName("P11/P8: repeated link to an already linked peer that exits: the trapping linker gets EXIT boom")
  void repeatedLinkWhileLinkedPeerExitsTrapping() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid me = inbox.pid();
      int noproc = 0;
      for (int round = 0; round < ROUNDS; round++) {
        AtomicBoolean go = new AtomicBoolean();
        node.spawn(SpawnOptions.defaults().withTrapExits(true), () -> {
          Pid b = spawnLinkedRacer(go);
          go.set(true);
          Optional<Object> first;
          do {
            Proc.link(b);
            first = Proc.receive(Duration.ZERO);
          } while (first.isEmpty());
          Proc.send(me, List.of(b, first.get()));
        });

        List<?> report = next(inbox, List.class);
        Pid b = (Pid) report.get(0);
        if (!report.get(1).equals(new ExitMessage(b, BOOM))) {
          noproc++;
          assertThat(report.get(1)).isEqualTo(new ExitMessage(b, ExitReason.NOPROC));
        }
      }
      assertThat(noproc).as("rounds where the first EXIT from the linked peer said noproc instead of boom")
          .isZero();
    }
  }
}
