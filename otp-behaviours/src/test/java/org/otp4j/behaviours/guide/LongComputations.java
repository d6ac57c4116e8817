package org.otp4j.behaviours.guide;

import static org.otp4j.core.Proc.*;

import java.time.Duration;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Pid;

/** Chapter 2: computing without starving the other processes. */
final class LongComputations {
  private LongComputations() {}

  // region: chunked
  /** Sums the squares of 1..n, coming back to the runtime every million steps. */
  static long sumOfSquares(long n) {
    long total = 0;
    for (long i = 1; i <= n; i++) {
      total += i * i;
      if (i % 1_000_000 == 0) {
        checkpoint();
      }
    }
    return total;
  }

  /** A runtime call that waits for nothing: if this process was killed, its code unwinds here. */
  static void checkpoint() {
    sleep(Duration.ZERO);
    Thread.yield(); // and let other processes have this carrier thread for a moment
  }
  // endregion: chunked

  static Pid startAndKill() {
    // region: kill
    Pid cruncher = spawn(() -> sumOfSquares(Long.MAX_VALUE)); // would run for ages
    exit(cruncher, ExitReason.KILL);
    // Already true here: isAlive(cruncher) is false, its links and monitors have fired with reason
    // killed, its name is free. Its thread unwinds at its next checkpoint, with ProcessTerminated.
    // endregion: kill
    return cruncher;
  }
}
