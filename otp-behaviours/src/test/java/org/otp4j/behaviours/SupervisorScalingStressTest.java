package org.otp4j.behaviours;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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

  @Test
  @DisplayName("U6/U19: startChild x 10,000 then stop takes at most 12x the time of 1,000")
  void linearStartAndStop() {
    try (Node node = Node.start()) {
      node.run(() -> {
        // Warm up the JIT on the whole path.
        for (int i = 0; i < 3; i++) {
          startAndStop(node, 1_000);
        }
        startAndStop(node, 10_000);
        // Each round times ten runs of 1,000 back to back (their mean is the time for 1,000) and
        // one run of 10,000: both span about the same wall time, so both see the same background
        // load. The median of the rounds' ratios discards a round disturbed by a GC or a burst of
        // other work on the machine.
        List<Double> ratios = new ArrayList<>();
        List<String> rounds = new ArrayList<>();
        for (int round = 0; round < 5; round++) {
          long tenSmall = 0;
          for (int i = 0; i < 10; i++) {
            tenSmall += startAndStop(node, 1_000);
          }
          double small = tenSmall / 10.0;
          long large = startAndStop(node, 10_000);
          ratios.add(large / small);
          rounds.add(String.format("%.1f ms / %.1f ms = %.2f", large / 1e6, small / 1e6, large / small));
        }
        List<Double> sorted = ratios.stream().sorted().toList();
        double median = sorted.get(sorted.size() / 2);
        System.out.println("SupervisorScalingStressTest: time(10,000) / time(1,000) per round: " + rounds
            + "; median " + String.format("%.2f", median));
        assertThat(median).as("median of time(10,000) / time(1,000) over the rounds %s", rounds)
            .isLessThanOrEqualTo(MAX_RATIO);
      });
    }
  }
}
