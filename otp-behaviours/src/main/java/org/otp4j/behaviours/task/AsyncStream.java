package org.otp4j.behaviours.task;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.otp4j.core.Down;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Node;
import org.otp4j.core.Proc;
import org.otp4j.core.Ref;
import org.otp4j.core.Timeouts;

/**
 * The engine of {@link Task#asyncStream}: runs a function over the items of an iterable, in at most
 * {@code maxConcurrency} tasks at a time, and hands out their results lazily as the stream is
 * consumed.
 *
 * <h2>Implementation notes</h2>
 * The consumer's thread does all the work: it starts tasks while there is room, then waits for the
 * next reply or down message of any running task, or for the earliest deadline (each task's timeout
 * runs from its start, as in Elixir). A finished task frees its place at once; in ordered mode its
 * result waits in {@link #done} until the results before it have been handed out.
 *
 * <p>Where the tasks are linked to the consumer (a process that asked for a linked stream), a task
 * that crashes ends the consumer through the link unless it traps exits, as in Elixir. A task that
 * finishes is unlinked and its exit message, if any, removed, so that a consumer that traps exits
 * sees the result in the stream and no {@code ExitMessage}: Elixir reaches the same effect with an
 * intermediate monitor process. A task that times out is unlinked before it is killed.
 *
 * <p>A plain thread consumes through an {@link org.otp4j.core.Inbox} opened for the stream, never
 * linked: it sees every task's end as a result. The inbox is closed when the stream is exhausted or
 * closed.
 */
final class AsyncStream<E, R> implements Iterator<Task.Result<R>> {

  private final Owner owner;
  private final boolean ownInbox;
  private final Iterator<? extends E> input;
  private final Task.Work<? super E, ? extends R> work;
  private final Task.StreamOptions options;
  private final TaskCore.Starter starter;
  private final boolean linkOwner;
  private final String operation;

  /** Running tasks, with their position and deadline. */
  private final Map<TaskCore<R>, Running> running = new IdentityHashMap<>();
  private final Map<Ref, TaskCore<R>> byRef = new HashMap<>();
  /** Ordered mode: finished results by position. */
  private final Map<Long, Task.Result<R>> done = new HashMap<>();
  /** Unordered mode: finished results in the order they came. */
  private final ArrayDeque<Task.Result<R>> ready = new ArrayDeque<>();
  private long started;
  private long delivered;
  private Task.Result<R> next;
  private boolean finished;

  private record Running(long position, long deadline) {}

  private AsyncStream(Owner owner, boolean ownInbox, Iterator<? extends E> input, Task.Work<? super E, ? extends R> work,
      Task.StreamOptions options, TaskCore.Starter starter, boolean linkOwner, String operation) {
    this.owner = owner;
    this.ownInbox = ownInbox;
    this.input = input;
    this.work = work;
    this.options = options;
    this.starter = starter;
    this.linkOwner = linkOwner;
    this.operation = operation;
  }

  /**
   * A lazy stream of results. {@code linked}: the tasks are linked to a consuming process (tasks
   * started by a plain thread never are). {@code supervised}: the starter links the task to the
   * supervisor, so the task links itself to the owner.
   */
  static <E, R> Stream<Task.Result<R>> of(Iterable<? extends E> items, Task.Work<? super E, ? extends R> work,
      Task.StreamOptions options, StarterFactory starters, String operation) {
    Iterator<? extends E> input = items.iterator();
    Owner owner;
    boolean ownInbox;
    if (Proc.isProcess()) {
      owner = new Owner.Self(Proc.self());
      ownInbox = false;
    } else {
      owner = new Owner.Box(Node.current().openInbox());
      ownInbox = true;
    }
    TaskCore.Starter starter = starters.starter(owner instanceof Owner.Self);
    AsyncStream<E, R> engine = new AsyncStream<>(owner, ownInbox, input, work, options, starter,
        starters.linkOwner(owner instanceof Owner.Self), operation);
    Spliterator<Task.Result<R>> split = Spliterators.spliteratorUnknownSize(engine,
        Spliterator.NONNULL | (options.ordered() ? Spliterator.ORDERED : 0));
    return StreamSupport.stream(split, false).onClose(engine::close);
  }

  /** How a face starts the stream's tasks. */
  interface StarterFactory {
    /** The starter, for a consumer that is a process ({@code true}) or a plain thread. */
    TaskCore.Starter starter(boolean consumerIsProcess);

    /** Whether each task links itself to the consumer (for supervised, linked streams). */
    boolean linkOwner(boolean consumerIsProcess);
  }

  @Override
  public boolean hasNext() {
    if (next == null && !finished) {
      next = advance();
    }
    return next != null;
  }

  @Override
  public Task.Result<R> next() {
    if (!hasNext()) {
      throw new NoSuchElementException(operation + ": no results left");
    }
    Task.Result<R> r = next;
    next = null;
    return r;
  }

  private Task.Result<R> advance() {
    try {
      while (true) {
        if (options.ordered()) {
          Task.Result<R> r = done.remove(delivered);
          if (r != null) {
            delivered++;
            return r;
          }
        } else if (!ready.isEmpty()) {
          return ready.poll();
        }
        fill();
        if (running.isEmpty()) {
          close();
          return null;
        }
        waitForOne();
      }
    } catch (RuntimeException | Error e) {
      close();
      throw e;
    }
  }

  private void fill() {
    while (running.size() < options.maxConcurrency() && input.hasNext()) {
      E item = input.next();
      TaskCore<R> core = TaskCore.start(owner, () -> work.apply(item), starter, linkOwner);
      long deadline = Timeouts.isInfinite(options.timeout()) ? 0 : System.nanoTime() + options.timeout().toNanos();
      running.put(core, new Running(started++, deadline));
      byRef.put(core.ref(), core);
    }
  }

  private boolean isAnyMine(Object m) {
    return m instanceof Task.Reply r && running.containsKey(r.core())
        || m instanceof Down d && byRef.containsKey(d.ref());
  }

  @SuppressWarnings("unchecked") // a Reply of one of our tasks belongs to a TaskCore<R>
  private TaskCore<R> taskOf(Object m) {
    return m instanceof Task.Reply r ? (TaskCore<R>) r.core() : byRef.get(((Down) m).ref());
  }

  private void waitForOne() {
    Duration wait = Proc.INFINITY;
    if (!Timeouts.isInfinite(options.timeout())) {
      long now = System.nanoTime();
      long earliest = Long.MAX_VALUE;
      for (Running r : running.values()) {
        earliest = Math.min(earliest, r.deadline() - now);
      }
      wait = Duration.ofNanos(Math.max(0, earliest));
    }
    Optional<Object> m = owner.receive(this::isAnyMine, wait);
    if (m.isPresent()) {
      TaskCore<R> core = taskOf(m.get());
      finish(core, core.outcome(m.get()));
      return;
    }
    long now = System.nanoTime();
    for (TaskCore<R> core : running.keySet().toArray(TaskCore[]::new)) {
      if (running.get(core).deadline() - now <= 0) {
        timedOut(core);
      }
    }
  }

  private void timedOut(TaskCore<R> core) {
    owner.unlinkAndFlush(core.pid()); // before the kill, which would otherwise reach the consumer
    Proc.exit(core.pid(), ExitReason.KILL);
    Object m = owner.receive(core::isMine, Proc.INFINITY).orElseThrow();
    Task.Result<R> r = core.outcome(m);
    if (r instanceof Task.Ok<R>) {
      finish(core, r); // it replied just before the kill
    } else if (options.onTimeout() == Task.StreamOptions.OnTimeout.KILL_TASK) {
      finish(core, new Task.Exit<>(ExitReason.TIMEOUT));
    } else {
      running.remove(core);
      byRef.remove(core.ref());
      throw new TaskException(ExitReason.TIMEOUT, operation, core.pid(), options.timeout());
    }
  }

  private void finish(TaskCore<R> core, Task.Result<R> result) {
    Running r = running.remove(core);
    byRef.remove(core.ref());
    owner.unlinkAndFlush(core.pid());
    if (options.ordered()) {
      done.put(r.position(), result);
    } else {
      ready.add(result);
    }
  }

  /**
   * Stops the stream: kills the tasks still running (unlinked first) and waits for them to be gone,
   * then closes the inbox of a plain thread. Runs when the stream is exhausted, fails, or is closed.
   */
  void close() {
    if (finished) {
      return;
    }
    finished = true;
    for (TaskCore<R> core : running.keySet()) {
      owner.unlinkAndFlush(core.pid());
      Proc.exit(core.pid(), ExitReason.KILL);
    }
    for (TaskCore<R> core : running.keySet()) {
      owner.receive(m -> m instanceof Down d && d.ref() == core.ref(), Proc.INFINITY);
      owner.receive(core::isReply, Duration.ZERO);
    }
    running.clear();
    byRef.clear();
    if (ownInbox && owner instanceof Owner.Box(var inbox)) {
      inbox.close();
    }
  }
}
