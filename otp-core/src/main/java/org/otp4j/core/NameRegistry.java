package org.otp4j.core;

import java.util.Optional;

/**
 * A pluggable naming service, Erlang's {@code {via, Module, Name}} contract: a process registered
 * through it can be reached with {@link Name#via(NameRegistry, Object)}.
 *
 * <p>Names registered with {@link Proc#register(Name, Pid)} are unregistered by the runtime when the
 * process terminates, before its exit and down signals are sent, so a supervisor restarting the
 * process can register the same name at once. A unique {@link Registry} is a ready-made
 * implementation.
 */
public interface NameRegistry {

  /**
   * Registers {@code pid} under {@code key}.
   *
   * @return true if registered; false if the key is already taken by a live process
   */
  boolean registerName(Object key, Pid pid);

  /** Removes the registration of {@code key}, if any. */
  void unregisterName(Object key);

  /** The process registered under {@code key}, if any. */
  Optional<Pid> whereisName(Object key);
}
