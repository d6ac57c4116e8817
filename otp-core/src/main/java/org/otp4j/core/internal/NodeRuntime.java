package org.otp4j.core.internal;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.otp4j.core.ExitReason;
import org.otp4j.core.NodeConfig;
import org.otp4j.core.NodeStoppedException;
import org.otp4j.core.Proc;
import org.otp4j.core.SpawnOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything a node owns: the process table, the local name registry, the timer scheduler, the
 * watchdog, and the counters behind introspection.
 */
public final class NodeRuntime {
  private static final AtomicInteger NEXT_INDEX = new AtomicInteger(1);

  /** The public face of this node (an {@code org.otp4j.core.Node}), opaque to the engine. */
  private final Object face;
  private final int index;
  private final String pidPrefix;
  private final NodeConfig config;
  private final java.util.function.Consumer<org.otp4j.core.NodeReport> reportHandler;
  private final Logger log = LoggerFactory.getLogger("org.otp4j.core.Node");
  private final AtomicLong serials = new AtomicLong();
  private final ProcessTable table;
  /** This run's creation (incarnation), as in Erlang's pids: never 0, different on each start. */
  private final int creation;
  private final Distribution distribution;
  private final Names names = new Names();
  private final ProcessImpl root;
  private final ScheduledThreadPoolExecutor timers;
  private final Watchdog watchdog;
  /** The node's own scheduler, or null where its processes run on the JDK's. */
  private final LocalScheduler scheduler;
  /** Largest spin before a wait parks (see Spin): none where a woken process queues behind its waker. */
  private final int spinMax;
  private final Set<ProcessImpl> zombies = ConcurrentHashMap.newKeySet();
  private final AtomicInteger runningThreads = new AtomicInteger();
  private final AtomicLong spawned = new AtomicLong();
  private final AtomicLong crashes = new AtomicLong();
  private final LongAdder receivedByEnded = new LongAdder();
  private final LongAdder abnormalExits = new LongAdder();
  private final AtomicLong receivedHighWater = new AtomicLong();
  private final ReentrantLock stopLock = new ReentrantLock();
  private final Condition allThreadsEnded = stopLock.newCondition();
  private volatile boolean stopping;
  private boolean hooksRunning; // guarded by stopHooks
  private volatile Throwable fatalError;
  private final java.util.concurrent.CopyOnWriteArrayList<Runnable> stopHooks =
      new java.util.concurrent.CopyOnWriteArrayList<>();
  /** Node-local values, by their key (an {@code org.otp4j.core.NodeLocal}). */
  private final ConcurrentHashMap<Object, Object> locals = new ConcurrentHashMap<>();

  /** The manual clock's engine when the node runs on one, else null (real time). */
  private final VirtualClock virtualClock;

  public NodeRuntime(Object face, NodeConfig config, boolean isDefault, VirtualClock virtualClock) {
    this.virtualClock = virtualClock;
    this.face = face;
    this.config = config;
    this.reportHandler = config.reportHandler().orElse(null);
    this.index = isDefault ? 0 : NEXT_INDEX.getAndIncrement();
    this.pidPrefix = "<" + index + ".";
    this.table = new ProcessTable(config.transport().isPresent());
    this.creation = newCreation();
    this.distribution = new Distribution(this);
    this.watchdog = new Watchdog(this, config.runawayThreshold());
    this.scheduler = config.scheduler() instanceof org.otp4j.core.Scheduler.Local local && localSchedulerAllowed()
        ? new LocalScheduler(Integer.toString(index), local.carriers(), log) : null;
    this.spinMax = scheduler != null ? 0 : Spin.MAX;
    this.root = new ProcessImpl(this, serials.getAndIncrement(), null, null, true, ProcessImpl.ROOT);
    this.timers = new ScheduledThreadPoolExecutor(1, task ->
        ProcessThreads.newServiceThread("otp-timers-" + index, task));
    this.timers.setRemoveOnCancelPolicy(true);
    ProcessThreads.newServiceThread("otp-watchdog-" + index, watchdog).start();
  }

  private static final java.util.concurrent.atomic.AtomicBoolean FALLBACK_LOGGED =
      new java.util.concurrent.atomic.AtomicBoolean();

  /**
   * Whether the JVM lets a node run its own scheduler; if not, the first node to ask says so, once,
   * with the flag that would allow it.
   */
  private boolean localSchedulerAllowed() {
    String reason = VirtualThreads.unavailableReason();
    if (reason == null) {
      return true;
    }
    if (FALLBACK_LOGGED.compareAndSet(false, true)) {
      log.atInfo()
          .addKeyValue("reason", reason)
          .log("otp4j runs processes on the JDK's virtual-thread scheduler, not on its own: {}. Start the "
              + "JVM with {} to let nodes schedule a woken process on its waker's carrier (see "
              + "org.otp4j.core.Scheduler), or choose the JDK's with -D{}=jdk to silence this line.",
              reason, VirtualThreads.openFlag(), org.otp4j.core.Scheduler.PROPERTY);
    }
    return false;
  }

  /** The scheduler the node's processes run on: the configured one, or the JDK's in its stead. */
  public org.otp4j.core.Scheduler scheduler() {
    return scheduler != null ? config.scheduler() : org.otp4j.core.Scheduler.jdk();
  }

  int spinMax() {
    return spinMax;
  }

  private static int newCreation() {
    int c;
    do {
      c = java.util.concurrent.ThreadLocalRandom.current().nextInt() ^ (int) System.nanoTime();
    } while (c == 0);
    return c;
  }

  /** This node's creation (incarnation). */
  public int creation() {
    return creation;
  }

  /** This node's distribution (connected nodes, remote processes). */
  public Distribution distribution() {
    return distribution;
  }

  /** The public face of this node, for {@code Node} to cast back. */
  public Object face() {
    return face;
  }

  /** The node as it prints, for messages. */
  public String description() {
    return "Node[" + this + "]";
  }

  public int index() {
    return index;
  }

  /** {@code "<N."}, the start of every pid of this node as printed. */
  String pidPrefix() {
    return pidPrefix;
  }

  public String name() {
    return config.name();
  }

  /**
   * The time of the current process's node in nanoseconds ({@link #nanoTime()}), or
   * {@link System#nanoTime()} on a plain thread: what a behaviour measures its timeouts with.
   */
  public static long currentNanoTime() {
    ProcessImpl self = ProcessImpl.current();
    return self == null ? System.nanoTime() : self.runtime().nanoTime();
  }

  /** The manual clock's engine, or null when the node runs in real time. */
  public VirtualClock virtualClock() {
    return virtualClock;
  }

  /**
   * The node's time in nanoseconds, to measure its processes' timeouts: {@link System#nanoTime()}, or
   * the manual clock's time.
   */
  public long nanoTime() {
    VirtualClock c = virtualClock;
    return c == null ? System.nanoTime() : c.nanoTime();
  }

  /** Where the node's reports go instead of the logger, or null to log them. */
  java.util.function.Consumer<org.otp4j.core.NodeReport> reportHandler() {
    return reportHandler;
  }

  public NodeConfig config() {
    return config;
  }

  Logger log() {
    return log;
  }

  ProcessTable table() {
    return table;
  }

  Names names() {
    return names;
  }

  /** The pseudo-process that stands for plain Java threads as the sender of signals. */
  public ProcessImpl root() {
    return root;
  }

  public ScheduledThreadPoolExecutor timers() {
    return timers;
  }

  int epoch() {
    return watchdog.epoch;
  }

  public boolean isStopping() {
    return stopping;
  }

  public Throwable fatalError() {
    return fatalError;
  }

  // ---------------------------------------------------------------------------------------
  // spawning

  /**
   * Starts a process. {@code parent} is the spawning process (null for a plain thread); with
   * {@code link} the child is linked to it before it runs, so the link cannot miss an early exit.
   */
  public ProcessImpl spawn(Proc.Body body, SpawnOptions options, ProcessImpl parent, boolean link) {
    return start(body, options, parent, link, false).process();
  }

  /** Starts a process monitored by {@code parent}, atomically. */
  public Spawned spawnMonitor(Proc.Body body, SpawnOptions options, ProcessImpl parent) {
    return start(body, options, parent, false, true);
  }

  /** A started process and, for spawnMonitor, its monitor. */
  public record Spawned(ProcessImpl process, org.otp4j.core.Ref monitor) {}

  private Spawned start(Proc.Body body, SpawnOptions options, ProcessImpl parent, boolean link,
      boolean monitor) {
    if (parent != null) {
      parent.checkAlive(); // a terminated process learns that first, whatever the node's state
    }
    if (stopping) {
      throw new NodeStoppedException(description());
    }
    MailboxLimit limit = options.mailboxCapacity() > 0
        ? new MailboxLimit(options.mailboxCapacity(), options.overflow()) : null;
    ProcessImpl child = new ProcessImpl(this, serials.getAndIncrement(), body, limit, options.trapExits(),
        ProcessImpl.PROCESS);
    org.otp4j.core.Ref ref = null;
    if (parent != null) {
      parent.enterOp();
    }
    try {
      table.add(child);
      if (link) {
        parent.linkUnstarted(child);
      }
      if (monitor) {
        ref = parent.monitorUnstarted(child);
      }
    } finally {
      if (parent != null) {
        parent.exitOp();
      }
    }
    if (stopping) {
      // Raced with stop(): it may have swept the table before this process was added.
      if (child.exitSignal(null, ExitReason.KILL)) {
        ProcessImpl.terminateChain(child);
      }
      throw new NodeStoppedException(description());
    }
    Thread t = ProcessThreads.newProcessThread(child, scheduler);
    child.attachThread(t);
    runningThreads.incrementAndGet();
    spawned.incrementAndGet();
    FlightEvents.spawned(child, parent);
    try {
      t.start();
    } catch (Throwable e) {
      runningThreads.decrementAndGet();
      child.exitSelf(ExitReason.crash(e));
      throw e;
    }
    return new Spawned(child, ref);
  }

  /** An inbox: a process without a thread of its own, driven by the plain thread that owns it. */
  public ProcessImpl openInbox() {
    if (stopping) {
      throw new NodeStoppedException(description());
    }
    ProcessImpl inbox = new ProcessImpl(this, serials.getAndIncrement(), null, null, false, ProcessImpl.INBOX);
    table.add(inbox);
    return inbox;
  }

  // ---------------------------------------------------------------------------------------
  // lifecycle events

  void countCrash() {
    crashes.incrementAndGet();
  }

  /** Logs the crash of a process, after {@link #countCrash} and its exit. */
  void processCrashed(ProcessImpl p, Throwable error) {
    ReportLog.at(this, log, org.slf4j.event.Level.ERROR)
        .setCause(error)
        .addKeyValue("label", "process_crash")
        .addKeyValue("pid", p.displayName())
        .addKeyValue("reason", error.toString())
        .log("Error in process {} with exit value: {}", p.displayName(), error);
  }

  void processExited(ProcessImpl p, ExitReason reason) {
    FlightEvents.exited(p, reason);
  }

  /** Counts the exit of a process (not an inbox) that ends with a reason other than normal or shutdown. */
  void countAbnormalExit() {
    abnormalExits.increment();
  }

  void zombieStarted(ProcessImpl p) {
    p.runEpoch = epoch(); // from now on its thread should unwind: the watchdog measures from the kill
    zombies.add(p);
  }

  /** The thread of {@code p} has ended. */
  void zombieFinished(ProcessImpl p) {
    zombies.remove(p);
    if (p.thread() != null && runningThreads.decrementAndGet() == 0 && stopping) {
      allThreadsEnded();
    }
  }

  /** The node has stopped and the last process thread has ended (may be called twice). */
  private void allThreadsEnded() {
    if (scheduler != null) {
      scheduler.terminate(); // the carriers end once they finish their current task
    }
    stopLock.lock();
    try {
      allThreadsEnded.signalAll();
    } finally {
      stopLock.unlock();
    }
  }

  Set<ProcessImpl> zombies() {
    return zombies;
  }

  /**
   * A process hit a VM error that the JVM does not confine to one thread: report it loudly and stop
   * the whole node rather than limp on.
   */
  void fatalError(ProcessImpl p, Throwable error) {
    if (fatalError != null) {
      return;
    }
    fatalError = error;
    ReportLog.at(this, log, org.slf4j.event.Level.ERROR)
        .setCause(error)
        .addKeyValue("pid", p.displayName())
        .log("VM error in process {}: {}. The JVM cannot confine it to one process; node '{}' is stopping.",
            p.displayName(), error, config.name());
    ProcessThreads.newServiceThread("otp-fatal-" + index, () -> {
      stop();
      try {
        config.onFatalError().accept(error);
      } catch (RuntimeException e) {
        log.error("the node's onFatalError handler failed", e);
      }
    }).start();
  }

  // ---------------------------------------------------------------------------------------
  // stopping

  /** Adds a hook that {@link #stop()} runs first, before it kills the processes (last added runs first). */
  public void addStopHook(Runnable hook) {
    stopHooks.addFirst(hook);
  }

  /**
   * Runs the stop hooks (an orderly shutdown, applications first), then kills every process, and
   * stops the timers and the watchdog. Idempotent.
   */
  public void stop() {
    synchronized (stopHooks) {
      if (stopping || hooksRunning) {
        return;
      }
      hooksRunning = true;
    }
    for (Runnable hook : stopHooks) {
      try {
        hook.run();
      } catch (RuntimeException | Error e) {
        log.error("a stop hook of node {} failed", this, e);
      }
    }
    stopping = true;
    distribution.close(); // the other nodes see this one go down: noconnection, as when a node halts
    for (int round = 0; round < 1000; round++) {
      List<ProcessImpl> live = table.snapshot();
      if (live.isEmpty()) {
        break;
      }
      for (ProcessImpl p : live) {
        if (p.exitSignal(null, ExitReason.KILL)) {
          ProcessImpl.terminateChain(p);
        }
      }
    }
    timers.shutdownNow();
    watchdog.stop();
    if (runningThreads.get() == 0) {
      allThreadsEnded();
    }
  }

  /**
   * Waits until every process thread has ended (after {@link #stop()}), and then the node's carrier
   * threads; false on timeout.
   */
  public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
    long nanos = unit.toNanos(timeout);
    long deadline = System.nanoTime() + nanos;
    stopLock.lock();
    try {
      while (runningThreads.get() > 0) {
        if (nanos <= 0) {
          return false;
        }
        nanos = allThreadsEnded.awaitNanos(nanos);
      }
    } finally {
      stopLock.unlock();
    }
    return scheduler == null || scheduler.awaitTermination(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
  }

  /** This node's value for {@code key}, made by {@code initial} on first use. */
  public Object local(Object key, java.util.function.Supplier<?> initial) {
    Object v = locals.get(key);
    return v != null ? v : locals.computeIfAbsent(key, k -> java.util.Objects.requireNonNull(initial.get(),
        "a node-local initial value cannot be null"));
  }

  // ---------------------------------------------------------------------------------------
  // introspection

  public List<ProcessImpl> processes() {
    return table.snapshot();
  }

  public int processCount() {
    return table.size();
  }

  public long spawnedCount() {
    return spawned.get();
  }

  /** Adds the messages an ending process (or inbox) took from its mailbox to the node's count. */
  void receivedByEnded(long count) {
    if (count != 0) {
      receivedByEnded.add(count);
    }
  }

  /**
   * Messages taken from mailboxes by this node's processes since it started: those of ended processes
   * plus those of the live ones (walks the process table).
   */
  public long receivedCount() {
    long total = receivedByEnded.sum();
    for (ProcessImpl p : processes()) {
      total += p.messagesReceived();
    }
    // NOTE: a process that ends during the walk may be missed by both halves for a moment (its count
    // moves from the table to receivedByEnded): the highest total seen so far is the answer, so the
    // figure never goes back, as a counter read by a metrics scraper must not.
    return receivedHighWater.accumulateAndGet(total, Math::max);
  }

  public long crashCount() {
    return crashes.get();
  }

  /** Processes (not inboxes) that ended with a reason other than normal or shutdown. */
  public long abnormalExitCount() {
    return abnormalExits.sum();
  }

  public long runawayCount() {
    return watchdog.runaways();
  }

  public ProcessImpl whereis(String name) {
    return names.whereis(name);
  }

  public boolean unregister(String name) {
    return names.unregister(name);
  }

  public List<String> registered() {
    return names.registered();
  }

  @Override
  public String toString() {
    return config.name() + "#" + index;
  }
}
