package org.otp4j.behaviours;

import java.util.Objects;

/**
 * The exit reason term of a behaviour whose callback returned something it may not return: OTP's
 * {@code {bad_return_value, Value}} and its relatives. A callback that returns null, or an action
 * that is not allowed where it was given, ends the process with this reason, which names what was
 * wrong and the value received.
 *
 * <ul>
 *   <li>{@code bad_return_value}: a GenServer callback, or a supervisor's init, returned null;</li>
 *   <li>{@code bad_return_from_init}, {@code bad_return_from_state_function}: a GenStatem's init or
 *       event handler returned null;</li>
 *   <li>{@code bad_state_enter_return_from_state_function}: a state enter call changed the state;</li>
 *   <li>{@code bad_state_enter_action_from_state_function}: a state enter call asked to postpone or
 *       to insert an event;</li>
 *   <li>{@code bad_action_from_state_function}: an action was null.</li>
 * </ul>
 *
 * @param kind what was wrong, in OTP's words
 * @param value what the callback returned (may be null)
 */
public record BadReturn(String kind, Object value) {
  public BadReturn {
    Objects.requireNonNull(kind, "kind");
  }

  /** {@code {bad_return_value, Value}}: what a GenServer callback returned instead of a result. */
  public static BadReturn value(Object value) {
    return new BadReturn("bad_return_value", value);
  }

  @Override
  public String toString() {
    return "{" + kind + "," + value + "}";
  }
}
