package org.otp4j.core;

import java.util.Objects;

/**
 * The message a node monitor receives when a node connects ({@code {nodeup, Node}}); see
 * {@link Proc#monitorNodes(boolean)}.
 *
 * @param node the name of the node that connected
 */
public record NodeUp(String node) {
  public NodeUp {
    Objects.requireNonNull(node, "node");
  }
}
