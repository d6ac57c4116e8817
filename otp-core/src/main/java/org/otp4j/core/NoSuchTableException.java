package org.otp4j.core;

/**
 * A {@link Table} was used after it was deleted (by {@link Table#delete()}, or because its owner
 * terminated without a live heir), or no table has the name looked up (ETS raises {@code badarg}
 * in both cases). The message says which table, and why it is gone.
 */
public final class NoSuchTableException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  /** An exception with this message. */
  public NoSuchTableException(String message) {
    super(message);
  }
}
