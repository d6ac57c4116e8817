package org.otp4j.examples;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.otp4j.core.Node;
import org.otp4j.core.NodeConfig;
import org.otp4j.dist.Cluster;
import org.otp4j.dist.TermCodec;

/**
 * How the examples that run on several JVMs start their node from system properties: with
 * {@code PREFIX} the example's ({@code iot}, {@code chat}),
 * <table>
 *   <caption>The settings of a node</caption>
 *   <tr><th>property</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>PREFIX.clusterPort</td><td>the example's</td><td>the port it listens on for the cluster</td></tr>
 *   <tr><td>PREFIX.seeds</td><td>its own address</td><td>{@code host:port,...} of some nodes of the cluster</td></tr>
 *   <tr><td>PREFIX.cluster, PREFIX.secret</td><td>PREFIX, PREFIX-secret</td><td>the cluster's name and
 *       secret (set your own)</td></tr>
 * </table>
 */
public final class NodeSettings {
  private NodeSettings() {}

  /**
   * Starts node {@code name} ({@code short@host}: the host part is the address it listens on) of the TCP
   * cluster its {@code PREFIX.*} properties describe, with {@code codec}, reporting to the observer's
   * feed. A node seen silent for 3 s is taken for dead.
   *
   * @param prefix the example's prefix of its properties
   * @param name the node's name
   * @param defaultPort the cluster port when {@code PREFIX.clusterPort} is not set
   * @param codec the cluster's codec, the same on every node
   * @return the running node
   * @throws UnknownHostException if the name's host is not an address
   * @throws IllegalArgumentException if a setting is malformed (the message says which)
   */
  public static Node startNode(String prefix, String name, int defaultPort, TermCodec codec)
      throws UnknownHostException {
    String host = name.substring(name.indexOf('@') + 1);
    int port = Integer.parseInt(setting(prefix + ".clusterPort", Integer.toString(defaultPort)));
    InetSocketAddress bind = new InetSocketAddress(InetAddress.getByName(host), port);
    List<InetSocketAddress> seeds = new ArrayList<>();
    for (String seed : setting(prefix + ".seeds", host + ":" + port).split(",")) {
      seeds.add(address(seed.trim(), prefix + ".seeds"));
    }
    Cluster cluster = Cluster.tcp(setting(prefix + ".cluster", prefix), bind, seeds)
        .withSecret(setting(prefix + ".secret", prefix + "-secret")).withCodec(codec)
        .withFailureTimeout(Duration.ofSeconds(3));
    return Node.start(name, NodeConfig.defaults().withReportHandler(Observed.reports()).withTransport(cluster));
  }

  /** The system property {@code key}, trimmed, or {@code otherwise} if it is absent or blank. */
  public static String setting(String key, String otherwise) {
    String v = System.getProperty(key, "").trim();
    return v.isEmpty() ? otherwise : v;
  }

  /**
   * {@code HOST:PORT} as an address.
   *
   * @param hostPort the text
   * @param key the setting it came from, named in the error
   * @return the address (unresolved names are resolved)
   * @throws IllegalArgumentException if it is not {@code HOST:PORT} with a numeric port
   */
  public static InetSocketAddress address(String hostPort, String key) {
    int colon = hostPort.lastIndexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException(key + " must be HOST:PORT; got '" + hostPort + "'");
    }
    try {
      return new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be HOST:PORT with a numeric port; got '" + hostPort + "'", e);
    }
  }
}
