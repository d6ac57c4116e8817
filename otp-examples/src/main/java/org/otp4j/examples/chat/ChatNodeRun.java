package org.otp4j.examples.chat;

import static org.otp4j.examples.NodeSettings.setting;

import java.io.PrintStream;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.otp4j.core.Node;
import org.otp4j.examples.NodeSettings;

/**
 * The chat server on several JVMs: {@link #node} runs one chat node of a cluster. Every node serves
 * WebSockets and the page on its own port, and all share one database (the same SQLite file, or
 * the same PostgreSQL), so accounts and history are common; a room lives on one node and is used
 * from all ({@link ChatCluster}). The node's settings are system properties (the chat's own,
 * {@code otp.chat.*}, apply as well):
 * <table>
 *   <caption>The settings of a chat node</caption>
 *   <tr><th>property</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>chat.node</td><td>(required)</td><td>the node's name, {@code a@127.0.0.1}: the host part is the
 *       address it listens on for the cluster</td></tr>
 *   <tr><td>chat.clusterPort</td><td>7900</td><td>the port it listens on for the cluster</td></tr>
 *   <tr><td>chat.seeds</td><td>its own address</td><td>{@code host:port,...} of some nodes of the cluster</td></tr>
 *   <tr><td>chat.cluster, chat.secret</td><td>chat, chat-secret</td><td>the cluster's name and secret (set your
 *       own)</td></tr>
 * </table>
 */
public final class ChatNodeRun {
  private ChatNodeRun() {}

  /**
   * Runs one chat node until Ctrl-C; returns the exit status.
   *
   * @return as {@link ChatRun#run}: 0 after Ctrl-C, 1 if the application failed, 2 (with one line saying
   *     why) if it did not start
   * @throws InterruptedException if interrupted while it runs
   */
  public static int node() throws InterruptedException {
    PrintStream out = System.out;
    String name = setting("chat.node", "");
    if (!name.contains("@")) {
      out.println("set -Dchat.node=NAME@HOST (e.g. a@127.0.0.1): the node's name, and the address it listens on");
      return ChatRun.NOT_STARTED;
    }
    Node node;
    try {
      node = NodeSettings.startNode("chat", name, 7900, ChatCluster.codec());
      ChatCluster.start(node);
    } catch (UnknownHostException | IllegalArgumentException | SecurityException e) {
      out.println("the chat node did not start: " + e.getMessage());
      return ChatRun.NOT_STARTED;
    }
    AtomicBoolean requested = new AtomicBoolean();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      if (node.isStopped()) {
        return;
      }
      requested.set(true);
      node.stop();
      node.awaitTermination(Duration.ofSeconds(10));
    }, "chat-node-shutdown"));
    out.println("chat node " + name + " joining cluster '" + setting("chat.cluster", "chat") + "'");
    return ChatRun.serve(node, ChatApp.descriptor(), out, requested::get);
  }
}
