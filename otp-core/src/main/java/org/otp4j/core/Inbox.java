package org.otp4j.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;
import org.otp4j.core.internal.Kernel;
import org.otp4j.core.internal.ProcessImpl;

/**
 * A mailbox and pid for a plain Java thread: lets {@code main}, a request handler or a test take part
 * in message passing as if it were a process, without spawning one.
 *
 * <!-- snippet: org.otp4j.core.JavadocExamplesTest#inbox -->
 * {@snippet :
 * try (Inbox inbox = Node.current().openInbox()) {
 *   Pid me = inbox.pid();
 *   Pid worker = Proc.spawn(() -> Proc.send(me, "done"));
 *   inbox.monitor(worker);
 *   return inbox.receive(Duration.ofSeconds(5)).orElseThrow();
 * }
 * }
 *
 * <p>An inbox is a process in every respect except that it has no thread of its own: it appears in
 * the process table, can be linked, monitored, registered, sent exit signals and killed. Its
 * methods act as that process and must be called from one thread at a time. If the inbox is
 * killed, or exits through a link, its methods throw {@link ProcessTerminated}. {@link #close()}
 * terminates it with reason {@code normal}.
 */
public final class Inbox implements AutoCloseable {
  private final ProcessImpl process;

  Inbox(ProcessImpl process) {
    this.process = process;
  }

  /** The inbox's pid: where to send it messages. */
  public Pid pid() {
    return process.pid();
  }

  /** Sends a message as this inbox; see {@link Proc#send(Pid, Object)}. */
  public void send(Pid to, Object message) {
    Kernel.send(process, Kernel.target(to), message);
  }

  /** Sends a message as this inbox to a name; see {@link Proc#send(Name, Object)}. */
  public void send(Name to, Object message) {
    Kernel.send(process, process.runtime(), to, message);
  }

  /** Sends a message as this inbox to a typed address; see {@link Proc#send(ServerRef, Object)}. */
  public <M> void send(ServerRef<M> to, M message) {
    Kernel.send(process, process.runtime(), to, message);
  }

  /** Takes the oldest message, waiting as long as it takes. */
  public Object receive() {
    return process.receive(null, -1, null);
  }

  /** Takes the oldest message, waiting at most {@code timeout}. */
  public Optional<Object> receive(Duration timeout) {
    return result(process.receive(null, Timeouts.nanos(timeout), null));
  }

  /** Takes the oldest message matching {@code filter}, waiting at most {@code timeout}. */
  public Optional<Object> receive(Predicate<Object> filter, Duration timeout) {
    return result(process.receive(Objects.requireNonNull(filter, "filter"), Timeouts.nanos(timeout), null));
  }

  /** Removes and returns every message now waiting, oldest first. */
  public List<Object> flush() {
    List<Object> out = new ArrayList<>();
    Object m;
    while ((m = process.receive(null, 0, null)) != ProcessImpl.TIMED_OUT) {
      out.add(m);
    }
    return out;
  }

  /** Links this inbox to {@code pid}; see {@link Proc#link(Pid)}. */
  public void link(Pid pid) {
    process.link(Kernel.process(pid));
  }

  /** Removes a link; see {@link Proc#unlink(Pid)}. */
  public void unlink(Pid pid) {
    process.unlink(Kernel.target(pid));
  }

  /** Sets whether this inbox traps exits; returns the previous setting. */
  public boolean trapExits(boolean trap) {
    return process.setTrapExits(trap);
  }

  /** Monitors a process; see {@link Proc#monitor(Address)}. */
  public Ref monitor(Address target) {
    return Kernel.monitor(process, process.runtime(), target);
  }

  /** Removes a monitor; see {@link Proc#demonitor(Ref)}. */
  public boolean demonitor(Ref ref) {
    return process.demonitor(Objects.requireNonNull(ref, "ref"), false);
  }

  /** Removes a monitor and any of its {@link Down} messages; see {@link Proc#demonitorFlush(Ref)}. */
  public boolean demonitorFlush(Ref ref) {
    return process.demonitor(Objects.requireNonNull(ref, "ref"), true);
  }

  /** Sends an exit signal as this inbox; see {@link Proc#exit(Pid, ExitReason)}. */
  public void exit(Pid pid, ExitReason reason) {
    Kernel.exit(process, Kernel.target(pid), reason);
  }

  /** Whether the inbox is still alive (not closed, not killed). */
  public boolean isAlive() {
    return process.isAlive();
  }

  /** Terminates the inbox with reason {@code normal}; linked and monitoring processes are told. */
  @Override
  public void close() {
    process.exitSelf(ExitReason.NORMAL);
    process.dropMailbox();
  }

  @Override
  public String toString() {
    return "Inbox" + process.displayName();
  }

  private static Optional<Object> result(Object m) {
    return m == ProcessImpl.TIMED_OUT ? Optional.empty() : Optional.of(m);
  }
}
