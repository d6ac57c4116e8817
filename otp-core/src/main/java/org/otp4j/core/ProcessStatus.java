package org.otp4j.core;

/** What a process is doing, as seen from outside (Erlang's {@code process_info(P, status)}). */
public enum ProcessStatus {
  /** Running or ready to run: its code is executing, or waiting for a carrier thread. */
  RUNNING,
  /** Waiting in the runtime: in a receive, for a call's reply, or for another process's exit. */
  WAITING,
  /** Blocked outside the runtime: in I/O, a lock, a sleep, or other blocking library code. */
  BLOCKED,
  /** Terminated, but its thread has not finished unwinding yet (see {@link ProcessTerminated}). */
  EXITING
}
