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
 *
 * <p>An info ({@link #info}) waits behind the events queued now in every partition that has a queue:
 * a marker in each, delivered to the stage once the last of them is passed.
 */
final class PartitionDispatch extends DispatchEngine {
  private static final class Partition {
    Subscription consumer;
    long demand;
    /** Null while the partition has demand. */
    ArrayDeque<Object> queue = new ArrayDeque<>();
  }

  /** An info behind the events of {@code left} partitions' queues. */
  private final class Marker {
    final Object message;
    int left;

    Marker(Object message, int left) {
      this.message = message;
      this.left = left;
    }

    void passed() {
      if (--left == 0) {
        PartitionDispatch.super.info(message);
      }
    }
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
    // The events queued for the consumer that left are dropped, and asked for again; its infos pass.
    long length = 0;
    for (Object queued : old.queue) {
      if (queued instanceof PartitionDispatch.Marker marker) {
        marker.passed();
      } else {
        length++;
      }
    }
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
      List<Marker> passed = new ArrayList<>(0);
      long left = counter;
      while (!partition.queue.isEmpty() && (left > 0 || partition.queue.peekFirst() instanceof PartitionDispatch.Marker)) {
        Object next = partition.queue.pollFirst();
        if (next instanceof PartitionDispatch.Marker marker) {
          passed.add(marker);
        } else {
          now.add(next);
          left--;
        }
      }
      if (!now.isEmpty()) {
        send(partition.consumer, now);
      }
      passed.forEach(Marker::passed);
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
  void info(Object message) {
    List<Partition> queued = new ArrayList<>();
    for (Partition partition : partitions) {
      if (partition.queue != null && !partition.queue.isEmpty()) {
        queued.add(partition);
      }
    }
    if (queued.isEmpty()) {
      super.info(message);
      return;
    }
    Marker marker = new Marker(message, queued.size());
    for (Partition partition : queued) {
      partition.queue.add(marker);
    }
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
