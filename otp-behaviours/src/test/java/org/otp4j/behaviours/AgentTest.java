package org.otp4j.behaviours;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.otp4j.behaviours.BehaviourTestKit.await;
import static org.otp4j.behaviours.BehaviourTestKit.callFails;
import static org.otp4j.behaviours.BehaviourTestKit.exitReasonOf;
import static org.otp4j.behaviours.BehaviourTestKit.inProcess;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.otp4j.behaviours.BehaviourTestKit.CaptureReports;
import org.otp4j.behaviours.BehaviourTestKit.Reports;
import org.otp4j.core.CallException;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Inbox;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.core.ServerRef;

/** Elixir's Agent: get, update, get_and_update, cast, start/start_link, child spec; on GenServer. */
@ExtendWith(CaptureReports.class)
class AgentTest {

  private static void onNode(Consumer<Inbox> test) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> test.accept(inbox));
    }
  }

  @Test
  @DisplayName("Agent.get/update/cast/get_and_update run their functions on the state, in order, from a plain thread or a process")
  void counter() {
    onNode(inbox -> {
      // region: counter
      ServerRef<Agent.Request<Integer>> counter = Agent.startLink(() -> 0);
      Agent.update(counter, n -> n + 1);
      Agent.cast(counter, n -> n + 10);                              // returns at once
      int before = Agent.getAndUpdate(counter, n -> Agent.pair(n, n * 2));
      int now = Agent.get(counter, n -> n);                          // 22, before was 11
      // endregion: counter
      assertThat(before).isEqualTo(11);
      assertThat(now).isEqualTo(22);
      String fromProcess = inProcess(() -> {
        Agent.update(counter, n -> n + 1);
        return Agent.get(counter, n -> "n=" + n);
      });
      assertThat(fromProcess).isEqualTo("n=23");
      assertThat(Sys.getState(counter)).isEqualTo(23);
      Agent.stop(counter);
      assertThat(Proc.isAlive(counter.pid())).isFalse();
    });
  }

  @Test
  @DisplayName("Agent.start_link links the agent to the caller; start does not; a named agent is reached by its name")
  void startAndNames() {
    onNode(inbox -> {
      ServerRef<Agent.Request<Map<String, Integer>>> bucket = ServerRef.local("bucket");
      Pid agent = inProcess(() -> {
        ServerRef<Agent.Request<Map<String, Integer>>> ref = Agent.startLink(bucket, Map::of);
        assertThat(Proc.info(Proc.self()).orElseThrow().links()).contains(ref.pid());
        ServerRef<Agent.Request<Integer>> free = Agent.start(() -> 1);
        assertThat(Proc.info(Proc.self()).orElseThrow().links()).doesNotContain(free.pid());
        Agent.stop(free);
        return ref.pid();
      });
      Agent.update(bucket, m -> Map.of("milk", 3));
      int milk = Agent.get(bucket, m -> m.get("milk"));
      assertThat(milk).isEqualTo(3);
      assertThat(Proc.whereis("bucket")).contains(agent);
      Agent.stop(bucket, ExitReason.SHUTDOWN, Duration.ofSeconds(5));
      assertThat(exitReasonOf(agent)).isEqualTo(ExitReason.SHUTDOWN);
    });
  }

  @Test
  @DisplayName("a function that throws crashes the agent (the caller gets its reason); under a supervisor it restarts from its initial state")
  void crashAndRestart(Reports reports) {
    onNode(inbox -> {
      ServerRef<Agent.Request<List<String>>> log = ServerRef.local("log");
      Pid sup = Supervisor.startLink(Supervisor.oneForOne(), Agent.childSpec("log", log, () -> List.of("start")));
      Agent.update(log, l -> List.of("start", "more"));
      Pid first = log.pid();
      CallException e = callFails(() -> Agent.get(log, l -> l.get(5)));
      assertThat(e.reason()).isInstanceOfSatisfying(ExitReason.Crash.class,
          c -> assertThat(c.error()).isInstanceOf(IndexOutOfBoundsException.class));
      Node node = Node.current();
      await().until(() -> node.whereis("log").filter(p -> !p.equals(first)).isPresent());
      List<String> restarted = Agent.get(log, l -> l);
      assertThat(restarted).containsExactly("start");
      assertThat(reports.awaitLabel("gen_server_terminate", 1)).singleElement()
          .satisfies(r -> assertThat(r.get("reason").toString()).contains("IndexOutOfBounds"));
      reports.awaitLabel("supervisor_report", 1);
      Supervisor.stop(sup);
      Pid plain = Supervisor.startLink(Supervisor.oneForOne(), Agent.childSpec("plain", () -> 1));
      assertThat(Supervisor.whichChildren(plain)).singleElement().satisfies(c -> assertThat(c.id()).isEqualTo("plain"));
      Supervisor.stop(plain);
    });
  }

  @Test
  @DisplayName("bad input: a start function that throws or returns null fails the start; null functions and a null get_and_update result are refused")
  void badInput(Reports reports) {
    onNode(inbox -> {
      assertThatThrownBy(() -> Agent.start(() -> {
        throw new IllegalStateException("no state today");
      })).isInstanceOf(StartException.class).hasMessageContaining("no state today");
      assertThatThrownBy(() -> Agent.start(() -> null)).isInstanceOf(StartException.class)
          .hasMessageContaining("bad_return_value");
      ServerRef<Agent.Request<Integer>> agent = Agent.start(() -> 1);
      assertThatThrownBy(() -> Agent.update(agent, null)).isInstanceOf(NullPointerException.class)
          .hasMessageContaining("Agent.update: the function to run on the state cannot be null");
      assertThatThrownBy(() -> Agent.get(agent, null)).isInstanceOf(NullPointerException.class);
      CallException e = callFails(() -> Agent.<Integer, Integer>getAndUpdate(agent, n -> null));
      assertThat(e.reason()).isEqualTo(ExitReason.of(BadReturn.value(null)));
      assertThat(exitReasonOf(agent.pid())).isEqualTo(ExitReason.of(BadReturn.value(null)));
      ServerRef<Agent.Request<Integer>> other = Agent.start(() -> 1);
      Agent.cast(other, n -> null);
      assertThat(exitReasonOf(other.pid())).isEqualTo(ExitReason.of(BadReturn.value(null)));
      assertThat(callFails(() -> Agent.get(other, n -> n)).reason()).isEqualTo(ExitReason.NOPROC);
      assertThat(reports.awaitLabel("gen_server_terminate", 2)).hasSize(2);
      assertThat(reports.withLabel("crash_report")).isNotEmpty()
          .allSatisfy(r -> assertThat(r.get("behaviour")).isEqualTo("Agent"));
    });
  }
}
