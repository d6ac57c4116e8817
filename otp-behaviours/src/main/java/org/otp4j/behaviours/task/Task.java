package org.otp4j.behaviours.task;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.otp4j.behaviours.ChildSpec;
import org.otp4j.core.Down;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.core.Ref;
import org.otp4j.core.Timeouts;

/**
 * A process that computes one value for the process that started it: Elixir's {@code Task}.
 *
 * <!-- snippet: org.otp4j.behaviours.task.TaskTest#async-await -->
 * {@snippet :
 * Task<Integer> task = Task.async(() -> 6 * 7);
 * // ... other work, while the task runs ...
 * int answer = task.await();   // 42
 * }
 *
 * <h2>Owner, link and monitor</h2>
 * {@link #async} starts the task linked to the calling process, its <em>owner</em>, which also
 * monitors it. The task sends its value to the owner and ends. Because of the link, a task that
 * crashes takes its owner down with it, unless the owner traps exits: then {@link #await} throws a
 * {@link TaskException} with the task's reason. For a task whose crash must not reach the caller,
 * start it with {@link TaskSupervisor#asyncNolink}. Only the owner may await, yield, ignore or shut
 * down a task ({@link TaskStateException} otherwise), and only once.
 *
 * <h2>Plain threads</h2>
 * A plain Java thread (main, a request handler, a test) can start and await tasks too. A thread
 * cannot be linked, so its tasks are not linked to anything: a crash is not propagated, and shows at
 * {@link #await} as a {@link TaskException} (and in {@link #yield} as an {@link Exit}) as it would
 * for an owner that traps exits. Any plain thread may ask such a task, once; a process may not.
 *
 * <h2>Taking the outcome</h2>
 * <ul>
 *   <li>{@link #await(Duration)} waits for the value (5 seconds by default) and throws
 *       {@link TaskException} if the task ended without one or did not reply in time;</li>
 *   <li>{@link #yield(Duration)} returns {@link Ok} or {@link Exit}, or empty if the task is still
 *       running, so that it can be yielded again, or shut down;</li>
 *   <li>{@link #ignore()} lets the task run on, unlinked, its value dropped;</li>
 *   <li>{@link #shutdown(ChildSpec.Shutdown)} stops it and returns the reply if it came first;</li>
 *   <li>{@link #yieldMany} and {@link #awaitMany} do the same for several tasks at once;</li>
 *   <li>a process that takes its messages itself (a {@code GenServer}'s {@code handleInfo}) passes
 *       each message to {@link #result(Object)}, which recognises the task's {@link Reply} and its
 *       {@link org.otp4j.core.Down}.</li>
 * </ul>
 *
 * <h2>Streams</h2>
 * {@link #asyncStream} runs a function over every item of an iterable, a bounded number of tasks at
 * a time, and returns their results as a lazy {@link Stream}.
 *
 * @param <T> the value the task computes
 */
public final class Task<T> {

  /** The default timeout of {@link #await()}, {@link #yield()} and {@link #shutdown()}: 5 seconds, as Elixir. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

  private final TaskCore<T> core;

  Task(TaskCore<T> core) {
    this.core = core;
  }

  /** A function of one item, run in a task by {@link #asyncStream}; it may throw. */
  @FunctionalInterface
  public interface Work<E, R> {
    /** Computes the result for {@code item}; what it throws ends its task with that exception. */
    R apply(E item) throws Exception;
  }

  /** How a task ended, as {@link #yield}, {@link #ignore} and the streams report it. */
  public sealed interface Result<T> permits Ok, Exit {}

  /**
   * Elixir's {@code {:ok, value}}: the task replied.
   *
   * @param value what it computed (may be null)
   */
  public record Ok<T>(T value) implements Result<T> {}

  /**
   * Elixir's {@code {:exit, reason}}: the task ended without replying.
   *
   * @param reason its exit reason ({@code timeout} for a stream task killed for its timeout)
   */
  public record Exit<T>(ExitReason reason) implements Result<T> {
    /** Checks the reason. */
    public Exit {
      Objects.requireNonNull(reason, "reason");
    }
  }

  /**
   * The message a task sends its owner with its value (Elixir's {@code {ref, value}}). Its
   * {@link #ref()} is the owner's monitor on the task, the same as in the task's
   * {@link org.otp4j.core.Down}. Pass it to {@link Task#result(Object)} rather than reading it.
   */
  public static final class Reply {
    private final TaskCore<?> core;
    private final Object value;

    Reply(TaskCore<?> core, Object value) {
      this.core = core;
      this.value = value;
    }

    TaskCore<?> core() {
      return core;
    }

    /** The reference that identifies the task: its monitor. */
    public Ref ref() {
      return core.ref();
    }

    /** The value the task computed. */
    public Object value() {
      return value;
    }

    @Override
    public String toString() {
      return "{" + core.ref() + "," + value + "}";
    }
  }

  // =====================================================================================
  // starting

  /**
   * Starts {@code work} in a new process, linked to and monitored by the calling process (from a
   * plain thread: neither; see the class documentation). What {@code work} throws ends the task
   * with that exception as its reason.
   */
  public static <T> Task<T> async(Callable<? extends T> work) {
    Objects.requireNonNull(work, "work: the code the task runs, as in Task.async(() -> compute())");
    if (Proc.isProcess()) {
      return new Task<>(TaskCore.start(new Owner.Self(Proc.self()), work, Proc::spawnLink, false));
    }
    return new Task<>(TaskCore.start(null, work, Proc::spawn, false));
  }

  /**
   * Starts a process that runs {@code body} for its side effects, not linked to the caller (Elixir's
   * {@code Task.start}); returns its pid.
   */
  public static Pid start(Proc.Body body) {
    return Proc.spawn(Objects.requireNonNull(body, "body: the code the task runs"));
  }

  /**
   * Starts a process that runs {@code body}, linked to the calling process (Elixir's
   * {@code Task.start_link}): the start function of a task in a supervision tree,
   * {@code ChildSpec.worker("warmup", () -> Task.startLink(...)).withRestart(TEMPORARY)}.
   *
   * @throws org.otp4j.core.NotAProcessException from a plain thread, which cannot be linked
   */
  public static Pid startLink(Proc.Body body) {
    return Proc.spawnLink(Objects.requireNonNull(body, "body: the code the task runs"));
  }

  static <T> Task<T> of(TaskCore<T> core) {
    return new Task<>(core);
  }

  // =====================================================================================
  // the task

  /** The task's process. */
  public Pid pid() {
    return core.pid();
  }

  /** The reference that identifies the task: its owner's monitor, also found in its {@link Reply} and Down. */
  public Ref ref() {
    return core.ref();
  }

  /** The owner: the process that started the task, or empty if a plain thread did. */
  public Optional<Pid> owner() {
    return core.owner == null ? Optional.empty() : Optional.of(core.owner.pid());
  }

  /** {@link #await(Duration)} with the default 5 seconds. */
  public T await() {
    return await(DEFAULT_TIMEOUT);
  }

  /**
   * Waits for the task's value (Elixir's {@code Task.await}).
   *
   * @param timeout how long to wait ({@link Proc#INFINITY} for ever)
   * @return the value (null if the task computed null)
   * @throws TaskException with reason {@code timeout} if no reply came in time (the task runs on and
   *     its late reply is dropped), or with the task's exit reason if it ended without replying
   * @throws TaskStateException if the caller is not the owner, or the outcome was taken already
   */
  public T await(Duration timeout) {
    check("Task.await", timeout);
    return core.await(timeout, "Task.await");
  }

  /** {@link #yield(Duration)} with the default 5 seconds. */
  public Optional<Result<T>> yield() {
    return this.yield(DEFAULT_TIMEOUT);
  }

  /**
   * Waits for the task's outcome, but only for {@code timeout} (Elixir's {@code Task.yield}).
   *
   * @return {@link Ok} with the value, {@link Exit} if the task ended without replying, or empty if
   *     it is still running: it can be yielded, awaited, ignored or shut down later
   * @throws TaskStateException if the caller is not the owner, or the outcome was taken already
   */
  public Optional<Result<T>> yield(Duration timeout) {
    check("Task.yield", timeout);
    return core.yield(timeout, "Task.yield");
  }

  /**
   * Lets the task run on, unlinked and unmonitored; its value will be dropped (Elixir's
   * {@code Task.ignore}).
   *
   * @return {@link Ok} if the reply had already come, {@link Exit} if the task had already ended
   *     without one, else empty
   * @throws TaskStateException if the caller is not the owner, or the outcome was taken already
   */
  public Optional<Result<T>> ignore() {
    checkOwner("Task.ignore");
    return core.ignore("Task.ignore");
  }

  /** {@link #shutdown(ChildSpec.Shutdown)} with a 5 second grace time. */
  public Optional<Result<T>> shutdown() {
    return shutdown(ChildSpec.Shutdown.timeout(DEFAULT_TIMEOUT));
  }

  /**
   * Unlinks and stops the task (Elixir's {@code Task.shutdown}): {@link ChildSpec.Shutdown#brutalKill()}
   * kills it at once; {@link ChildSpec.Shutdown#timeout(Duration)} sends it {@code shutdown} and kills it
   * if it has not ended within the time (only a task that traps exits takes that time);
   * {@link ChildSpec.Shutdown#infinity()} waits for it to end after {@code shutdown}.
   *
   * @return {@link Ok} if the reply came before the task ended; {@link Exit} if the task ended for
   *     another reason (it had crashed, say, or a grace time ran out: {@code killed}); empty if the
   *     shutdown ended it
   * @throws TaskStateException if the caller is not the owner, or the outcome was taken already
   */
  public Optional<Result<T>> shutdown(ChildSpec.Shutdown how) {
    Objects.requireNonNull(how, "how: Shutdown.brutalKill() or Shutdown.timeout(duration)");
    checkOwner("Task.shutdown");
    return core.shutdown(how, "Task.shutdown");
  }

  /**
   * For an owner that receives its own messages (a server's {@code handleInfo}): the task's outcome
   * if {@code message} is its {@link Reply} ({@link Ok}) or its Down ({@link Exit}), with the monitor
   * removed; empty for any other message.
   *
   * <!-- snippet: org.otp4j.behaviours.task.TaskSupervisorTest#handle-info -->
   * {@snippet :
   * @Override protected CastResult<State> handleInfo(Object message, State state) {
   *   Optional<Task.Result<String>> done = state.task() == null ? Optional.empty() : state.task().result(message);
   *   if (done.isEmpty()) {
   *     return noReply(state);
   *   }
   *   Proc.send(state.observer(), done.get());   // Ok(value) or Exit(reason): the server lives on
   *   return noReply(new State(null, state.observer()));
   * }
   * }
   *
   * @throws TaskStateException if {@code message} is the task's and the caller is not the owner or
   *     took the outcome already
   */
  public Optional<Result<T>> result(Object message) {
    if (message == null || !core.isMine(message)) {
      return Optional.empty();
    }
    checkOwner("Task.result");
    return core.result(message, "Task.result");
  }

  // =====================================================================================
  // several tasks

  /** What {@link #yieldMany} does with a task that has not finished in time. */
  public enum YieldTimeout {
    /** Nothing: it can be yielded, awaited, ignored or shut down later (the default). */
    NOTHING,
    /** {@link Task#ignore()} it. */
    IGNORE,
    /** Kill it ({@link Task#shutdown(ChildSpec.Shutdown)} with brutal kill). */
    KILL_TASK
  }

  /** {@link #yieldMany(List, Duration, YieldTimeout)} doing nothing to late tasks. */
  public static <T> List<Optional<Result<T>>> yieldMany(List<Task<T>> tasks, Duration timeout) {
    return yieldMany(tasks, timeout, YieldTimeout.NOTHING);
  }

  /**
   * Waits up to {@code timeout} in all for several tasks of the caller (Elixir's
   * {@code Task.yield_many}), and returns their outcomes in the order of {@code tasks}: as
   * {@link #yield} does for one, empty for a task still running, to which {@code onTimeout} is then
   * applied (a late task that is shut down or ignored gets that call's result instead).
   *
   * @throws IllegalArgumentException if a task appears twice
   * @throws TaskStateException if the caller does not own a task, or one was taken already
   */
  public static <T> List<Optional<Result<T>>> yieldMany(List<Task<T>> tasks, Duration timeout, YieldTimeout onTimeout) {
    Objects.requireNonNull(onTimeout, "onTimeout: NOTHING, IGNORE or KILL_TASK");
    List<Optional<Result<T>>> results = collect(tasks, timeout, "Task.yieldMany", false);
    List<Optional<Result<T>>> out = new ArrayList<>(results.size());
    for (int i = 0; i < results.size(); i++) {
      Optional<Result<T>> r = results.get(i);
      if (r.isEmpty()) {
        r = switch (onTimeout) {
          case NOTHING -> r;
          case IGNORE -> tasks.get(i).ignore();
          case KILL_TASK -> tasks.get(i).shutdown(ChildSpec.Shutdown.brutalKill());
        };
      }
      out.add(r);
    }
    return Collections.unmodifiableList(out);
  }

  /**
   * Waits up to {@code timeout} in all for the values of several tasks (Elixir's
   * {@code Task.await_many}), in the order of {@code tasks}.
   *
   * @throws TaskException at the first task that ends without replying (its reason), or with
   *     {@code timeout} if some have not replied in time
   * @throws IllegalArgumentException if a task appears twice
   * @throws TaskStateException if the caller does not own a task, or one was taken already
   */
  public static <T> List<T> awaitMany(List<Task<T>> tasks, Duration timeout) {
    List<Optional<Result<T>>> results = collect(tasks, timeout, "Task.awaitMany", true);
    List<T> values = new ArrayList<>(results.size());
    for (int i = 0; i < results.size(); i++) {
      Optional<Result<T>> r = results.get(i);
      if (r.isEmpty()) {
        for (int j = i; j < results.size(); j++) {
          if (results.get(j).isEmpty()) {
            tasks.get(j).core.abandon("Task.awaitMany");
          }
        }
        throw new TaskException(ExitReason.TIMEOUT, "Task.awaitMany", tasks.get(i).pid(), timeout);
      }
      values.add(((Ok<T>) r.get()).value());
    }
    return Collections.unmodifiableList(values);
  }

  /**
   * Waits for several tasks until {@code timeout} has passed or all have finished; with
   * {@code failFast}, a task that ends without replying throws at once.
   */
  private static <T> List<Optional<Result<T>>> collect(List<Task<T>> tasks, Duration timeout, String operation,
      boolean failFast) {
    Objects.requireNonNull(tasks, "tasks");
    long nanos = Timeouts.nanos(timeout);
    Map<TaskCore<T>, Integer> index = new IdentityHashMap<>();
    for (int i = 0; i < tasks.size(); i++) {
      Task<T> t = Objects.requireNonNull(tasks.get(i), () -> operation + ": tasks contains null");
      if (index.put(t.core, index.size()) != null) {
        throw new IllegalArgumentException(operation + ": task " + t.pid() + " appears twice in the list; "
            + "give each task once");
      }
      t.checkOwner(operation);
      t.core.checkOpen(operation);
    }
    List<Optional<Result<T>>> results = new ArrayList<>(Collections.nCopies(tasks.size(), Optional.empty()));
    long deadline = System.nanoTime() + nanos;
    boolean plain = !tasks.isEmpty() && tasks.getFirst().core.owner == null;
    if (plain) {
      // no mailbox: wait for each in turn against the common deadline
      for (int i = 0; i < tasks.size(); i++) {
        Duration left = nanos < 0 ? Proc.INFINITY : Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
        Optional<Result<T>> r = tasks.get(i).core.yield(left, operation);
        results.set(i, r);
        failIfExited(failFast, r, tasks.get(i), operation, timeout);
      }
      return results;
    }
    Owner owner = tasks.isEmpty() ? null : tasks.getFirst().core.owner;
    Map<Ref, TaskCore<T>> byRef = new HashMap<>();
    index.keySet().forEach(c -> byRef.put(c.ref(), c));
    while (!byRef.isEmpty()) {
      Duration left = nanos < 0 ? Proc.INFINITY : Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
      Optional<Object> m = owner.receive(x -> x instanceof Reply r ? byRef.containsKey(r.ref())
          : x instanceof Down d && byRef.containsKey(d.ref()), left);
      if (m.isEmpty()) {
        break;
      }
      Ref ref = m.get() instanceof Reply r ? r.ref() : ((Down) m.get()).ref();
      TaskCore<T> core = byRef.remove(ref);
      int i = index.get(core);
      Optional<Result<T>> r = core.result(m.get(), operation);
      results.set(i, r);
      failIfExited(failFast, r, tasks.get(i), operation, timeout);
    }
    return results;
  }

  private static <T> void failIfExited(boolean failFast, Optional<Result<T>> r, Task<T> task, String operation,
      Duration timeout) {
    if (failFast && r.isPresent() && r.get() instanceof Exit<T>(ExitReason reason)) {
      throw new TaskException(reason, operation, task.pid(), timeout);
    }
  }

  // =====================================================================================
  // streams

  /**
   * How {@link #asyncStream} runs its tasks.
   *
   * @param maxConcurrency how many tasks run at once (at least 1; by default the number of processors)
   * @param ordered whether results come in the order of the items (true, the default) or as soon as
   *     each is ready
   * @param timeout how long each task may run, from its start (5 seconds by default;
   *     {@link Proc#INFINITY} for no limit)
   * @param onTimeout what a task that runs out of time does to the stream
   */
  public record StreamOptions(int maxConcurrency, boolean ordered, Duration timeout, OnTimeout onTimeout) {

    /** What a stream does when a task runs out of time. */
    public enum OnTimeout {
      /** The stream fails: it kills its other tasks and throws {@link TaskException} with {@code timeout} (the default). */
      EXIT,
      /** The task is killed and its result is {@code Exit(timeout)}; the stream goes on. */
      KILL_TASK
    }

    /** Checks the options. */
    public StreamOptions {
      if (maxConcurrency < 1) {
        throw new IllegalArgumentException("maxConcurrency must be at least 1, got " + maxConcurrency
            + "; it is how many tasks run at once");
      }
      Timeouts.nanos(timeout); // null and negative are rejected with a message that says what to use
      Objects.requireNonNull(onTimeout, "onTimeout: EXIT or KILL_TASK");
    }

    /** As many tasks as processors, ordered, 5 seconds per task, {@link OnTimeout#EXIT}. */
    public static StreamOptions defaults() {
      return new StreamOptions(Runtime.getRuntime().availableProcessors(), true, DEFAULT_TIMEOUT, OnTimeout.EXIT);
    }

    /** These options with at most {@code max} tasks at once. */
    public StreamOptions withMaxConcurrency(int max) {
      return new StreamOptions(max, ordered, timeout, onTimeout);
    }

    /** These options, results in item order ({@code true}) or as they come. */
    public StreamOptions withOrdered(boolean inOrder) {
      return new StreamOptions(maxConcurrency, inOrder, timeout, onTimeout);
    }

    /** These options with {@code perTask} as each task's timeout. */
    public StreamOptions withTimeout(Duration perTask) {
      return new StreamOptions(maxConcurrency, ordered, perTask, onTimeout);
    }

    /** These options with {@code what} done on a timeout. */
    public StreamOptions withOnTimeout(OnTimeout what) {
      return new StreamOptions(maxConcurrency, ordered, timeout, what);
    }
  }

  /** {@link #asyncStream(Iterable, Work, StreamOptions)} with the default options. */
  public static <E, R> Stream<Result<R>> asyncStream(Iterable<? extends E> items, Work<? super E, ? extends R> work) {
    return asyncStream(items, work, StreamOptions.defaults());
  }

  /**
   * Runs {@code work} on every item, each in a task, at most {@code options.maxConcurrency()} at a
   * time (Elixir's {@code Task.async_stream}), and returns the results as a lazy, sequential stream:
   * nothing runs until the stream is consumed, and items are taken from {@code items} only as places
   * free up.
   *
   * <!-- snippet: org.otp4j.behaviours.task.TaskStreamTest#stream -->
   * {@snippet :
   * List<Integer> lengths;
   * try (Stream<Task.Result<Integer>> results = Task.asyncStream(List.of("a", "bb", "ccc"), String::length,
   *     Task.StreamOptions.defaults().withMaxConcurrency(2))) {
   *   lengths = results.map(r -> r instanceof Task.Ok<Integer>(Integer n) ? n : -1).toList();
   * }
   * }
   *
   * <p>In a process, the tasks are linked to it: a task that crashes ends the consumer, unless it
   * traps exits; then the task's result is {@link Exit}. From a plain thread, tasks are not linked and
   * every crash is an {@link Exit}. A task that runs out of time is killed; then, by
   * {@link StreamOptions.OnTimeout}, the stream either throws {@link TaskException} (after killing its
   * other tasks) or yields {@code Exit(timeout)} and goes on. Close the stream (try-with-resources)
   * when you may stop consuming before the end: closing kills the tasks still running.
   */
  public static <E, R> Stream<Result<R>> asyncStream(Iterable<? extends E> items, Work<? super E, ? extends R> work,
      StreamOptions options) {
    Objects.requireNonNull(items, "items: the iterable whose items the tasks work on");
    Objects.requireNonNull(work, "work: the function each task runs on its item");
    Objects.requireNonNull(options, "options: use Task.StreamOptions.defaults()");
    return AsyncStream.of(items, work, options, new AsyncStream.StarterFactory() {
      @Override
      public TaskCore.Starter starter(boolean consumerIsProcess) {
        return consumerIsProcess ? Proc::spawnLink : Proc::spawn;
      }

      @Override
      public boolean linkOwner(boolean consumerIsProcess) {
        return false;
      }
    }, "Task.asyncStream");
  }

  // =====================================================================================

  private void check(String operation, Duration timeout) {
    Timeouts.nanos(timeout);
    checkOwner(operation);
  }

  void checkOwner(String operation) {
    boolean ok = core.owner == null ? !Proc.isProcess() : core.owner.isCurrent();
    if (!ok) {
      throw TaskStateException.notOwner(operation, core.pid(), core.owner == null ? null : core.owner.pid());
    }
  }

  @Override
  public String toString() {
    return core.toString();
  }
}
