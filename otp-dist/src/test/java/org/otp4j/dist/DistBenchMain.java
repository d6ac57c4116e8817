package org.otp4j.dist;

import static org.otp4j.dist.TestNodes.freePort;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.otp4j.core.Inbox;
import org.otp4j.core.Name;
import org.otp4j.core.Node;
import org.otp4j.core.NodeConfig;
import org.otp4j.core.Pid;

/**
 * A rough measurement of the transport, two OS processes on loopback TCP: ping-pong round trips per
 * second, and one-way small messages per second (drain included). Run from otp-dist after a test
 * compile, with the test class path: not part of the build, the numbers go in decision 0015.
 */
public final class DistBenchMain {
  private DistBenchMain() {}

  /**
   * Runs the measurement.
   *
   * @param args none
   */
  public static void main(String[] args) throws Exception {
    InetAddress loopback = InetAddress.getLoopbackAddress();
    int parentPort = freePort();
    int childPort = freePort();
    String clusterName = "bench-" + UUID.randomUUID();
    Cluster cluster = Cluster.tcp(clusterName, new InetSocketAddress(loopback, parentPort),
            List.of(new InetSocketAddress(loopback, parentPort), new InetSocketAddress(loopback, childPort)))
        .withSecret("bench").withCodec(TermCodec.builder().allow(Ping.class).build());
    Node parent = Node.start("parent@localhost", NodeConfig.defaults().withTransport(cluster));
    Process child = MultiJvmTest.startChild("child@localhost", clusterName, "bench", childPort, parentPort);
    try (Inbox inbox = parent.openInbox()) {
      MultiJvmTest.awaitReady(child);
      inbox.send(Name.remote("echo", "child@localhost"), new Ping(inbox.pid(), "who"));
      Pid echo = ((Ping) inbox.receive(Duration.ofSeconds(10)).orElseThrow()).from();
      for (int round = 0; round < 3; round++) {
        int n = 20_000;
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
          inbox.send(echo, new Ping(inbox.pid(), "p"));
          inbox.receive(Duration.ofSeconds(10)).orElseThrow();
        }
        long t1 = System.nanoTime();
        System.out.printf("ping-pong: %.0f round trips/s%n", n / ((t1 - t0) / 1e9));
      }
      inbox.send(Name.remote("sink", "child@localhost"), new Ping(inbox.pid(), "end"));
      Pid sink = ((Ping) inbox.receive(Duration.ofSeconds(10)).orElseThrow()).from();
      for (int round = 0; round < 3; round++) {
        int n = 300_000;
        long t0 = System.nanoTime();
        Ping m = new Ping(inbox.pid(), "m");
        for (int i = 0; i < n; i++) {
          inbox.send(sink, m);
        }
        inbox.send(sink, new Ping(inbox.pid(), "end"));
        Ping count = (Ping) inbox.receive(Duration.ofSeconds(60)).orElseThrow();
        long t1 = System.nanoTime();
        System.out.printf("one-way: %.0f messages/s (%s received)%n", n / ((t1 - t0) / 1e9), count.text());
      }
    } finally {
      child.destroyForcibly();
      parent.close();
    }
  }
}
