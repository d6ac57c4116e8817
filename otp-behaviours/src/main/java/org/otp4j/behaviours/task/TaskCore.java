package org.otp4j.behaviours.task;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.otp4j.behaviours.ChildSpec;
import org.otp4j.core.Down;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.core.Ref;

/**
 * The engine of one task; its face is {@link Task}.
 *
 * <h2>Implementation notes</h2>
 * The task process computes its value, stores it here, and, if it wins the reply slot, sends a
 * {@link Task.Reply} to its owner's mailbox. The owner monitors the task, so it waits for one of two
 * messages, the reply or the task's {@link Down}, exactly as Elixir's {@code Task.await} does. The
 * reply slot decides who wins when the owner gives up at the moment the task replies:
 * <pre>
 *   state      event                                            next state
 *   RUNNING    the task stores its value and wins the slot        REPLIED   (then sends the reply)
 *   RUNNING    the owner gives up (await timeout, ignore)         ABANDONED (a late reply is never sent)
 * </pre>
 * An owner that loses knows the reply is in its mailbox or on its way (or the task was killed just
 * after winning: its {@code Down} then comes, and the value is read from here). So no reply of an
 * abandoned task is ever left in a mailbox, as Elixir ensures with process aliases.
 *
 * <p>A task started by a plain thread has no owner mailbox ({@link #owner} is null): the thread
 * waits for the process to end ({@link Proc#awaitExit}) and reads the value from here. Nothing is
 * opened for it, so a task that is never awaited leaves nothing behind.
 *
 * <p>{@link #closed} is set once the outcome has been taken or the task ignored, shut down or
 * abandoned: any later request is a {@link TaskStateException}.
 */
final class TaskCore<T> {
  private static final int RUNNING = 0;
  private static final int REPLIED = 1;
  private static final int ABANDONED = 2;

  private final AtomicInteger state = new AtomicInteger(RUNNING);
  private final AtomicBoolean closed = new AtomicBoolean();
  /** Written by the task before it takes the slot; read by the owner after the slot says REPLIED. */
  private volatile T value;
  /** Where the reply goes; null for a task started by a plain thread. */
  final Owner owner;
  /** Set by the starter before the task is handed out. */
  private volatile Pid pid;
  /** The owner's monitor on the task (a fresh reference when there is no owner mailbox). */
  private volatile Ref ref;

  private TaskCore(Owner owner) {
    this.owner = owner;
  }

  /** Starts a process the way a face asks: linked or not, under a supervisor or not. */
  @FunctionalInterface
  interface Starter {
    Pid start(Proc.Body body);
  }

  /**
   * Starts {@code work} in a process made by {@code starter}, replying to {@code owner} (null: a
   * plain thread). With {@code linkOwner}, the task links itself to the owner before it runs the
   * work (for a task started by a supervisor on the owner's behalf).
   */
  static <T> TaskCore<T> start(Owner owner, Callable<? extends T> work, Starter starter, boolean linkOwner) {
    TaskCore<T> core = new TaskCore<>(owner);
    Pid ownerPid = owner == null ? null : owner.pid();
    Proc.Body body = () -> {
      if (linkOwner && ownerPid != null) {
        Proc.link(ownerPid); // an owner that is gone already ends the task with noproc
      }
      core.complete(work.call());
    };
    Pid pid = starter.start(body);
    core.pid = pid;
    // A task that ended before this monitor exists gives a noproc Down: its real reason is read then.
    core.ref = owner == null ? Ref.make() : owner.monitor(pid);
    return core;
  }

  Pid pid() {
    return pid;
  }

  Ref ref() {
    return ref;
  }

  /** In the task process: publishes the value and, if the owner is still waiting, tells it. */
  private void complete(T result) {
    value = result;
    if (state.compareAndSet(RUNNING, REPLIED) && owner != null) {
      Proc.send(owner.pid(), new Task.Reply(this, result));
    }
  }

  /** Whether {@code message}, in the owner's mailbox, is this task's reply or down message. */
  boolean isMine(Object message) {
    return message instanceof Task.Reply r && r.core() == this || message instanceof Down d && d.ref() == ref;
  }

  boolean isReply(Object message) {
    return message instanceof Task.Reply r && r.core() == this;
  }

  // ---------------------------------------------------------------------------------------
  // the owner's side

  void checkOpen(String operation) {
    if (closed.get()) {
      throw TaskStateException.taken(operation, pid);
    }
  }

  /** Marks the outcome taken; false if another plain thread took it first. */
  private void close(String operation) {
    if (!closed.compareAndSet(false, true)) {
      throw TaskStateException.taken(operation, pid);
    }
  }

  /** What a message of this task says, the monitor removed: the reply, or how the task ended. */
  Task.Result<T> outcome(Object message) {
    if (message instanceof Task.Reply) {
      owner.demonitorFlush(ref);
      return new Task.Ok<>(value);
    }
    if (state.get() == REPLIED) {
      // Killed just after it won the slot: the value is here; drop a reply that may have been sent.
      owner.receive(this::isReply, Duration.ZERO);
      return new Task.Ok<>(value);
    }
    return new Task.Exit<>(realReason(((Down) message).reason()));
  }

  /** A noproc Down means the task ended before it was monitored: its real reason is known. */
  private ExitReason realReason(ExitReason reason) {
    return reason == ExitReason.NOPROC ? Proc.awaitExit(pid, Proc.INFINITY).orElse(reason) : reason;
  }

  /** The outcome, once the process has ended, for a task with no owner mailbox. */
  private Task.Result<T> ended(ExitReason reason) {
    return state.get() == REPLIED ? new Task.Ok<>(value) : new Task.Exit<>(reason);
  }

  /** Elixir's {@code await}: the value, or a {@link TaskException}. */
  T await(Duration timeout, String operation) {
    checkOpen(operation);
    Task.Result<T> result;
    if (owner == null) {
      Optional<ExitReason> exit = Proc.awaitExit(pid, timeout);
      if (exit.isEmpty() && state.compareAndSet(RUNNING, ABANDONED)) {
        close(operation);
        throw new TaskException(ExitReason.TIMEOUT, operation, pid, timeout);
      }
      close(operation);
      result = exit.isPresent() ? ended(exit.get()) : new Task.Ok<>(value);
    } else {
      Optional<Object> m = owner.receive(this::isMine, timeout);
      if (m.isEmpty()) {
        if (state.compareAndSet(RUNNING, ABANDONED)) {
          close(operation);
          owner.demonitorFlush(ref);
          throw new TaskException(ExitReason.TIMEOUT, operation, pid, timeout);
        }
        m = owner.receive(this::isMine, Proc.INFINITY); // the reply won the race: it is on its way
      }
      close(operation);
      result = outcome(m.orElseThrow());
    }
    return switch (result) {
      case Task.Ok<T>(T v) -> v;
      case Task.Exit<T>(ExitReason reason) -> throw new TaskException(reason, operation, pid, timeout);
    };
  }

  /** Elixir's {@code yield}: the outcome, or empty if the task is still running after {@code timeout}. */
  Optional<Task.Result<T>> yield(Duration timeout, String operation) {
    checkOpen(operation);
    if (owner == null) {
      Optional<ExitReason> exit = Proc.awaitExit(pid, timeout);
      if (exit.isEmpty() && state.get() != REPLIED) {
        return Optional.empty();
      }
      close(operation);
      return Optional.of(exit.isPresent() ? ended(exit.get()) : new Task.Ok<>(value));
    }
    Optional<Object> m = owner.receive(this::isMine, timeout);
    if (m.isEmpty()) {
      return Optional.empty();
    }
    close(operation);
    return Optional.of(outcome(m.get()));
  }

  /** Elixir's {@code ignore}: unlinks, forgets the task, and says what had happened so far. */
  Optional<Task.Result<T>> ignore(String operation) {
    checkOpen(operation);
    if (owner == null) {
      Optional<ExitReason> exit = Proc.awaitExit(pid, Duration.ZERO);
      close(operation);
      if (exit.isPresent()) {
        return Optional.of(ended(exit.get()));
      }
      return state.compareAndSet(RUNNING, ABANDONED) ? Optional.empty() : Optional.of(new Task.Ok<>(value));
    }
    Optional<Object> m = owner.receive(this::isMine, Duration.ZERO);
    if (m.isEmpty()) {
      if (state.compareAndSet(RUNNING, ABANDONED)) {
        close(operation);
        owner.unlinkAndFlush(pid);
        owner.demonitorFlush(ref);
        return Optional.empty();
      }
      m = owner.receive(this::isMine, Proc.INFINITY);
    }
    close(operation);
    if (isReply(m.orElseThrow())) {
      owner.unlinkAndFlush(pid);
    }
    return Optional.of(outcome(m.get()));
  }

  /**
   * Elixir's {@code shutdown}: unlinks and stops the task as {@code how} says, then returns its reply
   * if it came first, how it ended if it ended on its own, or empty if the shutdown ended it.
   */
  Optional<Task.Result<T>> shutdown(ChildSpec.Shutdown how, String operation) {
    checkOpen(operation);
    boolean brutal = how instanceof ChildSpec.Shutdown.BrutalKill;
    Duration grace = how instanceof ChildSpec.Shutdown.Timeout(Duration t) ? t : Proc.INFINITY;
    if (owner != null) {
      owner.unlinkAndFlush(pid); // first: the owner must not be hit by the exit it causes
    }
    Proc.exit(pid, brutal ? ExitReason.KILL : ExitReason.SHUTDOWN);
    Task.Result<T> result;
    if (owner == null) {
      Optional<ExitReason> exit = brutal ? Proc.awaitExit(pid, Proc.INFINITY) : Proc.awaitExit(pid, grace);
      if (exit.isEmpty()) {
        Proc.exit(pid, ExitReason.KILL);
        exit = Proc.awaitExit(pid, Proc.INFINITY);
      }
      close(operation);
      result = ended(exit.orElseThrow());
    } else {
      Optional<Object> m = owner.receive(this::isMine, brutal ? Proc.INFINITY : grace);
      if (m.isEmpty()) {
        Proc.exit(pid, ExitReason.KILL);
        m = owner.receive(this::isMine, Proc.INFINITY);
      }
      close(operation);
      result = outcome(m.orElseThrow());
    }
    if (result instanceof Task.Exit<T>(ExitReason reason)
        && (brutal && reason == ExitReason.KILLED || !brutal && reason.equals(ExitReason.SHUTDOWN))) {
      return Optional.empty(); // ended by this shutdown (a kill after the grace time shows as killed, as in Elixir)
    }
    return Optional.of(result);
  }

  /**
   * Gives the task up after a timeout, as {@link #await} does: a reply that comes later is dropped;
   * one that won the race is taken out of the mailbox.
   */
  void abandon(String operation) {
    if (state.compareAndSet(RUNNING, ABANDONED) || owner == null) {
      close(operation);
      if (owner != null) {
        owner.demonitorFlush(ref);
      }
      return;
    }
    close(operation);
    outcome(owner.receive(this::isMine, Proc.INFINITY).orElseThrow());
  }

  /** For an owner that receives its messages itself: the outcome if {@code message} is this task's. */
  Optional<Task.Result<T>> result(Object message, String operation) {
    if (owner == null || !isMine(message)) {
      return Optional.empty();
    }
    close(operation);
    return Optional.of(outcome(message));
  }

  @Override
  public String toString() {
    return "Task[" + pid + (owner == null ? ", owned by plain threads" : ", owner " + owner.pid()) + "]";
  }
}
