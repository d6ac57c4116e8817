package org.otp4j.core;

/**
 * A registration broke one of the registry's rules: the name is taken, the process already has a
 * local name, or the process is not alive (Erlang raises {@code badarg} in each case).
 */
public final class NameConflictException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  public NameConflictException(String message) {
    super(message);
  }
}
