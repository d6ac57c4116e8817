package org.otp4j.bench.workloads;

import java.util.List;
import org.otp4j.bench.Contender;
import org.otp4j.bench.Metric;
import org.otp4j.bench.Raw;
import org.otp4j.bench.Stopwatch;
import org.otp4j.bench.Workload;
import org.otp4j.bench.Workloads;
import org.otp4j.behaviours.EventHandler;
import org.otp4j.behaviours.GenEvent;
import org.otp4j.behaviours.StartOptions;
import org.otp4j.core.Pid;

/**
 * Events through a gen_event manager with H handlers: N notifies, then one sync notify. One workload
 * per H: {@code event-1}, {@code event-10}.
 */
public final class EventNotify extends Workload {
  private final int handlers;

  public EventNotify(int handlers) {
    super("event-" + handlers, "gen_event notify (" + handlers + (handlers == 1 ? " handler)" : " handlers)"),
        Metric.THROUGHPUT, "events");
    this.handlers = handlers;
  }

  @Override
  public List<Integer> sizes(Mode mode) {
    return List.of(mode == Mode.QUICK ? 100_000 : 300_000);
  }

  /** The JIT compiles a behaviour's longer code paths later than a bare send and receive. */
  @Override
  public int warmups(Mode mode, int n) {
    return 3;
  }

  @Override
  public String sizeLabel(int n) {
    return Workloads.human(n) + " events";
  }

  @Override
  public String notApplicable(Contender who) {
    return switch (who) {
      case PEKKO -> "Pekko has no event manager that runs handlers inside one actor; its event stream "
          + "delivers to subscriber actors, each with its own mailbox, a different design";
      case VIRTUAL_THREADS -> "no event manager to compare with: it would be a loop over a list";
      default -> null;
    };
  }

  @Override
  public String description() {
    return "Three warm-up rounds, then: "
        + "an event manager with H handlers installed, each counting the events it sees. One client "
        + "notifies N events, then makes one sync notify, which returns when every handler has handled "
        + "every event. Events per second (each event is handled H times). otp4j: `GenEvent.notify` and "
        + "`GenEvent.syncNotify`, H instances of an `EventHandler`; BEAM: `gen_event:notify/2` and "
        + "`gen_event:sync_notify/2`, the handler module added H times under ids `{bench, I}`, the manager "
        + "started with `{message_queue_data, off_heap}` (the notifies come faster than it handles them, and "
        + "a queue on its heap would be gone through by every garbage collection of the manager).";
  }

  /** Counts the events it sees; a call returns the count. */
  static final class Counter extends EventHandler<long[], Object> {
    @Override
    protected InitResult<long[]> init() {
      return InitResult.ok(new long[1]);
    }

    @Override
    protected EventResult<long[]> handleEvent(Object event, long[] count) {
      count[0]++;
      return EventResult.ok(count);
    }

    @Override
    protected CallResult<long[]> handleCall(Object request, long[] count) {
      return CallResult.ok(count[0], count);
    }
  }

  @Override
  public Raw otp4j(int n) throws Exception {
    return Kit.inProcess(() -> {
      Pid manager = GenEvent.start(StartOptions.defaults()).pid();
      Counter[] installed = new Counter[handlers];
      for (int h = 0; h < handlers; h++) {
        installed[h] = new Counter();
        GenEvent.addHandler(manager, installed[h]);
      }
      Stopwatch clock = Stopwatch.start();
      for (int i = 0; i < n; i++) {
        GenEvent.notify(manager, Kit.PING);
      }
      GenEvent.syncNotify(manager, Kit.DONE);
      Raw raw = clock.stop(n);
      for (Counter c : installed) {
        GenServerCast.check((Long) GenEvent.call(manager, c, Servers.COUNT), n + 1L);
      }
      GenEvent.stop(manager);
      return raw;
    });
  }

  @Override
  public Raw pekko(int n) {
    throw new UnsupportedOperationException(notApplicable(Contender.PEKKO));
  }

  @Override
  public Raw virtualThreads(int n) {
    throw new UnsupportedOperationException(notApplicable(Contender.VIRTUAL_THREADS));
  }
}
