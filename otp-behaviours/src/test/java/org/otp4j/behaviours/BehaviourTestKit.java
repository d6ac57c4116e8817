package org.otp4j.behaviours;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.otp4j.core.CallException;
import org.otp4j.core.Down;
import org.otp4j.core.ExitMessage;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Inbox;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.core.Ref;
import org.slf4j.LoggerFactory;
import org.slf4j.event.KeyValuePair;

/**
 * What the behaviour tests share: running code inside a process, waiting for down and exit
 * messages, and capturing the structured reports of logger {@code org.otp4j.behaviours.Reports}.
 * Test servers themselves are defined in each test class.
 */
public final class BehaviourTestKit {
  private BehaviourTestKit() {}

  /** How long a test waits for something that should happen promptly. */
  static final Duration WAIT = Duration.ofSeconds(5);

  /** How long a test waits to be reasonably sure that something does not happen. */
  static final Duration QUIET = Duration.ofMillis(300);

  /** Awaitility with the suite's bounds. */
  static ConditionFactory await() {
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
  static ExitReason awaitDown(Inbox inbox, Ref ref) {
    Object m = inbox.receive(x -> x instanceof Down d && d.ref().equals(ref), WAIT)
        .orElseThrow(() -> new AssertionError("no down message for " + ref + " within " + WAIT));
    return ((Down) m).reason();
  }

  /** Receives the exit message from {@code pid} and returns its reason. */
  static ExitReason awaitExitMessage(Inbox inbox, Pid pid) {
    Object m = inbox.receive(x -> x instanceof ExitMessage e && e.from().equals(pid), WAIT)
        .orElseThrow(() -> new AssertionError("no exit message from " + pid + " within " + WAIT));
    return ((ExitMessage) m).reason();
  }

  /** Receives the first message matching {@code filter}, failing if none arrives in time. */
  static Object expect(Inbox inbox, Predicate<Object> filter, String what) {
    return inbox.receive(filter, WAIT).orElseThrow(() -> new AssertionError("expected " + what + " within " + WAIT
        + "; mailbox now holds " + inbox.flush()));
  }

  /** Receives {@code message} (by equals), failing if it does not arrive in time. */
  static void expect(Inbox inbox, Object message) {
    expect(inbox, m -> m.equals(message), String.valueOf(message));
  }

  /** Asserts that no message matching {@code filter} arrives within {@link #QUIET}. */
  static void expectNone(Inbox inbox, Predicate<Object> filter, String what) {
    assertThat(inbox.receive(filter, QUIET)).as("unexpected " + what).isEmpty();
  }

  /** Asserts that {@code assertion} holds now and keeps holding for {@link #QUIET}. */
  static void staysTrue(Runnable assertion) {
    Awaitility.await().atMost(QUIET.plus(Duration.ofSeconds(1))).pollInterval(Duration.ofMillis(10))
        .during(QUIET).untilAsserted(assertion::run);
  }

  /** The exit reason of a process that must end promptly. */
  static ExitReason exitReasonOf(Pid pid) {
    return Proc.awaitExit(pid, WAIT).orElseThrow(() -> new AssertionError(pid + " is still alive after " + WAIT));
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
   * Captures the events of logger {@code org.otp4j.behaviours.Reports} (by default down to DEBUG,
   * so progress reports too) while open, without printing them.
   */
  static final class Reports implements AutoCloseable {
    static {
      readLogback();
    }

    private final Logger logger = (Logger) LoggerFactory.getLogger("org.otp4j.behaviours.Reports");
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final Level previousLevel;
    private final boolean previousAdditive;
    /** Only events that name a process of this node ("<index."), so leftovers of other tests are ignored. */
    private final String nodeTag;

    /** Captures the reports about processes of {@code node}. */
    Reports(Node node) {
      this(node, Level.DEBUG);
    }

    /** Captures only ERROR reports (for tests that produce many progress reports). */
    static Reports errorsOnly(Node node) {
      return new Reports(node, Level.ERROR);
    }

    /** Captures events at {@code level} and above. */
    private Reports(Node node, Level level) {
      nodeTag = "<" + node.index() + ".";
      previousLevel = logger.getLevel();
      previousAdditive = logger.isAdditive();
      appender.setContext(logger.getLoggerContext());
      appender.start();
      logger.addAppender(appender);
      logger.setLevel(level);
      logger.setAdditive(false);
    }

    /** Every event so far about a process of this test's node. */
    List<ILoggingEvent> events() {
      List<ILoggingEvent> all;
      synchronized (appender) {
        all = new ArrayList<>(appender.list);
      }
      return all.stream().filter(e -> e.getFormattedMessage().contains(nodeTag)
          || keyValues(e).toString().contains(nodeTag)).toList();
    }

    /** The key-value pairs of every event so far whose {@code label} is {@code label}. */
    List<Map<String, Object>> withLabel(String label) {
      List<Map<String, Object>> out = new ArrayList<>();
      for (ILoggingEvent e : events()) {
        Map<String, Object> kv = keyValues(e);
        if (label.equals(kv.get("label"))) {
          out.add(kv);
        }
      }
      return out;
    }

    /** Reports with {@code label} whose {@code key} value, as a string, contains {@code text}. */
    List<Map<String, Object>> withLabel(String label, String key, String text) {
      return withLabel(label).stream().filter(kv -> String.valueOf(kv.get(key)).contains(text)).toList();
    }

    /** The supervisor reports whose {@code errorContext} is exactly {@code errorContext}. */
    List<Map<String, Object>> supervisorReports(String errorContext) {
      return withLabel("supervisor_report").stream().filter(kv -> errorContext.equals(kv.get("errorContext"))).toList();
    }

    static Map<String, Object> keyValues(ILoggingEvent e) {
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

    @Override
    public void close() {
      logger.detachAppender(appender);
      logger.setLevel(previousLevel);
      logger.setAdditive(previousAdditive);
      appender.stop();
    }
  }
}
