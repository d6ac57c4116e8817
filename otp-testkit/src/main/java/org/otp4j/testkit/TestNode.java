package org.otp4j.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.function.UnaryOperator;
import org.otp4j.core.ManualClock;
import org.otp4j.core.Node;
import org.otp4j.core.NodeConfig;
import org.otp4j.core.Pid;
import org.otp4j.core.ProcessInfo;

/**
 * One test's node and what the kit keeps about it: its reports, the probes opened on it, the
 * processes it had before the test ran (the node's own), and the test thread's mailbox for
 * {@link OtpAssertions}. Engine of {@link OtpExtension}; not public.
 */
final class TestNode {
  /** The test whose method runs on the current thread, if it runs under {@link OtpExtension}. */
  static final ScopedValue<TestNode> CURRENT = ScopedValue.newInstance();

  /** The probes opened on each node of a running test, so that they are closed with it. */
  private static final Map<Node, List<Probe>> PROBES = new WeakHashMap<>();

  /** Names of the processes the runtime starts by itself on a node, which are not the test's. */
  private static final List<String> SYSTEM_NAMES = List.of("application_controller");

  final Node node;
  final Reports reports;
  final ManualClock clock;
  private final Set<Pid> baseline = new HashSet<>();
  private Probe mailbox;

  /**
   * A test's node, named {@code name}, its reports captured: its settings are the defaults with that
   * name, the capture as report handler and (with {@code manualClock}) a fresh manual clock, then
   * whatever {@code configure} makes of them.
   *
   * @throws IllegalStateException if {@code configure} gives no settings
   */
  TestNode(String name, Duration wait, boolean manualClock, UnaryOperator<NodeConfig> configure) {
    this.reports = new Reports(wait);
    NodeConfig config = NodeConfig.defaults().withName(name).withReportHandler(reports::add);
    if (manualClock) {
      config = config.withClock(new ManualClock());
    }
    NodeConfig configured = configure.apply(config);
    if (configured == null) {
      throw new IllegalStateException("the function given to OtpExtension.withNodeConfig returned null instead of "
          + "the node's settings (return the NodeConfig it was given, changed)");
    }
    this.clock = configured.clock().orElse(null);
    this.node = Node.start(configured);
    synchronized (PROBES) {
      PROBES.put(node, new ArrayList<>());
    }
    for (ProcessInfo p : node.processes()) {
      baseline.add(p.pid());
    }
  }

  /** Records a probe opened on {@code node}, if that node is a test's. */
  static void opened(Node node, Probe probe) {
    synchronized (PROBES) {
      List<Probe> probes = PROBES.get(node);
      if (probes != null) {
        probes.add(probe);
      }
    }
  }

  /** The test thread's own mailbox, opened on first use. */
  Probe mailbox() {
    if (mailbox == null) {
      mailbox = Probe.open(node);
    }
    return mailbox;
  }

  /** The current test's node state, or a clear failure outside a test run with {@link OtpExtension}. */
  static TestNode current(String what) {
    if (!CURRENT.isBound()) {
      throw new IllegalStateException(what + " works on the thread of a test run with OtpExtension: annotate the "
          + "test class with @ExtendWith(OtpExtension.class) (or register one with @RegisterExtension), and call it "
          + "from the test method's own thread");
    }
    return CURRENT.get();
  }

  /** Closes the probes opened on the node. */
  void closeProbes() {
    List<Probe> probes;
    synchronized (PROBES) {
      probes = PROBES.remove(node);
    }
    if (probes != null) {
      for (Probe p : probes) {
        if (p.isAlive()) {
          p.close();
        }
      }
    }
  }

  /**
   * The processes alive now that the test started and did not end: every live process but the ones
   * the node had before the test and the runtime's own.
   */
  List<ProcessInfo> leaked() {
    List<ProcessInfo> out = new ArrayList<>();
    for (ProcessInfo p : node.processes()) {
      if (!baseline.contains(p.pid()) && p.registeredName().filter(SYSTEM_NAMES::contains).isEmpty()) {
        out.add(p);
      }
    }
    return out;
  }

  /** Waits up to {@code grace} for the processes that are on their way out to be gone; what is left. */
  List<ProcessInfo> awaitLeaks(Duration grace) {
    long deadline = System.nanoTime() + grace.toNanos();
    List<ProcessInfo> left = leaked();
    while (!left.isEmpty() && System.nanoTime() - deadline < 0) {
      Thread.onSpinWait();
      Thread.yield();
      left = leaked();
    }
    return left;
  }

  static String describe(ProcessInfo p) {
    return p.pid() + p.registeredName().map(n -> " (" + n + ")").orElse("") + " " + p.status()
        + (p.blockedOn().isEmpty() ? "" : " in " + p.blockedOn())
        + (p.mailboxLength() == 0 ? "" : ", " + p.mailboxLength() + " messages waiting")
        + (p.links().isEmpty() ? "" : ", linked to " + p.links());
  }
}
