package org.otp4j.examples.gateway;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.otp4j.behaviours.GenServer;
import org.otp4j.core.Proc;
import org.otp4j.core.ServerRef;
import org.otp4j.core.Table;

/**
 * Per-client rate limiting: a token bucket per client address ({@code rateBurst} tokens, refilled
 * at {@code rateLimit} per second); a request takes a token or gets 429 with {@code Retry-After},
 * the seconds until a token is back.
 *
 * <p>The buckets are rows of a public table, {@value #TABLE} (client address to the bucket's one
 * number, see {@link TokenBucket}), that this process owns: a request takes its token with a
 * compare-and-set on its row, on its own thread, so the limiter is no process every request waits
 * for. The process only sweeps: every minute it removes the buckets that are full again (a bucket
 * is marked swept before its row goes, so a request that raced the sweep takes a new, full bucket
 * rather than a token from one no longer in the table).
 */
final class Limiter extends GenServer<Void, Void> {
  /** The buckets' table: client address to an {@link AtomicLong}, see {@link TokenBucket}. */
  static final String TABLE = "gateway.limits";
  static final Duration SWEEP = Duration.ofMinutes(1);

  record Sweep() {}

  private final TokenBucket shape;

  private Limiter(TokenBucket shape) {
    this.shape = shape;
  }

  static ServerRef<Void> startLink(Gateway gateway) {
    return GenServer.startLink(Gateway.LIMITER, new Limiter(gateway.buckets()));
  }

  /**
   * Takes a token for {@code client}: 0 if it may go on, else the seconds to wait. A limiter that is
   * not running (restarting: its table went with it) lets the request through: the limit protects
   * the upstreams, and a moment without it costs less than refusing everyone.
   */
  static long take(Gateway gateway, String client) {
    Optional<Table<String, AtomicLong>> found = gateway.table(TABLE);
    if (found.isEmpty()) {
      return 0;
    }
    long wait = take(found.get(), gateway.buckets(), client, System.nanoTime());
    return wait == 0 ? 0 : TokenBucket.retryAfterSeconds(wait);
  }

  /** Takes a token for {@code client} from {@code table} at {@code now}: 0, or the nanoseconds to wait. */
  static long take(Table<String, AtomicLong> table, TokenBucket shape, String client, long now) {
    while (true) {
      AtomicLong bucket = table.get(client).orElse(null);
      if (bucket == null) {
        AtomicLong fresh = new AtomicLong(shape.full(now));
        if (!table.insertNew(client, fresh)) {
          continue; // another request of this client made it first: take from that one
        }
        bucket = fresh;
      }
      long wait = shape.take(bucket, now);
      if (wait != TokenBucket.GONE) {
        return wait;
      }
      // a sweep marked it and removes its row at once: look again
      Thread.onSpinWait();
    }
  }

  /** Removes the buckets of {@code table} that are full at {@code now}; returns how many. */
  static int sweep(Table<String, AtomicLong> table, TokenBucket shape, long now) {
    int removed = 0;
    for (Table.Entry<String, AtomicLong> e : table.select((k, v) -> shape.isFull(v.get(), now))) {
      long empty = e.value().get();
      if (shape.isFull(empty, now) && e.value().compareAndSet(empty, TokenBucket.SWEPT)) {
        table.deleteObject(e.key(), e.value());
        removed++;
      }
    }
    return removed;
  }

  @Override
  protected Init<Void> init() {
    Table.create(Table.Options.set().named(TABLE).withAccess(Table.Access.PUBLIC));
    if (shape != null) {
      Proc.sendInterval(SWEEP, Proc.self(), new Sweep());
    }
    return Init.ok(null);
  }

  @Override
  protected CastResult<Void> handleInfo(Object message, Void state) {
    if (message instanceof Sweep) {
      Table.<String, AtomicLong>whereis(TABLE).ifPresent(t -> sweep(t, shape, System.nanoTime()));
    }
    return noReply(state);
  }
}
