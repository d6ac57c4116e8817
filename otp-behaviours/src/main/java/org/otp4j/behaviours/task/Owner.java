package org.otp4j.behaviours.task;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Predicate;
import org.otp4j.core.ExitMessage;
import org.otp4j.core.Inbox;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.core.Ref;

/**
 * The mailbox a task replies to, and the process that monitors it: the process that started the
 * task ({@link Self}), or, for a stream consumed by a plain thread, an {@link Inbox} opened for that
 * stream ({@link Box}). A single task started by a plain thread has no owner mailbox at all: see
 * {@link TaskCore}.
 */
sealed interface Owner {

  /** Where replies go. */
  Pid pid();

  /** Takes the oldest message that {@code filter} accepts, waiting at most {@code timeout}. */
  Optional<Object> receive(Predicate<Object> filter, Duration timeout);

  /** Monitors {@code pid} as the owner. */
  Ref monitor(Pid pid);

  /** Removes a monitor and its down message, if one arrived. */
  void demonitorFlush(Ref ref);

  /** Unlinks {@code pid} and removes any exit message from it already received. */
  void unlinkAndFlush(Pid pid);

  /** Whether the current thread acts as this owner. */
  boolean isCurrent();

  /** The calling process. */
  record Self(Pid pid) implements Owner {
    @Override
    public Optional<Object> receive(Predicate<Object> filter, Duration timeout) {
      return Proc.receive(filter, timeout);
    }

    @Override
    public Ref monitor(Pid target) {
      return Proc.monitor(target);
    }

    @Override
    public void demonitorFlush(Ref ref) {
      Proc.demonitorFlush(ref);
    }

    @Override
    public void unlinkAndFlush(Pid target) {
      // NOTE: once unlink returns, no exit signal of the link can arrive any more; one that arrived
      // before is in the mailbox, where the flush finds it.
      Proc.unlink(target);
      Proc.flush(m -> m instanceof ExitMessage e && e.from().equals(target));
    }

    @Override
    public boolean isCurrent() {
      return Proc.isProcess() && Proc.self().equals(pid);
    }
  }

  /** An inbox opened for a plain thread: never linked to anything. */
  record Box(Inbox inbox) implements Owner {
    @Override
    public Pid pid() {
      return inbox.pid();
    }

    @Override
    public Optional<Object> receive(Predicate<Object> filter, Duration timeout) {
      return inbox.receive(filter, timeout);
    }

    @Override
    public Ref monitor(Pid target) {
      return inbox.monitor(target);
    }

    @Override
    public void demonitorFlush(Ref ref) {
      inbox.demonitorFlush(ref);
    }

    @Override
    public void unlinkAndFlush(Pid target) {
      // an inbox is never linked to its tasks
    }

    @Override
    public boolean isCurrent() {
      return !Proc.isProcess();
    }
  }
}
