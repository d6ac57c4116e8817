package org.otp4j.dist;

/**
 * A frame that a {@link Codec} cannot decode: truncated, corrupted, or naming a type that is not
 * allowed. The receiving node drops the frame, counts it and logs it; it never fails the node.
 */
public final class MalformedFrameException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Makes the exception.
   *
   * @param message what was wrong with the frame
   */
  public MalformedFrameException(String message) {
    super(message);
  }

  /**
   * Makes the exception with its cause.
   *
   * @param message what was wrong with the frame
   * @param cause what the decoder ran into
   */
  public MalformedFrameException(String message, Throwable cause) {
    super(message, cause);
  }
}
