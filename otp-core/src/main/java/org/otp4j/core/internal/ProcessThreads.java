package org.otp4j.core.internal;

import java.lang.ref.Cleaner;

/**
 * The one place where the runtime creates threads: a virtual thread per process, named after its
 * pid so that a thread dump reads like a process list, and a few platform daemon threads for the
 * runtime's own services (a node's timers and watchdog, the JVM-wide cleaner).
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

  static Thread newProcessThread(ProcessImpl process) {
    // The uncaught-exception handler doubles as the thread's link back to its process; see
    // ProcessImpl.current().
    return Thread.ofVirtual()
        .name(process.displayName())
        .uncaughtExceptionHandler(process)
        .unstarted(process);
  }

  static Thread newServiceThread(String name, Runnable task) {
    return Thread.ofPlatform().name(name).daemon(true).unstarted(task);
  }
}
