package org.otp4j.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.otp4j.core.Node;
import org.otp4j.core.NodeConfig;
import org.otp4j.core.Proc;
import org.otp4j.core.Table;

/**
 * The token buckets' arithmetic, on a clock the test moves: the burst, the refill rate, the wait
 * {@code Retry-After} reports, the sweep of idle buckets, and many threads taking from one bucket
 * at once (each token taken once). {@code BadInputTest} checks the 429 through the gateway.
 */
class LimiterTest {
  static final long MS = 1_000_000L;
  static final long S = 1_000_000_000L;
  static final long T0 = 5_000 * S; // any instant: the arithmetic is relative to it

  Node node;

  @BeforeEach
  void start() {
    node = Node.start(NodeConfig.defaults().withName("limiter-test"));
  }

  @AfterEach
  void stop() {
    node.stop();
    node.awaitTermination(GatewayServer.WAIT);
  }

  /** Runs {@code test} with a fresh public table of buckets, owned by a process that lives as long as the test runs. */
  void withTable(Consumer<Table<String, AtomicLong>> test) throws Exception {
    CompletableFuture<Table<String, AtomicLong>> created = new CompletableFuture<>();
    CountDownLatch done = new CountDownLatch(1);
    node.run(() -> Proc.spawn(() -> {
      created.complete(Table.create(Table.Options.set().withAccess(Table.Access.PUBLIC)));
      try {
        done.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }));
    try {
      test.accept(created.get(GatewayServer.WAIT.toSeconds(), TimeUnit.SECONDS));
    } finally {
      done.countDown();
    }
  }

  @Test
  void theBurstThenOneTokenPerIntervalAndTheWaitUntilTheNext() throws Exception {
    TokenBucket shape = new TokenBucket(2.0, 3); // 3 tokens, one back every 500 ms
    withTable(t -> {
      for (int i = 0; i < 3; i++) {
        assertThat(Limiter.take(t, shape, "c", T0)).as("token %d of the burst", i + 1).isZero();
      }
      assertThat(Limiter.take(t, shape, "c", T0)).as("empty: a token is back in 500 ms").isEqualTo(500 * MS);
      assertThat(Limiter.take(t, shape, "c", T0 + 499 * MS)).isEqualTo(MS);
      assertThat(Limiter.take(t, shape, "c", T0 + 500 * MS)).as("refilled one").isZero();
      assertThat(Limiter.take(t, shape, "c", T0 + 500 * MS)).isEqualTo(500 * MS);
      // a refused request takes nothing: still one token at 1 s
      assertThat(Limiter.take(t, shape, "c", T0 + 1000 * MS)).isZero();
      assertThat(Limiter.take(t, shape, "c", T0 + 1000 * MS)).isEqualTo(500 * MS);
      // idle for a minute: the bucket holds the burst, not more
      long later = T0 + 61 * S;
      for (int i = 0; i < 3; i++) {
        assertThat(Limiter.take(t, shape, "c", later)).isZero();
      }
      assertThat(Limiter.take(t, shape, "c", later)).isEqualTo(500 * MS);
      // another client has its own bucket
      assertThat(Limiter.take(t, shape, "d", later)).isZero();
    });
  }

  @Test
  void aSlowRateWaitsSecondsAndRetryAfterRoundsUp() throws Exception {
    TokenBucket shape = new TokenBucket(0.25, 1); // a token every 4 s
    withTable(t -> {
      assertThat(Limiter.take(t, shape, "c", T0)).isZero();
      assertThat(Limiter.take(t, shape, "c", T0 + S)).isEqualTo(3 * S);
      assertThat(TokenBucket.retryAfterSeconds(3 * S)).isEqualTo(3);
      assertThat(TokenBucket.retryAfterSeconds(3 * S + 1)).isEqualTo(4);
      assertThat(TokenBucket.retryAfterSeconds(MS)).isEqualTo(1);
      assertThat(Limiter.take(t, shape, "c", T0 + 4 * S)).isZero();
    });
  }

  @Test
  void manyThreadsTakeEachTokenOnce() throws Exception {
    TokenBucket shape = new TokenBucket(0.001, 4000); // no refill to speak of within the test
    withTable(t -> {
      AtomicInteger taken = new AtomicInteger();
      AtomicInteger refused = new AtomicInteger();
      CountDownLatch go = new CountDownLatch(1);
      List<Thread> threads = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        threads.add(Thread.ofPlatform().start(() -> {
          try {
            go.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
          for (int k = 0; k < 1000; k++) {
            if (Limiter.take(t, shape, "c", T0) == 0) {
              taken.incrementAndGet();
            } else {
              refused.incrementAndGet();
            }
          }
        }));
      }
      go.countDown();
      for (Thread th : threads) {
        try {
          th.join();
        } catch (InterruptedException e) {
          throw new AssertionError(e);
        }
      }
      assertThat(taken.get()).isEqualTo(4000);
      assertThat(refused.get()).isEqualTo(4000);
      assertThat(t.size()).as("one bucket, made once").isEqualTo(1);
    });
  }

  @Test
  void aSweepRemovesTheBucketsThatAreFullAgainAndOnlyThose() throws Exception {
    TokenBucket shape = new TokenBucket(1.0, 2); // full again 2 s after it was empty
    withTable(t -> {
      assertThat(Limiter.take(t, shape, "idle", T0)).isZero();
      assertThat(Limiter.take(t, shape, "busy", T0 + 2 * S)).isZero();
      assertThat(Limiter.take(t, shape, "busy", T0 + 2 * S)).isZero();
      AtomicLong idleBucket = t.get("idle").orElseThrow();
      assertThat(Limiter.sweep(t, shape, T0 + 2 * S)).as("idle holds 2 again; busy is empty").isEqualTo(1);
      assertThat(t.member("idle")).isFalse();
      assertThat(t.member("busy")).isTrue();
      // a request that held the swept bucket finds it marked and takes from a new one
      assertThat(shape.take(idleBucket, T0 + 2 * S)).isEqualTo(TokenBucket.GONE);
      assertThat(Limiter.take(t, shape, "idle", T0 + 2 * S)).isZero();
      assertThat(Limiter.take(t, shape, "idle", T0 + 2 * S)).isZero();
      assertThat(Limiter.take(t, shape, "idle", T0 + 2 * S)).as("the new bucket holds the burst").isEqualTo(S);
      assertThat(Limiter.sweep(t, shape, T0 + 3 * S)).as("neither is full at 3 s").isZero();
      assertThat(Limiter.sweep(t, shape, T0 + 4 * S)).isEqualTo(2);
      assertThat(t.size()).isZero();
    });
  }

  @Test
  void aRateOrBurstOutOfRangeIsNamed() {
    assertThatThrownBy(() -> new TokenBucket(-1, 10)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("gateway.rateLimit").hasMessageContaining("-1");
    assertThatThrownBy(() -> new TokenBucket(Double.NaN, 10)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("gateway.rateLimit");
    assertThatThrownBy(() -> new TokenBucket(5, 0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("gateway.rateBurst").hasMessageContaining("0");
  }
}
