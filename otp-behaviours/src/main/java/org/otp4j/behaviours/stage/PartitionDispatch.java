package org.otp4j.behaviours.stage;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Pid;

/**
 * {@link Dispatcher#partition}: one consumer per partition. A partition is in one of two modes: it
 * has demand (a counter), or it has more events than demand (a queue, where events wait for its
 * consumer's next ask). A partition without a consumer is a queue, so its events wait for one to
 * subscribe. {@code waiting} is the demand passed upstream and not yet dispatched; {@code pending},
 * demand of consumers that have left, consumed first by new asks.
 */
final class PartitionDispatch extends DispatchEngine {
  private static final class Partition {
    Subscription consumer;
    long demand;
    /** Null while the partition has demand. */
    ArrayDeque<Object> queue = new ArrayDeque<>();
  }

  private final Partition[] partitions;
  private final ToIntFunction<Object> hash;
  private final Map<Object, Integer> byTag = new HashMap<>();
  private long waiting;
  private long pending;

  PartitionDispatch(Pid self, int count, ToIntFunction<Object> hash) {
    super(self);
    this.hash = hash;
    partitions = new Partition[count];
    for (int i = 0; i < count; i++) {
      partitions[i] = new Partition();
    }
  }

  @Override
  long subscribe(SubscribeTo options, Subscription consumer) {
    Integer p = options.partition();
    if (p == null) {
      throw new Refused(ExitReason.of("the partition option is required when subscribing to a producer with a "
          + "partition dispatcher: SubscribeTo.withPartition(0.." + (partitions.length - 1) + ")"));
    }
    if (p >= partitions.length) {
      throw new Refused(ExitReason.of("partition must be one of 0.." + (partitions.length - 1) + ", got " + p));
    }
    Partition partition = partitions[p];
    if (partition.consumer != null) {
      throw new Refused(ExitReason.of("the partition " + p + " is already taken by " + partition.consumer.pid()));
    }
    partition.consumer = consumer;
    byTag.put(consumer.tag(), p);
    return 0;
  }

  @Override
  long cancel(Subscription consumer) {
    int p = byTag.remove(consumer.tag());
    Partition old = partitions[p];
    partitions[p] = new Partition();
    if (old.queue == null) {
      pending += old.demand;
      return 0;
    }
    // The events queued for the consumer that left are dropped, and asked for again.
    long length = old.queue.size();
    waiting += length;
    return length;
  }

  @Override
  long ask(long counter, Subscription consumer) {
    Partition partition = partitions[byTag.get(consumer.tag())];
    if (partition.queue == null) {
      partition.demand = StageServer.plus(partition.demand, counter);
    } else {
      List<Object> now = new ArrayList<>();
      long left = counter;
      while (left > 0 && !partition.queue.isEmpty()) {
        now.add(partition.queue.pollFirst());
        left--;
      }
      if (!now.isEmpty()) {
        send(partition.consumer, now);
      }
      if (left > 0) {
        partition.queue = null;
        partition.demand = left;
      }
    }
    long alreadySent = Math.min(pending, counter);
    long demand = counter - alreadySent;
    pending -= alreadySent;
    waiting += demand;
    return demand;
  }

  @Override
  List<Object> dispatch(List<Object> events) {
    @SuppressWarnings("unchecked")
    List<Object>[] split = new List[partitions.length];
    int at = 0;
    while (at < events.size() && waiting > 0) {
      Object event = events.get(at++);
      int p = hash.applyAsInt(event);
      if (p == Dispatcher.NONE) {
        continue;
      }
      if (p < 0 || p >= partitions.length) {
        throw new IllegalStateException("unknown partition " + p + " computed for GenStage event " + event
            + "; the partitions are 0.." + (partitions.length - 1) + " (Dispatcher.NONE discards an event)");
      }
      if (split[p] == null) {
        split[p] = new ArrayList<>();
      }
      split[p].add(event);
      waiting--;
    }
    for (int p = 0; p < partitions.length; p++) {
      if (split[p] == null) {
        continue;
      }
      Partition partition = partitions[p];
      List<Object> mine = split[p];
      if (partition.queue != null) {
        partition.queue.addAll(mine);
      } else if (mine.size() < partition.demand) {
        send(partition.consumer, mine);
        partition.demand -= mine.size();
      } else {
        int n = (int) partition.demand;
        if (n > 0) {
          send(partition.consumer, mine.subList(0, n));
        }
        partition.queue = new ArrayDeque<>(mine.subList(n, mine.size()));
      }
    }
    return events.subList(at, events.size());
  }
}
