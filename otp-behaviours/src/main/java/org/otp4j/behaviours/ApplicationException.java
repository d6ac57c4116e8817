package org.otp4j.behaviours;

/**
 * An application could not be loaded, started, stopped or configured; the message says which and
 * why (OTP's {@code {error, Reason}} of the application functions).
 */
public final class ApplicationException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String application;

  public ApplicationException(String application, String message, Throwable cause) {
    super(message, cause);
    this.application = application;
  }

  public ApplicationException(String application, String message) {
    this(application, message, null);
  }

  /** The application the error is about. */
  public String application() {
    return application;
  }
}
