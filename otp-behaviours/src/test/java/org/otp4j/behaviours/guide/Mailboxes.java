package org.otp4j.behaviours.guide;

import static org.otp4j.core.Proc.*;

import java.time.Duration;
import java.util.Optional;
import org.otp4j.core.MailboxFullException;
import org.otp4j.core.MailboxOverflow;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.core.SpawnOptions;
import org.otp4j.core.TimeoutMessage;
import org.otp4j.core.TimerRef;

/** Chapter 2: timers and bounded mailboxes. */
final class Mailboxes {
  private Mailboxes() {}

  /** What the timer example found. */
  record TimerFacts(Optional<Duration> leftOnCancel, TimeoutMessage fired) {}

  static TimerFacts timers() {
    // region: timers
    TimerRef reminder = sendAfter(Duration.ofMinutes(5), self(), "check in");
    Optional<Duration> left = cancelTimer(reminder); // present, about 5 minutes: it had not fired

    TimerRef tick = startTimer(Duration.ofMillis(20), self(), "tick");
    TimeoutMessage fired = (TimeoutMessage) receive(m -> m instanceof TimeoutMessage t && t.timer() == tick);
    // fired.message() is "tick"; the TimerRef tells this timer's message from any other
    // endregion: timers
    return new TimerFacts(left, fired);
  }

  // region: bounded
  static Pid startIngest(int capacity, Proc.Body consumer) {
    return spawn(SpawnOptions.defaults().withMailbox(capacity, MailboxOverflow.REJECT), consumer);
  }

  static boolean offer(Pid ingest, Object reading) {
    try {
      send(ingest, reading);
      return true;
    } catch (MailboxFullException e) {
      return false; // the consumer is behind: drop, retry later, or push back on the client
    }
  }
  // endregion: bounded
}
