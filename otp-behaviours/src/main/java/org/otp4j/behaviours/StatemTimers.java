package org.otp4j.behaviours;

import org.otp4j.core.internal.NodeRuntime;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.otp4j.behaviours.GenStatem.Action;
import org.otp4j.behaviours.GenStatem.Event;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.core.Timeouts;
import org.otp4j.core.TimerRef;

/**
 * The timeouts of one {@link GenStatem} process, OTP's three kinds: the event timeout (cancelled by
 * any event), the state timeout (cancelled by a state change) and named generic timeouts.
 *
 * <p>The event timeout is not a timer: it is the deadline of the next receive ({@link #eventTimeout()}).
 * State and generic timeouts are timers that send the process a {@link TimerFired} with a token; a
 * fired message whose token is no longer current (the timer was cancelled or restarted meanwhile)
 * is dropped ({@link #fired}). A zero-time one puts its {@link TimerFired} straight into the
 * engine's queue, where the same check applies; a zero-time event timeout is queued only if
 * nothing else is, since any event cancels it. Owned by the state machine's process.
 */
final class StatemTimers {

  /** The message a state or generic timer sends this process. */
  record TimerFired(long token, GenStatem.TimerKind kind, Object name) {}

  /** A running state or generic timer. */
  private static final class Timer {
    final long token;
    final TimerRef ref;
    Object content;

    Timer(long token, TimerRef ref, Object content) {
      this.token = token;
      this.ref = ref;
      this.content = content;
    }
  }

  /** The event timeout armed for the next wait. */
  record EventTimer(long deadline, Object content) {}

  private final ArrayDeque<Object> queue;
  private Pid self;
  private EventTimer eventTimeout;
  /** A zero-time event timeout set by the transition being applied, if any. */
  private EventTimer zeroEventTimeout;
  private Timer stateTimer;
  private final Map<Object, Timer> genericTimers = new HashMap<>();
  private long tokens;

  /** @param queue the engine's queue of events to handle before receiving */
  StatemTimers(ArrayDeque<Object> queue) {
    this.queue = queue;
  }

  void bind(Pid process) {
    self = process;
  }

  /** The event timeout armed for the next receive, or null. */
  EventTimer eventTimeout() {
    return eventTimeout;
  }

  /** An event arrived, or the event timeout fired: it is no longer armed. */
  void clearEventTimeout() {
    eventTimeout = null;
  }

  /** The event a timer's message stands for, or null if that timer was cancelled or restarted since. */
  <M> Event<M> fired(TimerFired fired) {
    if (fired.kind() == GenStatem.TimerKind.STATE) {
      if (stateTimer != null && stateTimer.token == fired.token()) {
        Object content = stateTimer.content;
        stateTimer = null;
        return new Event.StateTimeout<>(content);
      }
      return null;
    }
    Timer t = genericTimers.get(fired.name());
    if (t != null && t.token == fired.token()) {
      genericTimers.remove(fired.name());
      return new Event.GenericTimeout<>(fired.name(), t.content);
    }
    return null;
  }

  /**
   * Applies a transition's timer operations ({@link Action.SetTimer}, {@link Action.CancelTimer},
   * {@link Action.UpdateTimer}), in order, after the transition's inserted events are queued.
   */
  void apply(List<Object> ops) {
    zeroEventTimeout = null;
    for (Object op : ops) {
      switch (op) {
        case Action.SetTimer t -> setTimer(t);
        case Action.CancelTimer t -> cancelTimer(t.kind(), t.name());
        case Action.UpdateTimer t -> updateTimer(t);
        default -> throw new AssertionError(op);
      }
    }
    if (!queue.isEmpty()) {
      eventTimeout = null; // the next queued event would cancel it
      zeroEventTimeout = null;
    } else if (zeroEventTimeout != null) {
      // OTP: handled before any message not yet received, unless an event is already queued.
      queue.addLast(new Event.Timeout<>(zeroEventTimeout.content()));
      eventTimeout = null;
      zeroEventTimeout = null;
    }
  }

  private void setTimer(Action.SetTimer t) {
    boolean infinite = Timeouts.isInfinite(t.after());
    switch (t.kind()) {
      case EVENT -> {
        eventTimeout = null;
        zeroEventTimeout = null;
        if (infinite) {
          return;
        }
        if (t.after().isZero()) {
          zeroEventTimeout = new EventTimer(0L, t.content());
        } else {
          eventTimeout = new EventTimer(NodeRuntime.currentNanoTime() + t.after().toNanos(), t.content());
        }
      }
      case STATE -> {
        cancelState();
        if (!infinite) {
          stateTimer = startTimer(t.kind(), null, t.after(), t.content());
        }
      }
      case GENERIC -> {
        cancelGeneric(t.name());
        if (!infinite) {
          genericTimers.put(t.name(), startTimer(t.kind(), t.name(), t.after(), t.content()));
        }
      }
    }
  }

  /**
   * Starts a state or generic timer. A zero-time one is queued at once as the newest event; it stays
   * cancellable through its token until it is handled.
   */
  private Timer startTimer(GenStatem.TimerKind kind, Object timerName, Duration after, Object content) {
    long token = ++tokens;
    TimerFired fired = new TimerFired(token, kind, timerName);
    if (after.isZero()) {
      queue.addLast(fired);
      return new Timer(token, null, content);
    }
    return new Timer(token, Proc.sendAfter(after, self, fired), content);
  }

  private void cancelTimer(GenStatem.TimerKind kind, Object timerName) {
    switch (kind) {
      case EVENT -> {
        eventTimeout = null;
        zeroEventTimeout = null;
      }
      case STATE -> cancelState();
      case GENERIC -> cancelGeneric(timerName);
    }
  }

  /** Changes the content of a running timer; an inactive one fires at once, as if set to zero (OTP). */
  private void updateTimer(Action.UpdateTimer t) {
    switch (t.kind()) {
      case EVENT -> {
        if (eventTimeout != null) {
          eventTimeout = new EventTimer(eventTimeout.deadline(), t.content());
        } else {
          zeroEventTimeout = new EventTimer(0L, t.content());
        }
      }
      case STATE -> {
        if (stateTimer != null) {
          stateTimer.content = t.content();
        } else {
          stateTimer = startTimer(t.kind(), null, Duration.ZERO, t.content());
        }
      }
      case GENERIC -> {
        Timer timer = genericTimers.get(t.name());
        if (timer != null) {
          timer.content = t.content();
        } else {
          genericTimers.put(t.name(), startTimer(t.kind(), t.name(), Duration.ZERO, t.content()));
        }
      }
    }
  }

  /** A state change cancels the state timeout. */
  void cancelState() {
    if (stateTimer != null) {
      if (stateTimer.ref != null) {
        Proc.cancelTimer(stateTimer.ref);
      }
      stateTimer = null; // a fired message already queued no longer matches a token
    }
  }

  private void cancelGeneric(Object timerName) {
    Timer t = genericTimers.remove(timerName);
    if (t != null && t.ref != null) {
      Proc.cancelTimer(t.ref);
    }
  }
}
