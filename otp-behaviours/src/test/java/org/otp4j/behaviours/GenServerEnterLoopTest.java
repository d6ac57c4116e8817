package org.otp4j.behaviours;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.otp4j.behaviours.BehaviourTestKit.exitReasonOf;
import static org.otp4j.behaviours.BehaviourTestKit.expect;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.otp4j.core.ExitReason;
import org.otp4j.core.From;
import org.otp4j.core.Inbox;
import org.otp4j.core.Name;
import org.otp4j.core.Node;
import org.otp4j.core.NotAProcessException;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;

/** GenServer.enterLoop: a process that initialises itself becomes a server (OTP-SEMANTICS G28, enter_loop). */
class GenServerEnterLoopTest {

  /** Keeps a list; reports its terminate and its continuations to an observer. */
  static final class Journal extends GenServer<List<String>, String> {
    private final Pid observer;

    Journal(Pid observer) {
      this.observer = observer;
    }

    @Override
    protected Init<List<String>> init() {
      throw new AssertionError("enterLoop must not call init");
    }

    @Override
    protected CallResult<List<String>> handleCall(String entry, From from, List<String> entries) {
      List<String> more = new ArrayList<>(entries);
      more.add(entry);
      return reply(List.copyOf(more), more);
    }

    @Override
    protected CastResult<List<String>> handleContinue(Object continuation, List<String> entries) {
      Proc.send(observer, "continued with " + continuation + " on " + entries);
      return noReply(entries);
    }

    @Override
    protected void terminate(ExitReason reason, List<String> entries) {
      Proc.send(observer, "terminated " + reason + " with " + entries);
    }
  }

  /**
   * A start function: spawns the process, which traps exits (so that the parent's shutdown runs terminate)
   * and acknowledges (its own start protocol), then registers itself and enters the loop.
   */
  static Pid startJournal(Pid observer, Name name) {
    Pid parent = Proc.self();
    return BehaviourTestKit.spawnLinkTrapping(() -> {
      Proc.register(name, Proc.self());
      GenServer.enterLoop(new Journal(observer), name, List.of("opened"), GenServer.Action.continueWith("setup"), parent);
    });
  }

  @Test
  @DisplayName("G28: under a supervisor, a self-initialised process serves calls after enterLoop, runs its continuation first, and stops on shutdown")
  void underASupervisor() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid sup = Supervisor.startLink(Supervisor.oneForOne(),
            ChildSpec.worker("journal", () -> startJournal(inbox.pid(), Name.local("journal"))));
        expect(inbox, "continued with setup on [opened]");
        assertThat((List<Object>) GenServer.call(Name.local("journal"), "first")).containsExactly("opened", "first");
        Pid journal = Proc.whereis("journal").orElseThrow();
        assertThat(((List<String>) Sys.getState(journal))).containsExactly("opened", "first");
        Supervisor.stop(sup);
        expect(inbox, "terminated " + ExitReason.SHUTDOWN + " with [opened, first]");
        assertThat(exitReasonOf(journal)).isEqualTo(ExitReason.SHUTDOWN);
      });
    }
  }

  @Test
  @DisplayName("G28: a name that is not the process's own: it exits with process_not_registered")
  void nameNotRegistered() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid p = Proc.spawn(() -> GenServer.enterLoop(new Journal(inbox.pid()), Name.local("elsewhere"),
            List.of(), null, Proc.self()));
        assertThat(exitReasonOf(p).toString()).contains("process_not_registered");
        assertThat(exitReasonOf(p)).isEqualTo(ExitReason.of("process_not_registered"));
      });
    }
  }

  @Test
  @DisplayName("G28: enterLoop needs a process")
  void fromAPlainThread() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      assertThatThrownBy(() -> GenServer.enterLoop(new Journal(inbox.pid()), List.of(), inbox.pid()))
          .isInstanceOf(NotAProcessException.class).hasMessageContaining("GenServer.enterLoop");
    }
  }
}
