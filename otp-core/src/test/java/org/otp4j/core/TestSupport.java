package org.otp4j.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.LoggerFactory;
import org.slf4j.event.KeyValuePair;

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

  /**
   * Waits until {@code pid} shows {@code status} in its process info, and returns that very
   * snapshot: a status is taken at one moment and may change the next (a process woken in receive
   * runs briefly before it parks again), so assertions on the rest of the info use this snapshot,
   * not a second one.
   */
  static ProcessInfo awaitStatus(Pid pid, ProcessStatus status) {
    AtomicReference<ProcessInfo> seen = new AtomicReference<>();
    spinUntil(() -> {
      ProcessInfo info = Proc.info(pid).orElse(null);
      seen.set(info);
      return info != null && info.status() == status;
    }, () -> pid + " to be " + status + ", its info is " + seen.get());
    return seen.get();
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

  // ---------------------------------------------------------------------------------------
  // reports

  /** Where the runtime logs crash reports, VM errors and the watchdog's warnings. */
  static final String RUNTIME_LOGGER = "org.otp4j.core.Node";

  /**
   * One event that the runtime logged.
   *
   * @param level {@code ERROR} for crash reports and VM errors, {@code WARN} for the watchdog
   * @param message the formatted message
   * @param keyValues its structured data ({@code pid}, and {@code label}, {@code reason} for a crash)
   * @param error the throwable it carries, or null
   */
  record Report(String level, String message, Map<String, Object> keyValues, Throwable error) {
    /** The pid the event is about, as printed. */
    String pid() {
      return String.valueOf(keyValues.get("pid"));
    }

    @Override
    public String toString() {
      return level + " " + message + " " + keyValues;
    }
  }

  /** Asserts that {@code report} is the crash report of {@code pid}, whose code threw {@code error}. */
  static void assertCrashReport(Report report, Pid pid, Throwable error) {
    assertThat(report.level()).as("level of %s", report).isEqualTo("ERROR");
    assertThat(report.keyValues()).as("%s", report)
        .containsEntry("label", "process_crash")
        .containsEntry("pid", pid.toString())
        .containsEntry("reason", error.toString());
    assertThat(report.message()).isEqualTo("Error in process " + pid + " with exit value: " + error);
    assertThat(report.error()).as("the error carried by %s", report).isSameAs(error);
  }

  /** Asserts that {@code report} says that {@code error} in {@code pid} is stopping its node. */
  static void assertVmErrorReport(Report report, Pid pid, Throwable error) {
    assertThat(report.level()).as("level of %s", report).isEqualTo("ERROR");
    assertThat(report.keyValues()).as("%s", report).containsEntry("pid", pid.toString());
    assertThat(report.message()).startsWith("VM error in process " + pid + ": " + error + ". ")
        .contains("is stopping");
    assertThat(report.error()).as("the error carried by %s", report).isSameAs(error);
  }

  /**
   * The tests run inside module org.otp4j.core (patched in by surefire), which does not require
   * logback: let it read logback's modules before a class touches logback's types. A module may add
   * read edges for itself.
   */
  private static void readLogback() {
    Module self = TestSupport.class.getModule();
    Module classic = LoggerFactory.getILoggerFactory().getClass().getModule();
    if (self.isNamed() && classic.isNamed()) {
      self.addReads(classic);
      ModuleLayer layer = classic.getLayer() != null ? classic.getLayer() : ModuleLayer.boot();
      layer.findModule("ch.qos.logback.core").ifPresent(self::addReads);
    }
  }

  /**
   * Captures, while open, what the runtime logs about the processes of one node (crash reports, VM
   * errors, the watchdog's warnings) instead of printing it, for the tests that make processes fail
   * on purpose and assert on their reports. Events about the processes of other nodes (late ones
   * from earlier tests) are left out; events about no process in particular are kept.
   *
   * <p>A report is written by the failing process's own thread after its exit signals have gone out,
   * so it may come after the Down that a test has already received: {@link #errorsAfterStop()} waits
   * for every thread of the node to end, after which no report can follow.
   */
  static final class Reports implements AutoCloseable {
    static {
      readLogback();
    }

    private final Node node;
    private final String nodeTag;
    private final Logger logger = (Logger) LoggerFactory.getLogger(RUNTIME_LOGGER);
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final boolean previousAdditive;

    private Reports(Node node) {
      this.node = node;
      this.nodeTag = "<" + node.index() + ".";
      previousAdditive = logger.isAdditive();
      appender.setContext(logger.getLoggerContext());
      appender.start();
      logger.addAppender(appender);
      logger.setAdditive(false);
    }

    /** Starts capturing the reports about the processes of {@code node}. */
    static Reports capture(Node node) {
      return new Reports(node);
    }

    /** Every event so far about a process of the node, or about no process in particular. */
    List<Report> all() {
      List<ILoggingEvent> events;
      synchronized (appender) {
        events = new ArrayList<>(appender.list);
      }
      List<Report> out = new ArrayList<>();
      for (ILoggingEvent e : events) {
        Report r = report(e);
        if (!r.keyValues().containsKey("pid") || r.pid().startsWith(nodeTag)) {
          out.add(r);
        }
      }
      return out;
    }

    /**
     * The crash reports and VM errors so far. The watchdog's warnings are left out: a process that is
     * runnable but finds no free core for as long as the runaway threshold is reported too, so whether
     * they come depends on the load of the machine.
     */
    List<Report> errors() {
      return all().stream().filter(r -> r.level().equals("ERROR")).toList();
    }

    /** The watchdog's warnings so far (runaways and zombies). */
    List<Report> warnings() {
      return all().stream().filter(r -> r.level().equals("WARN")).toList();
    }

    /**
     * Stops the node, waits until all its threads have ended (a process writes its report before its
     * thread ends), and returns every crash report and VM error it logged.
     */
    List<Report> errorsAfterStop() {
      node.stop();
      assertThat(node.awaitTermination(WAIT)).as("the threads of %s ended", node).isTrue();
      return errors();
    }

    private static Report report(ILoggingEvent e) {
      Map<String, Object> kv = new LinkedHashMap<>();
      List<KeyValuePair> pairs = e.getKeyValuePairs();
      if (pairs != null) {
        for (KeyValuePair p : pairs) {
          kv.put(p.key, p.value);
        }
      }
      IThrowableProxy proxy = e.getThrowableProxy();
      Throwable error = proxy instanceof ThrowableProxy tp ? tp.getThrowable() : null;
      return new Report(e.getLevel().toString(), e.getFormattedMessage(), kv, error);
    }

    @Override
    public void close() {
      logger.detachAppender(appender);
      logger.setAdditive(previousAdditive);
      appender.stop();
    }

    @Override
    public String toString() {
      return "reports " + all();
    }
  }
}
