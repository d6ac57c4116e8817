package org.otp4j.core;

import org.otp4j.core.internal.Bridge;
import org.otp4j.core.internal.ProcessImpl;

/**
 * The identity of a process: what {@link Proc#spawn(Proc.Body)} returns and what messages, links and
 * monitors are addressed to.
 *
 * <p>A pid prints like Erlang's, {@code <0.42.0>}: the first number is the node's index within
 * this JVM, the second the process's serial number on that node. The virtual thread that runs the
 * process carries the same name, so a thread dump reads like a process list.
 *
 * <p>Pids are compared by identity: two pids are equal only if they denote the same process. A pid
 * stays valid after its process has terminated; sending to it then does nothing.
 */
public final class Pid implements Address, Comparable<Pid> {
  static {
    Bridge.installPids(new Bridge.Pids() {
      @Override
      public Pid newPid(ProcessImpl process) {
        return new Pid(process);
      }

      @Override
      public ProcessImpl process(Pid pid) {
        return pid.process;
      }
    });
  }

  private final ProcessImpl process;

  private Pid(ProcessImpl process) {
    this.process = process;
  }

  /** The node this process belongs to. */
  public Node node() {
    return Node.of(process.runtime());
  }

  /** The process's serial number on its node (the middle number of {@code <0.42.0>}). */
  public long serial() {
    return process.serial();
  }

  /** Orders pids by node index, then serial number (the order in which they were spawned). */
  @Override
  public int compareTo(Pid other) {
    int byNode = Integer.compare(process.runtime().index(), other.process.runtime().index());
    return byNode != 0 ? byNode : Long.compare(process.serial(), other.process.serial());
  }

  @Override
  public String toString() {
    return process.displayName();
  }
}
