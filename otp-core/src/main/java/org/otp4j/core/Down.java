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

  /** The monitored process's pid, if it was monitored by pid (or by a typed ref by pid). */
  public java.util.Optional<Pid> pid() {
    return switch (target) {
      case Pid p -> java.util.Optional.of(p);
      case ServerRef<?> ref -> ref.address() instanceof Pid p ? java.util.Optional.of(p) : java.util.Optional.empty();
      case Name n -> java.util.Optional.empty();
    };
  }

  /** The name the process was monitored by, if it was monitored by name (or by a typed name). */
  public java.util.Optional<Name> name() {
    return switch (target) {
      case Name n -> java.util.Optional.of(n);
      case ServerRef<?> ref -> ref.name();
      case Pid p -> java.util.Optional.empty();
    };
  }

  @Override
  public String toString() {
    return "{'DOWN'," + ref + ",process," + target + "," + reason + "}";
  }
}
