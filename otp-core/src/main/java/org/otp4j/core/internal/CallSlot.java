package org.otp4j.core.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import org.otp4j.core.ExitReason;
import org.otp4j.core.From;
import org.otp4j.core.Pid;

/**
 * The temporary reply channel of one call: the {@link From} handed to the server and the watcher
 * that learns if the server terminates first. It plays the role of OTP's process alias: once the
 * caller has its answer, or has given up, every later reply is dropped, so no late reply is ever
 * left behind. It works the same for a calling process and for a plain Java thread.
 *
 * <p>NOTE: the outcome is a single field set once by compare-and-set: the reply value, a
 * {@link Failed} when the server went down first, or {@link #CANCELLED} when the caller gave up.
 * Whoever wins the CAS decides the outcome; the waiter only reads it.
 */
final class CallSlot extends ExportableFrom implements Watcher {
  private static final Object CANCELLED = new Object();
  /** Stands for a null reply (the field's null means "no outcome yet"). */
  static final Object NULL_REPLY = new Object();
  private static final VarHandle RESULT;

  static {
    try {
      RESULT = MethodHandles.lookup().findVarHandle(CallSlot.class, "result", Object.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** The server terminated before replying. */
  record Failed(ExitReason reason) {}

  private final ProcessImpl caller;
  private final Thread waiter;
  private final ProcessImpl server;
  @SuppressWarnings("unused") // accessed through RESULT
  private volatile Object result;

  CallSlot(ProcessImpl caller, Thread waiter, ProcessImpl server) {
    this.caller = caller;
    this.waiter = waiter;
    this.server = server;
  }

  /** The process called (or awaited). */
  ProcessImpl server() {
    return server;
  }

  /** The calling process has terminated: no reply can reach it any more. */
  void callerGone() {
    RESULT.compareAndSet(this, null, CANCELLED);
  }

  ProcessImpl callerProcess() {
    return caller;
  }

  @Override
  boolean heldWeakly() {
    return false; // forgotten when the call ends (Distribution.callEnded)
  }

  @Override
  Pid callerPid() {
    return caller == null ? null : caller.pid();
  }

  @Override
  public Optional<Pid> caller() {
    return caller == null ? Optional.empty() : Optional.of(caller.pid());
  }

  @Override
  public boolean reply(Object value) {
    if (RESULT.compareAndSet(this, null, value == null ? NULL_REPLY : value)) {
      wake();
      return true;
    }
    return false;
  }

  @Override
  public void processDown(ProcessImpl target, ExitReason reason) {
    if (RESULT.compareAndSet(this, null, new Failed(reason))) {
      wake();
    }
  }

  private void wake() {
    if (caller != null) {
      caller.woken();
    }
    LockSupport.unpark(waiter);
  }

  /**
   * Waits for the outcome: the reply, a {@link Failed}, or null if {@code timeoutNanos} (negative:
   * forever) passed first, in which case later replies are dropped.
   *
   * @throws InterruptedException if a plain-thread caller was interrupted (the call is cancelled)
   */
  Object await(long timeoutNanos) throws InterruptedException {
    Object r;
    // A plain thread spins as much as the server's node lets its processes: not at all on the node's
    // own scheduler, where a spinning caller only takes a core from the server it waits for (many
    // request threads of a web server calling processes saturate two cores that way).
    int spins = caller != null ? caller.spinBudget : server.runtime().spinMax();
    for (int i = 0; i < spins; i++) {
      if ((r = (Object) RESULT.getVolatile(this)) != null) {
        if (caller != null) {
          Spin.hit(caller, spins);
          caller.touchEpoch();
        }
        return r;
      }
      Thread.onSpinWait();
    }
    if (caller != null) {
      Spin.miss(caller, spins);
    }
    long parkedAt = System.nanoTime();
    // A process's call on a node with a manual clock times out on that clock; a plain thread's in real time.
    VirtualClock clock = timeoutNanos >= 0 && caller != null ? caller.runtime().virtualClock() : null;
    long deadline = timeoutNanos >= 0 ? (clock == null ? parkedAt : clock.nanoTime()) + timeoutNanos : 0L;
    for (;;) {
      r = (Object) RESULT.getVolatile(this);
      if (r != null) {
        if (caller != null) {
          Spin.parked(caller, System.nanoTime() - parkedAt);
          caller.touchEpoch();
        }
        return r;
      }
      if (timeoutNanos < 0) {
        LockSupport.park(this);
      } else {
        long remaining = deadline - (clock == null ? System.nanoTime() : clock.nanoTime());
        if (remaining <= 0) {
          if (caller != null) {
            caller.touchEpoch();
          }
          return cancel();
        }
        if (clock == null) {
          LockSupport.parkNanos(this, remaining);
        } else {
          VirtualClock.Entry wake = clock.wakeAt(deadline, Thread.currentThread()); // as in Mailbox.receiveSlow
          if (deadline - clock.nanoTime() > 0) {
            LockSupport.park(this);
          }
          clock.remove(wake);
        }
      }
      if (caller != null) {
        if (!caller.isAlive()) {
          cancel();
          throw caller.terminated();
        }
        Thread.interrupted(); // an interrupt from user code does not end a process's call
      } else if (Thread.interrupted()) {
        if (cancel() == null) {
          throw new InterruptedException();
        }
        Thread.currentThread().interrupt();
        return RESULT.getVolatile(this);
      }
    }
  }

  /** Gives up: returns null if no outcome had been set, else the outcome that won. */
  private Object cancel() {
    if (RESULT.compareAndSet(this, null, CANCELLED)) {
      return null;
    }
    return RESULT.getVolatile(this);
  }

  @Override
  public String toString() {
    return "From[" + (caller == null ? waiter.toString() : caller.displayName()) + "]";
  }
}
