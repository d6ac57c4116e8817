package org.otp4j.behaviours;

import java.time.Duration;
import java.util.Objects;
import org.otp4j.core.Name;
import org.otp4j.core.Proc;
import org.otp4j.core.SpawnOptions;

/**
 * How to start a behaviour process: its name, how long init may take, and the options of the
 * process itself. Immutable; start from {@link #defaults()}.
 *
 * @param name the name to register the process under before its init runs, or null
 * @param timeout how long the starter waits for init to return ({@link Proc#INFINITY} by default,
 *     as in OTP); past it the process is killed and the start fails with {@code timeout}
 * @param spawn the options of the process (bounded mailbox...)
 */
public record StartOptions(Name name, Duration timeout, SpawnOptions spawn) {

  public StartOptions {
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(spawn, "spawn");
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("a start timeout cannot be negative, got " + timeout);
    }
  }

  /** No name, no start timeout, default process options. */
  public static StartOptions defaults() {
    return new StartOptions(null, Proc.INFINITY, SpawnOptions.defaults());
  }

  /** Registers the process under {@code name} (local or via) before its init runs. */
  public StartOptions withName(Name name) {
    return new StartOptions(Objects.requireNonNull(name, "name"), timeout, spawn);
  }

  /** Fails the start with {@code timeout}, killing the process, if init takes longer than this. */
  public StartOptions withTimeout(Duration timeout) {
    return new StartOptions(name, timeout, spawn);
  }

  /** Options of the process itself. */
  public StartOptions withSpawnOptions(SpawnOptions spawn) {
    return new StartOptions(name, timeout, spawn);
  }
}
