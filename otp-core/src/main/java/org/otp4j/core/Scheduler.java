package org.otp4j.core;

/**
 * Which scheduler runs the virtual threads of a node's processes: set with
 * {@link NodeConfig#withScheduler(Scheduler)}.
 *
 * <!-- snippet: org.otp4j.core.JavadocExamplesTest#scheduler -->
 * {@snippet :
 * Node node = Node.start(NodeConfig.defaults().withScheduler(Scheduler.local(4)));
 * }
 *
 * <h2>The two schedulers</h2>
 * <ul>
 *   <li>{@link #local()}, the default: the node's own carrier threads (as many as there are cores),
 *       scheduled the way the BEAM schedules its processes. A process woken by another process runs
 *       on its waker's carrier, after what is already queued there, so a chain of processes passing
 *       a message along (a ring, a request and its reply) stays on one core and never wakes an idle
 *       one; an idle carrier takes work from a busy one when that one has more than it can run
 *       soon, or when it has run one process for over a millisecond. Its carriers stop when the node
 *       has stopped and its processes' threads have ended.</li>
 *   <li>{@link #jdk()}: the JDK's default virtual-thread scheduler, shared by every virtual thread of
 *       the JVM. Every wake-up of a process submits it to that pool, which also wakes an idle
 *       carrier thread.</li>
 * </ul>
 *
 * <h2>What the local scheduler needs from the JVM</h2>
 * The JDK has no public API for a virtual-thread scheduler; otp4j reaches the JDK's own (the
 * package-private constructor that every JDK from 21 to 25 has) through the JVM flag
 * <pre>
 *   --add-opens java.base/java.lang=org.otp4j.core     otp4j on the module path
 *   --add-opens java.base/java.lang=ALL-UNNAMED        otp4j on the class path
 * </pre>
 * Without it, a node configured with {@link #local()} runs on {@link #jdk()} instead, and the first
 * such node logs one INFO line that names the flag. {@link Node#scheduler()} says which one a node
 * actually uses.
 *
 * <h2>Choosing one</h2>
 * The default comes from the system property {@code otp4j.scheduler}: {@code local} (the default
 * when it is not set) or {@code jdk}. The local scheduler's figures against the JDK's are in
 * {@code docs/benchmarks.md}; processes that compute for long stretches without waiting hold a
 * carrier under either scheduler (the JVM does not preempt a virtual thread).
 */
public sealed interface Scheduler permits Scheduler.Local, Scheduler.Jdk {

  /** The system property that chooses the default scheduler: {@code local} or {@code jdk}. */
  String PROPERTY = "otp4j.scheduler";

  /**
   * How many carrier threads run processes: {@link Local#carriers()}, or for the JDK's scheduler its
   * parallelism (the system property {@code jdk.virtualThreadScheduler.parallelism}, else the
   * number of processors). Spares that stand in for a blocked carrier are not counted.
   */
  int carriers();

  /** The local scheduler on as many carrier threads as the JVM has processors. */
  static Scheduler local() {
    return new Local(Runtime.getRuntime().availableProcessors());
  }

  /** The local scheduler on {@code carriers} carrier threads (1 to {@value Local#MAX_CARRIERS}). */
  static Scheduler local(int carriers) {
    return new Local(carriers);
  }

  /** The JDK's default virtual-thread scheduler. */
  static Scheduler jdk() {
    return new Jdk();
  }

  /**
   * The scheduler that the system property {@value #PROPERTY} names: {@link #local()} if it is not
   * set.
   *
   * @throws IllegalArgumentException if it is set to something else than {@code local} or {@code jdk}
   */
  static Scheduler fromSystemProperty() {
    String value = System.getProperty(PROPERTY);
    if (value == null || value.isBlank() || value.strip().equals("local")) {
      return local();
    }
    if (value.strip().equals("jdk")) {
      return jdk();
    }
    throw new IllegalArgumentException("the system property " + PROPERTY + " must be \"local\" or \"jdk\", got \""
        + value + "\"");
  }

  /**
   * otp4j's scheduler with locality, on {@code carriers} carrier threads of the node's own.
   *
   * @param carriers how many carrier threads run the node's processes (1 to
   *     {@value #MAX_CARRIERS}); a carrier blocked in native code for a while is stood in for by a
   *     spare one, as the JDK's scheduler does
   */
  record Local(int carriers) implements Scheduler {
    /** The largest number of carrier threads (spares included). */
    public static final int MAX_CARRIERS = 256;

    public Local {
      if (carriers < 1 || carriers > MAX_CARRIERS) {
        throw new IllegalArgumentException("a local scheduler needs 1 to " + MAX_CARRIERS
            + " carrier threads, got " + carriers);
      }
    }
  }

  /** The JDK's default virtual-thread scheduler. */
  record Jdk() implements Scheduler {
    @Override
    public int carriers() {
      return Integer.getInteger("jdk.virtualThreadScheduler.parallelism", Runtime.getRuntime().availableProcessors());
    }
  }
}
