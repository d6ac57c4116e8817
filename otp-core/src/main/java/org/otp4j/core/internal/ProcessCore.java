package org.otp4j.core.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Pid;
import org.otp4j.core.ProcessTerminated;

/**
 * The first layer of a process: its identity, its thread and its lifecycle state.
 *
 * <h2>One object, four source files</h2>
 * A process is one object, because at a million processes every header and pointer counts. Its
 * source is split by concern into a chain of classes, each layer adding fields and the code that
 * owns them, as JCTools splits its hot queues:
 * <pre>
 *   MailboxNode      the process is the first dummy node of its own mailbox list
 *   ProcessCore      identity, thread, lifecycle state, the busy guard          (this class)
 *   Mailbox          the message queue: send, selective receive, spin and park
 *   Signals          links, monitors, exit signals, names, termination
 *   ProcessImpl      the process's run, its crash, its snapshot                 (final)
 * </pre>
 * Only {@link ProcessImpl} is ever instantiated, so a layer may hand out {@code this} as a
 * {@link ProcessImpl} ({@link #self()}) and the JIT sees one final class.
 *
 * <h2>Lifecycle</h2>
 * <pre>
 *   state      event                                           next state
 *   ALIVE      body returns / throws / exit signal / kill      EXITING (exit reason fixed)
 *   EXITING    names freed, links and monitors fired            DEAD
 * </pre>
 * The transition out of ALIVE happens once, under the process's lock ({@link #beginExit}); the
 * thread that wins it does the rest ({@link Signals#terminateChain}), which may be another
 * process's thread (a kill) or a plain thread. A process that is killed while its code runs is dead
 * at once and its thread is interrupted; its next runtime call throws {@link ProcessTerminated}.
 *
 * <p>Lock: the process's own monitor ({@code synchronized (this)}) guards the lifecycle transition
 * and the signal state. No code ever holds two process locks at once, or blocks while holding one.
 */
abstract sealed class ProcessCore extends MailboxNode permits Mailbox {

  // ---- lifecycle states
  static final int ALIVE = 0;
  static final int EXITING = 1;
  static final int DEAD = 2;

  // ---- kinds
  static final byte PROCESS = 0; // a process with its own virtual thread
  static final byte INBOX = 1; // a process driven by a plain thread (see Inbox)
  static final byte ROOT = 2; // the node's pseudo-process that stands for plain threads; drops messages
  // the local stand-in of a process on another node: what it receives is forwarded there (see
  // Distribution); it is alive while the connection to that node is up
  static final byte REMOTE = 3;

  private static final VarHandle BUSY;
  static final VarHandle STATE;

  static {
    try {
      MethodHandles.Lookup l = MethodHandles.lookup();
      BUSY = l.findVarHandle(ProcessCore.class, "busy", boolean.class);
      STATE = l.findVarHandle(ProcessCore.class, "state", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  // ---- identity
  private final NodeRuntime runtime;
  private final long serial;
  private final Pid pid;
  final byte kind; // PROCESS, INBOX, ROOT or REMOTE

  // ---- lifecycle
  volatile int state = ALIVE;
  ExitReason exitReason; // written under lock in beginExit, read after state != ALIVE
  private boolean busy; // Dekker flag, see enterOp()

  // ---- running
  // the process's virtual thread; for an inbox, the plain thread that waits in it (to unpark)
  Thread thread;
  int runEpoch; // watchdog epoch at which the process last returned to its code (racy, advisory)
  Object blockedOn; // what the process waits in, for process info (racy, advisory)

  ProcessCore(NodeRuntime runtime, long serial, byte kind, Pid remotePid) {
    super(null);
    this.runtime = runtime;
    this.serial = serial;
    this.kind = kind;
    this.runEpoch = runtime.epoch(); // not started yet is not running long
    this.pid = remotePid != null ? remotePid : Bridge.pids().newPid(self());
  }

  /** This process, as the one class that is instantiated (see the class notes). */
  final ProcessImpl self() {
    return (ProcessImpl) this;
  }

  // =====================================================================================
  // identity

  public final NodeRuntime runtime() {
    return runtime;
  }

  public final long serial() {
    return serial;
  }

  public final Pid pid() {
    return pid;
  }

  public final String displayName() {
    return kind == REMOTE ? pid.toString() : runtime.pidPrefix() + serial + ".0>";
  }

  @Override
  public final String toString() {
    return displayName();
  }

  /**
   * Records that the process is back from the runtime (for the watchdog). Writes only when the
   * epoch has moved (every 50 ms): the process object's cache lines are shared with the processes
   * that send to it, and a write on every message would make them bounce between cores.
   */
  final void touchEpoch() {
    int e = runtime.epoch();
    if (runEpoch != e) {
      runEpoch = e;
    }
  }

  /**
   * Called by whoever wakes this process from a wait in the runtime (a sender, a replier): from now
   * until it runs again it is waiting for a carrier, not computing, so the watchdog measures from
   * here. Only wakers write it, once per wake (a wake is rare next to messages).
   */
  final void woken() {
    touchEpoch();
  }

  /** The process's own thread (null for an inbox or the root). */
  final Thread thread() {
    return kind == PROCESS ? thread : null;
  }

  final void attachThread(Thread t) {
    this.thread = t;
  }

  final boolean isInbox() {
    return kind == INBOX;
  }

  /** Whether this is the local stand-in of a process on another node. */
  public final boolean isRemote() {
    return kind == REMOTE;
  }

  // =====================================================================================
  // lifecycle

  public final boolean isAlive() {
    return state == ALIVE;
  }

  /**
   * Marks this process as exiting with {@code reason}. Caller holds this process's lock.
   *
   * @return true if this call made the transition, so the caller must
   *     {@link Signals#terminateChain finish} it
   */
  final boolean beginExit(ExitReason reason) {
    if (state != ALIVE) {
      return false;
    }
    exitReason = reason;
    STATE.setVolatile(this, EXITING);
    return true;
  }

  /**
   * Waits (briefly) until a process that is no longer alive has finished terminating, that is until
   * its names are free and its exit and down signals have all been delivered; returns its reason.
   */
  public final ExitReason awaitDead() {
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
  public final ExitReason exitReason() {
    return state == ALIVE ? null : exitReason;
  }

  public final ProcessTerminated terminated() {
    return new ProcessTerminated("process " + displayName() + " has terminated (reason: " + exitReason
        + "); its thread is unwinding");
  }

  public final void checkAlive() {
    if (state != ALIVE) {
      throw terminated();
    }
  }

  // =====================================================================================
  // the busy guard

  /**
   * Called by this process's own thread before it sends anything as itself (a message, a link, an
   * exit signal, a spawn). Throws {@link ProcessTerminated} if the process is no longer alive.
   *
   * <p>NOTE: Dekker handshake with {@link Signals#terminateChain}: this side writes {@code busy} and
   * then reads {@code state}; the terminator CASes {@code state} and then reads {@code busy},
   * waiting while it is set. Either the operation sees the process is dead and does nothing, or the
   * terminator waits until the operation has finished, so a killed process's exit signals never
   * overtake a message it was sending when it was killed.
   */
  final void enterOp() {
    BUSY.setVolatile(this, true);
    if (state != ALIVE) {
      BUSY.setRelease(this, false);
      throw terminated();
    }
  }

  final void exitOp() {
    BUSY.setRelease(this, false);
  }

  /** The terminator's side of the handshake: waits until the process's own operation is over. */
  final void awaitNotBusy() {
    int spins = 0;
    while ((boolean) BUSY.getVolatile(this)) {
      if (++spins < 100) {
        Thread.onSpinWait();
      } else {
        Thread.yield();
      }
    }
  }
}
