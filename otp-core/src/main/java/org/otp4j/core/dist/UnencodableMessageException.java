package org.otp4j.core.dist;

/**
 * A message to a process on another node holds a value the distribution cannot encode; thrown to the
 * sender, and nothing is sent.
 */
public final class UnencodableMessageException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient Class<?> type;

  /**
   * Makes the exception for a value of {@code type}.
   *
   * @param type the class that cannot be encoded
   * @param detail what to do about it
   */
  public UnencodableMessageException(Class<?> type, String detail) {
    super("cannot send a " + type.getName() + " to another node: " + detail);
    this.type = type;
  }

  /** The class of the value that could not be encoded. */
  public Class<?> type() {
    return type;
  }
}
