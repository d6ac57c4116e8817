package org.otp4j.core;

import java.util.Objects;

/**
 * The message a process that traps exits receives instead of being terminated by an exit signal:
 * Erlang's {@code {'EXIT', From, Reason}}.
 *
 * @param from the process the signal came from (the linked process that terminated, or the sender of
 *     {@link Proc#exit(Pid, ExitReason)}); the node's root pid if it was sent from outside any process
 * @param reason the signal's reason
 */
public record ExitMessage(Pid from, ExitReason reason) {
  public ExitMessage {
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(reason, "reason");
  }

  @Override
  public String toString() {
    return "{'EXIT'," + from + "," + reason + "}";
  }
}
