package org.otp4j.behaviours;

import static org.assertj.core.api.Assertions.assertThat;
import static org.otp4j.behaviours.GenEventTestSupport.handlerCrashReported;
import static org.otp4j.behaviours.GenEventTestSupport.owner;
import static org.otp4j.behaviours.GenStatemTestSupport.QUIET;
import static org.otp4j.behaviours.GenStatemTestSupport.WAIT;
import static org.otp4j.behaviours.GenStatemTestSupport.exitReasonOf;
import static org.otp4j.behaviours.GenStatemTestSupport.expect;

import java.time.Duration;
import java.util.function.BiConsumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.otp4j.behaviours.BehaviourTestKit.CaptureReports;
import org.otp4j.behaviours.BehaviourTestKit.Reports;
import org.otp4j.behaviours.EventHandler.Removal;
import org.otp4j.behaviours.GenEventTestSupport.Crash;
import org.otp4j.behaviours.GenEventTestSupport.Die;
import org.otp4j.behaviours.GenEventTestSupport.InfoSeen;
import org.otp4j.behaviours.GenEventTestSupport.Init;
import org.otp4j.behaviours.GenEventTestSupport.Owning;
import org.otp4j.behaviours.GenEventTestSupport.Recorder;
import org.otp4j.behaviours.GenEventTestSupport.Remove;
import org.otp4j.behaviours.GenEventTestSupport.SwapTo;
import org.otp4j.behaviours.GenEventTestSupport.Term;
import org.otp4j.behaviours.GenEventTestSupport.Told;
import org.otp4j.core.Down;
import org.otp4j.core.ExitMessage;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Inbox;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;

/**
 * Supervised handlers of a GenEvent manager: {@link GenEvent#addSupervisedHandler} and
 * {@link GenEvent#swapSupervisedHandler} (OTP-SEMANTICS.md E3, E8b, E10).
 */
@ExtendWith(CaptureReports.class)
class GenEventSupervisedTest {

  private static Pid startManager() {
    return GenEvent.start(StartOptions.defaults()).pid();
  }

  /** The next {@link GenEvent.HandlerExit} forwarded by {@code owner}. */
  private static GenEvent.HandlerExit handlerExitTo(Inbox inbox, Pid owner) {
    Told told = (Told) expect(inbox, m -> m instanceof Told t && t.process().equals(owner)
        && t.message() instanceof GenEvent.HandlerExit, "a HandlerExit for " + owner);
    return (GenEvent.HandlerExit) told.message();
  }

  /** Asserts that {@code owner} is told nothing more within {@link GenStatemTestSupport#QUIET}. */
  private static void nothingMoreFor(Inbox inbox, Pid owner) {
    assertThat(inbox.receive(m -> m instanceof Told t && t.process().equals(owner), QUIET))
        .as("a message to " + owner).isEmpty();
  }

  static Stream<Arguments> normalRemovals() {
    return Stream.<Arguments>of(
        Arguments.of("deleteHandler", (BiConsumer<Pid, Recorder>) (m, h) -> GenEvent.deleteHandler(m, h, "args")),
        Arguments.of("removeHandler from handleEvent",
            (BiConsumer<Pid, Recorder>) (m, h) -> GenEvent.syncNotify(m, new Remove(h.name))),
        Arguments.of("removeHandler from handleCall",
            (BiConsumer<Pid, Recorder>) (m, h) -> GenEvent.call(m, h, "leave")));
  }

  @ParameterizedTest(name = "E3: {0} tells the supervising process HandlerExit(normal)")
  @MethodSource("normalRemovals")
  void e3_aNormalRemovalTellsTheOwnerNormal(String how, BiConsumer<Pid, Recorder> remove) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = startManager();
        Recorder a = new Recorder("a", inbox.pid());
        Pid owner = owner(node, inbox, m, a, null);
        remove.accept(m, a);
        assertThat(handlerExitTo(inbox, owner)).isEqualTo(new GenEvent.HandlerExit(m, a, ExitReason.NORMAL, null));
        assertThat(GenEvent.whichHandlers(m)).isEmpty();
        assertThat(Proc.isAlive(owner)).isTrue();
      });
    }
  }

  @Test
  @DisplayName("E3/E5: a supervised handler that crashes tells its owner the crash reason")
  void e3_aCrashTellsTheOwnerTheReason(Reports reports) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = startManager();
        Recorder a = new Recorder("a", inbox.pid());
        Pid owner = owner(node, inbox, m, a, null);
        GenEvent.syncNotify(m, new Crash("a"));
        GenEvent.HandlerExit exit = handlerExitTo(inbox, owner);
        assertThat(exit.handler()).isSameAs(a);
        assertThat(exit.manager()).isEqualTo(m);
        assertThat(exit.reason()).isInstanceOfSatisfying(ExitReason.Crash.class,
            c -> assertThat(c.error()).hasMessage("a crashed"));
        assertThat(exit.swappedTo()).isNull();
        assertThat(handlerCrashReported(reports, m, a)).isEqualTo(exit.reason());
      });
    }
  }

  @Test
  @DisplayName("E3/E11: when the manager stops, the owner is told shutdown")
  void e3_theManagerStoppingTellsTheOwnerShutdown() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = startManager();
        Recorder a = new Recorder("a", inbox.pid());
        Pid owner = owner(node, inbox, m, a, null);
        GenEvent.stop(m);
        assertThat(handlerExitTo(inbox, owner)).isEqualTo(new GenEvent.HandlerExit(m, a, ExitReason.SHUTDOWN, null));
        assertThat(expect(inbox, x -> x instanceof Term, "terminate"))
            .isEqualTo(new Term("a", new Removal.ManagerStopped()));
      });
    }
  }

  @Test
  @DisplayName("E3: a manager that stops with an abnormal reason unlinks the owners of its handlers first, "
      + "so they are told shutdown and survive")
  void e3_anAbnormalManagerStopDoesNotKillTheOwner(Reports reports) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = startManager();
        Recorder a = new Recorder("a", inbox.pid());
        Pid owner = owner(node, inbox, m, a, null); // does not trap exits
        var ownerRef = inbox.monitor(owner);
        ExitReason reason = ExitReason.of("maintenance");
        GenServer.stop(m, reason, WAIT);
        assertThat(exitReasonOf(m)).isEqualTo(reason);
        assertThat(reports.withLabel("gen_server_terminate")).as("the manager's report").singleElement()
            .satisfies(r -> assertThat(r.get("reason")).isEqualTo(reason));
        assertThat(handlerExitTo(inbox, owner).reason()).isEqualTo(ExitReason.SHUTDOWN);
        inbox.send(owner, "still there?");
        expect(inbox, x -> x instanceof Told t && t.message().equals("still there?"), "the owner to answer");
        assertThat(inbox.receive(x -> x instanceof Down d && d.ref().equals(ownerRef), QUIET)).isEmpty();
      });
    }
  }

  static Stream<Arguments> ownerExitReasons() {
    return Stream.of(Arguments.of(ExitReason.NORMAL), Arguments.of(ExitReason.of("owner quit")));
  }

  @ParameterizedTest(name = "E3/E10: an owner exiting with {0} removes its handler with Removal.OwnerExited(reason); "
      + "the other handlers get its exit as info")
  @MethodSource("ownerExitReasons")
  void e3_theOwnerExitingRemovesItsHandler(ExitReason reason) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = startManager();
        Recorder plain = new Recorder("plain", inbox.pid());
        GenEvent.addHandler(m, plain);
        Recorder a = new Recorder("a", inbox.pid());
        Recorder b = new Recorder("b", inbox.pid());
        Pid owner = node.spawn(() -> {
          GenEvent.addSupervisedHandler(m, a);
          GenEvent.addSupervisedHandler(m, b);
          Proc.send(inbox.pid(), new Owning(Proc.self(), new GenEvent.Added()));
          GenEventTestSupport.forwardUntilDie(inbox.pid());
        });
        expect(inbox, x -> x instanceof Owning, "the owner's handlers");
        assertThat(GenEvent.whichHandlers(m)).containsExactly(b, a, plain);
        inbox.send(owner, new Die(reason));
        assertThat(expect(inbox, x -> x instanceof Term t && t.handler().equals("b"), "b's terminate"))
            .isEqualTo(new Term("b", new Removal.OwnerExited(reason)));
        assertThat(expect(inbox, x -> x instanceof Term t && t.handler().equals("a"), "a's terminate"))
            .isEqualTo(new Term("a", new Removal.OwnerExited(reason)));
        assertThat(expect(inbox, x -> x instanceof InfoSeen, "the exit as info"))
            .isEqualTo(new InfoSeen("plain", new ExitMessage(owner, reason)));
        assertThat(GenEvent.whichHandlers(m)).containsExactly(plain);
        assertThat(Proc.isAlive(m)).isTrue();
      });
    }
  }

  @Test
  @DisplayName("E8b/E3: swapSupervisedHandler makes the caller the new handler's supervisor; the previous owner is "
      + "told the handler was swapped")
  void e8b_swapSupervisedHandlerMovesTheSupervision() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = startManager();
        Recorder h1 = new Recorder("h1", inbox.pid());
        Recorder h2 = new Recorder("h2", inbox.pid());
        Pid first = owner(node, inbox, m, h1, null);
        Pid second = node.spawn(() -> {
          Proc.send(inbox.pid(), new Owning(Proc.self(), GenEvent.swapSupervisedHandler(m, h1, "t", h2)));
          GenEventTestSupport.forwardUntilDie(inbox.pid());
        });
        assertThat(expect(inbox, x -> x instanceof Owning o && o.owner().equals(second), "the swap"))
            .isEqualTo(new Owning(second, new GenEvent.Added()));
        assertThat(handlerExitTo(inbox, first)).isEqualTo(new GenEvent.HandlerExit(m, h1, ExitReason.of("swapped"), h2));
        GenEvent.deleteHandler(m, h2, null);
        assertThat(handlerExitTo(inbox, second)).isEqualTo(new GenEvent.HandlerExit(m, h2, ExitReason.NORMAL, null));
        nothingMoreFor(inbox, first);
      });
    }
  }

  @Test
  @DisplayName("E8b: swapSupervisedHandler of an unsupervised handler makes the caller the new one's supervisor")
  void e8b_swapSupervisedHandlerOfAPlainHandler(Reports reports) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = startManager();
        Recorder h1 = new Recorder("h1", inbox.pid());
        Recorder h2 = new Recorder("h2", inbox.pid());
        GenEvent.addHandler(m, h1);
        Pid owner = node.spawn(() -> {
          Proc.send(inbox.pid(), new Owning(Proc.self(), GenEvent.swapSupervisedHandler(m, h1, "t", h2)));
          GenEventTestSupport.forwardUntilDie(inbox.pid());
        });
        expect(inbox, x -> x instanceof Owning, "the swap");
        GenEvent.syncNotify(m, new Crash("h2"));
        assertThat(handlerExitTo(inbox, owner).reason()).isInstanceOf(ExitReason.Crash.class);
        handlerCrashReported(reports, m, h2);
      });
    }
  }

  static Stream<Arguments> plainSwaps() {
    return Stream.<Arguments>of(
        Arguments.of("swapHandler", (BiConsumer<Pid, Recorder[]>) (m, h) -> GenEvent.swapHandler(m, h[0], "t", h[1])),
        Arguments.of("swapHandler from handleEvent",
            (BiConsumer<Pid, Recorder[]>) (m, h) -> GenEvent.syncNotify(m, new SwapTo(h[0].name, h[1]))),
        Arguments.of("swapHandler from handleCall",
            (BiConsumer<Pid, Recorder[]>) (m, h) -> GenEvent.call(m, h[0], new SwapTo(h[0].name, h[1]))));
  }

  @ParameterizedTest(name = "E3/E8: {0} of a supervised handler tells its owner it was swapped, and the owner then "
      + "supervises the new handler")
  @MethodSource("plainSwaps")
  void e3_aPlainSwapOfASupervisedHandlerTellsTheOwner(String how, BiConsumer<Pid, Recorder[]> swap) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = startManager();
        Recorder h1 = new Recorder("h1", inbox.pid());
        Recorder h2 = new Recorder("h2", inbox.pid());
        Pid owner = owner(node, inbox, m, h1, null);
        swap.accept(m, new Recorder[] {h1, h2});
        expect(inbox, x -> x instanceof Init i && i.handler().equals("h2"), "h2's init");
        GenEvent.deleteHandler(m, h2, null);
        // OTP (gen_event split_and_terminate/do_swap): the supervisor gets
        // {gen_event_EXIT, H1, {swapped, H2, Sup}}, then H2 is supervised by the same process.
        assertThat(handlerExitTo(inbox, owner)).isEqualTo(new GenEvent.HandlerExit(m, h1, ExitReason.of("swapped"), h2));
        assertThat(handlerExitTo(inbox, owner)).isEqualTo(new GenEvent.HandlerExit(m, h2, ExitReason.NORMAL, null));
      });
    }
  }

  @Test
  @DisplayName("E3: the owner of a supervised handler is linked to the manager while it supervises one")
  void e3_theOwnerIsLinkedToTheManager() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = startManager();
        Recorder a = new Recorder("a", inbox.pid());
        Pid owner = node.spawn(() -> {
          Proc.trapExits(true);
          GenEvent.addSupervisedHandler(m, a);
          Proc.send(inbox.pid(), new Owning(Proc.self(), new GenEvent.Added()));
          GenEventTestSupport.forwardUntilDie(inbox.pid());
        });
        expect(inbox, x -> x instanceof Owning, "the owner's handler");
        inbox.exit(m, ExitReason.KILL);
        Told told = (Told) expect(inbox, x -> x instanceof Told t && t.message() instanceof ExitMessage,
            "the manager's exit at the owner");
        assertThat(told.process()).isEqualTo(owner);
        assertThat(told.message()).isEqualTo(new ExitMessage(m, ExitReason.KILLED));
      });
    }
  }

  @Test
  @DisplayName("E3: addSupervisedHandler needs a process to supervise: from a plain thread it throws "
      + "NotAProcessException and installs nothing")
  void e3_aPlainThreadCannotSupervise() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = startManager();
        Recorder a = new Recorder("a", inbox.pid());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> GenEvent.addSupervisedHandler(m, a))
            .isInstanceOf(org.otp4j.core.NotAProcessException.class);
        assertThat(GenEvent.whichHandlers(m)).isEmpty();
      });
    }
  }

  @Test
  @DisplayName("E3: each handler's removal is told to its own owner only")
  void e3_eachOwnerHearsOnlyAboutItsHandlers() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = startManager();
        Recorder a = new Recorder("a", inbox.pid());
        Recorder b = new Recorder("b", inbox.pid());
        Pid ownerA = owner(node, inbox, m, a, null);
        Pid ownerB = owner(node, inbox, m, b, null);
        GenEvent.deleteHandler(m, a, null);
        assertThat(handlerExitTo(inbox, ownerA).handler()).isSameAs(a);
        assertThat(inbox.receive(x -> x instanceof Told t && t.process().equals(ownerB), Duration.ZERO)).isEmpty();
        GenEvent.stop(m);
        assertThat(handlerExitTo(inbox, ownerB)).isEqualTo(new GenEvent.HandlerExit(m, b, ExitReason.SHUTDOWN, null));
        nothingMoreFor(inbox, ownerA);
      });
    }
  }
}
