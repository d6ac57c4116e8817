package org.otp4j.behaviours.stage;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.otp4j.core.Address;
import org.otp4j.core.Down;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Name;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.core.Ref;
import org.otp4j.core.ServerRef;

/**
 * {@link GenStage#stream}: a consumer stage that hands its events to the thread reading the stream.
 *
 * <p>The stage subscribes with manual demand and {@link CancelMode#TEMPORARY} on the wire, so it
 * never exits because a producer did; the reader applies each subscription's own cancel mode. The
 * reader keeps the demand: it asks (through the stage, so that every ask follows the subscribe it
 * belongs to) whenever the events asked for and not yet read of a subscription fall to its
 * {@code minDemand}, back up to its {@code maxDemand}. What the stage tells the reader goes through
 * one queue, in the order it happened; a small watcher process adds the stage's own end to it, so a
 * reader never waits for a stage that is gone.
 */
final class StageStream<E> extends org.otp4j.behaviours.stage.Consumer<Void, E> {
  // what the stage tells the reader
  private sealed interface Signal {}

  private record Started(int subscriptions) implements Signal {}

  private record Missing(SubscribeTo to) implements Signal {}

  private record Subscribed(Subscription subscription, SubscribeTo to) implements Signal {}

  private record Events(Subscription subscription, List<?> events) implements Signal {}

  private record Ended(Subscription subscription, ExitReason reason) implements Signal {}

  private record Gone(ExitReason reason) implements Signal {}

  // what the reader tells the stage
  private record AskFor(Subscription subscription, long demand) {}

  private record Close() {}

  private final List<SubscribeTo> subscriptions;
  private final LinkedBlockingQueue<Signal> signals;
  private final Pid reader;
  private final Map<SubscribeTo, SubscribeTo> original = new IdentityHashMap<>();
  private final Set<Subscription> live = new HashSet<>();
  private Ref readerMonitor;

  private StageStream(List<SubscribeTo> subscriptions, LinkedBlockingQueue<Signal> signals, Pid reader) {
    this.subscriptions = subscriptions;
    this.signals = signals;
    this.reader = reader;
  }

  static <E> Stream<E> of(List<SubscribeTo> subscriptions) {
    Reader<E> reader = new Reader<>(subscriptions);
    return StreamSupport.stream(reader, false).onClose(reader::close);
  }

  // =====================================================================================
  // the stage

  @Override
  protected Init<Void> init() {
    if (reader != null) {
      readerMonitor = Proc.monitor(reader);
    }
    List<SubscribeTo> wire = new ArrayList<>();
    for (SubscribeTo to : subscriptions) {
      Optional<Pid> producer = resolve(to.producer());
      if (producer.isEmpty()) {
        signals.add(new Missing(to));
        continue;
      }
      // A pid, not a name: a producer gone by now is a cancellation (noproc), never a silent skip.
      SubscribeTo onWire = new SubscribeTo(producer.get(), to.maxDemand(), to.minDemand(), CancelMode.TEMPORARY,
          to.selector(), to.partition());
      original.put(onWire, to);
      wire.add(onWire);
    }
    signals.add(new Started(wire.size()));
    return Init.ok(null, Options.subscribeTo(wire.toArray(SubscribeTo[]::new)));
  }

  private static Optional<Pid> resolve(Address target) {
    return switch (target) {
      case Pid pid -> Optional.of(pid);
      case Name name -> Proc.whereis(name);
      case ServerRef<?> ref -> resolve(ref.address());
    };
  }

  @Override
  protected SubscribeResult<Void> handleSubscribe(Peer peer, SubscribeTo options, Subscription from, Void state) {
    SubscribeTo to = original.getOrDefault(options, options);
    live.add(from);
    signals.add(new Subscribed(from, to));
    GenStage.ask(from, to.maxDemand());
    GenStage.demand(from.pid(), DemandMode.FORWARD);
    return manual(state);
  }

  @Override
  protected CastResult<Void, Void> handleEvents(List<E> events, Subscription from, Void state) {
    signals.add(new Events(from, events));
    return noReply(state);
  }

  @Override
  protected CastResult<Void, Void> handleCancel(Cancellation cancellation, Subscription from, Void state) {
    live.remove(from);
    signals.add(new Ended(from, cancellation.reason()));
    return live.isEmpty() ? stop(ExitReason.NORMAL, state) : noReply(state);
  }

  @Override
  protected CastResult<Void, Void> handleInfo(Object message, Void state) throws Exception {
    switch (message) {
      case AskFor ask -> {
        if (live.contains(ask.subscription())) {
          GenStage.ask(ask.subscription(), ask.demand());
        }
        return noReply(state);
      }
      case Close c -> {
        return closeAll(state);
      }
      case Down down when down.ref().equals(readerMonitor) -> {
        return closeAll(state); // the process reading the stream has gone
      }
      default -> {
        return super.handleInfo(message, state);
      }
    }
  }

  private CastResult<Void, Void> closeAll(Void state) {
    for (Subscription s : live) {
      GenStage.cancel(s, ExitReason.NORMAL);
    }
    live.clear();
    return stop(ExitReason.NORMAL, state);
  }

  // =====================================================================================
  // the reader's side

  /** The demand of one subscription, as the reader keeps it. */
  private static final class Demand {
    final SubscribeTo to;
    long owed; // asked for, not yet received
    long unread; // received, not yet read

    Demand(SubscribeTo to) {
      this.to = to;
      this.owed = to.maxDemand();
    }
  }

  /** An event not yet read, with the subscription it came on. */
  private record Unread(Object event, Ref tag) {}

  private static final class Reader<E> extends Spliterators.AbstractSpliterator<E> {
    private final List<SubscribeTo> subscriptions;
    private final LinkedBlockingQueue<Signal> signals = new LinkedBlockingQueue<>();
    private final ArrayDeque<Unread> unread = new ArrayDeque<>();
    private final Map<Ref, Demand> demand = new HashMap<>();
    private final Map<Ref, Subscription> byTag = new HashMap<>();
    private Pid stage;
    private int expected = -1; // subscriptions made, until the Started signal is read
    private int ended;
    private boolean finished;

    Reader(List<SubscribeTo> subscriptions) {
      super(Long.MAX_VALUE, Spliterator.ORDERED | Spliterator.NONNULL);
      this.subscriptions = subscriptions;
    }

    @Override
    @SuppressWarnings("unchecked")
    public boolean tryAdvance(Consumer<? super E> action) {
      if (stage == null && !finished) {
        start();
      }
      while (true) {
        Unread next = unread.pollFirst();
        if (next != null) {
          read(next.tag());
          action.accept((E) next.event());
          return true;
        }
        if (finished) {
          return false;
        }
        take();
      }
    }

    private void start() {
      Pid self = Proc.isProcess() ? Proc.self() : null;
      stage = GenStage.start(new StageStream<E>(subscriptions, signals, self));
      Pid watched = stage;
      Proc.spawn(() -> {
        Ref monitor = Proc.monitor(watched);
        Down down = (Down) Proc.receive(m -> m instanceof Down d && d.ref().equals(monitor));
        signals.add(new Gone(down.reason()));
      });
    }

    /** Waits for the stage's next signal and acts on it. */
    private void take() {
      Signal signal;
      try {
        signal = signals.take();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        close();
        throw new IllegalStateException("interrupted while waiting for the events of " + subscriptions, e);
      }
      switch (signal) {
        case Started s -> {
          expected = s.subscriptions();
          checkEnd();
        }
        case Missing m -> {
          if (m.to().cancel() != CancelMode.TEMPORARY) {
            fail(new SubscribeException("GenStage.stream: cannot subscribe to " + m.to().producer()
                + ": it does not exist", ExitReason.NOPROC));
          }
        }
        case Subscribed s -> {
          demand.put(s.subscription().tag(), new Demand(s.to()));
          byTag.put(s.subscription().tag(), s.subscription());
        }
        case Events e -> {
          Demand d = demand.get(e.subscription().tag());
          d.owed = Math.max(0, d.owed - e.events().size());
          d.unread += e.events().size();
          for (Object event : e.events()) {
            unread.add(new Unread(event, e.subscription().tag()));
          }
        }
        case Ended e -> {
          Demand d = demand.remove(e.subscription().tag());
          ended++;
          CancelMode mode = d == null ? CancelMode.TEMPORARY : d.to.cancel();
          ExitReason reason = e.reason();
          if (mode == CancelMode.PERMANENT || (mode == CancelMode.TRANSIENT && !reason.isOrderly())) {
            fail(new StageFlow.ProducerExitException(e.subscription().pid(), reason));
          }
          checkEnd();
        }
        case Gone g -> {
          if (!finished) {
            finished = true;
            throw new IllegalStateException("the consumer stage " + stage + " of the stream of " + subscriptions
                + " exited with reason " + g.reason());
          }
        }
      }
    }

    /** One event of subscription {@code tag} read: ask for more when its demand has run low. */
    private void read(Ref tag) {
      Demand d = demand.get(tag);
      if (d == null) {
        return; // its subscription has ended: nothing more to ask
      }
      d.unread--;
      long outstanding = d.owed + d.unread;
      if (outstanding <= d.to.effectiveMinDemand()) {
        long more = d.to.maxDemand() - outstanding;
        d.owed += more;
        Proc.send(stage, new AskFor(byTag.get(tag), more));
      }
    }

    private void checkEnd() {
      if (expected >= 0 && ended >= expected) {
        finished = true; // the stage stops by itself once its last subscription has ended
        if (expected == 0) {
          Proc.send(stage, new Close());
        }
      }
    }

    private void fail(RuntimeException e) {
      close();
      unread.clear();
      throw e;
    }

    void close() {
      if (stage != null && !finished) {
        Proc.send(stage, new Close());
      }
      finished = true;
    }
  }
}
