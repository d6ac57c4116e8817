package org.otp4j.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.otp4j.core.internal.Distribution;
import org.otp4j.core.internal.NodeRuntime;
import org.otp4j.core.internal.ProcessImpl;

/**
 * A node: one runtime of processes, with its own process table, name registry, timers and
 * watchdog. Erlang runs one node per VM; here a JVM can hold several (tests use that for
 * isolation), and a {@link #defaultNode() default node} serves the simple case.
 *
 * <!-- snippet: org.otp4j.core.JavadocExamplesTest#node -->
 * {@snippet :
 * try (Node node = Node.start()) {
 *   Pid p = node.spawn(() -> System.out.println("hello from " + Proc.self()));
 *   Proc.awaitExit(p, Duration.ofSeconds(5));
 * }
 * }
 *
 * <p>Which node a call acts on: inside a process, always the process's own node; on a plain thread,
 * the node bound by {@link #run(Runnable)} if any, else the default node.
 */
public final class Node implements AutoCloseable {
  private static final ScopedValue<Node> BOUND = ScopedValue.newInstance();
  private static final Object DEFAULT_LOCK = new Object();
  private static volatile Node defaultNode;

  private final NodeRuntime runtime;

  private Node(NodeConfig config, boolean isDefault) {
    this.runtime = new NodeRuntime(this, config, isDefault, config.clock().map(ManualClock::engine).orElse(null));
    if (config.transport().isPresent()) {
      try {
        runtime.distribution().open(config.transport().get());
      } catch (RuntimeException | Error e) {
        runtime.stop();
        throw e;
      }
    }
  }

  /** Starts a new node with default settings. */
  public static Node start() {
    return start(NodeConfig.defaults());
  }

  /** Starts a new node. */
  public static Node start(NodeConfig config) {
    return new Node(Objects.requireNonNull(config, "config"), false);
  }

  /**
   * Starts a new node named {@code name} (for a distributed node, its cluster-wide name, as Erlang's
   * {@code billing@host}); the other settings come from {@code config}.
   *
   * <!-- snippet: org.otp4j.core.DistributionTest#start -->
   * {@snippet :
   * Node billing = Node.start(name, NodeConfig.defaults().withTransport(cluster));
   * }
   */
  public static Node start(String name, NodeConfig config) {
    return start(Objects.requireNonNull(config, "config").withName(Objects.requireNonNull(name, "name")));
  }

  /** The JVM's default node, started on first use. */
  public static Node defaultNode() {
    Node n = defaultNode;
    if (n == null) {
      synchronized (DEFAULT_LOCK) {
        n = defaultNode;
        if (n == null) {
          n = new Node(NodeConfig.defaults().withName("default"), true);
          defaultNode = n;
        }
      }
    }
    return n;
  }

  /**
   * The node the current thread acts on: the current process's node; on a plain thread the node
   * bound with {@link #run(Runnable)}, else the default node.
   */
  public static Node current() {
    ProcessImpl self = ProcessImpl.current();
    if (self != null) {
      return of(self.runtime());
    }
    return BOUND.isBound() ? BOUND.get() : defaultNode();
  }

  /**
   * Runs {@code action} on the current (plain) thread with this node as {@link #current()}: every
   * plain-thread operation inside it (send, call, spawn, a behaviour's start or call, an
   * application's start) acts on this node. Inside a process the process's own node is always the
   * current one, so this changes nothing there.
   */
  public void run(Runnable action) {
    ScopedValue.where(BOUND, this).run(Objects.requireNonNull(action, "action"));
  }

  /**
   * Like {@link #run(Runnable)}, returning what {@code action} returns (and throwing what it throws):
   * the explicit way for an embedder with several nodes to act on one of them.
   *
   * <!-- snippet: org.otp4j.core.TypedProtocolTest#call -->
   * {@snippet :
   * Pid worker = node.call(() -> Proc.spawn(Proc::receive));   // spawned on `node`
   * List<String> names = node.call(Proc::registered);          // the names registered on `node`
   * }
   */
  public <R, X extends Throwable> R call(ScopedValue.CallableOp<? extends R, X> action) throws X {
    return ScopedValue.where(BOUND, this).call(Objects.requireNonNull(action, "action"));
  }

  NodeRuntime runtime() {
    return runtime;
  }

  /** The node whose engine is {@code runtime}. */
  static Node of(NodeRuntime runtime) {
    return (Node) runtime.face();
  }

  /** The settings this node was started with. */
  public NodeConfig config() {
    return runtime.config();
  }

  /** The name given in the node's {@link NodeConfig}. */
  public String name() {
    return runtime.name();
  }

  /**
   * The scheduler this node's processes run on: the one its {@link NodeConfig} names, or
   * {@link Scheduler#jdk()} where the JVM does not allow {@link Scheduler#local()} (see
   * {@link Scheduler} for the flag it needs).
   */
  public Scheduler scheduler() {
    return runtime.scheduler();
  }

  /**
   * This node's creation: its incarnation, different on every start, so that pids of an earlier run
   * of a node under the same name are recognised as dead (Erlang's creation).
   */
  public int creation() {
    return runtime.creation();
  }

  /** Whether this node was started with a transport (Erlang's {@code is_alive()}). */
  public boolean isDistributed() {
    return runtime.distribution().isDistributed();
  }

  /** The names of the nodes this node is connected to now (Erlang's {@code nodes()}), sorted. */
  public List<String> connectedNodes() {
    return runtime.distribution().nodes();
  }

  /** The nodes connected to the {@link #current() current node} (Erlang's {@code nodes()}). */
  public static List<String> list() {
    return current().connectedNodes();
  }

  /** This node's index in the JVM: the first number of its pids (0 for the default node). */
  public int index() {
    return runtime.index();
  }

  // ---------------------------------------------------------------------------------------

  /** Starts a process on this node; see {@link Proc#spawn(Proc.Body)}. */
  public Pid spawn(Proc.Body body) {
    return spawn(SpawnOptions.defaults(), body);
  }

  /** Starts a process on this node with options. */
  public Pid spawn(SpawnOptions options, Proc.Body body) {
    Objects.requireNonNull(body, "a process needs a body to run: spawn(() -> ...)");
    Objects.requireNonNull(options, "options");
    ProcessImpl self = ProcessImpl.current();
    ProcessImpl parent = self != null && self.runtime() == runtime ? self : null;
    return runtime.spawn(body, options, parent, false).pid();
  }

  /**
   * Opens an inbox on this node: a mailbox and pid for the current plain thread. See {@link Inbox}.
   */
  public Inbox openInbox() {
    return new Inbox(runtime.openInbox());
  }

  /** The process registered locally under {@code name} on this node, if any. */
  public Optional<Pid> whereis(String name) {
    ProcessImpl p = runtime.whereis(Name.local(name).name());
    return p == null ? Optional.empty() : Optional.of(p.pid());
  }

  /** The locally registered names. */
  public List<String> registered() {
    return runtime.registered();
  }

  /** A snapshot of every live process of this node (Erlang's {@code processes()} with their info). */
  public List<ProcessInfo> processes() {
    List<ProcessInfo> out = new ArrayList<>();
    for (ProcessImpl p : runtime.processes()) {
      ProcessInfo.of(p).ifPresent(out::add);
    }
    out.sort((a, b) -> a.pid().compareTo(b.pid()));
    return out;
  }

  /**
   * The node's load now, from one walk of the process table: it costs what {@link #processes()}
   * costs.
   */
  public Load load() {
    int running = 0;
    int waiting = 0;
    int blocked = 0;
    long queued = 0;
    int longest = 0;
    for (ProcessInfo p : processes()) {
      int length = p.mailboxLength();
      queued += length;
      longest = Math.max(longest, length);
      switch (p.status()) {
        case RUNNING -> running++;
        case WAITING -> waiting++;
        case BLOCKED -> blocked++;
        default -> { } // exiting: on its way out
      }
    }
    return new Load(running, waiting, blocked, queued, longest);
  }

  /**
   * A node's load at one moment.
   *
   * @param running processes running or ready to run (the run queue, with those on a carrier)
   * @param waiting processes waiting in the runtime (receive, call)
   * @param blocked processes blocked outside the runtime (I/O, locks)
   * @param queued messages waiting in all mailboxes
   * @param longestMailbox the length of the longest mailbox
   */
  public record Load(int running, int waiting, int blocked, long queued, int longestMailbox) {}

  /** How many processes are alive now. */
  public int processCount() {
    return runtime.processCount();
  }

  /**
   * How many messages this node's processes (and inboxes) have taken from their mailboxes since it
   * started, ended processes included: sampled twice, it gives the node's messages a second. It walks
   * the process table, so it costs a read per live process; a process taking messages meanwhile may
   * or may not be counted yet. It never goes back from one reading to the next.
   */
  public long messagesReceived() {
    return runtime.receivedCount();
  }

  /**
   * Counters since the node started. Each is a plain read of a counter the runtime keeps anyway (no
   * walk of the process table), cheap enough to poll from a metrics scraper.
   */
  public Stats stats() {
    return new Stats(runtime.spawnedCount(), runtime.processCount(), runtime.crashCount(), runtime.runawayCount(),
        runtime.abnormalExitCount());
  }

  /**
   * Node counters.
   *
   * @param spawned processes started since the node started
   * @param alive processes alive now
   * @param crashed processes that ended with an uncaught exception (a behaviour that fails exits with
   *     its reason after its own report, and is counted in {@code exitedAbnormally} only)
   * @param runaways processes reported for holding a carrier thread too long
   * @param exitedAbnormally processes that ended with any reason other than {@code normal},
   *     {@code shutdown} or {@code {shutdown, Detail}}: crashes, behaviours that stopped with an error,
   *     processes killed ({@code killed}, those of a stopping node included) or brought down by a
   *     link. Inboxes are not counted.
   */
  public record Stats(long spawned, int alive, long crashed, long runaways, long exitedAbnormally) {}

  /**
   * Distribution counters since the node started: all zero for a node without a transport. Plain
   * reads, cheap enough to poll from a metrics scraper.
   */
  public DistributionStats distributionStats() {
    Distribution d = runtime.distribution();
    return new DistributionStats(d.nodes().size(), d.signalsSent(), d.signalsReceived(), d.droppedSignals());
  }

  /**
   * Distribution counters.
   *
   * @param connectedNodes the nodes connected now (Erlang's {@code length(nodes())})
   * @param signalsSent signals handed to the transport for other nodes: messages (by pid or by
   *     name), links, unlinks, monitors, exits, DOWNs, call replies
   * @param signalsReceived signals from connected nodes that this node applied
   * @param signalsDropped signals that arrived from a node that was not connected (its down reported
   *     already), and were dropped
   */
  public record DistributionStats(int connectedNodes, long signalsSent, long signalsReceived, long signalsDropped) {}

  /**
   * Adds an action that {@link #stop()} runs before it kills the processes, for an orderly shutdown
   * (the application controller stops the running applications here). Hooks run on the stopping
   * thread, most recently added first; a hook that throws is logged and the stop carries on.
   */
  public void addStopHook(Runnable hook) {
    runtime.addStopHook(java.util.Objects.requireNonNull(hook, "hook"));
  }

  /** Whether {@link #stop()} has been called (or the node stopped on a fatal error). */
  public boolean isStopped() {
    return runtime.isStopping();
  }

  /**
   * Stops the node: the stop hooks run first (running applications are stopped in reverse start
   * order), then every process left is killed (reason {@code killed}), timers and the watchdog stop,
   * and no process can be started any more. Returns without waiting for the process threads; see
   * {@link #awaitTermination(Duration)}.
   */
  public void stop() {
    runtime.stop();
  }

  /** Waits until the threads of all the node's processes have ended; false if some still run. */
  public boolean awaitTermination(Duration timeout) {
    try {
      return runtime.awaitTermination(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Stops the node and waits up to 5 seconds for its threads to end. */
  @Override
  public void close() {
    stop();
    awaitTermination(Duration.ofSeconds(5));
  }

  @Override
  public String toString() {
    return "Node[" + runtime + "]";
  }
}
