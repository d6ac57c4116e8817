package org.otp4j.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.otp4j.core.TestSupport.assertCrashReport;
import static org.otp4j.core.TestSupport.exitReason;
import static org.otp4j.core.TestSupport.idle;
import static org.otp4j.core.TestSupport.next;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.otp4j.core.TestSupport.Reports;

@DisplayName("Links: exit propagation, noproc, unlink (P2, P5-P8, P11-P13)")
class LinkTest {
  private static final ExitReason BOOM = ExitReason.of("boom");

  /** A process that exits with {@code reason} when it receives any message. */
  private static Proc.Body exitOnMessage(ExitReason reason) {
    return () -> {
      Proc.receive();
      Proc.exit(reason);
    };
  }

  @ParameterizedTest(name = "linked with {0}")
  @ValueSource(strings = {"spawnLink", "link"})
  @DisplayName("P7b (1): a non-trapping process linked to one that exits boom dies with boom")
  void nonTrappingPeerDiesWithTheSameReason(String how) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid me = inbox.pid();
      Pid a = node.spawn(() -> {
        Pid b;
        if (how.equals("spawnLink")) {
          b = Proc.spawnLink(exitOnMessage(BOOM));
        } else {
          b = Proc.spawn(exitOnMessage(BOOM));
          Proc.link(b);
        }
        Proc.send(me, b);
        idle();
      });
      Pid b = next(inbox, Pid.class);
      inbox.send(b, "go");

      assertThat(exitReason(b)).isEqualTo(BOOM);
      assertThat(exitReason(a)).isEqualTo(BOOM);
    }
  }

  @Test
  @DisplayName("P8 (2): a trapping linked process receives exactly one ExitMessage and stays alive")
  void trappingPeerGetsExactlyOneExitMessage() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      inbox.trapExits(true);
      Pid b = node.spawn(exitOnMessage(BOOM));
      inbox.link(b);
      Ref ref = inbox.monitor(b); // its Down comes after any EXIT from b: the fence for "exactly one"
      inbox.send(b, "go");

      assertThat(next(inbox)).isEqualTo(new ExitMessage(b, BOOM));
      assertThat(next(inbox)).isEqualTo(new Down(ref, b, BOOM));
      assertThat(inbox.flush()).isEmpty();
      assertThat(inbox.isAlive()).isTrue();
    }
  }

  @Test
  @DisplayName("P6b (3): a normal exit leaves a non-trapping linked process alive with an empty mailbox")
  void normalExitDoesNotAffectANonTrappingPeer() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid me = inbox.pid();
      Pid a = node.spawn(() -> {
        Pid b = Proc.spawnLink(() -> Proc.receive());
        Ref ref = Proc.monitor(b);
        Proc.send(b, "finish");
        Object down = Proc.receive();
        Proc.send(me, new Object[] {down.equals(new Down(ref, b, ExitReason.NORMAL)), Proc.flush(),
            Proc.info(Proc.self()).orElseThrow().links()});
        idle();
      });

      Object[] report = (Object[]) next(inbox);
      assertThat(report[0]).as("Down(normal) received").isEqualTo(true);
      assertThat(report[1]).as("mailbox after the Down").isEqualTo(List.of());
      assertThat(report[2]).as("links after the peer's exit").isEqualTo(List.of());
      assertThat(Proc.isAlive(a)).isTrue();
    }
  }

  @Test
  @DisplayName("P6b (3): an inbox that does not trap survives a linked process's normal exit, mailbox empty")
  void normalExitDoesNotAffectANonTrappingInbox() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid b = node.spawn(() -> Proc.receive());
      inbox.link(b);
      Ref ref = inbox.monitor(b);
      inbox.send(b, "finish");

      assertThat(next(inbox)).isEqualTo(new Down(ref, b, ExitReason.NORMAL));
      assertThat(inbox.flush()).isEmpty();
      assertThat(inbox.isAlive()).isTrue();
      assertThat(Proc.info(inbox.pid()).orElseThrow().links()).isEmpty();
    }
  }

  @Test
  @DisplayName("P7a/P8 (4): exit(B, kill) on a trapping B: B dies killed, a trapping peer gets EXIT killed, "
      + "a non-trapping peer dies killed")
  void killSentDirectlyArrivesAsKilled() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid me = inbox.pid();
      inbox.trapExits(true);
      Pid b = node.spawn(SpawnOptions.defaults().withTrapExits(true), TestSupport::idle);
      inbox.link(b);
      Pid c = node.spawn(() -> {
        Proc.link(b);
        Proc.send(me, "linked");
        idle();
      });
      assertThat(next(inbox)).isEqualTo("linked");

      Proc.exit(b, ExitReason.KILL);

      assertThat(exitReason(b)).isEqualTo(ExitReason.KILLED);
      assertThat(next(inbox)).isEqualTo(new ExitMessage(b, ExitReason.KILLED));
      assertThat(exitReason(c)).isEqualTo(ExitReason.KILLED);
    }
  }

  @Test
  @DisplayName("P7b/P8 (4): B doing exit(kill) itself: a trapping peer gets EXIT kill, a non-trapping peer "
      + "dies with kill and passes kill on")
  void killPropagatedThroughALinkStaysKill() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox(); Inbox second = node.openInbox()) {
      Pid me = inbox.pid();
      inbox.trapExits(true);
      second.trapExits(true);
      Pid b = node.spawn(exitOnMessage(ExitReason.KILL));
      inbox.link(b);
      Pid c = node.spawn(() -> {
        Proc.link(b);
        Proc.send(me, "linked");
        idle();
      });
      assertThat(next(inbox)).isEqualTo("linked");
      second.link(c);

      inbox.send(b, "go");

      assertThat(exitReason(b)).isEqualTo(ExitReason.KILL);
      assertThat(next(inbox)).isEqualTo(new ExitMessage(b, ExitReason.KILL));
      assertThat(exitReason(c)).isEqualTo(ExitReason.KILL);
      assertThat(next(second)).isEqualTo(new ExitMessage(c, ExitReason.KILL));
      assertThat(inbox.isAlive()).isTrue();
      assertThat(second.isAlive()).isTrue();
    }
  }

  @Test
  @DisplayName("P12 (6): linking a dead pid while trapping delivers ExitMessage(pid, noproc) at once")
  void linkToADeadPidWhileTrapping() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid dead = node.spawn(() -> {});
      exitReason(dead);
      inbox.trapExits(true);

      inbox.link(dead);

      assertThat(inbox.receive(Duration.ZERO)).contains(new ExitMessage(dead, ExitReason.NOPROC));
      assertThat(inbox.flush()).isEmpty();
      assertThat(Proc.info(inbox.pid()).orElseThrow().links()).isEmpty();
    }
  }

  @Test
  @DisplayName("P12 (6): linking a dead pid without trapping throws NoProcException and changes nothing")
  void linkToADeadPidWithoutTrapping() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid dead = node.spawn(() -> {});
      exitReason(dead);

      assertThatThrownBy(() -> inbox.link(dead))
          .isInstanceOfSatisfying(NoProcException.class, e -> assertThat(e.pid()).isSameAs(dead))
          .hasMessage("link: process " + dead + " does not exist (it has terminated)");
      assertThat(inbox.isAlive()).isTrue();
      assertThat(inbox.flush()).isEmpty();
      assertThat(Proc.info(inbox.pid()).orElseThrow().links()).isEmpty();
    }
  }

  @Test
  @DisplayName("P12 (6): Proc.link to a dead pid inside a non-trapping process throws NoProcException")
  void procLinkToADeadPid() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid me = inbox.pid();
      Pid dead = node.spawn(() -> {});
      exitReason(dead);
      Pid a = node.spawn(() -> {
        try {
          Proc.link(dead);
          Proc.send(me, "linked");
        } catch (NoProcException e) {
          Proc.send(me, e.pid());
        }
      });

      assertThat(next(inbox)).isSameAs(dead);
      assertThat(exitReason(a)).isEqualTo(ExitReason.NORMAL);
    }
  }

  @Test
  @DisplayName("P6a/P13 (9): after unlink, the peer's exit sends nothing")
  void unlinkThenExit() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      inbox.trapExits(true);
      Pid b = node.spawn(exitOnMessage(BOOM));
      inbox.link(b);
      inbox.unlink(b);
      Ref ref = inbox.monitor(b);
      inbox.send(b, "go");

      assertThat(next(inbox)).isEqualTo(new Down(ref, b, BOOM));
      assertThat(inbox.flush()).isEmpty();
    }
  }

  @Test
  @DisplayName("P13: unlink done by the other side also removes the link for both")
  void unlinkFromTheOtherSide() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid me = inbox.pid();
      Pid b = node.spawn(() -> {
        Proc.receive();
        Proc.unlink(me);
        Proc.exit(BOOM);
      });
      inbox.link(b);
      Ref ref = inbox.monitor(b);
      inbox.send(b, "go");

      assertThat(next(inbox)).isEqualTo(new Down(ref, b, BOOM));
      assertThat(inbox.isAlive()).isTrue();
      assertThat(inbox.flush()).isEmpty();
    }
  }

  @Test
  @DisplayName("P13: unlink of a process that is not linked, or dead, is a no-op")
  void unlinkOfANonLinkedOrDeadProcess() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      inbox.trapExits(true);
      Pid live = node.spawn(TestSupport::idle);
      Pid dead = node.spawn(() -> {});
      exitReason(dead);

      inbox.unlink(live);
      inbox.unlink(dead);

      assertThat(inbox.flush()).isEmpty();
      assertThat(Proc.isAlive(live)).isTrue();
      assertThat(Proc.info(live).orElseThrow().links()).isEmpty();
    }
  }

  @Test
  @DisplayName("P11: links are bidirectional, at most one per pair; link(self) does nothing")
  void linksAreBidirectionalAndIdempotent() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid b = node.spawn(TestSupport::idle);

      inbox.link(b);
      inbox.link(b);
      inbox.link(inbox.pid());

      assertThat(Proc.info(inbox.pid()).orElseThrow().links()).containsExactly(b);
      assertThat(Proc.info(b).orElseThrow().links()).containsExactly(inbox.pid());

      inbox.unlink(b); // one unlink undoes both link calls
      assertThat(Proc.info(inbox.pid()).orElseThrow().links()).isEmpty();
      assertThat(Proc.info(b).orElseThrow().links()).isEmpty();
    }
  }

  @Test
  @DisplayName("P11: an exit travels both ways along a link")
  void exitTravelsBothWays() {
    try (Node node = Node.start(); Inbox observer = node.openInbox()) {
      Pid me = observer.pid();
      Pid a = node.spawn(SpawnOptions.defaults().withTrapExits(true), () -> {
        while (true) {
          Proc.send(me, Proc.receive());
        }
      });
      Inbox linked = node.openInbox();
      linked.link(a);

      Proc.exit(linked.pid(), ExitReason.of("bye"));

      assertThat(linked.isAlive()).isFalse();
      assertThat(next(observer)).isEqualTo(new ExitMessage(linked.pid(), ExitReason.of("bye")));
      assertThat(Proc.isAlive(a)).isTrue();
    }
  }

  @Test
  @DisplayName("P8: closing an inbox terminates it with normal: a trapping linked process gets EXIT normal")
  void closingAnInboxIsANormalExit() {
    try (Node node = Node.start(); Inbox observer = node.openInbox()) {
      Pid me = observer.pid();
      Inbox closing = node.openInbox();
      Pid a = node.spawn(SpawnOptions.defaults().withTrapExits(true), () -> {
        while (true) {
          Proc.send(me, Proc.receive());
        }
      });
      closing.link(a);
      Ref ref = observer.monitor(closing.pid());

      closing.close();

      assertThat(closing.isAlive()).isFalse();
      assertThat(exitReason(closing.pid())).isEqualTo(ExitReason.NORMAL);
      assertThat(List.of(next(observer), next(observer))).containsExactlyInAnyOrder(
          new ExitMessage(closing.pid(), ExitReason.NORMAL), new Down(ref, closing.pid(), ExitReason.NORMAL));
      assertThat(Proc.info(a).orElseThrow().links()).isEmpty();
    }
  }

  @Test
  @DisplayName("P2: spawnLink is atomic: a trapping parent gets the EXIT of a child that crashes at once")
  void spawnLinkSeesAnImmediateCrashWhenTrapping() {
    IllegalStateException crash = new IllegalStateException("child failed");
    try (Node node = Node.start(); Reports reports = Reports.capture(node); Inbox inbox = node.openInbox()) {
      Pid me = inbox.pid();
      node.spawn(() -> {
        Proc.trapExits(true);
        Pid child = Proc.spawnLink(() -> {
          throw crash;
        });
        Proc.send(me, child);
        Proc.send(me, Proc.receive());
      });

      Pid child = next(inbox, Pid.class);
      assertThat(next(inbox)).isEqualTo(new ExitMessage(child, ExitReason.crash(crash)));
      assertThat(reports.errorsAfterStop()).satisfiesExactly(r -> assertCrashReport(r, child, crash));
    }
  }

  @Test
  @DisplayName("P2: spawnLink is atomic: a non-trapping parent dies with the reason of a child that exits at once")
  void spawnLinkKillsANonTrappingParent() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid me = inbox.pid();
      Pid parent = node.spawn(() -> {
        Proc.spawnLink(() -> {
          Proc.send(me, Proc.self());
          Proc.exit(BOOM);
        });
        idle();
      });

      Pid child = next(inbox, Pid.class);
      assertThat(exitReason(child)).isEqualTo(BOOM);
      assertThat(exitReason(parent)).isEqualTo(BOOM);
    }
  }

  @Test
  @DisplayName("P7b: an exit runs down a chain of 10,000 linked processes")
  void longChainOfLinks() {
    int depth = 10_000;
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid me = inbox.pid();
      Pid head = node.spawn(() -> chain(depth, me));
      Ref ref = inbox.monitor(head);
      Pid tail = next(inbox, Pid.class);

      inbox.send(tail, "go");

      assertThat(inbox.receive(d -> d instanceof Down, Duration.ofSeconds(20)))
          .contains(new Down(ref, head, BOOM));
      TestSupport.awaitProcessCount(node, 1);
    }
  }

  private static void chain(int remaining, Pid report) {
    if (remaining == 1) {
      Proc.send(report, Proc.self());
      Proc.receive();
      Proc.exit(BOOM);
    }
    Proc.spawnLink(() -> chain(remaining - 1, report));
    idle();
  }
}
