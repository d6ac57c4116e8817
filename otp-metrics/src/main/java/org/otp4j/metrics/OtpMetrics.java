package org.otp4j.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.ToDoubleFunction;
import org.otp4j.behaviours.Supervisor;
import org.otp4j.core.Node;
import org.otp4j.core.Scheduler;

/**
 * A node's figures as Micrometer meters, what Erlang users read from {@code erlang:statistics/1},
 * {@code erlang:system_info/1} and the supervisors' reports: bind it to a registry once per node.
 *
 * <!-- snippet: org.otp4j.metrics.OtpMetricsTest#bind -->
 * {@snippet :
 * MeterRegistry registry = new SimpleMeterRegistry();
 * OtpMetrics.of(node).bindTo(registry);
 * double alive = registry.get("otp.processes").gauge().value();
 * }
 *
 * <h2>The meters</h2>
 * Every meter carries the tag {@code node} (the node's name) and the tags given to
 * {@link #of(Node, Iterable)}. They are counts, so they have no base unit: a Prometheus registry
 * names them as the observer's {@code /metrics} does ({@code otp_processes},
 * {@code otp_processes_spawned_total}...), so dashboards work with either.
 * <ul>
 *   <li>Gauges: {@value #PROCESSES} (processes alive), {@value #RUNNING} (processes on a carrier or
 *       ready for one: the run queue, with those running), {@value #CARRIERS} (the carrier threads of
 *       the node's scheduler, tag {@code scheduler} = {@code local} or {@code jdk}),
 *       {@value #MAILBOX_MAX} (the longest mailbox now: which process holds it is not a tag, so that
 *       the number of series stays bounded; the observer's process table sorted by mailbox names it)
 *       and {@value #MAILBOX_QUEUED} (messages waiting in all mailboxes).</li>
 *   <li>Counters, each read from a counter the node keeps anyway: {@value #MESSAGES} (messages taken
 *       from mailboxes), {@value #SPAWNED}, {@value #CRASHED} (ended by an uncaught exception),
 *       {@value #EXITED_ABNORMALLY} (ended with any reason but {@code normal} or {@code shutdown}:
 *       crashes, failed behaviours, kills, link cascades), {@value #RUNAWAYS} (reported for holding a
 *       carrier too long), and {@value #RESTARTS}, children restarted by supervisors, tag
 *       {@code supervisor} = the supervisor's registered name, or {@link Supervisor#UNNAMED} for all
 *       unnamed ones together (see {@link Supervisor#restartCounts(Node)}).</li>
 *   <li>Distribution, zero on a node without a transport ({@link Node#distributionStats()}): the
 *       gauge {@value #DIST_NODES} (nodes connected) and the counters {@value #DIST_SENT} (signals
 *       handed to the transport for other nodes: messages, links, monitors, exits, replies),
 *       {@value #DIST_RECEIVED} (signals from connected nodes applied) and {@value #DIST_DROPPED}
 *       (signals from a node no longer connected, dropped).</li>
 * </ul>
 * The gauges that look at every process ({@value #RUNNING}, {@value #MAILBOX_MAX},
 * {@value #MAILBOX_QUEUED}) share one walk of the process table, taken at most every
 * {@value #TABLE_WALK_MILLIS} ms, so a scrape of all three costs one walk. A supervisor name seen for
 * the first time gets its counter when {@value #PROCESSES} is next read: it shows from the scrape after
 * its first restart on.
 *
 * <p>The JVM's own figures (heap, garbage collection, threads) come from Micrometer's JVM binders,
 * which this one does not repeat. Call latency is not measured unless asked for, server by server:
 * see {@link #callLatency(MeterRegistry, String)}.
 */
public final class OtpMetrics implements MeterBinder {
  /** Gauge: processes alive. */
  public static final String PROCESSES = "otp.processes";
  /** Gauge: processes running or ready to run. */
  public static final String RUNNING = "otp.processes.running";
  /** Gauge: the scheduler's carrier threads. */
  public static final String CARRIERS = "otp.scheduler.carriers";
  /** Gauge: the longest mailbox now. */
  public static final String MAILBOX_MAX = "otp.mailbox.max";
  /** Gauge: messages waiting in all mailboxes. */
  public static final String MAILBOX_QUEUED = "otp.mailbox.queued";
  /** Counter: messages taken from mailboxes. */
  public static final String MESSAGES = "otp.messages.received";
  /** Counter: processes spawned. */
  public static final String SPAWNED = "otp.processes.spawned";
  /** Counter: processes ended by an uncaught exception. */
  public static final String CRASHED = "otp.processes.crashed";
  /** Counter: processes ended with a reason other than normal or shutdown. */
  public static final String EXITED_ABNORMALLY = "otp.processes.exited.abnormally";
  /** Counter: processes reported for holding a carrier too long. */
  public static final String RUNAWAYS = "otp.processes.runaways";
  /** Counter: children restarted, by supervisor. */
  public static final String RESTARTS = "otp.supervisor.restarts";
  /** Gauge: the nodes connected to this one. */
  public static final String DIST_NODES = "otp.dist.nodes";
  /** Counter: signals sent to other nodes. */
  public static final String DIST_SENT = "otp.dist.signals.sent";
  /** Counter: signals from other nodes applied. */
  public static final String DIST_RECEIVED = "otp.dist.signals.received";
  /** Counter: signals from a node no longer connected, dropped. */
  public static final String DIST_DROPPED = "otp.dist.signals.dropped";

  /** How old a walk of the process table may be before a gauge reading walks it again. */
  static final long TABLE_WALK_MILLIS = 100;

  private final Node node;
  private final Tags tags;
  private final ReentrantLock lock = new ReentrantLock();
  private final Set<String> supervisorsBound = ConcurrentHashMap.newKeySet();
  private final Map<MeterRegistry, Boolean> registries = new ConcurrentHashMap<>();
  private long walkedAt;
  private Node.Load load;

  private OtpMetrics(Node node, Tags tags) {
    this.node = node;
    this.tags = tags;
  }

  /** The meters of {@code node}, tagged with its name. */
  public static OtpMetrics of(Node node) {
    return of(node, List.of());
  }

  /**
   * The meters of {@code node}, tagged with its name and {@code extraTags} (the application, the host).
   *
   * @throws NullPointerException if {@code node} or {@code extraTags} is null
   * @throws IllegalArgumentException if {@code extraTags} has a tag named {@code node}, which this
   *     binder sets itself
   */
  public static OtpMetrics of(Node node, Iterable<Tag> extraTags) {
    Objects.requireNonNull(node, "node");
    Tags extra = Tags.of(Objects.requireNonNull(extraTags, "extraTags"));
    if (extra.stream().anyMatch(t -> t.getKey().equals("node"))) {
      throw new IllegalArgumentException("extraTags must not hold a \"node\" tag: OtpMetrics tags every meter with"
          + " the node's name itself; got " + extra);
    }
    return new OtpMetrics(node, extra.and("node", node.name()));
  }

  /**
   * Times the calls to server {@code serverName} that go through the returned {@link CallLatency}, in
   * a timer named {@value CallLatency#NAME} with a percentile histogram. Nothing else is timed: a
   * call that does not go through it costs what it cost before, and a server nobody asked about has
   * no meter.
   *
   * <!-- snippet: org.otp4j.metrics.CallLatencyTest#latency -->
   * {@snippet :
   * CallLatency latency = OtpMetrics.callLatency(registry, "counter");
   * int n = latency.call(counter, new Counter.Bump(2));     // a GenServer call, timed
   * int m = latency.time(() -> Counter.bump(counter, 3));   // or any client function
   * }
   *
   * @param registry where the timer goes
   * @param serverName the tag {@code server}: a registered name or a role, never a pid, so that the
   *     series stay few
   * @throws NullPointerException if {@code registry} or {@code serverName} is null
   * @throws IllegalArgumentException if {@code serverName} is blank
   */
  public static CallLatency callLatency(MeterRegistry registry, String serverName) {
    return CallLatency.create(registry, serverName);
  }

  /** Registers the meters described above with {@code registry}. */
  @Override
  public void bindTo(MeterRegistry registry) {
    Objects.requireNonNull(registry, "registry");
    registries.put(registry, Boolean.TRUE);
    gauge(registry, PROCESSES, "processes alive", OtpMetrics::processCount);
    gauge(registry, RUNNING, "processes running or ready to run", m -> m.table().running());
    gauge(registry, MAILBOX_MAX, "the longest mailbox now", m -> m.table().longestMailbox());
    gauge(registry, MAILBOX_QUEUED, "messages waiting in all mailboxes", m -> m.table().queued());
    Scheduler scheduler = node.scheduler();
    Gauge.builder(CARRIERS, this, m -> scheduler.carriers())
        .description("carrier threads of the node's scheduler")
        .tags(tags).tag("scheduler", scheduler instanceof Scheduler.Local ? "local" : "jdk")
        .strongReference(true)
        .register(registry);
    counter(registry, MESSAGES, "messages taken from mailboxes", m -> m.node.messagesReceived());
    counter(registry, SPAWNED, "processes spawned", m -> m.node.stats().spawned());
    counter(registry, CRASHED, "processes ended by an uncaught exception", m -> m.node.stats().crashed());
    counter(registry, EXITED_ABNORMALLY, "processes ended with a reason other than normal or shutdown",
        m -> m.node.stats().exitedAbnormally());
    counter(registry, RUNAWAYS, "processes reported for holding a carrier thread too long",
        m -> m.node.stats().runaways());
    bindSupervisor(registry, Supervisor.UNNAMED);
    Supervisor.restartCounts(node).keySet().forEach(name -> bindSupervisor(registry, name));
    gauge(registry, DIST_NODES, "nodes connected to this one", m -> m.node.distributionStats().connectedNodes());
    counter(registry, DIST_SENT, "signals sent to other nodes", m -> m.node.distributionStats().signalsSent());
    counter(registry, DIST_RECEIVED, "signals from other nodes applied",
        m -> m.node.distributionStats().signalsReceived());
    counter(registry, DIST_DROPPED, "signals from a node no longer connected, dropped",
        m -> m.node.distributionStats().signalsDropped());
  }

  private void gauge(MeterRegistry registry, String name, String description, ToDoubleFunction<OtpMetrics> value) {
    Gauge.builder(name, this, value).description(description).tags(tags)
        // the registry holds its gauges weakly by default: a binder nobody else keeps must still answer
        .strongReference(true).register(registry);
  }

  private void counter(MeterRegistry registry, String name, String description, ToDoubleFunction<OtpMetrics> value) {
    // NOTE: a function counter holds its object weakly and has no choice; the gauges above hold this
    // binder strongly, and the registry holds them, so the counters' object lives as long as they do.
    FunctionCounter.builder(name, this, value).description(description).tags(tags).register(registry);
  }

  private void bindSupervisor(MeterRegistry registry, String supervisor) {
    FunctionCounter.builder(RESTARTS, this, m -> Supervisor.restartCounts(m.node).getOrDefault(supervisor, 0L))
        .description("children restarted by supervisors")
        .tags(tags).tag("supervisor", supervisor).register(registry);
    supervisorsBound.add(supervisor);
  }

  /** The node's load from a recent walk of the process table, walking it again if the last is too old. */
  private Node.Load table() {
    long now = System.nanoTime();
    lock.lock();
    try {
      if (load == null || now - walkedAt > TABLE_WALK_MILLIS * 1_000_000L) {
        load = node.load();
        walkedAt = now;
      }
      return load;
    } finally {
      lock.unlock();
    }
  }

  /**
   * The processes alive; on the way, binds a restart counter for each supervisor name that has
   * restarted a child since the last look (a copy of a map as small as the node's named supervisors).
   */
  private double processCount() {
    bindNewSupervisors();
    return node.processCount();
  }

  /** Binds a restart counter for each supervisor name that has restarted a child since the last look. */
  private void bindNewSupervisors() {
    for (String name : Supervisor.restartCounts(node).keySet()) {
      if (!supervisorsBound.contains(name)) {
        registries.keySet().forEach(r -> bindSupervisor(r, name));
      }
    }
  }
}
