package org.otp4j.core.dist;

import java.util.Objects;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Pid;
import org.otp4j.core.Ref;

/**
 * What one node tells another about processes: Erlang's distribution control messages, each naming
 * the process that acts ({@code from}) and the one it acts on ({@code to}).
 */
public sealed interface Signal {

  /**
   * A message to a process.
   *
   * @param to the receiving process
   * @param message the message
   */
  record Send(Pid to, Object message) implements Signal {
    public Send {
      Objects.requireNonNull(to, "to");
      Objects.requireNonNull(message, "message");
    }
  }

  /**
   * A message to the process registered under a name on the receiving node ({@code {Name, Node} ! Msg});
   * dropped there if nothing is registered under it.
   *
   * @param from the sender
   * @param name the registered name
   * @param message the message
   */
  record NamedSend(Pid from, String name, Object message) implements Signal {
    public NamedSend {
      Objects.requireNonNull(from, "from");
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(message, "message");
    }
  }

  /**
   * {@code from} linked itself to {@code to}.
   *
   * @param from the linking process
   * @param to the process it linked to
   */
  record Link(Pid from, Pid to) implements Signal {}

  /**
   * {@code from} removed its link to {@code to}.
   *
   * @param from the unlinking process
   * @param to the process it was linked to
   */
  record Unlink(Pid from, Pid to) implements Signal {}

  /**
   * {@code from}, linked to {@code to}, terminated with {@code reason} (an exit signal through a link).
   *
   * @param from the process that terminated
   * @param to the linked process
   * @param reason its exit reason
   */
  record LinkExit(Pid from, Pid to, ExitReason reason) implements Signal {}

  /**
   * {@code from} sent {@code to} an exit signal ({@code exit(Pid, Reason)}).
   *
   * @param from the sender
   * @param to the receiving process
   * @param reason the reason
   */
  record Exit(Pid from, Pid to, ExitReason reason) implements Signal {}

  /**
   * {@code from} monitors {@code to} under {@code ref}.
   *
   * @param from the monitoring process
   * @param to the monitored process
   * @param ref the monitor's reference
   */
  record Monitor(Pid from, Pid to, Ref ref) implements Signal {}

  /**
   * {@code from} removed its monitor {@code ref} of {@code to}.
   *
   * @param from the monitoring process
   * @param to the monitored process
   * @param ref the monitor's reference
   */
  record Demonitor(Pid from, Pid to, Ref ref) implements Signal {}

  /**
   * {@code from} monitors, under {@code ref}, the process registered as {@code name} on the receiving
   * node, as resolved when the signal arrives ({@code monitor(process, {Name, Node})}, as a call to a
   * {@code {Name, Node}} does). If nothing is registered under the name, the answer is a
   * {@link MonitorDown} with {@code noproc} whose {@code from} is the receiving node's root pid.
   *
   * @param from the monitoring process
   * @param name the registered name
   * @param ref the monitor's reference
   */
  record MonitorName(Pid from, String name, Ref ref) implements Signal {
    public MonitorName {
      Objects.requireNonNull(from, "from");
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(ref, "ref");
    }
  }

  /**
   * {@code from} removed its monitor {@code ref} of the process registered as {@code name} on the
   * receiving node (resolved again when the signal arrives).
   *
   * @param from the monitoring process
   * @param name the registered name
   * @param ref the monitor's reference
   */
  record DemonitorName(Pid from, String name, Ref ref) implements Signal {
    public DemonitorName {
      Objects.requireNonNull(from, "from");
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(ref, "ref");
    }
  }

  /**
   * {@code from}, monitored by {@code to} under {@code ref}, terminated with {@code reason} (or was
   * not alive when the monitor arrived: {@code noproc}).
   *
   * @param from the monitored process
   * @param to the monitoring process
   * @param ref the monitor's reference
   * @param reason the exit reason
   */
  record MonitorDown(Pid from, Pid to, Ref ref, ExitReason reason) implements Signal {}

  /**
   * The reply to a call made from the receiving node: {@code id} names the caller's reply channel
   * there (see {@link Dispatcher#fromId}).
   *
   * @param id the reply channel's number on the caller's node
   * @param value the reply; may be null
   */
  record Reply(long id, Object value) implements Signal {}
}
