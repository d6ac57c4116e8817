package org.otp4j.core.internal;

/**
 * Runs while a process terminates, after it is marked dead and before its exit and down signals
 * go out: used to release names held in registries, so that a process that receives the EXIT or
 * DOWN can register the same name at once. Must be quick and must not block.
 */
public interface ExitHook {
  void processExited(ProcessImpl process);
}
