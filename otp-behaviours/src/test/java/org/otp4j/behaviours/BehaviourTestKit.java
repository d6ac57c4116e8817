package org.otp4j.behaviours;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.otp4j.core.CallException;
import org.otp4j.core.Down;
import org.otp4j.core.ExitMessage;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Inbox;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.core.Ref;
import org.slf4j.LoggerFactory;
import org.slf4j.event.KeyValuePair;

/**
 * What the behaviour tests share: running code inside a process, waiting for down and exit
 * messages, checks that depend on timing, and capturing what the runtime logs ({@link CaptureReports}).
 * Test servers themselves are defined in each test class.
 */
public final class BehaviourTestKit {
  private BehaviourTestKit() {}

  /** How long a test waits for something that should happen promptly. */
  public static final Duration WAIT = Duration.ofSeconds(5);

  /** How long a test waits to be reasonably sure that something does not happen. */
  public static final Duration QUIET = Duration.ofMillis(300);

  /** Awaitility with the suite's bounds. */
  public static ConditionFactory await() {
    return Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(5)).pollDelay(Duration.ZERO);
  }

  /** Code that runs inside a process. */
  @FunctionalInterface
  public interface ProcessCode<T> {
    T run() throws Exception;
  }

  /**
   * Runs {@code code} in a new process (spawned on the node bound to the test thread) and returns
   * what it returned; rethrows what it threw. Fails if the process dies without finishing.
   */
  public static <T> T inProcess(ProcessCode<T> code) {
    CompletableFuture<T> result = new CompletableFuture<>();
    Pid p = Proc.spawn(() -> {
      try {
        result.complete(code.run());
      } catch (Throwable t) {
        result.completeExceptionally(t);
        throw t;
      }
    });
    CompletableFuture.runAsync(() -> {
      ExitReason reason = Proc.awaitExit(p, Duration.ofSeconds(30)).orElse(null);
      result.completeExceptionally(new AssertionError("process " + p + " ended with " + reason
          + " before its code finished"));
    });
    try {
      return result.get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw new AssertionError(e.getCause());
    } catch (InterruptedException | TimeoutException e) {
      throw new AssertionError("the process did not finish in time", e);
    }
  }

  /**
   * A start function's process that traps exits: spawns a process linked to the caller that traps exits
   * and then runs {@code body}, and returns only once it traps, as a start function must (a supervisor may
   * send the shutdown signal the moment the start function returns).
   */
  static Pid spawnLinkTrapping(Proc.Body body) {
    Pid starter = Proc.self();
    Ref ready = Proc.makeRef();
    Pid pid = Proc.spawnLink(() -> {
      Proc.trapExits(true);
      Proc.send(starter, ready);
      body.run();
    });
    Proc.receive(ready::equals, WAIT).orElseThrow(() -> new AssertionError(pid + " did not start trapping exits"));
    return pid;
  }

  /** Runs {@code call}, which must fail with a {@link CallException}, and returns it. */
  static CallException callFails(Runnable call) {
    CallException e = catchThrowableOfType(CallException.class, call::run);
    assertThat(e).as("the call should have failed with a CallException").isNotNull();
    return e;
  }

  /** Receives the down message of {@code ref} and returns its reason. */
  public static ExitReason awaitDown(Inbox inbox, Ref ref) {
    Object m = inbox.receive(x -> x instanceof Down d && d.ref().equals(ref), WAIT)
        .orElseThrow(() -> new AssertionError("no down message for " + ref + " within " + WAIT));
    return ((Down) m).reason();
  }

  /** Receives the exit message from {@code pid} and returns its reason. */
  public static ExitReason awaitExitMessage(Inbox inbox, Pid pid) {
    Object m = inbox.receive(x -> x instanceof ExitMessage e && e.from().equals(pid), WAIT)
        .orElseThrow(() -> new AssertionError("no exit message from " + pid + " within " + WAIT));
    return ((ExitMessage) m).reason();
  }

  /** Receives the first message matching {@code filter}, failing if none arrives in time. */
  public static Object expect(Inbox inbox, Predicate<Object> filter, String what) {
    return inbox.receive(filter, WAIT).orElseThrow(() -> new AssertionError("expected " + what + " within " + WAIT
        + "; mailbox now holds " + inbox.flush()));
  }

  /** Receives {@code message} (by equals), failing if it does not arrive in time. */
  public static void expect(Inbox inbox, Object message) {
    expect(inbox, m -> m.equals(message), String.valueOf(message));
  }

  /** Asserts that no message matching {@code filter} arrives within {@link #QUIET}. */
  public static void expectNone(Inbox inbox, Predicate<Object> filter, String what) {
    assertThat(inbox.receive(filter, QUIET)).as("unexpected " + what).isEmpty();
  }

  /**
   * Asserts that {@code assertion} holds now and keeps holding for {@link #QUIET}: for a condition that,
   * once broken, stays broken (nothing ran, a process is alive). Awaitility looks for a whole QUIET
   * without a failure; the bound above it only allows for a slow poller on a loaded machine.
   */
  public static void staysTrue(Runnable assertion) {
    Awaitility.await().atMost(QUIET.plus(WAIT)).pollInterval(Duration.ofMillis(10))
        .during(QUIET).untilAsserted(assertion::run);
  }

  /** The exit reason of a process that must end promptly. */
  public static ExitReason exitReasonOf(Pid pid) {
    return Proc.awaitExit(pid, WAIT).orElseThrow(() -> new AssertionError(pid + " is still alive after " + WAIT));
  }

  // ---------------------------------------------------------------------------------------
  // checks that depend on timing

  /** How many attempts {@link #untilUndisturbed} makes. */
  static final int ATTEMPTS = 5;

  /** One attempt of a check that depends on timing: false if the machine was too slow for it to tell. */
  @FunctionalInterface
  public interface Attempt {
    boolean undisturbed() throws Exception;
  }

  /**
   * Runs a check whose outcome depends on timing (a timeout that must not fire while messages keep
   * coming, a state that must still hold when the next message arrives) until one attempt is
   * undisturbed. An attempt measures the delays it relies on: when the machine stalled for as long as
   * the timing itself, so that either outcome would be right, it cleans up and returns false; otherwise
   * it asserts as usual and returns true. Fails if every attempt is disturbed.
   */
  public static void untilUndisturbed(String what, Attempt attempt) {
    for (int i = 0; i < ATTEMPTS; i++) {
      try {
        if (attempt.undisturbed()) {
          return;
        }
      } catch (RuntimeException | Error e) {
        throw e;
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }
    throw new AssertionError(what + ": each of " + ATTEMPTS + " attempts was disturbed by a stall as long as the "
        + "timing it checks; the machine is too loaded to tell");
  }

  /** Whether less than {@code limit} has passed since {@code startNanos}, a {@link System#nanoTime()} reading. */
  public static boolean within(long startNanos, Duration limit) {
    return System.nanoTime() - startNanos < limit.toNanos();
  }

  // ---------------------------------------------------------------------------------------
  // reports

  /**
   * The tests run inside module org.otp4j.behaviours (patched in by surefire), which does not
   * require logback: let it read logback's modules before a class touches logback's types. A
   * module may add read edges for itself.
   */
  static void readLogback() {
    Module self = BehaviourTestKit.class.getModule();
    Module classic = LoggerFactory.getILoggerFactory().getClass().getModule();
    if (self.isNamed() && classic.isNamed()) {
      self.addReads(classic);
      ModuleLayer layer = classic.getLayer() != null ? classic.getLayer() : ModuleLayer.boot();
      layer.findModule("ch.qos.logback.core").ifPresent(self::addReads);
    }
  }

  /**
   * A JUnit extension that captures what the runtime logs during each test, instead of printing it,
   * and passes it to test methods that take a {@link Reports} parameter. A test asserts on the reports
   * it causes. After a test that passed, the warnings and errors it did not look at are printed (a
   * report nobody expected stays visible); after a test that failed, everything captured is printed.
   */
  public static final class CaptureReports implements BeforeEachCallback, AfterEachCallback, ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(CaptureReports.class);

    static {
      readLogback(); // before Reports, which extends a logback class, is loaded
    }

    public CaptureReports() {}

    @Override
    public void beforeEach(ExtensionContext context) {
      context.getStore(NAMESPACE).put(context.getUniqueId(), new Reports());
    }

    @Override
    public void afterEach(ExtensionContext context) {
      Reports reports = context.getStore(NAMESPACE).remove(context.getUniqueId(), Reports.class);
      if (reports != null) {
        reports.close(context.getDisplayName(), context.getExecutionException().isPresent());
      }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
      return parameter.getParameter().getType() == Reports.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
      Reports reports = context.getStore(NAMESPACE).get(context.getUniqueId(), Reports.class);
      if (reports == null) {
        throw new ParameterResolutionException("reports are captured for test methods only");
      }
      return reports;
    }
  }

  /**
   * What the runtime logged during the current test: every event of the loggers under
   * {@code org.otp4j}, that is the behaviours' structured reports ({@code org.otp4j.behaviours.Reports}:
   * a {@code label} key-value pair and the report's fields), Sys traces ({@code org.otp4j.behaviours.Sys})
   * and the node's own logs ({@code org.otp4j.core.Node}: the crash of a plain process, runaways).
   * Made by {@link CaptureReports}; by default down to DEBUG, so progress reports too.
   */
  public static final class Reports {
    /** The logger of the behaviours' reports. */
    public static final String REPORTS = "org.otp4j.behaviours.Reports";
    /** The logger of Sys traces. */
    public static final String SYS = "org.otp4j.behaviours.Sys";
    /** The logger of the node itself. */
    public static final String NODE = "org.otp4j.core.Node";

    private final Logger logger = (Logger) LoggerFactory.getLogger("org.otp4j");
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>() {
      @Override
      protected void append(ILoggingEvent event) {
        event.prepareForDeferredProcessing(); // its thread and text now, as an asynchronous appender does
        super.append(event);
      }
    };
    private final Level previousLevel;
    private final boolean previousAdditive;
    /** The events a test has looked at (by identity). */
    private final Set<ILoggingEvent> seen = Collections.newSetFromMap(new IdentityHashMap<>());

    Reports() {
      previousLevel = logger.getLevel();
      previousAdditive = logger.isAdditive();
      appender.setContext(logger.getLoggerContext());
      appender.start();
      logger.addAppender(appender);
      logger.setLevel(Level.DEBUG);
      logger.setAdditive(false);
    }

    /** From now on captures only errors (for a test that makes thousands of progress reports). */
    public void errorsOnly() {
      logger.setLevel(Level.ERROR);
    }

    /** Every event so far. */
    public List<ILoggingEvent> events() {
      return look(all());
    }

    /** Every event so far of logger {@code loggerName}. */
    public List<ILoggingEvent> events(String loggerName) {
      return look(all().stream().filter(e -> e.getLoggerName().equals(loggerName)).toList());
    }

    /** The key-value pairs of every event so far whose {@code label} is {@code label}. */
    public List<Map<String, Object>> withLabel(String label) {
      return look(all().stream().filter(e -> label.equals(keyValues(e).get("label"))).toList()).stream()
          .map(Reports::keyValues).toList();
    }

    /** Reports with {@code label} whose {@code key} value, as a string, contains {@code text}. */
    public List<Map<String, Object>> withLabel(String label, String key, String text) {
      List<ILoggingEvent> matching = all().stream().filter(e -> {
        Map<String, Object> kv = keyValues(e);
        return label.equals(kv.get("label")) && String.valueOf(kv.get(key)).contains(text);
      }).toList();
      return look(matching).stream().map(Reports::keyValues).toList();
    }

    /** The supervisor reports whose {@code errorContext} is exactly {@code errorContext}. */
    public List<Map<String, Object>> supervisorReports(String errorContext) {
      List<ILoggingEvent> matching = all().stream().filter(e -> {
        Map<String, Object> kv = keyValues(e);
        return "supervisor_report".equals(kv.get("label")) && errorContext.equals(kv.get("errorContext"));
      }).toList();
      return look(matching).stream().map(Reports::keyValues).toList();
    }

    /** The {@code reason} of every report so far whose {@code label} is {@code label}, in order. */
    public List<Object> reasons(String label) {
      return withLabel(label).stream().map(r -> r.get("reason")).toList();
    }

    /**
     * Waits until there are {@code count} reports with {@code label} (a report that another process
     * writes after what the test waited for), and returns them.
     */
    public List<Map<String, Object>> awaitLabel(String label, int count) {
      Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(5)).pollDelay(Duration.ZERO)
          .until(() -> all().stream().filter(e -> label.equals(keyValues(e).get("label"))).count() >= count);
      return withLabel(label);
    }

    /** An event's key-value pairs, with its level as {@code @level} and its text as {@code @message}. */
    public static Map<String, Object> keyValues(ILoggingEvent e) {
      Map<String, Object> kv = new LinkedHashMap<>();
      List<KeyValuePair> pairs = e.getKeyValuePairs();
      if (pairs != null) {
        for (KeyValuePair p : pairs) {
          kv.put(p.key, p.value);
        }
      }
      kv.put("@level", e.getLevel().toString());
      kv.put("@message", e.getFormattedMessage());
      return kv;
    }

    private List<ILoggingEvent> all() {
      synchronized (appender) {
        return new ArrayList<>(appender.list);
      }
    }

    private List<ILoggingEvent> look(List<ILoggingEvent> events) {
      synchronized (seen) {
        seen.addAll(events);
      }
      return events;
    }

    /**
     * Stops capturing. Prints, through the appenders of the root logger, the warnings and errors that
     * the test did not look at, or every event if the test failed.
     */
    void close(String test, boolean failed) {
      logger.detachAppender(appender);
      logger.setLevel(previousLevel);
      logger.setAdditive(previousAdditive);
      appender.stop();
      List<ILoggingEvent> shown;
      synchronized (seen) {
        shown = all().stream()
            .filter(e -> failed || (e.getLevel().isGreaterOrEqual(Level.WARN) && !seen.contains(e))).toList();
      }
      if (!shown.isEmpty()) {
        System.out.println("-- " + (failed ? "logged during the failed test " : "not looked at by the test ") + test
            + ":");
        Logger root = logger.getLoggerContext().getLogger(Logger.ROOT_LOGGER_NAME);
        shown.forEach(root::callAppenders);
      }
    }
  }
}
