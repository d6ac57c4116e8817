package org.otp4j.core;

/** A process could not be started because its node has been stopped. */
public final class NodeStoppedException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  /** @param node the stopped node, as it prints */
  public NodeStoppedException(String node) {
    super("node " + node + " has been stopped: start a new node with Node.start()");
  }
}
