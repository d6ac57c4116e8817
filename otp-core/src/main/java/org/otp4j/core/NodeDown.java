package org.otp4j.core;

import java.util.Objects;

/**
 * The message a node monitor receives when a node disconnects or is unreachable
 * ({@code {nodedown, Node, [{nodedown_reason, Reason}]}}); see {@link Proc#monitorNode(String)} and
 * {@link Proc#monitorNodes(boolean)}.
 *
 * @param node the name of the node that went down
 * @param reason why: {@code connection_closed}, {@code net_tick_timeout}, {@code no_network} (the
 *     node is not distributed or the node was never connected), or what the engine reported
 */
public record NodeDown(String node, String reason) {
  public NodeDown {
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(reason, "reason");
  }
}
