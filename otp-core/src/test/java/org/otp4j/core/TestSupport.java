package org.otp4j.core;

import static org.assertj.core.api.Assertions.fail;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Helpers shared by the core tests. Every wait is bounded by {@link #WAIT}: a missing message fails
 * the test with a description instead of hanging it. None of them sleeps: they wait for a message,
 * for an exit, or spin on a condition that the engine sets synchronously.
 */
final class TestSupport {
  private TestSupport() {}

  /** How long a test waits for something that should happen at once. */
  static final Duration WAIT = Duration.ofSeconds(5);

  /** The next message in {@code inbox}, failing the test if none arrives within {@link #WAIT}. */
  static Object next(Inbox inbox) {
    return inbox.receive(WAIT).orElseGet(() -> fail("no message arrived in " + inbox + " within " + WAIT));
  }

  /** The first message of type {@code type} (selective receive), failing if none arrives in time. */
  static <T> T next(Inbox inbox, Class<T> type) {
    Object m = inbox.receive(type::isInstance, WAIT)
        .orElseGet(() -> fail("no " + type.getSimpleName() + " arrived in " + inbox + " within " + WAIT));
    return type.cast(m);
  }

  /** The exit reason of {@code pid}, failing if it is still alive after {@link #WAIT}. */
  static ExitReason exitReason(Pid pid) {
    return Proc.awaitExit(pid, WAIT).orElseGet(() -> fail(pid + " is still alive after " + WAIT));
  }

  /**
   * Waits until the node's process table holds {@code count} processes (inboxes included). A
   * process leaves the table only after all its exit and down signals have been delivered, so
   * this is the fence after which "nothing more will arrive" can be asserted.
   */
  static void awaitProcessCount(Node node, int count) {
    spinUntil(() -> node.processCount() == count, () -> "the node to have " + count + " processes, it has "
        + node.processCount());
  }

  /** Spins (no sleep) until {@code condition} holds, failing after {@link #WAIT}. */
  static void spinUntil(BooleanSupplier condition, Supplier<String> what) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        fail("timed out after " + WAIT + " waiting for " + what.get());
      }
      Thread.onSpinWait();
      Thread.yield();
    }
  }

  /** Runs {@code action} on the test thread with {@code node} as the current node. */
  static <T> T onNode(Node node, Supplier<T> action) {
    AtomicReference<T> result = new AtomicReference<>();
    node.run(() -> result.set(action.get()));
    return result.get();
  }

  /** Runs {@code action} on the test thread with {@code node} as the current node. */
  static void onNode(Node node, Runnable action) {
    node.run(action);
  }

  /** A process body that waits for messages forever, dropping them. */
  static void idle() {
    while (true) {
      Proc.receive();
    }
  }
}
