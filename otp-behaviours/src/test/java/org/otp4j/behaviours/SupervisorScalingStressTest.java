package org.otp4j.behaviours;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;

/**
 * Starting N children one by one and stopping the supervisor scales linearly: 10,000 children take
 * at most 12 times as long as 1,000 (OTP-SEMANTICS U6, U19 at scale). The one timing assertion of
 * the suite.
 */
@Tag("stress")
class SupervisorScalingStressTest {

  static final double MAX_RATIO = 12.0;

  /** A worker that does nothing. */
  static final class Worker extends GenServer<Integer, Object> {
    @Override
    protected Init<Integer> init() {
      return Init.ok(0);
    }
  }

  /** Starts {@code n} children with startChild, one by one, then stops the supervisor; returns the nanoseconds. */
  static long startAndStop(Node node, int n) {
    int baseline = node.processCount();
    long start = System.nanoTime();
    Pid sup = Supervisor.startLink(Supervisor.oneForOne());
    for (int i = 0; i < n; i++) {
      Supervisor.StartChildResult r = Supervisor.startChild(sup,
          ChildSpec.worker(i, () -> GenServer.startLink(new Worker())));
      if (!(r instanceof StartResult.Started)) {
        throw new AssertionError("child " + i + " did not start: " + r);
      }
    }
    assertThat(Supervisor.countChildren(sup).active()).isEqualTo(n);
    Supervisor.stop(sup);
    long elapsed = System.nanoTime() - start;
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> node.processCount() == baseline);
    return elapsed;
  }

  /** The best of {@code runs} runs: the least disturbed by GC and other load. */
  static long best(Node node, int n, int runs) {
    long best = Long.MAX_VALUE;
    for (int i = 0; i < runs; i++) {
      best = Math.min(best, startAndStop(node, n));
    }
    return best;
  }

  @Test
  @DisplayName("U6/U19: startChild x 10,000 then stop takes at most 12x the time of 1,000")
  void linearStartAndStop() {
    try (Node node = Node.start()) {
      node.run(() -> {
        // Warm up the JIT on the whole path.
        best(node, 1_000, 5);
        best(node, 10_000, 1);
        long small = best(node, 1_000, 5);
        long large = best(node, 10_000, 3);
        double ratio = (double) large / small;
        System.out.printf("SupervisorScalingStressTest: 1,000 children %.1f ms, 10,000 children %.1f ms, ratio %.2f%n",
            small / 1e6, large / 1e6, ratio);
        assertThat(ratio).as("time(10,000) / time(1,000): %.1f ms / %.1f ms", large / 1e6, small / 1e6)
            .isLessThanOrEqualTo(MAX_RATIO);
      });
    }
  }
}
