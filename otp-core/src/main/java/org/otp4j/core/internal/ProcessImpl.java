package org.otp4j.core.internal;

import java.util.List;
import org.otp4j.core.Address;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.core.ProcessExit;
import org.otp4j.core.ProcessTerminated;

/**
 * A process: the last layer of the chain described in {@link ProcessCore} (mailbox in
 * {@link Mailbox}, links, monitors and termination in {@link Signals}). This layer runs the
 * process's body on its thread, turns what the body does (return, throw, exit) into the exit
 * reason, and answers process info.
 *
 * <p>A process's thread is created with the process as its uncaught-exception handler, which is how
 * {@link #current()} finds the running process with no per-thread map (see {@link ProcessThreads}).
 */
public final class ProcessImpl extends Signals implements Runnable, Thread.UncaughtExceptionHandler {

  // ---- process table (intrusive list, guarded by the table stripe)
  ProcessImpl tablePrev;
  ProcessImpl tableNext;

  ProcessImpl(NodeRuntime runtime, long serial, Proc.Body body, MailboxLimit limit, boolean trapExits,
      byte kind) {
    super(runtime, serial, kind, limit, trapExits, null);
    this.msg = body; // the dummy node's msg holds the body until the process starts
  }

  /** The local stand-in of the process {@code remotePid} on another node (see {@link Distribution}). */
  ProcessImpl(NodeRuntime runtime, Pid remotePid) {
    super(runtime, remotePid.serial(), REMOTE, null, true, remotePid);
  }

  /** The process whose code is running on the current thread, or null for a plain thread. */
  public static ProcessImpl current() {
    // NOTE: each process thread is created with its ProcessImpl as uncaught-exception handler
    // (see ProcessThreads). Reading it back costs no allocation and no per-thread map, which
    // matters at a million processes; a ThreadLocal or ScopedValue costs 100-250 bytes each.
    return Thread.currentThread().getUncaughtExceptionHandler() instanceof ProcessImpl p ? p : null;
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
        runtime().processCrashed(this, ((ExitReason.Crash) reason).error());
      }
      if (uncaught && ((ExitReason.Crash) reason).error() instanceof VirtualMachineError vm
          && !(vm instanceof StackOverflowError)) {
        runtime().fatalError(this, vm); // after the process's own exit, so it ends with its error
      }
      dropMailbox();
      runtime().zombieFinished(this);
      thread = null; // a pid kept after the process ended must not keep its finished thread alive
    }
  }


  @Override
  public void uncaughtException(Thread t, Throwable e) {
    // run() catches everything; this is only reached if the runtime itself failed.
    runtime().log().error("uncaught error on the thread of process {}", displayName(), e);
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
        runtime().countCrash();
      }
      terminateChain(this);
    }
    return dies;
  }


  // =====================================================================================
  // introspection

  /** What {@link #snapshot()} says a process is doing. */
  public enum Status { RUNNING, WAITING, BLOCKED, EXITING }

  /** A snapshot for process info. */
  public record Snapshot(Status status, String registeredName, int mailboxLength, List<Pid> links,
      List<Address> monitors, List<Pid> monitoredBy, boolean trapExits, String blockedOn, long droppedMessages,
      boolean runaway, long messagesReceived) {}

  /** A snapshot of this process, or null if it is dead. */
  public Snapshot snapshot() {
    if (kind == REMOTE) {
      return null; // the process runs on another node: nothing is known of it here
    }
    SignalState signals = signalState();
    int s = state;
    if (s == DEAD) {
      return null;
    }
    Object block = blockedOn;
    boolean inReceive = isWaiting();
    Thread t = thread; // NOTE: read once; run() clears it as the process's thread ends
    Status status;
    if (s == EXITING) {
      status = Status.EXITING;
    } else if (inReceive || block != null) {
      status = Status.WAITING;
    } else if (kind != PROCESS || t == null) {
      status = Status.RUNNING;
    } else {
      status = switch (t.getState()) {
        case WAITING, TIMED_WAITING, BLOCKED -> Status.BLOCKED;
        default -> Status.RUNNING;
      };
    }
    String blockText = status != Status.WAITING ? ""
        : block instanceof CallSlot slot ? "call to " + slot.server().displayName()
        : block != null ? block.toString() : Blocking.RECEIVE.toString();
    return new Snapshot(status, signals.registeredName(), mailboxLength(), signals.links(), signals.monitors(),
        signals.monitoredBy(), signals.trapExits(), blockText, droppedMessages(), isRunaway(),
        messagesReceived());
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
