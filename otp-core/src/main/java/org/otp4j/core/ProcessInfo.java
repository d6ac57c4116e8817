package org.otp4j.core;

import java.util.List;
import java.util.Optional;
import org.otp4j.core.internal.ProcessImpl;

/**
 * A snapshot of one process, Erlang's {@code process_info/1}: taken at one moment and not updated.
 *
 * @param pid the process
 * @param registeredName its local name, if it has one
 * @param status what it is doing
 * @param mailboxLength how many messages wait in its mailbox
 * @param links the processes it is linked to
 * @param monitors what it monitors (pids, or names for monitors set up by name)
 * @param monitoredBy the processes that monitor it (a plain thread waiting on it is not listed)
 * @param trapExits whether it traps exits
 * @param blockedOn what it waits in when {@link ProcessStatus#WAITING} ({@code "receive"},
 *     {@code "call to <0.5.0>"}...), else empty
 * @param droppedMessages messages its bounded mailbox refused (0 for an unbounded mailbox)
 * @param runaway whether the watchdog reported it for holding its carrier thread too long
 * @param messagesReceived how many messages it has taken from its mailbox since it started (the
 *     JVM's stand-in for the work counted by reductions; read without stopping the process)
 */
public record ProcessInfo(
    Pid pid,
    Optional<String> registeredName,
    ProcessStatus status,
    int mailboxLength,
    List<Pid> links,
    List<Address> monitors,
    List<Pid> monitoredBy,
    boolean trapExits,
    String blockedOn,
    long droppedMessages,
    boolean runaway,
    long messagesReceived) {

  static Optional<ProcessInfo> of(ProcessImpl p) {
    ProcessImpl.Snapshot s = p.isAlive() ? p.snapshot() : null;
    if (s == null) {
      return Optional.empty(); // not alive, or it died while the snapshot was taken
    }
    ProcessStatus status = switch (s.status()) {
      case RUNNING -> ProcessStatus.RUNNING;
      case WAITING -> ProcessStatus.WAITING;
      case BLOCKED -> ProcessStatus.BLOCKED;
      case EXITING -> ProcessStatus.EXITING;
    };
    return Optional.of(new ProcessInfo(p.pid(), Optional.ofNullable(s.registeredName()), status,
        s.mailboxLength(), List.copyOf(s.links()), List.copyOf(s.monitors()), List.copyOf(s.monitoredBy()),
        s.trapExits(), s.blockedOn(), s.droppedMessages(), s.runaway(), s.messagesReceived()));
  }
}
