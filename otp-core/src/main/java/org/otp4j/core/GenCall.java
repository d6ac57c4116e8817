package org.otp4j.core;

import java.util.Objects;

/**
 * The envelope of a behaviour's call, OTP's {@code {'$gen_call', From, Request}}: what
 * {@code GenServer.call} and {@code GenStatem.call} put in the server's mailbox. It lives in otp-core,
 * with {@link GenCast}, so that any node and any codec can carry a call to a server of another node
 * without knowing the behaviours; user code does not need to build one.
 *
 * @param from where the reply goes
 * @param request the caller's request
 */
public record GenCall(From from, Object request) {
  /**
   * Checks the parts.
   *
   * @throws NullPointerException if {@code from} or {@code request} is null
   */
  public GenCall {
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(request, "a request cannot be null");
  }
}
