package org.otp4j.testkit;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;
import org.otp4j.core.ManualClock;
import org.otp4j.core.Node;
import org.otp4j.core.NodeConfig;
import org.otp4j.core.NodeReport;
import org.otp4j.core.ProcessInfo;

/**
 * A JUnit 5 extension that gives each test a fresh, isolated {@link Node}, and fails the test if it
 * leaves processes running or lets one crash unexpectedly.
 *
 * <!-- snippet: org.otp4j.testkit.CounterTest#extension -->
 * {@snippet :
 * @ExtendWith(OtpExtension.class)
 * class CounterTest {
 *   @Test
 *   void counts(Node node) {
 *     ServerRef<Counter.Msg> counter = Counter.start(0);   // on `node`: the test thread acts on it
 *     assertThat(counter.pid().node()).isSameAs(node);
 *     assertThat(Counter.bump(counter, 2)).isEqualTo(2);
 *     GenServer.stop(counter.pid());                       // a process left alive fails the test
 *   }
 * }
 * }
 *
 * <p>What a test gets:
 * <ul>
 *   <li>Parameters: the test's {@link Node}, its captured {@link Reports}, any number of
 *       {@link Probe}s, each a new one on the node, and with {@link #withManualClock()} (or a clock
 *       set through {@link #withNodeConfig}) the node's {@link ManualClock}.</li>
 *   <li>The test method runs with its node as the {@link Node#current() current node}, so the plain
 *       thread calls of the code under test (spawn, a behaviour's start and call) act on it, and
 *       {@link OtpAssertions#assertReceive} reads the test thread's own mailbox.</li>
 *   <li>Reports are captured, not printed: a process crash, a server terminating, a supervisor report.
 *       An error report that the test did not mark as expected ({@link Reports#expectCrash},
 *       {@link Reports#expect}, {@link Reports#allow}) fails the test, naming the process and the
 *       reason.</li>
 *   <li>After the test the probes are closed, and every process the test started must have ended
 *       (within a short grace for processes on their way out, 1 second by default): one still alive
 *       fails the test, named with its status, what it waits in and its links. The node's own
 *       processes (the application controller) do not count; the processes of an application the
 *       test started and did not stop do. Then the node is stopped and its threads awaited.</li>
 * </ul>
 *
 * <p>Use {@code @ExtendWith(OtpExtension.class)} for the defaults, or
 * {@code @RegisterExtension static final OtpExtension OTP = OtpExtension.create().withLeakGrace(...)}
 * to change them.
 */
public final class OtpExtension implements BeforeEachCallback, AfterEachCallback, ParameterResolver,
    InvocationInterceptor {
  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(OtpExtension.class);
  private static final String KEY = "node";

  private final Duration wait;
  private final Duration leakGrace;
  private final boolean checkLeaks;
  private final boolean manualClock;
  private final UnaryOperator<NodeConfig> configure;

  /**
   * The extension with its defaults: real time, a 5-second wait for reports, leak check on with a
   * 1-second grace.
   */
  public OtpExtension() {
    this(Probe.DEFAULT_WAIT, Duration.ofSeconds(1), true, false, UnaryOperator.identity());
  }

  private OtpExtension(Duration wait, Duration leakGrace, boolean checkLeaks, boolean manualClock,
      UnaryOperator<NodeConfig> configure) {
    this.wait = wait;
    this.leakGrace = leakGrace;
    this.checkLeaks = checkLeaks;
    this.manualClock = manualClock;
    this.configure = configure;
  }

  /**
   * The same extension, each test's node on a fresh {@link ManualClock}, which a test method takes as
   * a parameter: the node's timers and its processes' timeouts fire only when the test advances it.
   */
  public OtpExtension withManualClock() {
    return new OtpExtension(wait, leakGrace, checkLeaks, true, configure);
  }

  /** The extension with its defaults, to change with the {@code with...} methods. */
  public static OtpExtension create() {
    return new OtpExtension();
  }

  /**
   * The same extension, waiting up to {@code grace} after a test for the processes it started to end
   * before it calls them leaked.
   */
  public OtpExtension withLeakGrace(Duration grace) {
    Objects.requireNonNull(grace, "grace");
    if (grace.isNegative()) {
      throw new IllegalArgumentException("the leak grace cannot be negative, got " + grace);
    }
    return new OtpExtension(wait, grace, checkLeaks, manualClock, configure);
  }

  /**
   * The same extension without the leak check: processes still alive after a test are killed with
   * its node, silently. For tests of code that is meant to run on (a started application).
   */
  public OtpExtension withoutLeakCheck() {
    return new OtpExtension(wait, leakGrace, false, manualClock, configure);
  }

  /** The same extension, waiting up to {@code timeout} in {@link Reports#expectCrash} and the like. */
  public OtpExtension withReportWait(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("the report wait cannot be negative, got " + timeout);
    }
    return new OtpExtension(timeout, leakGrace, checkLeaks, manualClock, configure);
  }

  /**
   * The same extension, each test's node started with the settings {@code configure} makes of the
   * kit's: {@link NodeConfig#defaults()} named {@code test-METHOD}, its report handler the kit's
   * capture, and (after {@link #withManualClock()}) a manual clock. It runs before each test, so a
   * handler it creates is the test's own. For example a node with a name of its own, or a report
   * handler of the code under test in front of the capture:
   *
   * <!-- snippet: org.otp4j.testkit.NodeConfigTest#configure -->
   * {@snippet :
   * @RegisterExtension
   * static final OtpExtension OTP = OtpExtension.create().withNodeConfig(config -> config
   *     .withName("billing@test")
   *     // The handler found in the settings is the kit's capture: keep handing reports on to it.
   *     .withReportHandler(new CountingHandler(config.reportHandler().orElseThrow())));
   * }
   *
   * <p>A report handler that does not hand reports on to the one it replaces keeps them from the
   * kit: {@link Reports} then sees none, and an unexpected crash no longer fails the test. A manual
   * clock set here is the test's {@link ManualClock} parameter.
   *
   * @throws NullPointerException if {@code configure} is null; a {@code configure} that returns null
   *     fails each test with an {@link IllegalStateException}
   */
  public OtpExtension withNodeConfig(UnaryOperator<NodeConfig> configure) {
    Objects.requireNonNull(configure, "configure");
    UnaryOperator<NodeConfig> before = this.configure;
    return new OtpExtension(wait, leakGrace, checkLeaks, manualClock, c -> {
      NodeConfig changed = before.apply(c);
      return changed == null ? null : configure.apply(changed);
    });
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    context.getStore(NAMESPACE).put(KEY, new TestNode("test-" + context.getRequiredTestMethod().getName(), wait,
        manualClock, configure));
  }

  @Override
  public void interceptTestMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> invocationContext,
      ExtensionContext context) throws Throwable {
    TestNode test = state(context);
    ScopedValue.where(TestNode.CURRENT, test).call(() -> test.node.call(invocation::proceed));
  }

  @Override
  public void afterEach(ExtensionContext context) {
    TestNode test = context.getStore(NAMESPACE).remove(KEY, TestNode.class);
    if (test == null) {
      return;
    }
    test.closeProbes();
    List<ProcessInfo> leaked = checkLeaks ? test.awaitLeaks(leakGrace) : List.of();
    List<NodeReport> unexpected = leaked.isEmpty() ? List.of() : test.reports.unexpected();
    test.node.stop();
    boolean ended = test.node.awaitTermination(wait);
    if (leaked.isEmpty()) {
      unexpected = test.reports.unexpected(); // now with the reports written after the test, as the node stopped
    }
    StringBuilder failure = new StringBuilder();
    if (!leaked.isEmpty()) {
      failure.append(leaked.size()).append(" process").append(leaked.size() == 1 ? " was" : "es were")
          .append(" still alive after the test (stop what the test starts, or link it to a probe):");
      for (ProcessInfo p : leaked) {
        failure.append("\n  ").append(TestNode.describe(p));
      }
    }
    if (!unexpected.isEmpty()) {
      if (!failure.isEmpty()) {
        failure.append('\n');
      }
      failure.append(unexpected.size()).append(" unexpected error report").append(unexpected.size() == 1 ? "" : "s")
          .append(" (mark the ones the test causes on purpose with reports.expectCrash(pid) or reports.expect(...)):")
          .append(Reports.describe(unexpected));
    }
    if (!ended) {
      if (!failure.isEmpty()) {
        failure.append('\n');
      }
      failure.append("the threads of ").append(test.node.name()).append(" were still running ").append(wait.toMillis())
          .append(" ms after it stopped: a process does not return to the runtime (a busy loop, a blocking call)");
    }
    if (!failure.isEmpty()) {
      AssertionError error = new AssertionError(failure.toString());
      for (NodeReport r : unexpected) {
        r.cause().ifPresent(error::addSuppressed);
      }
      throw error;
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == Node.class || type == Reports.class || type == Probe.class || type == ManualClock.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    TestNode test = context.getStore(NAMESPACE).get(KEY, TestNode.class);
    if (test == null) {
      throw new ParameterResolutionException("OtpExtension gives a " + parameter.getParameter().getType().getSimpleName()
          + " to test methods only (not to constructors or @BeforeAll methods)");
    }
    Class<?> type = parameter.getParameter().getType();
    if (type == Node.class) {
      return test.node;
    }
    if (type == Reports.class) {
      return test.reports;
    }
    if (type == ManualClock.class) {
      if (test.clock == null) {
        throw new ParameterResolutionException("a ManualClock parameter needs the node on a manual clock: register "
            + "the extension with @RegisterExtension static final OtpExtension OTP = "
            + "OtpExtension.create().withManualClock();");
      }
      return test.clock;
    }
    return Probe.open(test.node);
  }

  private static TestNode state(ExtensionContext context) {
    TestNode test = context.getStore(NAMESPACE).get(KEY, TestNode.class);
    if (test == null) {
      throw new IllegalStateException("no node for " + context.getDisplayName());
    }
    return test;
  }
}
