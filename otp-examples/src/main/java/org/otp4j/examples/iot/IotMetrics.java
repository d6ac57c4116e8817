package org.otp4j.examples.iot;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The platform's counters, shared by its processes (plain atomics: each is written by one or a few
 * processes and read by the dashboard and tests).
 */
public final class IotMetrics {
  private final LongAdder received = new LongAdder();
  private final LongAdder acknowledged = new LongAdder();
  private final LongAdder stored = new LongAdder();
  private final LongAdder statuses = new LongAdder();
  private final LongAdder acks = new LongAdder();
  private final LongAdder batches = new LongAdder();
  private final AtomicLong maxInFlight = new AtomicLong();
  private final Map<BadMessage.Reason, LongAdder> rejected = new EnumMap<>(BadMessage.Reason.class);

  IotMetrics() {
    for (BadMessage.Reason r : BadMessage.Reason.values()) {
      rejected.put(r, new LongAdder());
    }
  }

  void received() {
    received.increment();
    long now = inFlight();
    maxInFlight.accumulateAndGet(now, Math::max);
  }

  void acknowledged() {
    acknowledged.increment();
  }

  void stored(int readings) {
    stored.add(readings);
  }

  void status() {
    statuses.increment();
  }

  void ack() {
    acks.increment();
  }

  void batch() {
    batches.increment();
  }

  void rejected(BadMessage.Reason reason) {
    rejected.get(reason).increment();
  }

  /** A snapshot of every counter. */
  public Snapshot snapshot() {
    Map<BadMessage.Reason, Long> r = new EnumMap<>(BadMessage.Reason.class);
    rejected.forEach((k, v) -> r.put(k, v.sum()));
    return new Snapshot(received.sum(), acknowledged.sum(), inFlight(), maxInFlight.get(), stored.sum(),
        statuses.sum(), acks.sum(), batches.sum(), Map.copyOf(r));
  }

  /** Messages delivered by the broker and not yet acknowledged to it: what the pipeline holds. */
  public long inFlight() {
    return received.sum() - acknowledged.sum();
  }

  /**
   * The counters at one moment.
   *
   * @param received messages delivered by the broker
   * @param acknowledged messages acknowledged to the broker (each after it was processed)
   * @param inFlight received and not yet acknowledged
   * @param maxInFlight the most that were ever in flight at once
   * @param stored readings written to the database
   * @param statuses status messages handled
   * @param acks command acknowledgements handled
   * @param batches storage transactions
   * @param rejected refused messages by reason
   */
  public record Snapshot(long received, long acknowledged, long inFlight, long maxInFlight, long stored,
      long statuses, long acks, long batches, Map<BadMessage.Reason, Long> rejected) {
    /** Refused messages of every reason. */
    public long rejectedTotal() {
      return rejected.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Refused messages of {@code reason}. */
    public long rejected(BadMessage.Reason reason) {
      return rejected.getOrDefault(reason, 0L);
    }
  }
}
