package org.otp4j.behaviours.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.otp4j.behaviours.BehaviourTestKit.WAIT;
import static org.otp4j.behaviours.BehaviourTestKit.await;
import static org.otp4j.behaviours.BehaviourTestKit.exitReasonOf;
import static org.otp4j.behaviours.BehaviourTestKit.expect;
import static org.otp4j.behaviours.BehaviourTestKit.inProcess;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.otp4j.behaviours.BehaviourTestKit.CaptureReports;
import org.otp4j.behaviours.BehaviourTestKit.Reports;
import org.otp4j.behaviours.ChildSpec;
import org.otp4j.behaviours.DynamicSupervisor;
import org.otp4j.behaviours.GenServer;
import org.otp4j.behaviours.StartException;
import org.otp4j.behaviours.StartResult;
import org.otp4j.behaviours.Supervisor;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Inbox;
import org.otp4j.core.Name;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.core.ServerRef;

/** Elixir's Task.Supervisor: async, async_nolink, start_child, children, terminate_child, streams. */
@ExtendWith(CaptureReports.class)
class TaskSupervisorTest {

  private static void onNode(Consumer<Inbox> test) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> test.accept(inbox));
    }
  }

  @Test
  @DisplayName("Task.Supervisor.async_nolink: a crashing task does not take its caller down; yield gives {:exit, reason}")
  void nolink(Reports reports) {
    onNode(inbox -> {
      Optional<Task.Result<Integer>> result = inProcess(() -> {
        // region: nolink
        Pid tasks = TaskSupervisor.startLink();
        Task<Integer> risky = TaskSupervisor.asyncNolink(tasks, () -> Integer.parseInt("forty-two"));
        Optional<Task.Result<Integer>> outcome = risky.yield(Duration.ofSeconds(5));
        // Exit(NumberFormatException...): the caller was not linked, so it lives on
        // endregion: nolink
        assertThat(Proc.info(Proc.self()).orElseThrow().links()).doesNotContain(risky.pid());
        return outcome;
      });
      assertThat(result).get().isInstanceOfSatisfying(Task.Exit.class, x -> assertThat(x.reason())
          .isInstanceOfSatisfying(ExitReason.Crash.class, c -> assertThat(c.error()).isInstanceOf(NumberFormatException.class)));
      reports.awaitLabel("supervisor_report", 1);
      assertThat(reports.supervisorReports("child_terminated")).singleElement();
      reports.awaitLabel("process_crash", 1);
    });
  }

  @Test
  @DisplayName("Task.Supervisor.async: the task is the supervisor's child, linked to the caller, and its value comes back")
  void asyncLinked(Reports reports) {
    onNode(inbox -> {
      Pid sup = TaskSupervisor.startLink();
      int v = inProcess(() -> {
        Task<Integer> t = TaskSupervisor.async(sup, () -> {
          Proc.receive("go"::equals);
          return 5;
        });
        assertThat(TaskSupervisor.children(sup)).containsExactly(t.pid());
        Pid self = Proc.self();
        // the task links itself to its owner first thing, as Elixir's does
        await().until(() -> Proc.info(self).orElseThrow().links().contains(t.pid()));
        Proc.send(t.pid(), "go");
        return t.await();
      });
      assertThat(v).isEqualTo(5);
      Pid owner = Proc.spawn(() -> TaskSupervisor.async(sup, () -> {
        throw new IllegalStateException("linked crash");
      }).await());
      assertThat(exitReasonOf(owner)).isInstanceOf(ExitReason.Crash.class);
      reports.awaitLabel("process_crash", 1);
      reports.awaitLabel("supervisor_report", 1);
      assertThat(reports.supervisorReports("child_terminated")).singleElement();
      assertThat(TaskSupervisor.async(sup, () -> "plain thread").await()).isEqualTo("plain thread");
    });
  }

  @Test
  @DisplayName("Task.Supervisor.start_child: fire and forget; children lists it; terminate_child stops it; transient restarts on a crash")
  void startChild(Reports reports) {
    onNode(inbox -> {
      Pid sup = TaskSupervisor.startLink(Name.local("tasks"), DynamicSupervisor.Options.defaults().withMaxChildren(2));
      Pid me = inbox.pid();
      StartResult.Started started = (StartResult.Started) TaskSupervisor.startChild(Name.local("tasks"), () -> {
        Proc.send(me, "running");
        Proc.receive("never"::equals);
      });
      expect(inbox, "running");
      assertThat(TaskSupervisor.children(sup)).containsExactly(started.pid());
      assertThat(TaskSupervisor.terminateChild(sup, started.pid())).isEqualTo(new Supervisor.Terminated());
      assertThat(exitReasonOf(started.pid())).isEqualTo(ExitReason.SHUTDOWN);
      assertThat(TaskSupervisor.children(sup)).isEmpty();

      java.util.concurrent.atomic.AtomicInteger runs = new java.util.concurrent.atomic.AtomicInteger();
      TaskSupervisor.startChild(sup, () -> {
        if (runs.incrementAndGet() == 1) {
          throw new IllegalStateException("first run fails");
        }
        Proc.send(me, "second run");
      }, ChildSpec.Restart.TRANSIENT);
      expect(inbox, "second run");
      await().until(() -> TaskSupervisor.children(sup).isEmpty());
      reports.awaitLabel("process_crash", 1);

      assertThatThrownBy(() -> TaskSupervisor.startChild(sup, () -> {}, ChildSpec.Restart.PERMANENT))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot be PERMANENT");
      TaskSupervisor.startChild(sup, () -> Proc.receive("never"::equals));
      TaskSupervisor.startChild(sup, () -> Proc.receive("never"::equals));
      assertThat(TaskSupervisor.startChild(sup, () -> {})).isInstanceOf(DynamicSupervisor.MaxChildren.class);
      assertThatThrownBy(() -> TaskSupervisor.asyncNolink(sup, () -> 1)).isInstanceOf(StartException.class)
          .hasMessageContaining("max_children");
      assertThatThrownBy(() -> TaskSupervisor.async(null, () -> 1)).isInstanceOf(NullPointerException.class)
          .hasMessageContaining("supervisor");
      reports.awaitLabel("supervisor_report", 1);
    });
  }

  @Test
  @DisplayName("a task supervisor that shuts down stops its tasks; its child spec fits a supervision tree")
  void shutdownStopsTasks() {
    onNode(inbox -> {
      Pid top = Supervisor.startLink(Supervisor.oneForOne(), TaskSupervisor.childSpec("tasks", Name.local("tasks")));
      Task<Integer> t = TaskSupervisor.asyncNolink(Name.local("tasks"), () -> {
        Proc.receive("never"::equals);
        return 0;
      });
      Supervisor.stop(top);
      assertThat(exitReasonOf(t.pid())).isEqualTo(ExitReason.SHUTDOWN);
      assertThat(t.yield(WAIT)).contains(new Task.Exit<>(ExitReason.SHUTDOWN));
    });
  }

  @Test
  @DisplayName("Task.Supervisor.async_stream_nolink: a crash is an {:exit, reason} in the stream, the consumer is not linked")
  void streams(Reports reports) {
    onNode(inbox -> {
      Pid sup = TaskSupervisor.startLink();
      Task.Work<Integer, Integer> work = i -> {
        if (i == 2) {
          throw new IllegalStateException("two");
        }
        return i * 10;
      };
      List<Task.Result<Integer>> results = inProcess(() -> {
        try (Stream<Task.Result<Integer>> s = TaskSupervisor.asyncStreamNolink(sup, List.of(1, 2, 3), work,
            Task.StreamOptions.defaults())) {
          return s.toList();
        }
      });
      assertThat(results.get(0)).isEqualTo(new Task.Ok<>(10));
      assertThat(results.get(1)).isInstanceOf(Task.Exit.class);
      assertThat(results.get(2)).isEqualTo(new Task.Ok<>(30));
      Pid consumer = Proc.spawn(() -> {
        try (Stream<Task.Result<Integer>> s = TaskSupervisor.asyncStream(sup, List.of(2), work,
            Task.StreamOptions.defaults())) {
          s.toList();
        }
      });
      assertThat(exitReasonOf(consumer)).as("linked stream: the crash reached the consumer")
          .isInstanceOf(ExitReason.Crash.class);
      try (Stream<Task.Result<Integer>> s = TaskSupervisor.asyncStream(sup, List.of(1, 3), work,
          Task.StreamOptions.defaults())) {
        assertThat(s.toList()).containsExactly(new Task.Ok<>(10), new Task.Ok<>(30));
      }
      reports.awaitLabel("process_crash", 2);
      reports.awaitLabel("supervisor_report", 2);
    });
  }

  // ---------------------------------------------------------------------------------------
  // a server that runs work which may fail, and takes the outcome as a message

  /** Fetches in a task under a supervisor, and tells its observer how each fetch ended. */
  static final class Fetcher extends GenServer<Fetcher.State, String> {
    record State(Task<String> task, Pid observer) {}

    static final Name TASKS = Name.local("fetch-tasks");

    private final Pid observer;

    Fetcher(Pid observer) {
      this.observer = observer;
    }

    @Override
    protected Init<State> init() {
      return Init.ok(new State(null, observer));
    }

    @Override
    protected CastResult<State> handleCast(String url, State state) {
      Task<String> task = TaskSupervisor.asyncNolink(TASKS, () -> {
        if (url.startsWith("bad:")) {
          throw new IllegalArgumentException("cannot fetch " + url);
        }
        return "contents of " + url;
      });
      return noReply(new State(task, state.observer()));
    }

    // region: handle-info
    @Override protected CastResult<State> handleInfo(Object message, State state) {
      Optional<Task.Result<String>> done = state.task() == null ? Optional.empty() : state.task().result(message);
      if (done.isEmpty()) {
        return noReply(state);
      }
      Proc.send(state.observer(), done.get());   // Ok(value) or Exit(reason): the server lives on
      return noReply(new State(null, state.observer()));
    }
    // endregion: handle-info
  }

  @Test
  @DisplayName("a GenServer takes an async_nolink task's reply or DOWN in handle_info, and survives the task's crash")
  void serverPattern(Reports reports) {
    onNode(inbox -> {
      TaskSupervisor.startLink(Fetcher.TASKS);
      ServerRef<String> fetcher = GenServer.startLink(new Fetcher(inbox.pid()));
      GenServer.cast(fetcher, "good:page");
      assertThat(expect(inbox, m -> m instanceof Task.Result<?>, "a result")).isEqualTo(new Task.Ok<>("contents of good:page"));
      GenServer.cast(fetcher, "bad:page");
      assertThat(expect(inbox, m -> m instanceof Task.Result<?>, "a result")).isInstanceOfSatisfying(Task.Exit.class,
          x -> assertThat(x.reason()).isInstanceOf(ExitReason.Crash.class));
      assertThat(Proc.isAlive(fetcher.pid())).isTrue();
      reports.awaitLabel("process_crash", 1);
      reports.awaitLabel("supervisor_report", 1);
    });
  }
}
