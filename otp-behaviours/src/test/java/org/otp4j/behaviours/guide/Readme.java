package org.otp4j.behaviours.guide;

import static org.otp4j.core.Proc.*;

import org.otp4j.behaviours.ChildSpec;
import org.otp4j.behaviours.Supervisor;
import org.otp4j.core.Pid;

/** The other examples of the project's README. */
final class Readme {
  private Readme() {}

  /** What the counter example gives. */
  record CounterRun(Pid supervisor, int bumped) {}

  static CounterRun counter() {
    // region: counter-use
    Pid sup = Supervisor.startLink(Supervisor.oneForOne(),
                                   ChildSpec.worker("counter", () -> Counter.startLink(0)));
    int n = Counter.bump(5);   // 5; if the counter crashes, its supervisor restarts it
    // endregion: counter-use
    return new CounterRun(sup, n);
  }

  record Ping(Pid from) {}

  static Pid echo() {
    // region: echo
    Pid echo = spawn(() -> {
      while (true) {
        if (receive() instanceof Ping(Pid from)) send(from, "pong");
      }
    });
    // endregion: echo
    return echo;
  }
}
