package org.otp4j.behaviours.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.otp4j.behaviours.BehaviourTestKit.exitReasonOf;
import static org.otp4j.behaviours.BehaviourTestKit.expect;
import static org.otp4j.behaviours.BehaviourTestKit.inProcess;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.otp4j.behaviours.BehaviourTestKit.CaptureReports;
import org.otp4j.behaviours.BehaviourTestKit.Reports;
import org.otp4j.core.ExitMessage;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Inbox;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;

/** Elixir's Task.async_stream: max_concurrency, ordered, timeout, on_timeout; laziness and links. */
@ExtendWith(CaptureReports.class)
class TaskStreamTest {

  private static void onNode(Consumer<Inbox> test) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> test.accept(inbox));
    }
  }

  private static List<Integer> values(Stream<Task.Result<Integer>> results) {
    try (results) {
      return results.map(r -> r instanceof Task.Ok<Integer>(Integer n) ? n : null).toList();
    }
  }

  @Test
  @DisplayName("async_stream: ordered results, at most max_concurrency tasks at once, from a process and a plain thread")
  void orderedAndBounded() {
    onNode(inbox -> {
      List<Integer> items = IntStream.range(0, 40).boxed().toList();
      for (boolean inAProcess : new boolean[] {true, false}) {
        AtomicInteger now = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        Task.Work<Integer, Integer> square = i -> {
          most.accumulateAndGet(now.incrementAndGet(), Math::max);
          Proc.sleep(Duration.ofMillis(1));
          now.decrementAndGet();
          return i * i;
        };
        Task.StreamOptions options = Task.StreamOptions.defaults().withMaxConcurrency(3);
        List<Integer> squares = inAProcess ? inProcess(() -> values(Task.asyncStream(items, square, options)))
            : values(Task.asyncStream(items, square, options));
        assertThat(squares).containsExactlyElementsOf(items.stream().map(i -> i * i).toList());
        assertThat(most.get()).as("tasks at once").isBetween(1, 3);
      }
      // region: stream
      List<Integer> lengths;
      try (Stream<Task.Result<Integer>> results = Task.asyncStream(List.of("a", "bb", "ccc"), String::length,
          Task.StreamOptions.defaults().withMaxConcurrency(2))) {
        lengths = results.map(r -> r instanceof Task.Ok<Integer>(Integer n) ? n : -1).toList();
      }
      // endregion: stream
      assertThat(lengths).containsExactly(1, 2, 3);
    });
  }

  @Test
  @DisplayName("async_stream ordered: false emits each result as soon as it is ready")
  void unordered() {
    onNode(inbox -> {
      Pid me = inbox.pid();
      List<Integer> seen = new ArrayList<>();
      try (Stream<Task.Result<Integer>> results = Task.asyncStream(List.of(1, 2), i -> {
        if (i == 1) {
          Proc.send(me, Proc.self());
          Proc.receive("go"::equals); // the first item waits until the second has been seen
        }
        return i;
      }, Task.StreamOptions.defaults().withOrdered(false).withMaxConcurrency(2))) {
        results.forEach(r -> {
          Integer v = ((Task.Ok<Integer>) r).value();
          seen.add(v);
          if (v == 2) {
            Proc.send((Pid) expect(inbox, m -> m instanceof Pid, "the first task"), "go");
          }
        });
      }
      assertThat(seen).containsExactly(2, 1);
    });
  }

  @Test
  @DisplayName("async_stream is lazy: no task runs until the stream is consumed, and items are taken only as places free up")
  void lazy() {
    onNode(inbox -> {
      AtomicInteger taken = new AtomicInteger();
      Iterable<Integer> items = () -> new Iterator<>() {
        int next;

        @Override
        public boolean hasNext() {
          return next < 10;
        }

        @Override
        public Integer next() {
          taken.incrementAndGet();
          return next++;
        }
      };
      // every task but the first waits until the test has its first result: the places they hold stay
      // taken, so only the first task's place frees up before then
      CountDownLatch firstSeen = new CountDownLatch(1);
      Stream<Task.Result<Integer>> results = Task.asyncStream(items, i -> {
        if (i > 0) {
          firstSeen.await();
        }
        return i;
      }, Task.StreamOptions.defaults().withMaxConcurrency(2));
      assertThat(taken.get()).as("before consuming").isZero();
      Iterator<Task.Result<Integer>> it = results.iterator();
      assertThat(it.next()).isEqualTo(new Task.Ok<>(0));
      assertThat(taken.get()).as("after the first result").isLessThanOrEqualTo(3);
      firstSeen.countDown();
      results.close();
    });
  }

  @Test
  @DisplayName("async_stream on_timeout: :kill_task kills the late task, emits {:exit, :timeout} and goes on")
  void killTask() {
    onNode(inbox -> {
      CopyOnWriteArrayList<Pid> slow = new CopyOnWriteArrayList<>();
      List<Task.Result<Integer>> results;
      try (Stream<Task.Result<Integer>> s = Task.asyncStream(List.of(1, 2, 3), i -> {
        if (i == 2) {
          slow.add(Proc.self());
          Proc.receive("never"::equals);
        }
        return i;
      }, Task.StreamOptions.defaults().withTimeout(Duration.ofSeconds(1)) // ample for the quick ones
          .withOnTimeout(Task.StreamOptions.OnTimeout.KILL_TASK))) {
        results = s.toList();
      }
      assertThat(results).containsExactly(new Task.Ok<>(1), new Task.Exit<>(ExitReason.TIMEOUT), new Task.Ok<>(3));
      assertThat(exitReasonOf(slow.getFirst())).isEqualTo(ExitReason.KILLED);
      // and in a process, whose link to the killed task must not kill it
      List<Task.Result<Integer>> inProc = inProcess(() -> {
        try (Stream<Task.Result<Integer>> s = Task.asyncStream(List.of(1), i -> {
          Proc.receive("never"::equals);
          return i;
        }, Task.StreamOptions.defaults().withTimeout(Duration.ofMillis(20))
            .withOnTimeout(Task.StreamOptions.OnTimeout.KILL_TASK))) {
          return s.toList();
        }
      });
      assertThat(inProc).containsExactly(new Task.Exit<>(ExitReason.TIMEOUT));
    });
  }

  @Test
  @DisplayName("async_stream on_timeout: :exit (the default) fails the stream with timeout and stops its other tasks")
  void timeoutExits() {
    onNode(inbox -> {
      CopyOnWriteArrayList<Pid> started = new CopyOnWriteArrayList<>();
      // Both tasks run before the first one's time is up: the first waits for the second to start,
      // and its timeout is long enough for that on a busy machine (a task killed before it ran could
      // not be checked).
      java.util.concurrent.CountDownLatch bothStarted = new java.util.concurrent.CountDownLatch(2);
      Stream<Task.Result<Integer>> s = Task.asyncStream(List.of(1, 2), i -> {
        started.add(Proc.self());
        bothStarted.countDown();
        bothStarted.await();
        Proc.receive(m -> m.equals(i == 1 ? "never" : "not either"));
        return i;
      }, Task.StreamOptions.defaults().withMaxConcurrency(2).withTimeout(Duration.ofSeconds(2)));
      TaskException e = catchThrowableOfType(TaskException.class, s::toList);
      assertThat(e.reason()).isEqualTo(ExitReason.TIMEOUT);
      assertThat(e.operation()).isEqualTo("Task.asyncStream");
      assertThat(started).hasSize(2).allSatisfy(p -> assertThat(exitReasonOf(p)).isEqualTo(ExitReason.KILLED));
    });
  }

  @Test
  @DisplayName("async_stream links its tasks: a crash ends a consumer that does not trap exits; a trapping one sees {:exit, reason} and no EXIT")
  void crashes(Reports reports) {
    onNode(inbox -> {
      Task.Work<Integer, Integer> failOnTwo = i -> {
        if (i == 2) {
          throw new IllegalStateException("item 2 is bad");
        }
        return i;
      };
      Pid consumer = Proc.spawn(() -> values(Task.asyncStream(List.of(1, 2, 3), failOnTwo,
          Task.StreamOptions.defaults().withMaxConcurrency(1))));
      assertThat(exitReasonOf(consumer)).isInstanceOfSatisfying(ExitReason.Crash.class,
          c -> assertThat(c.error()).hasMessage("item 2 is bad"));
      List<Object> trapping = inProcess(() -> {
        Proc.trapExits(true);
        List<Task.Result<Integer>> r;
        try (Stream<Task.Result<Integer>> s = Task.asyncStream(List.of(1, 2, 3), failOnTwo)) {
          r = s.toList();
        }
        List<Object> out = new ArrayList<>(r);
        out.add(Proc.receive(m -> m instanceof ExitMessage, Duration.ofMillis(50)).isPresent());
        return out;
      });
      assertThat(trapping).hasSize(4);
      assertThat(trapping.get(0)).isEqualTo(new Task.Ok<>(1));
      assertThat(trapping.get(1)).isInstanceOfSatisfying(Task.Exit.class,
          x -> assertThat(x.reason()).isInstanceOf(ExitReason.Crash.class));
      assertThat(trapping.get(2)).isEqualTo(new Task.Ok<>(3));
      assertThat(trapping.get(3)).as("an EXIT left in the mailbox").isEqualTo(false);
      try (Stream<Task.Result<Integer>> plain = Task.asyncStream(List.of(2), failOnTwo)) {
        assertThat(plain.toList()).as("a plain thread sees the crash as a result").singleElement()
            .isInstanceOf(Task.Exit.class);
      }
      assertThat(reports.awaitLabel("process_crash", 3)).hasSize(3);
    });
  }

  @Test
  @DisplayName("closing an async_stream before its end stops the tasks still running")
  void earlyClose() {
    onNode(inbox -> {
      Pid me = inbox.pid();
      Stream<Task.Result<Integer>> s = Task.asyncStream(List.of(1, 2, 3), i -> {
        if (i > 1) {
          Proc.send(me, Proc.self());
          Proc.receive("never"::equals);
        }
        return i;
      }, Task.StreamOptions.defaults().withMaxConcurrency(3));
      assertThat(s.iterator().next()).isEqualTo(new Task.Ok<>(1));
      Pid a = (Pid) expect(inbox, m -> m instanceof Pid, "a running task");
      Pid b = (Pid) expect(inbox, m -> m instanceof Pid, "another running task");
      s.close();
      assertThat(exitReasonOf(a)).isEqualTo(ExitReason.KILLED);
      assertThat(exitReasonOf(b)).isEqualTo(ExitReason.KILLED);
    });
  }

  @Test
  @DisplayName("bad stream options are refused with what was wrong")
  void badOptions() {
    assertThatThrownBy(() -> Task.StreamOptions.defaults().withMaxConcurrency(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxConcurrency must be at least 1, got 0");
    assertThatThrownBy(() -> Task.StreamOptions.defaults().withTimeout(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot be negative");
    assertThatThrownBy(() -> Task.StreamOptions.defaults().withOnTimeout(null))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("EXIT or KILL_TASK");
    assertThatThrownBy(() -> Task.asyncStream(null, x -> x)).isInstanceOf(NullPointerException.class)
        .hasMessageContaining("items");
    assertThatThrownBy(() -> Task.asyncStream(List.of(1), null)).isInstanceOf(NullPointerException.class)
        .hasMessageContaining("work");
  }
}
