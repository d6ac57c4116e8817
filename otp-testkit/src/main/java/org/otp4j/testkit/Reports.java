package org.otp4j.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import org.otp4j.core.NodeReport;
import org.otp4j.core.Pid;

/**
 * The reports of one test's node, captured instead of logged: process crashes, the behaviours'
 * reports (a server or state machine terminating, supervisor and progress reports) and the
 * watchdog's warnings. {@link OtpExtension} passes it to a test method that takes a {@code Reports}
 * parameter.
 *
 * <p>Every error report must be expected: one that no {@link #expectCrash(Pid) expectCrash} or
 * {@link #expect(String, Predicate) expect} matches fails the test when it ends, with the report in
 * the message. An expectation matches the reports that came before it and those that come after
 * it, up to the end of the test (a process writes its report after its exit signals have gone out,
 * so a test may see the crash before the report exists).
 *
 * <!-- snippet: org.otp4j.testkit.GuideTest#crash -->
 * {@snippet :
 * Pid worker = node.spawn(() -> { throw new IllegalStateException("jammed"); });
 * NodeReport report = reports.expectCrash(worker);
 * assertThat(report.field("reason")).contains("jammed");
 * }
 */
public final class Reports {
  /** The fields a report names the process it is about in. */
  private static final List<String> SUBJECT_FIELDS = List.of("pid", "server", "machine", "process", "supervisor",
      "manager", "stage");

  private final List<NodeReport> reports = new CopyOnWriteArrayList<>();
  private final List<Predicate<NodeReport>> expected = new CopyOnWriteArrayList<>();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition arrived = lock.newCondition();
  private final Duration wait;

  Reports(Duration wait) {
    this.wait = wait;
  }

  /** Where the node hands its reports. */
  void add(NodeReport report) {
    reports.add(report);
    lock.lock();
    try {
      arrived.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Every report so far, oldest first. */
  public List<NodeReport> all() {
    return List.copyOf(reports);
  }

  /** The error reports so far, oldest first. */
  public List<NodeReport> errors() {
    return reports.stream().filter(r -> r.level() == System.Logger.Level.ERROR).toList();
  }

  /** The reports so far with label {@code label} ({@code supervisor_report}, {@code progress}...). */
  public List<NodeReport> withLabel(String label) {
    Objects.requireNonNull(label, "label");
    return reports.stream().filter(r -> r.label().equals(label)).toList();
  }

  /** The reports so far about {@code pid}: those that name it as their process, child or server. */
  public List<NodeReport> about(Pid pid) {
    Objects.requireNonNull(pid, "pid");
    return reports.stream().filter(isAbout(pid)).toList();
  }

  /**
   * Marks every report about {@code pid} (its crash, a supervisor's report on it) as expected, and
   * returns the first one, waiting for it if it has not been written yet.
   *
   * @throws AssertionError if no report about {@code pid} comes within the kit's wait (5 seconds by
   *     default), listing the reports there are
   */
  public NodeReport expectCrash(Pid pid) {
    Objects.requireNonNull(pid, "pid");
    return expect("a report about " + pid, isAbout(pid));
  }

  /**
   * Marks every report that {@code matching} accepts as expected, and returns the first one, waiting
   * for it if there is none yet.
   *
   * @param what what the reports are, for the failure message
   * @throws AssertionError if no such report comes within the kit's wait, listing the reports there are
   */
  public NodeReport expect(String what, Predicate<NodeReport> matching) {
    Objects.requireNonNull(what, "what");
    Objects.requireNonNull(matching, "matching");
    expected.add(matching);
    return await(what, matching);
  }

  /**
   * Marks every report that {@code matching} accepts as expected, without waiting for any: for reports
   * that may or may not come (a supervisor that may be shutting a child down as it crashes).
   */
  public void allow(Predicate<NodeReport> matching) {
    expected.add(Objects.requireNonNull(matching, "matching"));
  }

  /**
   * Waits for a report that {@code matching} accepts and returns it, without marking anything as
   * expected.
   *
   * @throws AssertionError if none comes within the kit's wait
   */
  public NodeReport await(String what, Predicate<NodeReport> matching) {
    long deadline = System.nanoTime() + wait.toNanos();
    lock.lock();
    try {
      while (true) {
        for (NodeReport r : reports) {
          if (matching.test(r)) {
            return r;
          }
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("expected " + what + " within " + wait.toMillis() + " ms, but the node reported "
              + describe(reports));
        }
        arrived.awaitNanos(left);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for " + what, e);
    } finally {
      lock.unlock();
    }
  }

  /** The error reports that no expectation matches. */
  public List<NodeReport> unexpected() {
    List<NodeReport> out = new ArrayList<>();
    for (NodeReport r : errors()) {
      if (expected.stream().noneMatch(e -> e.test(r))) {
        out.add(r);
      }
    }
    return out;
  }

  /** A predicate: whether a report is about {@code pid}. */
  public static Predicate<NodeReport> isAbout(Pid pid) {
    String tag = pid.toString();
    return r -> SUBJECT_FIELDS.stream().anyMatch(f -> {
      Object v = r.fields().get(f);
      return v != null && (v.equals(pid) || String.valueOf(v).contains(tag));
    });
  }

  /** A report in one line: its label, its subject and reason, and its text's first line. */
  static String describe(NodeReport r) {
    StringBuilder sb = new StringBuilder(r.label().isEmpty() ? r.level().toString() : r.label());
    for (String f : SUBJECT_FIELDS) {
      if (r.fields().containsKey(f)) {
        sb.append(' ').append(f).append('=').append(r.fields().get(f));
      }
    }
    if (r.fields().containsKey("reason")) {
      sb.append(" reason=").append(r.fields().get("reason"));
    }
    String text = r.text();
    int nl = text.indexOf('\n');
    sb.append(": ").append(nl < 0 ? text : text.substring(0, nl));
    return sb.toString();
  }

  static String describe(List<NodeReport> reports) {
    if (reports.isEmpty()) {
      return "nothing";
    }
    StringBuilder sb = new StringBuilder();
    for (NodeReport r : reports) {
      sb.append("\n  ").append(describe(r));
    }
    return sb.toString();
  }

  @Override
  public String toString() {
    return "Reports" + describe(all());
  }
}
