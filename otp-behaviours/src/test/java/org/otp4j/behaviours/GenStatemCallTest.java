package org.otp4j.behaviours;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.otp4j.behaviours.GenStatem.keepState;
import static org.otp4j.behaviours.GenStatem.keepStateAndData;
import static org.otp4j.behaviours.GenStatem.nextState;
import static org.otp4j.behaviours.GenStatemTestSupport.WAIT;
import static org.otp4j.behaviours.GenStatemTestSupport.expect;
import static org.otp4j.behaviours.GenStatemTestSupport.exitReasonOf;
import static org.otp4j.behaviours.GenStatemTestSupport.isCast;
import static org.otp4j.behaviours.GenStatemTestSupport.nextSeen;
import static org.otp4j.behaviours.GenStatemTestSupport.scripted;
import static org.otp4j.behaviours.GenStatemTestSupport.start;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.otp4j.behaviours.BehaviourTestKit.CaptureReports;
import org.otp4j.behaviours.BehaviourTestKit.Reports;
import org.otp4j.behaviours.GenStatem.Action;
import org.otp4j.behaviours.GenStatem.Event;
import org.otp4j.behaviours.GenStatemTestSupport.Seen;
import org.otp4j.behaviours.GenStatemTestSupport.Terminated;
import org.otp4j.core.CallException;
import org.otp4j.core.ExitMessage;
import org.otp4j.core.ExitReason;
import org.otp4j.core.From;
import org.otp4j.core.Inbox;
import org.otp4j.core.Name;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;

/** Calls and replies of {@link GenStatem} (OTP-SEMANTICS.md S4, S7, S18). */
@ExtendWith(CaptureReports.class)
class GenStatemCallTest {

  /** The From of the call in a {@link Seen} report. */
  private static From fromOf(Seen seen) {
    assertThat(seen.event()).isInstanceOf(Event.Call.class);
    return ((Event.Call) seen.event()).from();
  }

  @Test
  @DisplayName("S4/S18: call without a timeout waits for a reply given later by another process with GenStatem.reply")
  void s4_callWithoutATimeoutWaitsForADeferredReply() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        // The replier gets the caller's From from the machine and answers on its own.
        Pid replier = node.spawn(() -> {
          From from = (From) Proc.receive(x -> x instanceof From);
          Proc.send(inbox.pid(), from.reply("answered by " + Proc.self()));
        });
        Pid m = start(scripted(inbox.pid(), "S", (e, s, d) -> {
          if (e instanceof Event.Call(From from, Object q)) {
            Proc.send(replier, from);
          }
          return keepStateAndData(); // no reply from the machine
        }));
        assertThat((String) GenStatem.call(m, "question")).isEqualTo("answered by " + replier);
        assertThat(inbox.receive(x -> x instanceof Boolean, WAIT)).as("GenStatem.reply reached a waiting caller")
            .contains(true);
      });
    }
  }

  @Test
  @DisplayName("S4: the default call timeout is infinity; a call failure names GenStatem.call and the request")
  void s4_theDefaultCallTimeoutIsInfinite(Reports reports) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        ExitReason reason = ExitReason.of("gone fishing");
        Pid m = start(scripted(inbox.pid(), "S", (e, s, d) -> e instanceof Event.Call
            ? GenStatem.stop(reason) : keepStateAndData()));
        assertThatThrownBy(() -> GenStatem.call(m, "anyone there?")).isInstanceOfSatisfying(CallException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(reason);
              assertThat(e.timeout()).isEqualTo(Proc.INFINITY);
              assertThat(e.operation()).isEqualTo("GenStatem.call");
              assertThat(e).hasMessageContaining("GenStatem.call").hasMessageContaining("anyone there?")
                  .hasMessageContaining("gone fishing");
            });
        assertThat(reports.reasons("gen_statem_terminate")).containsExactly(reason);
      });
    }
  }

  @Test
  @DisplayName("S4: a call with a timeout gives up with timeout, and a late reply is dropped")
  void s4_aCallWithATimeoutGivesUp() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = start(scripted(inbox.pid(), "S", (e, s, d) -> keepStateAndData()));
        assertThatThrownBy(() -> GenStatem.call(m, "q", Duration.ofMillis(50)))
            .isInstanceOfSatisfying(CallException.class, e -> assertThat(e.reason()).isEqualTo(ExitReason.TIMEOUT));
        From from = fromOf(nextSeen(inbox));
        assertThat(from.reply("too late")).isFalse();
        assertThat(Proc.isAlive(m)).isTrue();
      });
    }
  }

  @Test
  @DisplayName("S4: calling a machine that does not exist fails with noproc, by pid and by name")
  void s4_callingAMissingMachineFailsWithNoproc() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = start(scripted(inbox.pid(), "S", (e, s, d) -> keepStateAndData()));
        GenStatem.stop(m);
        assertThatThrownBy(() -> GenStatem.call(m, "q")).isInstanceOfSatisfying(CallException.class,
            e -> assertThat(e.reason()).isEqualTo(ExitReason.NOPROC));
        assertThatThrownBy(() -> GenStatem.call(Name.local("nobody"), "q")).isInstanceOfSatisfying(
            CallException.class, e -> assertThat(e.reason()).isEqualTo(ExitReason.NOPROC));
        GenStatem.cast(Name.local("nobody"), "a cast never fails");
      });
    }
  }

  @Test
  @DisplayName("S7: stopAndReply sends every reply, then runs terminate, then exits: callers get their replies, "
      + "then a linked trapping process gets the exit")
  void s7_stopAndReplyRepliesBeforeTheExit(Reports reports) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        ExitReason reason = ExitReason.of("finished");
        Pid m = start(scripted(inbox.pid(), "serving", (e, s, d) -> switch (e) {
          case Event.Call(From from, Object q) when q.equals("stop") -> {
            @SuppressWarnings("unchecked")
            List<From> waiting = (List<From>) d;
            yield GenStatem.stopAndReply(reason, "final", Action.reply(waiting.get(0), "r1"),
                Action.reply(waiting.get(1), "r2"), Action.reply(from, "r3"));
          }
          case Event.Call(From from, Object q) -> {
            List<Object> waiting = d instanceof List<?> l ? new ArrayList<>(l) : new ArrayList<>();
            waiting.add(from);
            yield keepState(List.copyOf(waiting));
          }
          default -> keepStateAndData();
        }));
        inbox.trapExits(true);
        inbox.link(m);
        for (String who : List.of("c1", "c2")) {
          node.spawn(() -> {
            Object outcome;
            try {
              outcome = GenStatem.call(m, who);
            } catch (CallException e) {
              outcome = e.reason();
            }
            Proc.send(inbox.pid(), who + ":" + outcome);
          });
          nextSeen(inbox); // its call is in before the next one is made
        }
        Sys.install(m, (pid, event) -> Proc.send(inbox.pid(), event));

        assertThat((String) GenStatem.call(m, "stop")).isEqualTo("r3");

        // What the machine sent the probe, in its own order, up to its exit signal.
        List<Object> trail = new ArrayList<>();
        Object next;
        do {
          next = expect(inbox, x -> x instanceof Sys.Event || x instanceof Terminated || x instanceof ExitMessage,
              "the machine's trail");
          trail.add(next);
        } while (!(next instanceof ExitMessage));
        assertThat(trail).hasSize(7);
        assertThat(trail.get(0)).isInstanceOf(Sys.Event.In.class);
        assertThat(trail.subList(1, 4)).extracting(x -> ((Sys.Event.Out) x).reply()).containsExactly("r1", "r2", "r3");
        assertThat(trail.get(4)).isEqualTo(new Terminated(reason, "serving", "final"));
        assertThat(trail.get(5)).isInstanceOfSatisfying(Sys.Event.Terminate.class,
            t -> assertThat(t.reason()).isEqualTo(reason));
        assertThat(trail.get(6)).isEqualTo(new ExitMessage(m, reason));

        assertThat(inbox.receive(x -> x.equals("c1:r1"), WAIT)).isPresent();
        assertThat(inbox.receive(x -> x.equals("c2:r2"), WAIT)).isPresent();
        assertThat(exitReasonOf(m)).isEqualTo(reason);
        assertThat(reports.reasons("gen_statem_terminate")).containsExactly(reason);
      });
    }
  }

  @Test
  @DisplayName("S18: a call postponed in one state is answered in a later one")
  void s18_aPostponedCallIsAnsweredInALaterState() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = start(scripted(inbox.pid(), "closed", (e, s, d) -> switch (s) {
          case "closed" -> isCast(e, "open") ? nextState("open", d) : keepStateAndData(Action.postpone());
          default -> e instanceof Event.Call(From from, Object q)
              ? keepStateAndData(Action.reply(from, q + " answered when " + s)) : keepStateAndData();
        }));
        node.spawn(() -> Proc.send(inbox.pid(), GenStatem.call(m, "early question")));
        assertThat(nextSeen(inbox).state()).isEqualTo("closed");
        GenStatem.cast(m, "open");
        assertThat(inbox.receive(x -> x instanceof String, WAIT)).contains("early question answered when open");
      });
    }
  }
}
