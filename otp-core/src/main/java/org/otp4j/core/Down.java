package org.otp4j.core;

import java.util.Objects;

/**
 * The message a monitoring process receives when the monitored process terminates, or at once if it
 * did not exist: Erlang's {@code {'DOWN', Ref, process, Object, Reason}}.
 *
 * @param ref the reference returned by {@link Proc#monitor(Address)}
 * @param target what was monitored: the pid, or the name if the monitor was set up by name
 * @param reason the process's exit reason, or {@link ExitReason#NOPROC} if it did not exist
 */
public record Down(Ref ref, Address target, ExitReason reason) {
  public Down {
    Objects.requireNonNull(ref, "ref");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(reason, "reason");
  }

  @Override
  public String toString() {
    return "{'DOWN'," + ref + ",process," + target + "," + reason + "}";
  }
}
