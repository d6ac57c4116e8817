package org.otp4j.core.internal;

import org.otp4j.core.ExitReason;

/**
 * Something that watches a process and must be told, once, when it terminates: a monitor held by
 * another process, a caller waiting for a reply, a plain thread waiting for the exit.
 *
 * <p>Watchers sit in the target's {@code monitoredBy} set and are compared by identity.
 * {@link #processDown} is called by whichever thread terminates the target, outside every process
 * lock; it must not block.
 */
interface Watcher {
  void processDown(ProcessImpl target, ExitReason reason);
}
