package org.otp4j.behaviours;

import org.otp4j.core.ExitReason;

/** What a behaviour's loop exposes to {@link Sys}: its state, its status, and a way to terminate. */
interface SysHandler {
  /** The state as {@link Sys#getState} shows it (a GenStatem returns its state and data). */
  Object systemState();

  /** Replaces the state (the value has the shape {@link #systemState()} returns). */
  void replaceSystemState(Object newState);

  Sys.Status systemStatus();

  /** Runs the behaviour's terminate callback and exits with {@code reason}. Never returns. */
  void systemTerminate(ExitReason reason);
}
