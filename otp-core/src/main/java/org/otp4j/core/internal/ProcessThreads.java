package org.otp4j.core.internal;

/**
 * The one place where the runtime creates threads: a virtual thread per process, named after its
 * pid so that a thread dump reads like a process list, and a few platform daemon threads for the
 * node's own services.
 */
final class ProcessThreads {
  private ProcessThreads() {}

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
