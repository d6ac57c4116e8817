package org.otp4j.core.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import org.otp4j.core.Address;
import org.otp4j.core.Down;
import org.otp4j.core.ExitMessage;
import org.otp4j.core.ExitReason;
import org.otp4j.core.MailboxFullException;
import org.otp4j.core.MailboxOverflow;
import org.otp4j.core.NoProcException;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.core.ProcessExit;
import org.otp4j.core.ProcessTerminated;
import org.otp4j.core.Ref;

/**
 * A process: its mailbox, its signal state (links, monitors, trap flag, name) and its lifecycle.
 *
 * <h2>Implementation notes</h2>
 *
 * <p><b>Mailbox.</b> One singly linked list of {@link MailboxNode}s (the process itself is the first
 * dummy). Producers (any thread) append with
 * an atomic exchange of {@code tail} and then link the previous node ({@code prev.next = node},
 * release); this is Vyukov's multi-producer queue and never blocks a sender. The consumer (the
 * process's own thread) owns {@code head}, a dummy node, and walks the list from there. Selective
 * receive unlinks the matched node wherever it is:
 * <ul>
 *   <li>the first node: {@code head} advances to it and it becomes the new dummy;</li>
 *   <li>a node with a successor: its predecessor is linked past it. Safe because a node's
 *       {@code next} is written exactly once by one producer, and it already has been;</li>
 *   <li>the last node (no successor yet): a producer may be about to link after it, so it is left in
 *       place as a tombstone ({@code msg == TAKEN}) and unlinked by a later scan.</li>
 * </ul>
 * Messages that do not match stay where they are, in arrival order.
 *
 * <p><b>Parking.</b> Dekker-style handshake between {@code waiting} and {@code tail}: the consumer
 * publishes {@code waiting = true} and then re-reads {@code tail}; a producer exchanges {@code tail}
 * and then reads {@code waiting}. All four accesses are volatile, so at least one side sees the
 * other: either the producer unparks the consumer, or the consumer sees the new tail and does not
 * park.
 *
 * <p><b>Signals.</b> Exit, link, unlink, monitor and down signals are applied synchronously by the
 * thread that sends them, under the receiver's lock ({@code synchronized (this)}; no lock is ever
 * held while taking another, or while blocking). Because a sender finishes each operation before
 * starting the next, all signals and messages from one sender reach a receiver in the order they
 * were sent: OTP's per-pair ordering guarantee. The only exception would be a process that is killed
 * while it is sending: its exit signals must not overtake the message it is sending. The
 * {@code busy} flag closes that window (see {@link #enterOp()}).
 *
 * <p><b>Lifecycle.</b>
 * <pre>
 *   state      event                                           next state
 *   ALIVE      body returns / throws / exit signal / kill      EXITING (exit reason fixed)
 *   EXITING    names freed, links and monitors fired            DEAD
 * </pre>
 * The transition out of ALIVE happens once, under the process's lock ({@link #beginExit}); the
 * thread that wins it does the rest ({@link #finishExit}), which may be another process's thread
 * (a kill) or a plain thread. A process that is killed while its code runs is dead at once and its
 * thread is interrupted; its next runtime call throws {@link ProcessTerminated}.
 */
public final class ProcessImpl extends MailboxNode implements Runnable, Thread.UncaughtExceptionHandler {

  // ---- lifecycle states
  static final int ALIVE = 0;
  static final int EXITING = 1;
  static final int DEAD = 2;

  // ---- kinds
  static final byte PROCESS = 0; // a process with its own virtual thread
  static final byte INBOX = 1; // a process driven by a plain thread (see Inbox)
  static final byte ROOT = 2; // the node's pseudo-process that stands for plain threads; drops messages

  /** Marks a message that selective receive took while it was the last node of the list. */
  private static final Object TAKEN = new Object();
  /** Returned by receive when its timeout expires. */
  public static final Object TIMED_OUT = new Object();

  private static final VarHandle TAIL;
  private static final VarHandle WAITING;
  private static final VarHandle BUSY;
  private static final VarHandle STATE;

  static {
    try {
      MethodHandles.Lookup l = MethodHandles.lookup();
      TAIL = l.findVarHandle(ProcessImpl.class, "tail", MailboxNode.class);
      WAITING = l.findVarHandle(ProcessImpl.class, "waiting", boolean.class);
      BUSY = l.findVarHandle(ProcessImpl.class, "busy", boolean.class);
      STATE = l.findVarHandle(ProcessImpl.class, "state", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  // ---- identity
  private final NodeRuntime runtime;
  private final long serial;
  private final Pid pid;

  // ---- lifecycle
  private volatile int state = ALIVE;
  private ExitReason exitReason; // written under lock in beginExit, read after state != ALIVE
  private boolean busy; // Dekker flag, see enterOp()

  // ---- running
  // the process's virtual thread; for an inbox, the plain thread that waits in it (to unpark)
  private Thread thread;
  private final byte kind; // PROCESS, INBOX or ROOT
  int runEpoch; // watchdog epoch at which the process last returned to its code (racy, advisory)
  Object blockedOn; // what the process waits in, for process info (racy, advisory)
  // adaptive spin before parking, see Spin (owner thread only)
  short spinBudget = (short) Spin.INITIAL;
  short spinMisses;
  short spinCooldown;

  // ---- mailbox (see class notes)
  private MailboxNode head; // consumer-owned dummy
  @SuppressWarnings("unused") // accessed through TAIL
  private volatile MailboxNode tail;
  @SuppressWarnings("unused") // accessed through WAITING
  private volatile boolean waiting;
  private final MailboxLimit limit; // null for the default unbounded mailbox
  // The receive marker set by makeRefWithMarker(): the reference, whose attachment holds the tail
  // node at the time it was made (owner thread only; cleared by the next receive).
  private Ref markerRef;

  // ---- signal state, guarded by synchronized (this)
  private boolean trapExits;
  private Object links; // CompactSet of ProcessImpl
  private Object monitoredBy; // CompactSet of Watcher
  private Extras extras; // rarely used signal state, allocated on first use

  /** Signal state that most processes never use; guarded by the process's lock. */
  private static final class Extras {
    Object monitors; // CompactSet of MonitorEntry held by this process
    String registeredName;
    Object exitHooks; // CompactSet of ExitHook
    int runawayEpoch = -1; // the runEpoch of the stretch the watchdog reported as a runaway
  }

  private Extras extras() {
    Extras e = extras;
    if (e == null) {
      e = new Extras();
      extras = e;
    }
    return e;
  }

  // ---- process table (intrusive list, guarded by the table stripe)
  ProcessImpl tablePrev;
  ProcessImpl tableNext;

  ProcessImpl(NodeRuntime runtime, long serial, Proc.Body body, MailboxLimit limit, boolean trapExits,
      byte kind) {
    super(null);
    this.runtime = runtime;
    this.serial = serial;
    this.msg = body; // the dummy node's msg holds the body until the process starts
    this.limit = limit;
    this.trapExits = trapExits;
    this.kind = kind;
    this.runEpoch = runtime.epoch(); // not started yet is not running long
    this.pid = Bridge.pids().newPid(this);
    this.head = this; // the process is its own first dummy node
    this.tail = this;
  }

  // =====================================================================================
  // identity and lookup

  /** The process whose code is running on the current thread, or null for a plain thread. */
  public static ProcessImpl current() {
    // NOTE: each process thread is created with its ProcessImpl as uncaught-exception handler
    // (see ProcessThreads). Reading it back costs no allocation and no per-thread map, which
    // matters at a million processes; a ThreadLocal or ScopedValue costs 100-250 bytes each.
    return Thread.currentThread().getUncaughtExceptionHandler() instanceof ProcessImpl p ? p : null;
  }

  public NodeRuntime runtime() {
    return runtime;
  }

  public long serial() {
    return serial;
  }

  public Pid pid() {
    return pid;
  }

  public String displayName() {
    return runtime.pidPrefix() + serial + ".0>";
  }

  /**
   * Records that the process is back from the runtime (for the watchdog). Writes only when the
   * epoch has moved (every 50 ms): the process object's cache lines are shared with the processes
   * that send to it, and a write on every message would make them bounce between cores.
   */
  void touchEpoch() {
    int e = runtime.epoch();
    if (runEpoch != e) {
      runEpoch = e;
    }
  }

  /** The process's own thread (null for an inbox or the root). */
  Thread thread() {
    return kind == PROCESS ? thread : null;
  }

  void attachThread(Thread t) {
    this.thread = t;
  }

  public boolean isAlive() {
    return state == ALIVE;
  }

  int state() {
    return state;
  }

  /**
   * Waits (briefly) until a process that is no longer alive has finished terminating, that is until
   * its names are free and its exit and down signals have all been delivered; returns its reason.
   */
  public ExitReason awaitDead() {
    int spins = 0;
    while (state != DEAD) {
      if (++spins < 100) {
        Thread.onSpinWait();
      } else {
        Thread.yield();
      }
    }
    return exitReason;
  }

  /** The exit reason once the process is no longer alive, else null. */
  public ExitReason exitReason() {
    return state == ALIVE ? null : exitReason;
  }

  boolean isInbox() {
    return kind == INBOX;
  }

  // =====================================================================================
  // running

  @Override
  public void run() {
    ExitReason reason = ExitReason.NORMAL;
    boolean uncaught = false; // an exception escaped the body (not an exit(reason) it chose)
    try {
      touchEpoch();
      Proc.Body b = (Proc.Body) msg;
      msg = null;
      if (state == ALIVE) {
        b.run();
      }
    } catch (ProcessExit e) {
      reason = e.reason();
    } catch (ProcessTerminated e) {
      reason = null; // already terminated by whoever killed it
    } catch (Throwable t) {
      reason = ExitReason.crash(t);
      uncaught = true;
    } finally {
      if (reason != null && exitSelf(reason, uncaught) && uncaught) {
        // As ERTS does for an uncaught error; behaviours exit with their reason after their own report.
        runtime.processCrashed(this, ((ExitReason.Crash) reason).error());
      }
      if (uncaught && ((ExitReason.Crash) reason).error() instanceof VirtualMachineError vm
          && !(vm instanceof StackOverflowError)) {
        runtime.fatalError(this, vm); // after the process's own exit, so it ends with its error
      }
      dropMailbox();
      runtime.zombieFinished(this);
      thread = null; // a pid kept after the process ended must not keep its finished thread alive
    }
  }

  /**
   * Drops whatever is left in the mailbox of a terminated process, so that a retained pid does not
   * keep messages alive. Called by the process's own thread (the consumer) as it ends.
   */
  public void dropMailbox() {
    MailboxNode empty = new MailboxNode(null);
    head = empty;
    TAIL.setVolatile(this, empty);
    setNext(null);
    clearMarker();
  }

  private void clearMarker() {
    Ref r = markerRef;
    if (r != null) {
      Bridge.refs().attach(r, null); // the reference may live on; it must not keep mailbox nodes
      markerRef = null;
    }
  }

  @Override
  public void uncaughtException(Thread t, Throwable e) {
    // run() catches everything; this is only reached if the runtime itself failed.
    runtime.log().error("uncaught error on the thread of process {}", displayName(), e);
  }

  /**
   * Terminates this process from its own thread (its code returned or threw).
   *
   * @return true if it was still alive, false if something else had already terminated it
   */
  public boolean exitSelf(ExitReason reason) {
    return exitSelf(reason, false);
  }

  /**
   * {@link #exitSelf(ExitReason)}, counting the exit in the node's crashes first when {@code crashed}: a
   * process that sees this one's exit signal then also sees the count.
   */
  private boolean exitSelf(ExitReason reason, boolean crashed) {
    boolean dies;
    synchronized (this) {
      dies = beginExit(reason);
    }
    if (dies) {
      if (crashed) {
        runtime.countCrash();
      }
      terminateChain(this);
    }
    return dies;
  }

  // =====================================================================================
  // the busy guard

  /**
   * Called by this process's own thread before it sends anything as itself (a message, a link, an
   * exit signal, a spawn). Throws {@link ProcessTerminated} if the process is no longer alive.
   *
   * <p>NOTE: Dekker handshake with {@link #finishExit}: this side writes {@code busy} and then reads
   * {@code state}; the terminator CASes {@code state} and then reads {@code busy}, waiting while it
   * is set. Either the operation sees the process is dead and does nothing, or the terminator waits
   * until the operation has finished, so a killed process's exit signals never overtake a message
   * it was sending when it was killed.
   */
  void enterOp() {
    BUSY.setVolatile(this, true);
    if (state != ALIVE) {
      BUSY.setRelease(this, false);
      throw terminated();
    }
  }

  void exitOp() {
    BUSY.setRelease(this, false);
  }

  private void awaitNotBusy() {
    int spins = 0;
    while ((boolean) BUSY.getVolatile(this)) {
      if (++spins < 100) {
        Thread.onSpinWait();
      } else {
        Thread.yield();
      }
    }
  }

  public ProcessTerminated terminated() {
    return new ProcessTerminated("process " + displayName() + " has terminated (reason: " + exitReason
        + "); its thread is unwinding");
  }

  public void checkAlive() {
    if (state != ALIVE) {
      throw terminated();
    }
  }

  // =====================================================================================
  // sending

  /**
   * Appends {@code msg} to this process's mailbox. Never blocks. Dropped if the process is not alive
   * (sending to a dead process is not an error). A bounded mailbox applies its overflow policy; with
   * {@link MailboxOverflow#EXIT} the process is marked exiting and returned, and the caller must
   * {@link #terminateChain finish} it once it is out of its own busy section.
   */
  ProcessImpl deliver(Object msg) {
    if (state != ALIVE || kind == ROOT) {
      return null;
    }
    MailboxLimit l = limit;
    if (l != null && !l.admit()) {
      return overflow(l);
    }
    enqueue(new MailboxNode(msg));
    return null;
  }

  private ProcessImpl overflow(MailboxLimit l) {
    l.dropped();
    switch (l.policy) {
      case DROP_NEWEST -> {
        return null;
      }
      case REJECT -> throw new MailboxFullException(pid, l.capacity);
      case EXIT -> {
        synchronized (this) {
          return beginExit(ExitReason.of("mailbox_overflow")) ? this : null;
        }
      }
      default -> throw new AssertionError(l.policy);
    }
  }

  /** Appends a runtime-generated message (EXIT, DOWN); never refused. Caller holds the lock. */
  private void deliverSystem(Object msg) {
    if (limit != null) {
      limit.admitAlways();
    }
    enqueue(new MailboxNode(msg));
  }

  private void enqueue(MailboxNode node) {
    MailboxNode prev = (MailboxNode) TAIL.getAndSet(this, node);
    MailboxNode.NEXT.setRelease(prev, node);
    if ((boolean) WAITING.getVolatile(this)) {
      wakeUp();
    }
  }

  private void wakeUp() {
    if (WAITING.compareAndSet(this, true, false)) {
      LockSupport.unpark(thread);
    }
  }

  // =====================================================================================
  // receiving (owner thread only)

  /** Records a receive marker: messages that arrive from now on follow the returned reference. */
  public Ref makeRefWithMarker() {
    Ref ref = Ref.make();
    clearMarker();
    Bridge.refs().attach(ref, TAIL.getVolatile(this));
    markerRef = ref;
    return ref;
  }

  /**
   * Takes the first message matching {@code filter} (any message if null), waiting up to
   * {@code timeoutNanos} (negative: forever; zero: do not wait). Returns {@link #TIMED_OUT} if none
   * arrived in time.
   *
   * @param after if not null and equal to the last reference made by {@link #makeRefWithMarker()},
   *     only messages that arrived after that reference was made are examined
   */
  public Object receive(Predicate<Object> filter, long timeoutNanos, Ref after) {
    // Fast path, small enough to be inlined into the caller: take the first message.
    if (filter == null) {
      MailboxNode h = head;
      MailboxNode n = h.next();
      if (n != null && state == ALIVE) {
        Object m = n.msg;
        if (m != TAKEN) {
          advanceHead(h, n);
          return taken(m);
        }
      }
    }
    return receiveSlow(filter, timeoutNanos, after);
  }

  /**
   * The general receive: scan, then spin, then park, in one frame (a parked process's frames are
   * part of its memory footprint).
   */
  private Object receiveSlow(Predicate<Object> filter, long timeoutNanos, Ref after) {
    if (state != ALIVE) {
      throw terminated();
    }
    MailboxNode prev = head;
    if (after != null && after == markerRef
        && Bridge.refs().attachment(after) instanceof MailboxNode marked) {
      prev = marked;
    }
    clearMarker();
    long deadline = timeoutNanos > 0 ? System.nanoTime() + timeoutNanos : 0L;
    boolean spun = false;
    long parkedAt = 0L;
    for (;;) {
      // 1. scan the messages after prev
      MailboxNode n = prev.next();
      while (n != null) {
        Object m = n.msg;
        MailboxNode next = n.next();
        if (m == TAKEN) {
          if (prev == head) {
            advanceHead(prev, n); // the tombstone becomes the dummy
            prev = n;
          } else if (next != null) {
            prev.setNext(next); // unlink the tombstone
          } else {
            prev = n; // the last node: keep it for now
          }
        } else if (m != null && (filter == null || filter.test(m))) {
          if (prev == head) {
            advanceHead(prev, n);
          } else if (next != null) {
            prev.setNext(next);
          } else {
            n.msg = TAKEN; // a producer may be linking after n: leave it as a tombstone
          }
          if (parkedAt != 0L) {
            Spin.parked(this, System.nanoTime() - parkedAt);
          }
          return taken(m);
        } else {
          prev = n;
        }
        n = next;
      }
      // 2. nothing matched: wait for a node after prev
      if (timeoutNanos == 0) {
        touchEpoch();
        return TIMED_OUT;
      }
      if (!spun) {
        spun = true;
        int spins = spinBudget;
        boolean hit = false;
        for (int i = 0; i < spins; i++) {
          if (prev.next() != null) {
            hit = true;
            break;
          }
          Thread.onSpinWait();
        }
        if (hit) {
          Spin.hit(this, spins);
          continue;
        }
        Spin.miss(this, spins);
        parkedAt = System.nanoTime();
      }
      if (kind == INBOX) {
        thread = Thread.currentThread(); // whichever plain thread receives
      }
      WAITING.setVolatile(this, true);
      if (TAIL.getVolatile(this) != prev) {
        // A producer has swapped the tail and is about to link after prev.
        WAITING.setVolatile(this, false);
        awaitLink(prev);
        continue;
      }
      if (deadline == 0L) {
        LockSupport.park(this);
      } else {
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
          WAITING.setVolatile(this, false);
          if (prev.next() != null) {
            continue; // a last look at what just arrived
          }
          touchEpoch();
          return TIMED_OUT;
        }
        LockSupport.parkNanos(this, remaining);
      }
      WAITING.setVolatile(this, false);
      if (state != ALIVE) {
        throw terminated();
      }
      touchEpoch(); // it waited in the runtime; scanning what woke it is not a runaway
      Thread.interrupted(); // an interrupt from user code is not a runtime event: keep waiting
    }
  }

  /** Makes {@code n}, the first message node, the new dummy head. */
  private void advanceHead(MailboxNode oldHead, MailboxNode n) {
    n.msg = null;
    head = n;
    // NOTE: self-link the old dummy so that it does not keep later nodes reachable (GC nepotism);
    // no producer writes it again, since its next has been set. Walkers treat a self-link as the end.
    oldHead.setNext(oldHead);
  }

  private Object taken(Object m) {
    if (markerRef != null) {
      clearMarker();
    }
    if (limit != null) {
      limit.taken();
    }
    touchEpoch();
    return m;
  }

  private static void awaitLink(MailboxNode last) {
    int spins = 0;
    while (last.next() == null) {
      if (++spins < 64) {
        Thread.onSpinWait();
      } else {
        Thread.yield();
      }
    }
  }

  /** Number of messages waiting (walks the list; for introspection, not hot paths). */
  int mailboxLength() {
    int count = 0;
    MailboxNode n = head;
    MailboxNode next;
    while ((next = n.next()) != null && next != n) {
      Object m = next.msg;
      if (m != null && m != TAKEN) {
        count++;
      }
      n = next;
    }
    return count;
  }

  /** A copy of the waiting messages, oldest first (for introspection). */
  List<Object> mailboxSnapshot(int max) {
    List<Object> out = new ArrayList<>();
    MailboxNode n = head;
    MailboxNode next;
    while (out.size() < max && (next = n.next()) != null && next != n) {
      Object m = next.msg;
      if (m != null && m != TAKEN) {
        out.add(m);
      }
      n = next;
    }
    return out;
  }

  long droppedMessages() {
    return limit == null ? 0 : limit.droppedCount();
  }

  // =====================================================================================
  // exits

  /**
   * Marks this process as exiting with {@code reason}. Caller holds this process's lock.
   *
   * @return true if this call made the transition, so the caller must {@link #terminateChain} it
   */
  private boolean beginExit(ExitReason reason) {
    if (state != ALIVE) {
      return false;
    }
    exitReason = reason;
    STATE.setVolatile(this, EXITING);
    return true;
  }

  /**
   * Finishes the termination of {@code first} and of every process that its exit signals bring
   * down, iteratively (a long chain of links must not overflow the stack).
   */
  static void terminateChain(ProcessImpl first) {
    ArrayDeque<ProcessImpl> work = null;
    ProcessImpl p = first;
    while (p != null) {
      work = p.finishExit(work);
      p = work == null ? null : work.poll();
    }
  }

  /**
   * Does everything that follows the transition to EXITING, in OTP's order: wait for an operation
   * the process's own thread may be in the middle of; free its names (so that whoever receives its
   * EXIT or DOWN can register them again at once); send exit signals to linked processes and down
   * signals to watchers; drop the monitors it held; leave the process table; and finally interrupt
   * its thread if it is not the current one.
   */
  private ArrayDeque<ProcessImpl> finishExit(ArrayDeque<ProcessImpl> work) {
    Thread current = Thread.currentThread();
    if (kind != PROCESS || current != thread) {
      awaitNotBusy();
    }
    String name;
    Object hooks;
    Object linked;
    Object watchers;
    Object held;
    synchronized (this) {
      Extras e = extras;
      extras = null;
      name = e == null ? null : e.registeredName;
      hooks = e == null ? null : e.exitHooks;
      held = e == null ? null : e.monitors;
      linked = links;
      links = null;
      watchers = monitoredBy;
      monitoredBy = null;
    }
    ExitReason reason = exitReason;
    if (blockedOn instanceof CallSlot slot) {
      slot.callerGone(); // a reply that comes now must report that it reached no one
    }
    if (name != null) {
      runtime.names().releaseName(name, this);
    }
    if (hooks != null) {
      for (ExitHook hook : CompactSet.<ExitHook>toList(hooks)) {
        try {
          hook.processExited(this);
        } catch (RuntimeException e) {
          runtime.log().error("exit hook failed for process {}", displayName(), e);
        }
      }
    }
    if (linked != null) {
      for (ProcessImpl peer : CompactSet.<ProcessImpl>toList(linked)) {
        if (peer.linkExit(this, reason)) {
          if (work == null) {
            work = new ArrayDeque<>();
          }
          work.add(peer);
        }
      }
    }
    if (watchers != null) {
      for (Watcher w : CompactSet.<Watcher>toList(watchers)) {
        try {
          w.processDown(this, reason);
        } catch (RuntimeException e) {
          runtime.log().error("down notification failed for process {}", displayName(), e);
        }
      }
    }
    if (held != null) {
      for (MonitorEntry m : CompactSet.<MonitorEntry>toList(held)) {
        m.target.removeWatcher(m);
      }
    }
    runtime.table().remove(this);
    STATE.setVolatile(this, DEAD);
    runtime.processExited(this, reason);
    Thread t = thread;
    if (kind == PROCESS) {
      if (t != null && t != current) {
        runtime.zombieStarted(this);
        t.interrupt();
      }
    } else if (t != null) {
      // an inbox: wake its owner if it is waiting, so that it sees the process is gone
      WAITING.setVolatile(this, false);
      LockSupport.unpark(t);
    }
    return work;
  }

  /**
   * An exit signal with the link flag, from {@code from}, which has terminated with {@code reason}.
   *
   * @return true if this process must now die (the caller finishes it)
   */
  private boolean linkExit(ProcessImpl from, ExitReason reason) {
    synchronized (this) {
      if (state != ALIVE || !CompactSet.contains(links, from)) {
        return false; // dead, or the link was removed by unlink: the signal is dropped
      }
      links = CompactSet.remove(links, from);
      if (trapExits) {
        deliverSystem(new ExitMessage(from.pid, reason));
        return false;
      }
      if (reason == ExitReason.NORMAL) {
        return false;
      }
      // NOTE: a kill that travels through a link stays `kill` (OTP), unlike a direct exit(P, kill).
      return beginExit(reason);
    }
  }

  /**
   * An exit signal without the link flag ({@code exit(Pid, Reason)}).
   *
   * @param from the sender, or null for a plain thread (shown as the node's root pid)
   * @return true if this process must now die (the caller finishes it)
   */
  boolean exitSignal(ProcessImpl from, ExitReason reason) {
    synchronized (this) {
      if (state != ALIVE) {
        return false;
      }
      if (reason == ExitReason.KILL) {
        return beginExit(ExitReason.KILLED);
      }
      if (trapExits) {
        Pid sender = from != null ? from.pid : runtime.root().pid;
        deliverSystem(new ExitMessage(sender, reason));
        return false;
      }
      if (reason == ExitReason.NORMAL) {
        return from == this && beginExit(ExitReason.NORMAL);
      }
      return beginExit(reason);
    }
  }

  // =====================================================================================
  // links and flags (called by the owner unless stated)

  public boolean setTrapExits(boolean on) {
    synchronized (this) {
      boolean old = trapExits;
      trapExits = on;
      return old;
    }
  }

  synchronized boolean trapsExits() {
    return trapExits;
  }

  /** Links this process (the caller's own) with {@code other}. */
  public void link(ProcessImpl other) {
    if (other == this) {
      return;
    }
    boolean otherDead;
    enterOp();
    try {
      synchronized (this) {
        if (CompactSet.contains(links, other)) {
          return; // already linked: a repeated link is a no-op (its exit signal may be on its way)
        }
        links = CompactSet.add(links, other);
      }
      synchronized (other) {
        otherDead = other.state != ALIVE;
        if (!otherDead) {
          other.links = CompactSet.add(other.links, this);
        }
      }
      if (otherDead) {
        boolean trapping;
        synchronized (this) {
          links = CompactSet.remove(links, other);
          trapping = trapExits;
          if (trapping) {
            deliverSystem(new ExitMessage(other.pid, ExitReason.NOPROC));
          }
        }
        if (!trapping) {
          throw new NoProcException(other.pid, "link");
        }
      }
    } finally {
      exitOp();
    }
  }

  /** Links a process that has not started yet to this one (spawnLink); cannot fail. */
  void linkUnstarted(ProcessImpl child) {
    synchronized (this) {
      links = CompactSet.add(links, child);
    }
    synchronized (child) {
      child.links = CompactSet.add(child.links, this);
    }
  }

  public void unlink(ProcessImpl other) {
    enterOp();
    try {
      synchronized (this) {
        links = CompactSet.remove(links, other);
      }
      synchronized (other) {
        other.links = CompactSet.remove(other.links, this);
      }
    } finally {
      exitOp();
    }
  }

  // =====================================================================================
  // monitors

  /**
   * Adds {@code w} to this process's watchers. If the process is not alive, returns false and the
   * caller reports the target as {@code noproc}.
   */
  boolean addWatcher(Watcher w) {
    synchronized (this) {
      if (state != ALIVE) {
        return false;
      }
      monitoredBy = CompactSet.add(monitoredBy, w);
      return true;
    }
  }

  /** Removes {@code w}; true if it was still there (the target has not terminated). */
  boolean removeWatcher(Watcher w) {
    synchronized (this) {
      boolean present = CompactSet.contains(monitoredBy, w);
      if (present) {
        monitoredBy = CompactSet.remove(monitoredBy, w);
      }
      return present;
    }
  }

  /** This process (the caller's own) starts monitoring {@code target}, shown in DOWN as {@code shownAs}. */
  Ref monitor(ProcessImpl target, Address shownAs) {
    Ref ref = Ref.make();
    enterOp();
    try {
      MonitorEntry entry = new MonitorEntry(this, ref, target, shownAs);
      Bridge.refs().attach(ref, entry);
      synchronized (this) {
        Extras e = extras();
        e.monitors = CompactSet.add(e.monitors, entry);
      }
      if (target == null || !target.addWatcher(entry)) {
        monitorFired(entry, ExitReason.NOPROC);
      }
    } finally {
      exitOp();
    }
    return ref;
  }

  /** Monitors a process that has not started yet (spawnMonitor); cannot fail. */
  Ref monitorUnstarted(ProcessImpl child) {
    Ref ref = Ref.make();
    MonitorEntry entry = new MonitorEntry(this, ref, child, child.pid);
    Bridge.refs().attach(ref, entry);
    synchronized (this) {
      Extras e = extras();
      e.monitors = CompactSet.add(e.monitors, entry);
    }
    child.addWatcher(entry);
    return ref;
  }

  /** A monitor held by this process fired: queue the DOWN unless it was demonitored first. */
  void monitorFired(MonitorEntry entry, ExitReason reason) {
    synchronized (this) {
      Extras e = extras;
      if (state != ALIVE || e == null || !CompactSet.contains(e.monitors, entry)) {
        return;
      }
      e.monitors = CompactSet.remove(e.monitors, entry);
      deliverSystem(new Down(entry.ref, entry.shownAs, reason));
    }
  }

  /**
   * Removes the monitor {@code ref} held by this process (the caller's own).
   *
   * @return true if the monitor was active and is now removed; false if it had already fired (its
   *     DOWN may be in the mailbox) or was not a monitor of this process
   */
  public boolean demonitor(Ref ref, boolean flush) {
    if (!(Bridge.refs().attachment(ref) instanceof MonitorEntry entry) || entry.owner != this) {
      return false;
    }
    boolean active;
    enterOp();
    try {
      synchronized (this) {
        Extras e = extras;
        active = e != null && CompactSet.contains(e.monitors, entry);
        if (active) {
          e.monitors = CompactSet.remove(e.monitors, entry);
        }
      }
      if (active && entry.target != null) {
        entry.target.removeWatcher(entry);
      }
    } finally {
      exitOp();
    }
    if (!active && flush) {
      receive(m -> m instanceof Down d && d.ref() == ref, 0, null);
    }
    return active;
  }

  // =====================================================================================
  // names and exit hooks

  /** Registers {@code name} for this process; null if done, else why not (for the error). */
  String registerName(String name) {
    synchronized (this) {
      if (state != ALIVE) {
        return "process " + displayName() + " is not alive";
      }
      Extras e = extras();
      if (e.registeredName != null) {
        return "process " + displayName() + " is already registered as '" + e.registeredName
            + "'; unregister it first";
      }
      ProcessImpl holder = runtime.names().putIfAbsent(name, this);
      if (holder != null) {
        return "the name '" + name + "' is already registered to " + holder.displayName();
      }
      e.registeredName = name;
      return null;
    }
  }

  /** Clears the local name if it is {@code name}. */
  void clearName(String name) {
    synchronized (this) {
      if (extras != null && name.equals(extras.registeredName)) {
        extras.registeredName = null;
      }
    }
  }

  synchronized String registeredName() {
    return extras == null ? null : extras.registeredName;
  }

  /** Adds a hook run during termination, before signals go out; false if the process is not alive. */
  public boolean addExitHook(ExitHook hook) {
    synchronized (this) {
      if (state != ALIVE) {
        return false;
      }
      Extras e = extras();
      e.exitHooks = CompactSet.add(e.exitHooks, hook);
      return true;
    }
  }

  public void removeExitHook(ExitHook hook) {
    synchronized (this) {
      if (extras != null) {
        extras.exitHooks = CompactSet.remove(extras.exitHooks, hook);
      }
    }
  }

  // =====================================================================================
  // introspection

  /** What {@link #snapshot()} says a process is doing. */
  public enum Status { RUNNING, WAITING, BLOCKED, EXITING }

  /** A snapshot for process info. */
  public record Snapshot(Status status, String registeredName, int mailboxLength, List<Pid> links,
      List<Address> monitors, List<Pid> monitoredBy, boolean trapExits, String blockedOn, long droppedMessages,
      boolean runaway) {}

  /** A snapshot of this process, or null if it is dead. */
  public Snapshot snapshot() {
    SignalState signals = signalState();
    int s = state;
    if (s == DEAD) {
      return null;
    }
    Object block = blockedOn;
    boolean inReceive = isWaiting();
    Status status;
    if (s == EXITING) {
      status = Status.EXITING;
    } else if (inReceive || block != null) {
      status = Status.WAITING;
    } else if (kind != PROCESS || thread == null) {
      status = Status.RUNNING;
    } else {
      status = switch (thread.getState()) {
        case WAITING, TIMED_WAITING, BLOCKED -> Status.BLOCKED;
        default -> Status.RUNNING;
      };
    }
    String blockText = status != Status.WAITING ? ""
        : block instanceof CallSlot slot ? "call to " + slot.server().displayName()
        : block != null ? block.toString() : Blocking.RECEIVE.toString();
    return new Snapshot(status, signals.registeredName(), mailboxLength(), signals.links(), signals.monitors(),
        signals.monitoredBy(), signals.trapExits(), blockText, droppedMessages(), isRunaway());
  }

  /** A consistent copy of the signal state, for process info. */
  synchronized SignalState signalState() {
    List<Pid> linkedPids = new ArrayList<>();
    for (ProcessImpl p : CompactSet.<ProcessImpl>toList(links)) {
      linkedPids.add(p.pid);
    }
    List<Address> monitoring = new ArrayList<>();
    for (MonitorEntry m : CompactSet.<MonitorEntry>toList(extras == null ? null : extras.monitors)) {
      monitoring.add(m.shownAs);
    }
    List<Pid> watchedBy = new ArrayList<>();
    for (Watcher w : CompactSet.<Watcher>toList(monitoredBy)) {
      if (w instanceof MonitorEntry m) {
        watchedBy.add(m.owner.pid);
      } else if (w instanceof CallSlot slot && slot.callerProcess() != null) {
        watchedBy.add(slot.callerProcess().pid);
      }
    }
    return new SignalState(linkedPids, monitoring, watchedBy, trapExits,
        extras == null ? null : extras.registeredName);
  }

  record SignalState(List<Pid> links, List<Address> monitors, List<Pid> monitoredBy, boolean trapExits,
      String registeredName) {}

  /** Whether the watchdog reported the current stretch of this process as a runaway. */
  synchronized boolean isRunaway() {
    return extras != null && extras.runawayEpoch == runEpoch;
  }

  /**
   * Records that the watchdog reports the stretch that began at {@code epoch} as a runaway.
   *
   * @return false if that stretch was reported already
   */
  synchronized boolean markRunaway(int epoch) {
    Extras e = extras();
    if (e.runawayEpoch == epoch) {
      return false;
    }
    e.runawayEpoch = epoch;
    return true;
  }

  /** Whether the process is parked in receive (or waiting for a reply). */
  boolean isWaiting() {
    return (boolean) WAITING.getVolatile(this);
  }

  @Override
  public String toString() {
    return displayName();
  }

  /** What a process can be blocked in, for process info. */
  enum Blocking {
    RECEIVE("receive");

    private final String text;

    Blocking(String text) {
      this.text = text;
    }

    @Override
    public String toString() {
      return text;
    }
  }
}
