package org.otp4j.behaviours.guide;

import static org.otp4j.core.Proc.*;

import org.otp4j.core.Down;
import org.otp4j.core.ExitMessage;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Pid;
import org.otp4j.core.Ref;

/** Chapter 2: links, exit signals, monitors. */
final class Links {
  private Links() {}

  // region: link
  static Pid parentOfACrasher() {
    return spawn(() -> {
      spawnLink(() -> {
        throw new IllegalStateException("disk full");
      });
      receive(); // waits for ever: the exit signal from the link ends this process first
    });
  }
  // endregion: link

  // region: trap
  static Pid guardian(Pid reportTo) {
    return spawn(() -> {
      trapExits(true); // exit signals now arrive as ExitMessage instead of ending this process
      Pid worker = spawnLink(() -> {
        throw new IllegalStateException("disk full");
      });
      ExitMessage exit = (ExitMessage) receive(m -> m instanceof ExitMessage e && e.from().equals(worker));
      send(reportTo, exit.reason()); // Crash[error=java.lang.IllegalStateException: disk full]
    });
  }
  // endregion: trap

  // region: monitor
  static ExitReason awaitDown(Pid target) {
    Ref ref = monitor(target);
    Down down = (Down) receive(m -> m instanceof Down d && d.ref() == ref);
    return down.reason(); // noproc if target was already gone
  }
  // endregion: monitor
}
