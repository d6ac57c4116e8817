package org.otp4j.behaviours.stage;

import org.otp4j.core.internal.ReportLog;
import org.slf4j.event.Level;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.otp4j.core.Pid;

/**
 * {@link Dispatcher#demand()}: the consumers, ordered by outstanding demand, largest first; a batch
 * goes to the first, which moves down the list. {@code pending} is demand that consumers which have
 * since left had asked for: it was passed upstream already, so new demand consumes it first. An
 * ask above the first subscription's {@code maxDemand} is warned about: consumers with different
 * maximums starve each other.
 */
final class DemandDispatch extends DispatchEngine {
  private static final class Entry {
    long demand;
    final Subscription consumer;

    Entry(long demand, Subscription consumer) {
      this.demand = demand;
      this.consumer = consumer;
    }
  }

  private final List<Entry> demands = new ArrayList<>();
  private long pending;
  private long maxDemand = -1;
  private boolean shuffle;

  DemandDispatch(Pid self, boolean shuffleFirst) {
    super(self);
    this.shuffle = shuffleFirst;
  }

  @Override
  long subscribe(SubscribeTo options, Subscription consumer) {
    if (maxDemand < 0) {
      maxDemand = options.maxDemand(); // the first subscription's, where GenStage takes the first ask's
    }
    demands.add(new Entry(0, consumer));
    return 0;
  }

  @Override
  long cancel(Subscription consumer) {
    Entry e = pop(consumer);
    pending += e.demand;
    return 0;
  }

  @Override
  long ask(long counter, Subscription consumer) {
    if (counter > maxDemand) {
      ReportLog.at(StageServer.LOG, Level.WARN).addKeyValue("label", "genstage_demand_dispatcher_max_demand")
          .addKeyValue("expected", maxDemand).addKeyValue("demand", counter).addKeyValue("consumer", consumer.pid())
          .log("GenStage producer DemandDispatcher expects a maximum demand of {}. Using different maximum demands "
              + "will overload greedy consumers. Got demand for {} events from {}", maxDemand, counter, consumer.pid());
    }
    Entry e = pop(consumer);
    e.demand = StageServer.plus(e.demand, counter);
    insert(e);
    long alreadySent = Math.min(pending, counter);
    pending -= alreadySent;
    return counter - alreadySent;
  }

  @Override
  List<Object> dispatch(List<Object> events) {
    if (shuffle) {
      Collections.shuffle(demands);
      shuffle = false;
    }
    int at = 0;
    while (at < events.size() && !demands.isEmpty() && demands.get(0).demand > 0) {
      Entry first = demands.remove(0);
      int n = (int) Math.min(first.demand, events.size() - at);
      send(first.consumer, events.subList(at, at + n));
      at += n;
      first.demand -= n;
      insert(first);
    }
    List<Object> later = events.subList(at, events.size());
    pending = Math.max(pending - later.size(), 0);
    return later;
  }

  private Entry pop(Subscription consumer) {
    for (int i = 0; i < demands.size(); i++) {
      if (demands.get(i).consumer.tag().equals(consumer.tag())) {
        return demands.remove(i);
      }
    }
    throw new IllegalStateException("no demand recorded for " + consumer);
  }

  /** Before the first entry with less demand: the list stays ordered, largest first, stable among equals. */
  private void insert(Entry e) {
    int i = 0;
    while (i < demands.size() && demands.get(i).demand >= e.demand) {
      i++;
    }
    demands.add(i, e);
  }
}
