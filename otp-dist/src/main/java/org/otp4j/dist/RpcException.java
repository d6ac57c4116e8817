package org.otp4j.dist;

import java.util.List;
import java.util.Objects;
import org.otp4j.core.ExitReason;

/**
 * Why an {@link Rpc} request to another node failed: the entry point threw ({@link RemoteError}), the
 * node has no such entry point ({@link UnknownEntry}), or no answer came ({@link NoAnswer}: the node is
 * not connected or went down, it serves no rpc, or the time ran out).
 */
public abstract sealed class RpcException extends RuntimeException
    permits RpcException.RemoteError, RpcException.UnknownEntry, RpcException.NoAnswer {
  private static final long serialVersionUID = 1L;

  private final String node;
  private final String entry;

  private RpcException(String node, String entry, String message) {
    super(message);
    this.node = Objects.requireNonNull(node, "node");
    this.entry = Objects.requireNonNull(entry, "entry");
  }

  /** The node the request went to. */
  public String node() {
    return node;
  }

  /** The entry point the request named. */
  public String entry() {
    return entry;
  }

  /** The entry point threw: its class name and message, as they were on the other node. */
  public static final class RemoteError extends RpcException {
    private static final long serialVersionUID = 1L;

    private final String remoteClass;
    private final String remoteMessage;

    /**
     * Makes the error.
     *
     * @param node the node
     * @param entry the entry point
     * @param remoteClass the class name of what the entry point threw
     * @param remoteMessage its message, or null
     */
    public RemoteError(String node, String entry, String remoteClass, String remoteMessage) {
      super(node, entry, entry + " on node " + node + " threw " + remoteClass
          + (remoteMessage == null ? "" : ": " + remoteMessage));
      this.remoteClass = Objects.requireNonNull(remoteClass, "remoteClass");
      this.remoteMessage = remoteMessage;
    }

    /** The class name of what the entry point threw. */
    public String remoteClass() {
      return remoteClass;
    }

    /** Its message, or null. */
    public String remoteMessage() {
      return remoteMessage;
    }
  }

  /** The node has no entry point of that name taking that number of arguments. */
  public static final class UnknownEntry extends RpcException {
    private static final long serialVersionUID = 1L;

    private final List<String> known;

    /**
     * Makes the error.
     *
     * @param node the node
     * @param entry the entry point asked for
     * @param arity the number of arguments given
     * @param known the entry points the node has ({@link EntryPoints#names()})
     */
    public UnknownEntry(String node, String entry, int arity, List<String> known) {
      super(node, entry, "node " + node + " has no entry point '" + entry + "' taking " + arity
          + " argument(s); it has " + known + " (register it in the EntryPoints given to Rpc.serve there)");
      this.known = List.copyOf(known);
    }

    /** The entry points the node has. */
    public List<String> known() {
      return known;
    }
  }

  /**
   * No answer came: {@code noconnection} (the node is not connected, or went down before answering),
   * {@code noproc} (the node serves no rpc: nobody called {@link Rpc#serve} there), {@code timeout}.
   */
  public static final class NoAnswer extends RpcException {
    private static final long serialVersionUID = 1L;

    private final ExitReason reason;

    /**
     * Makes the error.
     *
     * @param node the node
     * @param entry the entry point
     * @param reason why no answer came
     */
    public NoAnswer(String node, String entry, ExitReason reason) {
      super(node, entry, entry + " on node " + node + " got no answer: " + reason
          + (reason == ExitReason.NOPROC ? " (the node serves no rpc: call Rpc.serve there)" : ""));
      this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** Why: {@code noconnection}, {@code noproc} or {@code timeout}. */
    public ExitReason reason() {
      return reason;
    }
  }
}
