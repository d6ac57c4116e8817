package org.otp4j.core;

/**
 * An operation on a {@link Table} that its access rights deny to the caller (ETS raises
 * {@code badarg}): a write to a {@link Table.Access#PROTECTED protected} table, or any use of a
 * {@link Table.Access#PRIVATE private} one, by a process other than its owner or by a plain thread;
 * or an owner's operation ({@link Table#giveAway}, {@link Table#setHeir}) by anyone else. The
 * message names the table, its owner and the caller.
 */
public final class TableAccessException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  /** An exception with this message. */
  public TableAccessException(String message) {
    super(message);
  }
}
