package org.otp4j.core.internal;

import java.lang.ref.Cleaner;
import java.util.concurrent.Executor;

/**
 * The one place where the runtime creates threads: a virtual thread per process, named after its
 * pid so that a thread dump reads like a process list; the carrier threads of a node's
 * {@link LocalScheduler}; and a few platform daemon threads for the runtime's own services (a
 * node's timers, watchdog and scheduler monitor, the JVM-wide cleaner).
 */
final class ProcessThreads {
  private ProcessThreads() {}

  /** The cleaner that releases what unreachable runtime objects held; its thread starts on first use. */
  private static final class Cleaning {
    static final Cleaner CLEANER = Cleaner.create(task -> newServiceThread("otp-cleaner", task));
  }

  static Cleaner cleaner() {
    return Cleaning.CLEANER;
  }

  /**
   * The thread of {@code process}, on {@code scheduler} (a node's {@link LocalScheduler}), or on the
   * JDK's scheduler if null.
   */
  static Thread newProcessThread(ProcessImpl process, Executor scheduler) {
    // The uncaught-exception handler doubles as the thread's link back to its process; see
    // ProcessImpl.current().
    Thread.Builder.OfVirtual builder = scheduler == null ? Thread.ofVirtual() : VirtualThreads.builder(scheduler);
    return builder
        .name(process.displayName())
        .uncaughtExceptionHandler(process)
        .unstarted(process);
  }

  static Thread newServiceThread(String name, Runnable task) {
    return Thread.ofPlatform().name(name).daemon(true).unstarted(task);
  }

  /**
   * A carrier thread: a platform daemon thread that knows its {@link Carrier}, which is how the
   * scheduler tells, from the thread a continuation is submitted on, which queue it belongs in.
   */
  static Thread newCarrierThread(Carrier carrier, String name) {
    CarrierThread t = new CarrierThread(carrier, name);
    t.setDaemon(true);
    return t;
  }

  static final class CarrierThread extends Thread {
    final Carrier carrier;

    private CarrierThread(Carrier carrier, String name) {
      super(null, carrier, name, 0, false);
      this.carrier = carrier;
    }
  }
}
