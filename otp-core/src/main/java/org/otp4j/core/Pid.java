package org.otp4j.core;

import java.util.Objects;
import org.otp4j.core.internal.Bridge;
import org.otp4j.core.internal.NodeRuntime;
import org.otp4j.core.internal.ProcessImpl;

/**
 * The identity of a process: what {@link Proc#spawn(Proc.Body)} returns and what messages, links and
 * monitors are addressed to.
 *
 * <p>A local pid prints like Erlang's, {@code <0.42.0>}: the first number is the node's index within
 * this JVM, the second the process's serial number on that node. The virtual thread that runs the
 * process carries the same name, so a thread dump reads like a process list. A pid of a process on
 * another node (a <em>remote</em> pid, received in a message) prints with that node's name,
 * {@code <billing@host.42.0>}, and every operation on it (send, link, monitor, exit) goes through the
 * node's distribution (see {@link NodeConfig#withTransport}).
 *
 * <p>Like Erlang's, a pid maps onto four values: its {@link #nodeName() node name}, its node's
 * {@link #creation() creation} (the incarnation of that node: a node restarted under the same name
 * has another, so the old pids stay dead), and its {@link #serial() serial number} (Erlang's id and
 * serial fields are its low and high 32 bits).
 *
 * <p>A local pid is equal only to itself: two local pids are equal only if they denote the same
 * process. Two remote pids are equal when their node name, creation and serial are. A pid stays valid
 * after its process has terminated; sending to it then does nothing.
 */
public sealed class Pid implements Address, Comparable<Pid> permits Pid.Remote {
  static {
    Bridge.installPids(new Bridge.Pids() {
      @Override
      public Pid newPid(ProcessImpl process) {
        return new Pid(process);
      }

      @Override
      public Pid remotePid(NodeRuntime via, String node, int creation, long serial) {
        return new Remote(via, node, creation, serial);
      }

      @Override
      public ProcessImpl process(Pid pid) {
        return pid.process();
      }

      @Override
      public NodeRuntime via(Pid pid) {
        return pid instanceof Remote r ? r.via : pid.process.runtime();
      }
    });
  }

  private final ProcessImpl process;

  private Pid(ProcessImpl process) {
    this.process = process;
  }

  /** The process behind a local pid; for a remote pid, the local stand-in that forwards to it. */
  ProcessImpl process() {
    return process;
  }

  /**
   * The node this process belongs to; for a remote pid, the node of this JVM that received it (the
   * one its signals travel from). See {@link #nodeName()} for the name of the node it runs on.
   */
  public Node node() {
    return Node.of(process.runtime());
  }

  /** The name of the node this process runs on (Erlang's {@code node(Pid)}). */
  public String nodeName() {
    return process.runtime().name();
  }

  /** The creation (incarnation) of the node this process runs on. */
  public int creation() {
    return process.runtime().creation();
  }

  /** Whether this process runs on another node than the ones of this JVM that can reach it. */
  public boolean isRemote() {
    return false;
  }

  /** The process's serial number on its node (the middle number of {@code <0.42.0>}). */
  public long serial() {
    return process.serial();
  }

  /**
   * Orders local pids by node index, then serial number (the order in which they were spawned);
   * pids of other nodes by node name, creation, then serial.
   */
  @Override
  public int compareTo(Pid other) {
    if (!isRemote() && !other.isRemote()) {
      int byNode = Integer.compare(process.runtime().index(), other.process.runtime().index());
      return byNode != 0 ? byNode : Long.compare(process.serial(), other.process.serial());
    }
    int byName = nodeName().compareTo(other.nodeName());
    if (byName != 0) {
      return byName;
    }
    int byCreation = Integer.compare(creation(), other.creation());
    return byCreation != 0 ? byCreation : Long.compare(serial(), other.serial());
  }

  @Override
  public String toString() {
    return process.displayName();
  }

  /**
   * A pid of a process on another node, as decoded from a message. Equal to every other remote pid
   * with the same node name, creation and serial; its local stand-in (which holds the links and
   * monitors to it) lives as long as the connection to its node.
   */
  static final class Remote extends Pid {
    private final NodeRuntime via;
    private final String node;
    private final int creation;
    private final long serial;

    private Remote(NodeRuntime via, String node, int creation, long serial) {
      super(null);
      this.via = Objects.requireNonNull(via, "via");
      this.node = Objects.requireNonNull(node, "node");
      this.creation = creation;
      this.serial = serial;
    }

    @Override
    ProcessImpl process() {
      return via.distribution().standIn(this);
    }

    @Override
    public Node node() {
      return Node.of(via);
    }

    @Override
    public String nodeName() {
      return node;
    }

    @Override
    public int creation() {
      return creation;
    }

    @Override
    public boolean isRemote() {
      return true;
    }

    @Override
    public long serial() {
      return serial;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Remote r && r.serial == serial && r.creation == creation && r.node.equals(node);
    }

    @Override
    public int hashCode() {
      return Long.hashCode(serial) * 31 + node.hashCode();
    }

    @Override
    public String toString() {
      return "<" + node + "." + serial + ".0>";
    }
  }
}
