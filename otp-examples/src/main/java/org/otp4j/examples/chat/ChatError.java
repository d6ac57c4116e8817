package org.otp4j.examples.chat;

/**
 * A request that cannot be served, for a reason the client should hear about: becomes an error
 * frame {@code {type:error, code, message}} and the connection carries on.
 */
final class ChatError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String code;

  ChatError(String code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  /** A short machine-readable code: {@code unknown_room}, {@code not_joined}, {@code unavailable}... */
  String code() {
    return code;
  }
}
