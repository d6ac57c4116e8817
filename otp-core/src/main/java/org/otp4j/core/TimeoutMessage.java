package org.otp4j.core;

import java.util.Objects;

/**
 * The message delivered by a timer started with {@link Proc#startTimer}: Erlang's
 * {@code {timeout, TimerRef, Msg}}.
 *
 * @param timer the timer that fired
 * @param message the message given when the timer was started
 */
public record TimeoutMessage(TimerRef timer, Object message) {
  public TimeoutMessage {
    Objects.requireNonNull(timer, "timer");
    Objects.requireNonNull(message, "message");
  }
}
