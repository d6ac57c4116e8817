package org.otp4j.behaviours;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.otp4j.core.From;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Pid;

/**
 * The debug state of one behaviour process, switched by {@link Sys}: suspension, statistics, the
 * SLF4J trace, the in-memory log, and installed event sinks. Everything is off by default, and when
 * off each hook is one branch on a field. Owned by the behaviour's own thread.
 */
final class Debug {
  private boolean suspended;
  private boolean active; // any of the below
  private Pid self;
  // statistics
  private boolean statistics;
  private Instant statisticsStart;
  private long messagesIn;
  private long messagesOut;
  private long handlerNanos;
  // trace and log
  private boolean trace;
  private int logLimit;
  private ArrayDeque<Sys.Event> log;
  private List<Sys.EventSink> sinks;

  boolean suspended() {
    return suspended;
  }

  void suspend(boolean on) {
    suspended = on;
  }

  /** Whether handler time should be measured. */
  boolean timing() {
    return statistics;
  }

  void setSelf(Pid pid) {
    this.self = pid;
  }

  // ---- events from the loop

  void in(Object message) {
    if (active) {
      if (statistics) {
        messagesIn++;
      }
      event(new Sys.Event.In(message));
    }
  }

  void out(Object reply, From to, Object state) {
    if (active) {
      if (statistics) {
        messagesOut++;
      }
      event(new Sys.Event.Out(reply, to == null ? null : to.caller().orElse(null), state));
    }
  }

  void noReply(Object state) {
    if (active) {
      event(new Sys.Event.NoReply(state));
    }
  }

  void event(Sys.Event event) {
    if (!active) {
      return;
    }
    if (trace) {
      Reports.log(new Reports.Report.Traced(self, event));
    }
    if (log != null) {
      if (log.size() == logLimit) {
        log.removeFirst();
      }
      log.addLast(event);
    }
    if (sinks != null) {
      for (Sys.EventSink sink : sinks) {
        try {
          sink.accept(self, event);
        } catch (RuntimeException e) {
          Reports.log(new Reports.Report.SinkFailed(self, e));
        }
      }
    }
  }

  void handled(long nanos) {
    if (statistics) {
      handlerNanos += nanos;
    }
  }

  void terminate(ExitReason reason, Object state) {
    if (active) {
      event(new Sys.Event.Terminate(reason, state));
    }
  }

  List<Object> log() {
    return log == null ? List.of() : new ArrayList<>(log);
  }

  // ---- switches from Sys

  void statistics(boolean on) {
    statistics = on;
    if (on) {
      statisticsStart = Instant.now();
      messagesIn = 0;
      messagesOut = 0;
      handlerNanos = 0;
    }
    refresh();
  }

  Sys.Statistics statisticsSnapshot() {
    if (!statistics) {
      return null;
    }
    return new Sys.Statistics(statisticsStart, Instant.now(), messagesIn, messagesOut,
        java.time.Duration.ofNanos(handlerNanos));
  }

  void trace(boolean on) {
    trace = on;
    refresh();
  }

  void log(int limit) {
    if (limit <= 0) {
      log = null;
      logLimit = 0;
    } else {
      ArrayDeque<Sys.Event> old = log;
      log = new ArrayDeque<>(limit);
      logLimit = limit;
      if (old != null) {
        while (old.size() > limit) {
          old.removeFirst();
        }
        log.addAll(old);
      }
    }
    refresh();
  }

  void install(Sys.EventSink sink) {
    if (sinks == null) {
      sinks = new ArrayList<>();
    }
    sinks.add(sink);
    refresh();
  }

  void remove(Sys.EventSink sink) {
    if (sinks != null) {
      sinks.remove(sink);
      if (sinks.isEmpty()) {
        sinks = null;
      }
    }
    refresh();
  }

  private void refresh() {
    active = statistics || trace || log != null || sinks != null;
  }
}
