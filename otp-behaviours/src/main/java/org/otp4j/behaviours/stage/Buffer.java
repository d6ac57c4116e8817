package org.otp4j.behaviours.stage;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/** A producer's buffer: events emitted beyond the demand, bounded, with a policy for the excess. */
final class Buffer {
  private final ArrayDeque<Object> events = new ArrayDeque<>();
  private final long capacity;
  private final BufferKeep keep;

  Buffer(long capacity, BufferKeep keep) {
    this.capacity = capacity;
    this.keep = keep;
  }

  boolean isEmpty() {
    return events.isEmpty();
  }

  long size() {
    return events.size();
  }

  /** Stores {@code more}; returns how many events were discarded to keep within the capacity. */
  long store(List<?> more) {
    if (keep == BufferKeep.LAST) {
      events.addAll(more);
      long excess = 0;
      while (events.size() > capacity) {
        events.pollFirst();
        excess++;
      }
      return excess;
    }
    long room = Math.max(0, capacity - events.size());
    int taken = (int) Math.min(room, more.size());
    events.addAll(more.subList(0, taken));
    return more.size() - taken;
  }

  /** Takes up to {@code count} events, oldest first. */
  List<Object> take(long count) {
    int n = (int) Math.min(count, events.size());
    List<Object> taken = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      taken.add(events.pollFirst());
    }
    return taken;
  }
}
