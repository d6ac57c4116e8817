package org.otp4j.dist;

import org.otp4j.core.ExitReason;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;

/**
 * The message of the distribution tests: who sent it, and a text.
 *
 * @param from the sender
 * @param text the text
 */
public record Ping(Pid from, String text) {

  /** The body of an echo process: answers every ping with its own pid, exits with a reason it is sent. */
  static void echo() {
    while (true) {
      switch (Proc.receive()) {
        case Ping(Pid from, String text) -> Proc.send(from, new Ping(Proc.self(), text));
        case ExitReason reason -> Proc.exit(reason);
        default -> { }
      }
    }
  }
}
