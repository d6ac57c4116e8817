package org.otp4j.behaviours.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.otp4j.behaviours.BehaviourTestKit.QUIET;
import static org.otp4j.behaviours.BehaviourTestKit.WAIT;
import static org.otp4j.behaviours.BehaviourTestKit.exitReasonOf;
import static org.otp4j.behaviours.BehaviourTestKit.expect;
import static org.otp4j.behaviours.BehaviourTestKit.inProcess;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.otp4j.behaviours.BehaviourTestKit.CaptureReports;
import org.otp4j.behaviours.BehaviourTestKit.Reports;
import org.otp4j.behaviours.ChildSpec;
import org.otp4j.core.ExitMessage;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Inbox;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;

/** Elixir's Task: async, await, yield, yieldMany, awaitMany, ignore, shutdown; from processes and plain threads. */
@ExtendWith(CaptureReports.class)
class TaskTest {

  private static void onNode(Consumer<Inbox> test) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> test.accept(inbox));
    }
  }

  /** A task body that waits for "go", then returns {@code value}. */
  private static <T> T afterGo(T value) {
    Proc.receive("go"::equals);
    return value;
  }

  /** A task body that waits for "go", then throws. */
  private static Integer crashAfterGo() {
    Proc.receive("go"::equals);
    throw new IllegalStateException("task failed on purpose");
  }

  @Test
  @DisplayName("Task.async/await: the task's value comes back to its owner, a process or a plain thread")
  void asyncAwait() {
    onNode(inbox -> {
      int fromProcess = inProcess(() -> {
        // region: async-await
        Task<Integer> task = Task.async(() -> 6 * 7);
        // ... other work, while the task runs ...
        int answer = task.await();   // 42
        // endregion: async-await
        assertThat(task.owner()).contains(Proc.self());
        return answer;
      });
      assertThat(fromProcess).isEqualTo(42);
      Task<String> plain = Task.async(() -> "from a plain thread");
      assertThat(plain.owner()).isEmpty();
      assertThat(plain.await(WAIT)).isEqualTo("from a plain thread");
      assertThat(Task.async(() -> null).await()).as("a null value is a value").isNull();
    });
  }

  @Test
  @DisplayName("Task.async links: a crashing task takes down an owner that does not trap exits, with its reason")
  void crashKillsOwner(Reports reports) {
    onNode(inbox -> {
      Pid owner = Proc.spawn(() -> {
        Task<Integer> task = Task.async(TaskTest::crashAfterGo);
        Proc.send(inbox.pid(), task.pid());
        task.await(Proc.INFINITY);
      });
      Pid task = (Pid) expect(inbox, m -> m instanceof Pid, "the task's pid");
      Proc.send(task, "go");
      ExitReason reason = exitReasonOf(owner);
      assertThat(reason).isInstanceOfSatisfying(ExitReason.Crash.class,
          c -> assertThat(c.error()).hasMessage("task failed on purpose"));
      assertThat(exitReasonOf(task)).isEqualTo(reason);
      assertThat(reports.awaitLabel("process_crash", 1)).isNotEmpty();
    });
  }

  @Test
  @DisplayName("Task.await in an owner that traps exits: exits with the task's reason (here a TaskException), and the EXIT arrives")
  void crashSeenByTrappingOwner(Reports reports) {
    onNode(inbox -> {
      TaskException e = inProcess(() -> {
        Proc.trapExits(true);
        Task<Integer> task = Task.async(TaskTest::crashAfterGo);
        Proc.send(task.pid(), "go");
        TaskException thrown = catchThrowableOfType(TaskException.class, task::await);
        assertThat(Proc.receive(m -> m instanceof ExitMessage x && x.from().equals(task.pid()), WAIT)).isPresent();
        return thrown;
      });
      assertThat(e.operation()).isEqualTo("Task.await");
      assertThat(e.reason()).isInstanceOf(ExitReason.Crash.class);
      assertThat(e).hasCauseInstanceOf(IllegalStateException.class)
          .hasMessageContaining("the task exited with reason").hasMessageContaining("task failed on purpose");
      assertThat(reports.awaitLabel("process_crash", 1)).hasSize(1);
    });
  }

  @Test
  @DisplayName("Task.await timeout: exits with timeout; the task runs on, still linked, and its late reply is dropped")
  void awaitTimeout() {
    onNode(inbox -> inProcess(() -> {
      Task<String> task = Task.async(() -> afterGo("late"));
      TaskException e = catchThrowableOfType(TaskException.class, () -> task.await(Duration.ofMillis(20)));
      assertThat(e.reason()).isEqualTo(ExitReason.TIMEOUT);
      assertThat(e.timeout()).isEqualTo(Duration.ofMillis(20));
      assertThat(Proc.isAlive(task.pid())).isTrue();
      assertThat(Proc.info(Proc.self()).orElseThrow().links()).contains(task.pid());
      Proc.send(task.pid(), "go");
      assertThat(exitReasonOf(task.pid())).isEqualTo(ExitReason.NORMAL);
      assertThat(Proc.flush()).as("no reply left behind").noneMatch(m -> m instanceof Task.Reply);
      assertThatThrownBy(task::await).isInstanceOfSatisfying(TaskStateException.class,
          x -> assertThat(x.problem()).isEqualTo(TaskStateException.Problem.ALREADY_TAKEN));
      return null;
    }));
  }

  @Test
  @DisplayName("awaiting twice, or from a process that is not the owner, is a TaskStateException (Elixir: ArgumentError)")
  void misuse(Reports reports) {
    onNode(inbox -> {
      Task<Integer> task = inProcess(() -> {
        Task<Integer> t = Task.async(() -> 1);
        assertThat(t.await()).isEqualTo(1);
        assertThatThrownBy(t::await).isInstanceOfSatisfying(TaskStateException.class,
            e -> assertThat(e.problem()).isEqualTo(TaskStateException.Problem.ALREADY_TAKEN))
            .hasMessageContaining("Task.await").hasMessageContaining("no outcome left");
        assertThatThrownBy(() -> t.yield(Duration.ZERO)).isInstanceOf(TaskStateException.class);
        return Task.async(() -> afterGo(2));
      });
      // asked from the test thread, which is not its owner
      assertThatThrownBy(task::await).isInstanceOfSatisfying(TaskStateException.class,
          e -> assertThat(e.problem()).isEqualTo(TaskStateException.Problem.NOT_OWNER))
          .hasMessageContaining("only its owner " + task.owner().orElseThrow());
      Proc.exit(task.pid(), ExitReason.KILL);
      Task<Integer> plain = Task.async(() -> afterGo(3));
      assertThatThrownBy(() -> inProcess(plain::await)).isInstanceOfSatisfying(TaskStateException.class,
          e -> assertThat(e.problem()).isEqualTo(TaskStateException.Problem.NOT_OWNER))
          .hasMessageContaining("started by a plain thread");
      Proc.send(plain.pid(), "go");
      assertThat(plain.await()).isEqualTo(3);
      assertThat(reports.awaitLabel("process_crash", 1)).singleElement()
          .satisfies(r -> assertThat(r.get("reason").toString()).contains("TaskStateException"));
    });
  }

  @Test
  @DisplayName("bad input: null work, a negative timeout and null shutdown are refused with what to pass instead")
  void badInput() {
    onNode(inbox -> {
      assertThatThrownBy(() -> Task.async(null)).isInstanceOf(NullPointerException.class)
          .hasMessageContaining("the code the task runs");
      Task<Integer> task = Task.async(() -> 1);
      assertThatThrownBy(() -> task.await(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("cannot be negative");
      assertThatThrownBy(() -> task.shutdown(null)).isInstanceOf(NullPointerException.class)
          .hasMessageContaining("brutalKill");
      assertThat(task.await()).isEqualTo(1);
    });
  }

  @Test
  @DisplayName("Task.yield: nil while the task runs (it can be yielded again), then {:ok, value}; {:exit, reason} for a dead task")
  void yield(Reports reports) {
    onNode(inbox -> {
      inProcess(() -> {
        Task<String> task = Task.async(() -> afterGo("done"));
        assertThat(task.yield(Duration.ofMillis(10))).isEmpty();
        Proc.send(task.pid(), "go");
        assertThat(task.yield(WAIT)).contains(new Task.Ok<>("done"));
        Proc.trapExits(true);
        Task<Integer> crash = Task.async(TaskTest::crashAfterGo);
        Proc.send(crash.pid(), "go");
        assertThat(crash.yield(WAIT)).get().isInstanceOfSatisfying(Task.Exit.class,
            x -> assertThat(x.reason()).isInstanceOf(ExitReason.Crash.class));
        return null;
      });
      Task<String> plain = Task.async(() -> afterGo("plain"));
      assertThat(plain.yield(Duration.ofMillis(10))).isEmpty();
      Proc.send(plain.pid(), "go");
      assertThat(plain.yield(WAIT)).contains(new Task.Ok<>("plain"));
      Task<Integer> plainCrash = Task.async(TaskTest::crashAfterGo);
      Proc.send(plainCrash.pid(), "go");
      assertThat(plainCrash.yield(WAIT)).get().isInstanceOf(Task.Exit.class);
      assertThat(reports.awaitLabel("process_crash", 2)).hasSize(2);
    });
  }

  @Test
  @DisplayName("Task.yield_many: outcomes in the tasks' order, nil for the late ones; on_timeout kill_task and ignore")
  void yieldMany() {
    onNode(inbox -> {
      inProcess(() -> {
        Task<Integer> fast = Task.async(() -> 1);
        Task<Integer> slow = Task.async(() -> afterGo(2));
        Task<Integer> fast2 = Task.async(() -> 3);
        exitReasonOf(fast.pid());
        exitReasonOf(fast2.pid()); // both replied: the outcome below does not depend on timing
        List<Optional<Task.Result<Integer>>> r = Task.yieldMany(List.of(fast, slow, fast2), Duration.ofMillis(20));
        assertThat(r).containsExactly(Optional.of(new Task.Ok<>(1)), Optional.empty(), Optional.of(new Task.Ok<>(3)));
        Proc.send(slow.pid(), "go");
        assertThat(slow.await()).as("NOTHING leaves the late task to be awaited").isEqualTo(2);

        Task<Integer> stuck = Task.async(() -> afterGo(4));
        assertThat(Task.yieldMany(List.of(stuck), Duration.ofMillis(20), Task.YieldTimeout.KILL_TASK))
            .containsExactly(Optional.empty());
        assertThat(exitReasonOf(stuck.pid())).isEqualTo(ExitReason.KILLED);

        Task<Integer> ignored = Task.async(() -> afterGo(5));
        assertThat(Task.yieldMany(List.of(ignored), Duration.ofMillis(20), Task.YieldTimeout.IGNORE))
            .containsExactly(Optional.empty());
        assertThat(Proc.info(Proc.self()).orElseThrow().links()).doesNotContain(ignored.pid());
        Proc.send(ignored.pid(), "go");
        assertThat(exitReasonOf(ignored.pid())).isEqualTo(ExitReason.NORMAL);
        assertThat(Proc.flush()).noneMatch(m -> m instanceof Task.Reply);

        Task<Integer> twice = Task.async(() -> 6);
        assertThatThrownBy(() -> Task.yieldMany(List.of(twice, twice), WAIT)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("appears twice");
        return null;
      });
      Task<Integer> a = Task.async(() -> 10);
      Task<Integer> b = Task.async(() -> afterGo(20));
      exitReasonOf(a.pid());
      assertThat(Task.yieldMany(List.of(a, b), Duration.ofMillis(20), Task.YieldTimeout.KILL_TASK))
          .containsExactly(Optional.of(new Task.Ok<>(10)), Optional.empty());
      assertThat(exitReasonOf(b.pid())).isEqualTo(ExitReason.KILLED);
    });
  }

  @Test
  @DisplayName("Task.await_many: the values in order; exits with the first task's reason, or timeout")
  void awaitMany(Reports reports) {
    onNode(inbox -> {
      inProcess(() -> {
        List<Task<Integer>> tasks = List.of(Task.async(() -> 1), Task.async(() -> 2), Task.async(() -> 3));
        assertThat(Task.awaitMany(tasks, WAIT)).containsExactly(1, 2, 3);
        Task<Integer> late = Task.async(() -> afterGo(4));
        TaskException e = catchThrowableOfType(TaskException.class,
            () -> Task.awaitMany(List.of(Task.async(() -> 0), late), Duration.ofMillis(20)));
        assertThat(e.reason()).isEqualTo(ExitReason.TIMEOUT);
        Proc.trapExits(true);
        Task<Integer> crash = Task.async(TaskTest::crashAfterGo);
        Proc.send(crash.pid(), "go");
        Task<Integer> waiting = Task.async(() -> afterGo(5));
        e = catchThrowableOfType(TaskException.class, () -> Task.awaitMany(List.of(waiting, crash), WAIT));
        assertThat(e.reason()).as("the crash is seen while an earlier task still runs").isInstanceOf(ExitReason.Crash.class);
        return null;
      });
      assertThat(Task.awaitMany(List.of(Task.async(() -> "x"), Task.async(() -> "y")), WAIT)).containsExactly("x", "y");
      assertThat(reports.awaitLabel("process_crash", 1)).hasSize(1);
    });
  }

  @Test
  @DisplayName("Task.ignore: the task runs on unlinked, its crash no longer reaches the owner; {:ok, v} if it had replied")
  void ignore(Reports reports) {
    onNode(inbox -> {
      inProcess(() -> {
        Task<Integer> task = Task.async(TaskTest::crashAfterGo);
        assertThat(task.ignore()).isEmpty();
        assertThat(Proc.info(Proc.self()).orElseThrow().links()).doesNotContain(task.pid());
        Proc.send(task.pid(), "go");
        assertThat(exitReasonOf(task.pid())).isInstanceOf(ExitReason.Crash.class);
        assertThat(Proc.receive(Duration.ZERO)).as("no reply, down or exit left").isEmpty();
        assertThatThrownBy(task::await).isInstanceOf(TaskStateException.class);

        Task<Integer> done = Task.async(() -> 7);
        assertThat(exitReasonOf(done.pid())).isEqualTo(ExitReason.NORMAL);
        assertThat(done.ignore()).contains(new Task.Ok<>(7));
        return null;
      });
      Task<Integer> plain = Task.async(() -> afterGo(8));
      assertThat(plain.ignore()).isEmpty();
      Proc.send(plain.pid(), "go");
      assertThat(exitReasonOf(plain.pid())).isEqualTo(ExitReason.NORMAL);
      assertThat(reports.awaitLabel("process_crash", 1)).hasSize(1);
    });
  }

  /** A task that traps exits (and tells {@code notify} it does) and never ends on its own. */
  private static Integer stubborn(Pid notify) {
    Proc.trapExits(true);
    Proc.send(notify, "trapping");
    while (true) {
      Proc.receive();
    }
  }

  @Test
  @DisplayName("Task.shutdown: nil when the shutdown ended the task, {:ok, v} if the reply came first, {:exit, :killed} after the grace time")
  void shutdown() {
    onNode(inbox -> {
      inProcess(() -> {
        Task<Integer> running = Task.async(() -> afterGo(1));
        assertThat(running.shutdown()).isEmpty();
        assertThat(exitReasonOf(running.pid())).isEqualTo(ExitReason.SHUTDOWN);

        Task<Integer> brutal = Task.async(() -> afterGo(2));
        assertThat(brutal.shutdown(ChildSpec.Shutdown.brutalKill())).isEmpty();
        assertThat(exitReasonOf(brutal.pid())).isEqualTo(ExitReason.KILLED);

        Task<Integer> replied = Task.async(() -> 3);
        assertThat(exitReasonOf(replied.pid())).isEqualTo(ExitReason.NORMAL);
        assertThat(replied.shutdown(ChildSpec.Shutdown.brutalKill())).contains(new Task.Ok<>(3));

        Pid me = Proc.self();
        Task<Integer> trapping = Task.async(() -> stubborn(me));
        Proc.receive("trapping"::equals);
        assertThat(trapping.shutdown(ChildSpec.Shutdown.timeout(Duration.ofMillis(30))))
            .contains(new Task.Exit<>(ExitReason.KILLED));
        assertThat(Proc.isAlive(Proc.self())).as("the owner unlinked before it stopped the task").isTrue();
        assertThatThrownBy(trapping::shutdown).isInstanceOf(TaskStateException.class);
        return null;
      });
      Task<Integer> plain = Task.async(() -> afterGo(4));
      assertThat(plain.shutdown()).isEmpty();
      Task<Integer> plainTrapping = Task.async(() -> stubborn(inbox.pid()));
      expect(inbox, "trapping");
      assertThat(plainTrapping.shutdown(ChildSpec.Shutdown.timeout(Duration.ofMillis(30))))
          .contains(new Task.Exit<>(ExitReason.KILLED));
    });
  }

  @Test
  @DisplayName("a plain thread's task is not linked: its crash shows at await as TaskException, and the thread carries on")
  void plainThreadCrash(Reports reports) {
    onNode(inbox -> {
      Task<Integer> task = Task.async(() -> {
        throw new IllegalArgumentException("bad item");
      });
      TaskException e = catchThrowableOfType(TaskException.class, task::await);
      assertThat(e.reason()).isInstanceOf(ExitReason.Crash.class);
      assertThat(e).hasCauseInstanceOf(IllegalArgumentException.class);
      Task<Integer> slow = Task.async(() -> afterGo(1));
      assertThat(catchThrowableOfType(TaskException.class, () -> slow.await(Duration.ofMillis(10))).reason())
          .isEqualTo(ExitReason.TIMEOUT);
      assertThat(Proc.isAlive(slow.pid())).isTrue();
      Proc.exit(slow.pid(), ExitReason.KILL);
      assertThat(reports.awaitLabel("process_crash", 1)).hasSize(1);
    });
  }

  @Test
  @DisplayName("Task.start and start_link run code for its side effects; start_link links it to the caller")
  void startAndStartLink() {
    onNode(inbox -> {
      Pid free = Task.start(() -> Proc.send(inbox.pid(), "started"));
      expect(inbox, "started");
      assertThat(exitReasonOf(free)).isEqualTo(ExitReason.NORMAL);
      Pid linked = inProcess(() -> {
        Pid p = Task.startLink(() -> Proc.receive("go"::equals));
        assertThat(Proc.info(Proc.self()).orElseThrow().links()).contains(p);
        return p;
      });
      Proc.send(linked, "go");
      assertThat(exitReasonOf(linked)).isEqualTo(ExitReason.NORMAL);
      assertThatThrownBy(() -> Task.startLink(() -> {})).isInstanceOf(org.otp4j.core.NotAProcessException.class);
    });
  }

  @Test
  @DisplayName("a stray late reply never reaches a process that gave its task up")
  void noLateReply() {
    onNode(inbox -> inProcess(() -> {
      for (int i = 0; i < 50; i++) {
        Task<Integer> t = Task.async(() -> 1);
        try {
          t.await(Duration.ZERO);
        } catch (TaskException e) {
          assertThat(e.reason()).isEqualTo(ExitReason.TIMEOUT);
        }
        exitReasonOf(t.pid());
      }
      assertThat(Proc.receive(m -> m instanceof Task.Reply, QUIET)).isEmpty();
      return null;
    }));
  }
}
