package org.otp4j.behaviours.stage;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A producer's buffer: events emitted beyond the demand, bounded, with a policy for the excess.
 *
 * <p>Besides events it holds infos ({@link GenStage#syncInfo}): a message queued behind the events
 * buffered when it came, to reach the stage's {@code handleInfo} once they are dispatched. An info is
 * a marker between events: it takes no room, and discarding events never discards it.
 */
final class Buffer {
  /** An info waiting behind the events before it. */
  record Info(Object message) {}

  private final ArrayDeque<Object> entries = new ArrayDeque<>();
  private final long capacity;
  private final BufferKeep keep;
  private long events;

  Buffer(long capacity, BufferKeep keep) {
    this.capacity = capacity;
    this.keep = keep;
  }

  /** Whether it holds nothing, events or infos. */
  boolean isEmpty() {
    return entries.isEmpty();
  }

  /** The events it holds (infos are not counted). */
  long size() {
    return events;
  }

  /** Stores {@code more}; returns how many events were discarded to keep within the capacity. */
  long store(List<?> more) {
    if (keep == BufferKeep.LAST) {
      entries.addAll(more);
      events += more.size();
      long excess = 0;
      ArrayDeque<Object> infos = null;
      while (events > capacity) {
        Object first = entries.pollFirst();
        if (first instanceof Info info) {
          if (infos == null) {
            infos = new ArrayDeque<>();
          }
          infos.add(info); // kept, in their order, ahead of what is left
        } else {
          events--;
          excess++;
        }
      }
      if (infos != null) {
        while (!infos.isEmpty()) {
          entries.addFirst(infos.pollLast());
        }
      }
      return excess;
    }
    long room = Math.max(0, capacity - events);
    int taken = (int) Math.min(room, more.size());
    entries.addAll(more.subList(0, taken));
    events += taken;
    return more.size() - taken;
  }

  /**
   * Queues {@code message} behind the events held now; false, and nothing stored, if there are none
   * (the message is due at once).
   */
  boolean storeInfo(Object message) {
    if (events == 0) {
      return false;
    }
    entries.add(new Info(message));
    return true;
  }

  /** Takes up to {@code count} events, oldest first, stopping at the first info. */
  List<Object> take(long count) {
    List<Object> taken = new ArrayList<>((int) Math.min(count, events));
    while (taken.size() < count && !entries.isEmpty() && !(entries.peekFirst() instanceof Info)) {
      taken.add(entries.pollFirst());
    }
    events -= taken.size();
    return taken;
  }

  /** Takes the infos at the front: every event before them has been taken. */
  List<Object> takeInfos() {
    List<Object> due = new ArrayList<>(1);
    while (entries.peekFirst() instanceof Info info) {
      entries.pollFirst();
      due.add(info.message());
    }
    return due;
  }
}
