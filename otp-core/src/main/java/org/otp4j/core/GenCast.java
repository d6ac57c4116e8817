package org.otp4j.core;

import java.util.Objects;

/**
 * The envelope of a behaviour's cast, OTP's {@code {'$gen_cast', Request}}: what
 * {@code GenServer.cast} puts in the server's mailbox. See {@link GenCall}.
 *
 * @param request the caller's request
 */
public record GenCast(Object request) {
  /**
   * Checks the part.
   *
   * @throws NullPointerException if {@code request} is null
   */
  public GenCast {
    Objects.requireNonNull(request, "a request cannot be null");
  }
}
