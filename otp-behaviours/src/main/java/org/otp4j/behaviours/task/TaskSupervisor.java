package org.otp4j.behaviours.task;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.otp4j.behaviours.ChildSpec;
import org.otp4j.behaviours.DynamicSupervisor;
import org.otp4j.behaviours.StartException;
import org.otp4j.behaviours.StartResult;
import org.otp4j.behaviours.Supervisor;
import org.otp4j.core.Address;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Name;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;

/**
 * A supervisor of tasks: Elixir's {@code Task.Supervisor}, a {@link DynamicSupervisor} whose
 * children are tasks, temporary by default. Start it in the supervision tree, then start tasks
 * under it so that their crashes are reported by a supervisor and kept away from the caller.
 *
 * <!-- snippet: org.otp4j.behaviours.task.TaskSupervisorTest#nolink -->
 * {@snippet :
 * Pid tasks = TaskSupervisor.startLink();
 * Task<Integer> risky = TaskSupervisor.asyncNolink(tasks, () -> Integer.parseInt("forty-two"));
 * Optional<Task.Result<Integer>> outcome = risky.yield(Duration.ofSeconds(5));
 * // Exit(NumberFormatException...): the caller was not linked, so it lives on
 * }
 *
 * <ul>
 *   <li>{@link #async} starts a task linked to the caller, as {@link Task#async} does, but as a child
 *       of the supervisor: when the supervisor shuts down, so does the task.</li>
 *   <li>{@link #asyncNolink} starts a task that is only monitored by the caller: a crash shows as
 *       {@link Task.Exit} from {@link Task#yield} (and as {@link TaskException} from
 *       {@link Task#await}), never as an exit signal. This is how a server runs work that may fail:
 *       it takes the outcome in {@code handleInfo} with {@link Task#result(Object)}.</li>
 *   <li>{@link #startChild} starts a fire-and-forget task, linked to nobody but the supervisor.</li>
 *   <li>{@link #asyncStream} and {@link #asyncStreamNolink} are {@link Task#asyncStream} with the tasks
 *       under the supervisor.</li>
 * </ul>
 * Every function works from a process or a plain thread (a plain thread is never linked).
 */
public final class TaskSupervisor {
  private TaskSupervisor() {}

  /** How long a task is given to end after {@code shutdown} before it is killed: 5 seconds, as Elixir. */
  public static final Duration TASK_SHUTDOWN = Duration.ofSeconds(5);

  /** Starts a task supervisor linked to the caller (no child limit; 3 restarts in 5 seconds). */
  public static Pid startLink() {
    return DynamicSupervisor.startLink(DynamicSupervisor.Options.defaults());
  }

  /** Starts a task supervisor linked to the caller, registered under {@code name}. */
  public static Pid startLink(Name name) {
    return DynamicSupervisor.startLink(name, DynamicSupervisor.Options.defaults());
  }

  /**
   * Starts a task supervisor linked to the caller, registered under {@code name} (null: unnamed),
   * with a child limit or restart intensity.
   */
  public static Pid startLink(Name name, DynamicSupervisor.Options options) {
    Objects.requireNonNull(options, "options: use DynamicSupervisor.Options.defaults()");
    return name == null ? DynamicSupervisor.startLink(options) : DynamicSupervisor.startLink(name, options);
  }

  /** The child spec of a task supervisor registered under {@code name}, for a supervision tree. */
  public static ChildSpec childSpec(Object id, Name name) {
    Objects.requireNonNull(name, "name: the name tasks are started under, as in TaskSupervisor.async(name, ...)");
    return ChildSpec.supervisor(id, () -> startLink(name));
  }

  // ---------------------------------------------------------------------------------------

  /**
   * Starts {@code work} as a child of {@code supervisor}, linked to and monitored by the caller
   * (Elixir's {@code Task.Supervisor.async}).
   *
   * @throws StartException if the supervisor runs its maximum number of children
   */
  public static <T> Task<T> async(Address supervisor, Callable<? extends T> work) {
    return start(supervisor, work, true, "TaskSupervisor.async");
  }

  /**
   * Starts {@code work} as a child of {@code supervisor}, monitored by the caller but not linked
   * (Elixir's {@code Task.Supervisor.async_nolink}): its crash never reaches the caller.
   *
   * @throws StartException if the supervisor runs its maximum number of children
   */
  public static <T> Task<T> asyncNolink(Address supervisor, Callable<? extends T> work) {
    return start(supervisor, work, false, "TaskSupervisor.asyncNolink");
  }

  private static <T> Task<T> start(Address supervisor, Callable<? extends T> work, boolean link, String operation) {
    Objects.requireNonNull(supervisor, "supervisor: the task supervisor's pid or name");
    Objects.requireNonNull(work, "work: the code the task runs");
    boolean process = Proc.isProcess();
    Owner owner = process ? new Owner.Self(Proc.self()) : null;
    return Task.of(TaskCore.start(owner, work, underSupervisor(supervisor, operation), link && process));
  }

  /** A starter that starts each task as a temporary child of {@code supervisor}. */
  private static TaskCore.Starter underSupervisor(Address supervisor, String operation) {
    return body -> switch (startTask(supervisor, body, ChildSpec.Restart.TEMPORARY)) {
      case StartResult.Started(Pid pid) -> pid;
      case DynamicSupervisor.MaxChildren max -> throw new StartException(operation + " on " + supervisor,
          StartResult.error(ExitReason.of("max_children")));
      case StartResult.Failed f -> throw new StartException(operation + " on " + supervisor, f);
      case StartResult.Ignored i -> throw new StartException(operation + " on " + supervisor, i);
      case StartResult.AlreadyStarted a -> throw new StartException(operation + " on " + supervisor, a);
    };
  }

  private static DynamicSupervisor.StartChildResult startTask(Address supervisor, Proc.Body body,
      ChildSpec.Restart restart) {
    ChildSpec spec = ChildSpec.worker("task", () -> Proc.spawnLink(body)).withRestart(restart)
        .withShutdown(ChildSpec.Shutdown.timeout(TASK_SHUTDOWN));
    return DynamicSupervisor.startChild(supervisor, spec);
  }

  /** {@link #startChild(Address, Proc.Body, ChildSpec.Restart)}, temporary. */
  public static DynamicSupervisor.StartChildResult startChild(Address supervisor, Proc.Body body) {
    return startChild(supervisor, body, ChildSpec.Restart.TEMPORARY);
  }

  /**
   * Starts {@code body} as a child of {@code supervisor}, linked to nobody else, whose result nobody
   * awaits (Elixir's {@code Task.Supervisor.start_child}).
   *
   * @param restart {@code TEMPORARY} (never restarted, the default) or {@code TRANSIENT} (restarted
   *     if it crashes)
   * @return {@link StartResult.Started} with the task's pid, or {@link DynamicSupervisor.MaxChildren}
   * @throws IllegalArgumentException if {@code restart} is {@code PERMANENT}: a task that always
   *     restarts never finishes
   */
  public static DynamicSupervisor.StartChildResult startChild(Address supervisor, Proc.Body body,
      ChildSpec.Restart restart) {
    Objects.requireNonNull(supervisor, "supervisor: the task supervisor's pid or name");
    Objects.requireNonNull(body, "body: the code the task runs");
    Objects.requireNonNull(restart, "restart: TEMPORARY or TRANSIENT");
    if (restart == ChildSpec.Restart.PERMANENT) {
      throw new IllegalArgumentException("a task cannot be PERMANENT: it would be restarted every time it "
          + "finishes; use TEMPORARY (the default) or TRANSIENT (restarted only if it crashes)");
    }
    return startTask(supervisor, body, restart);
  }

  /** The tasks running under {@code supervisor} (Elixir's {@code Task.Supervisor.children}). */
  public static List<Pid> children(Address supervisor) {
    return DynamicSupervisor.whichChildren(supervisor).stream().map(Supervisor.Child::pid)
        .filter(Objects::nonNull).toList();
  }

  /**
   * Stops a task of {@code supervisor} as its shutdown says (5 seconds).
   *
   * @return {@link Supervisor.Terminated}, or {@link Supervisor.NotFound} if it is not a task of this supervisor
   */
  public static Supervisor.TerminateResult terminateChild(Address supervisor, Pid task) {
    return DynamicSupervisor.terminateChild(supervisor, task);
  }

  /**
   * {@link Task#asyncStream(Iterable, Task.Work, Task.StreamOptions)} with every task a child of
   * {@code supervisor}, linked to the consuming process (Elixir's {@code Task.Supervisor.async_stream}).
   */
  public static <E, R> Stream<Task.Result<R>> asyncStream(Address supervisor, Iterable<? extends E> items,
      Task.Work<? super E, ? extends R> work, Task.StreamOptions options) {
    return stream(supervisor, items, work, options, true, "TaskSupervisor.asyncStream");
  }

  /**
   * {@link Task#asyncStream(Iterable, Task.Work, Task.StreamOptions)} with every task a child of
   * {@code supervisor}, not linked to the consumer: a crash is an {@link Task.Exit} in the stream
   * (Elixir's {@code Task.Supervisor.async_stream_nolink}).
   */
  public static <E, R> Stream<Task.Result<R>> asyncStreamNolink(Address supervisor, Iterable<? extends E> items,
      Task.Work<? super E, ? extends R> work, Task.StreamOptions options) {
    return stream(supervisor, items, work, options, false, "TaskSupervisor.asyncStreamNolink");
  }

  private static <E, R> Stream<Task.Result<R>> stream(Address supervisor, Iterable<? extends E> items,
      Task.Work<? super E, ? extends R> work, Task.StreamOptions options, boolean link, String operation) {
    Objects.requireNonNull(supervisor, "supervisor: the task supervisor's pid or name");
    Objects.requireNonNull(items, "items: the iterable whose items the tasks work on");
    Objects.requireNonNull(work, "work: the function each task runs on its item");
    Objects.requireNonNull(options, "options: use Task.StreamOptions.defaults()");
    TaskCore.Starter starter = underSupervisor(supervisor, operation);
    return AsyncStream.of(items, work, options, new AsyncStream.StarterFactory() {
      @Override
      public TaskCore.Starter starter(boolean consumerIsProcess) {
        return starter;
      }

      @Override
      public boolean linkOwner(boolean consumerIsProcess) {
        return link && consumerIsProcess;
      }
    }, operation);
  }
}
