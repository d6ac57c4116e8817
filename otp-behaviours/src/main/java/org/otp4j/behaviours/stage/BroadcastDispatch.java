package org.otp4j.behaviours.stage;

import org.otp4j.core.internal.ReportLog;
import org.slf4j.event.Level;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;

/**
 * {@link Dispatcher#broadcast()}: every event to every consumer. The producer may send only what
 * the consumer with the least demand asked for: {@code waiting} is that common demand, already
 * taken out of each consumer's counter; {@code requested} is what was passed upstream and not yet
 * delivered. A consumer's selector drops events, which count as delivered: the producer asks itself
 * for that many more on the consumer's behalf, so a selective consumer does not hold back the rest.
 */
final class BroadcastDispatch extends DispatchEngine {
  /** Elixir's reason for the same consumer process subscribing twice. */
  static final ExitReason ALREADY_SUBSCRIBED = ExitReason.of("already_subscribed");

  private static final class Entry {
    long demand;
    final Subscription consumer;
    final Predicate<Object> selector;

    Entry(long demand, Subscription consumer, Predicate<Object> selector) {
      this.demand = demand;
      this.consumer = consumer;
      this.selector = selector;
    }
  }

  private final List<Entry> demands = new ArrayList<>();
  private final Set<Pid> subscribed = new HashSet<>();
  private long waiting;
  private long requested;

  BroadcastDispatch(Pid self) {
    super(self);
  }

  @Override
  long subscribe(SubscribeTo options, Subscription consumer) {
    if (subscribed.contains(consumer.pid())) {
      ReportLog.at(StageServer.LOG, Level.ERROR).addKeyValue("label", "genstage_already_subscribed").addKeyValue("consumer", consumer.pid())
          .log("{} is already registered with {}. This subscription has been discarded.", consumer.pid(), self);
      throw new Refused(ALREADY_SUBSCRIBED);
    }
    subscribed.add(consumer.pid());
    for (Entry e : demands) {
      e.demand += waiting;
    }
    waiting = 0;
    demands.add(0, new Entry(0, consumer, options.selector()));
    return 0;
  }

  @Override
  long cancel(Subscription consumer) {
    subscribed.remove(consumer.pid());
    demands.removeIf(e -> e.consumer.tag().equals(consumer.tag()));
    if (demands.isEmpty()) {
      waiting = 0;
      return 0;
    }
    return sync(); // the consumer that held everyone back may be the one that left
  }

  @Override
  long ask(long counter, Subscription consumer) {
    Entry entry = null;
    for (int i = 0; i < demands.size(); i++) {
      if (demands.get(i).consumer.tag().equals(consumer.tag())) {
        entry = demands.remove(i);
        break;
      }
    }
    long current = entry == null ? 0 : entry.demand;
    Predicate<Object> selector = entry == null ? null : entry.selector;
    demands.add(0, new Entry(StageServer.plus(current, counter), consumer, selector));
    return sync();
  }

  /** Moves the common part of every consumer's demand into {@code waiting}; returns what to ask upstream. */
  private long sync() {
    long min = Long.MAX_VALUE;
    for (Entry e : demands) {
      min = Math.min(min, e.demand);
    }
    min = Math.max(min, 0);
    for (Entry e : demands) {
      e.demand -= min;
    }
    waiting += min;
    long request = Math.max(0, waiting - requested);
    requested += request;
    return request;
  }

  @Override
  List<Object> dispatch(List<Object> events) {
    if (waiting == 0) {
      return events;
    }
    int now = (int) Math.min(waiting, events.size());
    List<Object> deliverNow = events.subList(0, now);
    waiting -= now;
    for (Entry e : demands) {
      List<Object> selected = deliverNow;
      if (e.selector != null) {
        selected = new ArrayList<>(now);
        for (Object event : deliverNow) {
          if (e.selector.test(event)) {
            selected.add(event);
          }
        }
        int discarded = now - selected.size();
        if (discarded > 0) {
          Proc.send(self, new Protocol.ToProducer(e.consumer.tag(), new Protocol.Ask(discarded), e.consumer.pid()));
        }
      }
      if (!selected.isEmpty()) {
        send(e.consumer, selected);
      }
    }
    requested -= now;
    return events.subList(now, events.size());
  }
}
