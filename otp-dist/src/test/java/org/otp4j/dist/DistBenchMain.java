package org.otp4j.dist;

import static org.otp4j.dist.TestNodes.freePort;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import org.otp4j.core.Inbox;
import org.otp4j.core.Name;
import org.otp4j.core.Node;
import org.otp4j.core.NodeConfig;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;

/**
 * A rough measurement of the transport, two OS processes on loopback TCP: ping-pong round trips per
 * second from one plain thread, one-way small messages per second (drain included) from one sender
 * and from eight sender processes to eight sinks, and round trips per second of 100 client processes
 * each waiting for its answer (a call's pattern). Run from otp-dist after a test compile, with the
 * test class path: not part of the build, the numbers go in decisions 0015 and 0016. With the
 * argument {@code jgroups} this node has no direct connections, so the pair uses JGroups alone.
 */
public final class DistBenchMain {
  private DistBenchMain() {}

  /**
   * Runs the measurement.
   *
   * @param args {@code jgroups} to keep every signal on JGroups; nothing for direct connections
   */
  public static void main(String[] args) throws Exception {
    InetAddress loopback = InetAddress.getLoopbackAddress();
    int parentPort = freePort();
    int childPort = freePort();
    String clusterName = "bench-" + UUID.randomUUID();
    Cluster cluster = Cluster.tcp(clusterName, new InetSocketAddress(loopback, parentPort),
            List.of(new InetSocketAddress(loopback, parentPort), new InetSocketAddress(loopback, childPort)))
        .withSecret("bench").withCodec(TermCodec.builder().allow(Ping.class).build());
    if (args.length > 0 && args[0].equals("jgroups")) {
      cluster = cluster.withoutDirectConnections();
    }
    System.out.println(cluster);
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
      List<Pid> sinks = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        inbox.send(Name.remote(i == 0 ? "sink" : "sink" + i, "child@localhost"), new Ping(inbox.pid(), "end"));
        sinks.add(((Ping) inbox.receive(Duration.ofSeconds(10)).orElseThrow()).from());
      }
      for (int round = 0; round < 3; round++) {
        int n = 300_000;
        long t0 = System.nanoTime();
        Ping m = new Ping(inbox.pid(), "m");
        for (int i = 0; i < n; i++) {
          inbox.send(sinks.get(0), m);
        }
        inbox.send(sinks.get(0), new Ping(inbox.pid(), "end"));
        Ping count = (Ping) inbox.receive(Duration.ofSeconds(60)).orElseThrow();
        long t1 = System.nanoTime();
        System.out.printf("one-way: %.0f messages/s (%s received)%n", n / ((t1 - t0) / 1e9), count.text());
      }
      for (int round = 0; round < 3; round++) {
        int each = 100_000;
        long t0 = System.nanoTime();
        for (Pid sink : sinks) {
          parent.spawn(() -> {
            Ping m = new Ping(Proc.self(), "m");
            for (int i = 0; i < each; i++) {
              Proc.send(sink, m);
            }
            Proc.send(sink, new Ping(inbox.pid(), "end"));
          });
        }
        long total = 0;
        for (int i = 0; i < sinks.size(); i++) {
          total += Long.parseLong(((Ping) inbox.receive(Duration.ofSeconds(60)).orElseThrow()).text());
        }
        long t1 = System.nanoTime();
        System.out.printf("one-way, 8 pairs: %.0f messages/s (%d received)%n", total / ((t1 - t0) / 1e9), total);
      }
      for (int round = 0; round < 3; round++) {
        int clients = 100;
        int each = 500;
        CountDownLatch done = new CountDownLatch(clients);
        long t0 = System.nanoTime();
        for (int c = 0; c < clients; c++) {
          parent.spawn(() -> {
            for (int i = 0; i < each; i++) {
              Proc.send(echo, new Ping(Proc.self(), "c"));
              Proc.receive();
            }
            done.countDown();
          });
        }
        done.await();
        long t1 = System.nanoTime();
        System.out.printf("100 clients: %.0f round trips/s%n", clients * each / ((t1 - t0) / 1e9));
      }
    } finally {
      child.destroyForcibly();
      parent.close();
    }
  }
}
