package org.otp4j.dist;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.otp4j.core.Node;
import org.otp4j.core.NodeConfig;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;

/**
 * A node in a JVM of its own, started by {@link MultiJvmTest} and {@link DistBenchMain}: joins the TCP
 * cluster, runs a process registered as {@code echo} that answers every {@link Ping} and one
 * registered as {@code sink} (and seven more, {@code sink1} to {@code sink7}) that count them until an "end", says READY on its standard output once
 * it sees the node it was told to wait for, and ends when its standard input closes (so that it
 * never outlives the test).
 *
 * <p>Arguments: node name, cluster name, secret, own port, seed port, node to wait for.
 */
public final class ChildNodeMain {
  private ChildNodeMain() {}

  /** Counts the {@link Ping}s it receives until an "end", which it answers with the count. */
  private static void sink() {
    long count = 0;
    while (true) {
      if (Proc.receive() instanceof Ping(Pid from, String text)) {
        if (text.equals("end")) {
          Proc.send(from, new Ping(Proc.self(), Long.toString(count)));
          count = 0;
        } else {
          count++;
        }
      }
    }
  }

  /**
   * Runs the node.
   *
   * @param args node name, cluster name, secret, own port, seed port, node to wait for
   */
  public static void main(String[] args) throws IOException, InterruptedException {
    InetAddress loopback = InetAddress.getLoopbackAddress();
    Cluster cluster = Cluster.tcp(args[1], new InetSocketAddress(loopback, Integer.parseInt(args[3])),
            List.of(new InetSocketAddress(loopback, Integer.parseInt(args[4]))))
        .withSecret(args[2])
        .withCodec(TermCodec.builder().allow(Ping.class).build())
        .withFailureTimeout(Duration.ofSeconds(3));
    Node node = Node.start(args[0], NodeConfig.defaults().withTransport(cluster));
    Pid echo = node.spawn(Ping::echo);
    node.run(() -> Proc.register("echo", echo));
    for (int i = 0; i < 8; i++) {
      Pid sink = node.spawn(ChildNodeMain::sink);
      String name = i == 0 ? "sink" : "sink" + i;
      node.run(() -> Proc.register(name, sink));
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!node.connectedNodes().contains(args[5])) {
      if (System.nanoTime() > deadline) {
        System.out.println("TIMEOUT waiting for " + args[5]);
        System.exit(2);
      }
      Thread.sleep(10); // a standalone program polling a condition, not a test's synchronisation
    }
    System.out.println("READY");
    System.out.flush();
    while (System.in.read() >= 0) {
      // wait for the parent to close our input
    }
    node.close();
    System.exit(0);
  }
}
