package org.otp4j.testkit;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Predicate;
import org.otp4j.core.Pid;

/**
 * ExUnit's {@code assert_receive} and {@code refute_receive} for a test run with
 * {@link OtpExtension}: the test thread has a mailbox of its own on the test's node, whose pid is
 * {@link #self()}; the code under test sends to it, and the test asserts on what arrived.
 *
 * <!-- snippet: org.otp4j.testkit.GuideTest#assertReceive -->
 * {@snippet :
 * Pid me = self();
 * node.spawn(() -> Proc.send(me, new Done(42)));
 * Done done = assertReceive(Done.class);
 * assertThat(done.value()).isEqualTo(42);
 * refuteReceive(Done.class);   // and no second one within 100 ms
 * }
 *
 * <p>{@code assertReceive} waits up to {@link #ASSERT_TIMEOUT} (5 seconds: long enough for a busy
 * machine, and a passing assertion returns as soon as the message is there); {@code refuteReceive}
 * watches for {@link #REFUTE_TIMEOUT} (100 ms, as ExUnit), a bound on how late a message it rules out
 * could come. A failure lists what the mailbox held. Messages an assertion does not take stay, in
 * order, for the next one.
 */
public final class OtpAssertions {
  private OtpAssertions() {}

  /** How long {@code assertReceive} waits by default. */
  public static final Duration ASSERT_TIMEOUT = Probe.DEFAULT_WAIT;
  /** How long {@code refuteReceive} watches by default. */
  public static final Duration REFUTE_TIMEOUT = Probe.DEFAULT_QUIET;

  /** The pid of the test thread's mailbox: where the code under test sends what the test asserts on. */
  public static Pid self() {
    return mailbox("self()").pid();
  }

  /** The test thread's mailbox as a {@link Probe} (to link, monitor, or answer calls as the test). */
  public static Probe mailbox() {
    return mailbox("mailbox()");
  }

  /** Takes the oldest message of type {@code type}, waiting up to {@link #ASSERT_TIMEOUT}. */
  public static <T> T assertReceive(Class<T> type) {
    return assertReceive(type, ASSERT_TIMEOUT);
  }

  /** Takes the oldest message of type {@code type}, waiting up to {@code timeout}. */
  public static <T> T assertReceive(Class<T> type, Duration timeout) {
    return mailbox("assertReceive").expectMessage(type, timeout);
  }

  /** Takes the oldest message that {@code matching} accepts, waiting up to {@link #ASSERT_TIMEOUT}. */
  public static Object assertReceive(Predicate<Object> matching) {
    return assertReceive(matching, ASSERT_TIMEOUT);
  }

  /** Takes the oldest message that {@code matching} accepts, waiting up to {@code timeout}. */
  public static Object assertReceive(Predicate<Object> matching, Duration timeout) {
    return mailbox("assertReceive").expectMessage(matching, timeout);
  }

  /** Takes the oldest message equal to {@code value}, waiting up to {@link #ASSERT_TIMEOUT}. */
  public static <T> T assertReceive(T value) {
    return assertReceive(value, ASSERT_TIMEOUT);
  }

  /** Takes the oldest message equal to {@code value}, waiting up to {@code timeout}. */
  public static <T> T assertReceive(T value, Duration timeout) {
    return mailbox("assertReceive").expectMessage(value, timeout);
  }

  /** Asserts that no message of type {@code type} is there or comes within {@link #REFUTE_TIMEOUT}. */
  public static void refuteReceive(Class<?> type) {
    refuteReceive(type, REFUTE_TIMEOUT);
  }

  /** Asserts that no message of type {@code type} is there or comes within {@code timeout}. */
  public static void refuteReceive(Class<?> type, Duration timeout) {
    Objects.requireNonNull(type, "type");
    refute("message of type " + type.getName(), type::isInstance, timeout);
  }

  /** Asserts that no message that {@code matching} accepts is there or comes within {@link #REFUTE_TIMEOUT}. */
  public static void refuteReceive(Predicate<Object> matching) {
    refuteReceive(matching, REFUTE_TIMEOUT);
  }

  /** Asserts that no message that {@code matching} accepts is there or comes within {@code timeout}. */
  public static void refuteReceive(Predicate<Object> matching, Duration timeout) {
    refute("message that matches", Objects.requireNonNull(matching, "matching"), timeout);
  }

  /** Asserts that no message equal to {@code value} is there or comes within {@link #REFUTE_TIMEOUT}. */
  public static void refuteReceive(Object value) {
    Objects.requireNonNull(value, "value");
    refute("message equal to " + value, value::equals, REFUTE_TIMEOUT);
  }

  /** Asserts that the mailbox holds no message at all and none comes within {@link #REFUTE_TIMEOUT}. */
  public static void refuteReceive() {
    mailbox("refuteReceive").expectNoMessage(REFUTE_TIMEOUT);
  }

  private static void refute(String what, Predicate<Object> matching, Duration timeout) {
    Probe box = mailbox("refuteReceive");
    java.util.Optional<Object> came = box.receive(matching, timeout);
    if (came.isPresent()) {
      throw new AssertionError("expected no " + what + " in the test's mailbox " + box.pid() + " for "
          + timeout.toMillis() + " ms, but " + came.get() + " came; besides it " + box.holding());
    }
  }

  private static Probe mailbox(String what) {
    return TestNode.current(what).mailbox();
  }
}
