package org.otp4j.behaviours.guide;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.otp4j.behaviours.BehaviourTestKit;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Inbox;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;

/**
 * What the guide's tests share: bounded waiting and captured output. Log events are captured by
 * {@link BehaviourTestKit.CaptureReports}.
 */
final class GuideTestKit {
  private GuideTestKit() {}

  /** How long a test waits for something that should happen promptly. */
  static final Duration WAIT = Duration.ofSeconds(5);

  /** Awaitility, bounded. */
  static ConditionFactory await() {
    // in the same thread: conditions that use names must run where the test bound its node
    return Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(5)).pollDelay(Duration.ZERO).pollInSameThread();
  }

  /**
   * Runs {@code code} in a new process on the current node and returns its result, or rethrows what
   * it threw; fails if the process ends without finishing.
   */
  static <T> T inProcess(BehaviourTestKit.ProcessCode<T> code) {
    return BehaviourTestKit.inProcess(code);
  }

  /** Runs {@code code} on a new plain thread bound to the current node. */
  static <T> CompletableFuture<T> async(Supplier<T> code) {
    Node node = Node.current();
    CompletableFuture<T> result = new CompletableFuture<>();
    Thread.ofVirtual().start(() -> node.run(() -> {
      try {
        result.complete(code.get());
      } catch (Throwable t) {
        result.completeExceptionally(t);
      }
    }));
    return result;
  }

  /** The exit reason of a process that must end promptly. */
  static ExitReason exitReason(Pid pid) {
    return Proc.awaitExit(pid, WAIT).orElseThrow(() -> new AssertionError(pid + " is still alive after " + WAIT));
  }

  /** Runs {@code action} with System.out captured; returns what it printed. */
  static String captureOut(Runnable action) {
    PrintStream previous = System.out;
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
    try {
      action.run();
    } finally {
      System.setOut(previous);
    }
    return buffer.toString(StandardCharsets.UTF_8);
  }

  /** The next message matching {@code filter}; fails if none comes within {@link #WAIT}. */
  static Object expect(Inbox inbox, Predicate<Object> filter, String what) {
    return inbox.receive(filter, WAIT).orElseThrow(() -> new AssertionError("expected " + what + " within "
        + WAIT + "; the mailbox holds " + inbox.flush()));
  }

  /** The next message; fails if none comes within {@link #WAIT}. */
  static Object next(Inbox inbox) {
    return expect(inbox, m -> true, "a message");
  }
}
