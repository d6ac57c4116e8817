package org.otp4j.behaviours;

import java.util.Objects;
import java.util.Optional;
import org.otp4j.core.From;

/**
 * A call or cast as it arrives in the mailbox of a process that is not itself a behaviour (OTP's
 * {@code {'$gen_call', From, Request}} and {@code {'$gen_cast', Request}}), for code that answers the
 * behaviours' protocol by hand: a test probe standing in for a server, a proxy. A behaviour's own
 * loop never needs it.
 *
 * <p>A {@code GenServer.call} to such a process waits until {@link Call#from() from}{@code .reply(value)}
 * is called (from any thread), or until its timeout.
 */
public sealed interface GenRequest {

  /** The request as the client gave it. */
  Object request();

  /**
   * A {@code GenServer.call} (or a {@code GenStatem.call}) waiting for its reply.
   *
   * @param from where the reply goes
   * @param request the request
   */
  record Call(From from, Object request) implements GenRequest {
    public Call {
      Objects.requireNonNull(from, "from");
    }
  }

  /**
   * A {@code GenServer.cast} (or a {@code GenStatem.cast}).
   *
   * @param request the request
   */
  record Cast(Object request) implements GenRequest {}

  /** What {@code message}, taken from a mailbox, is: a call, a cast, or neither (empty). */
  static Optional<GenRequest> of(Object message) {
    return switch (message) {
      case org.otp4j.core.GenCall call -> Optional.of(new Call(call.from(), call.request()));
      case org.otp4j.core.GenCast cast -> Optional.of(new Cast(cast.request()));
      case null, default -> Optional.empty();
    };
  }
}
