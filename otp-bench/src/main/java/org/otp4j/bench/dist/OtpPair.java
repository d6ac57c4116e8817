package org.otp4j.bench.dist;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.otp4j.core.Inbox;
import org.otp4j.core.Name;
import org.otp4j.core.Node;
import org.otp4j.core.NodeConfig;
import org.otp4j.core.NodeDown;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.dist.Cluster;
import org.otp4j.dist.TermCodec;

/**
 * otp4j's contender: two nodes of otp-dist on loopback, as its guide sets them up (a TCP cluster with
 * a secret and a codec that allows the one message type). With {@code jgroups} as the last argument
 * both nodes keep every signal on JGroups (no direct connections), to show what the direct path buys.
 *
 * <p>Arguments: {@code responder|driver}, own port, the other's port, cluster name, and optionally
 * {@code jgroups}.
 */
public final class OtpPair {
  private OtpPair() {}

  static final String RESPONDER = "resp@localhost";
  static final String DRIVER = "drv@localhost";
  static final Duration PATIENCE = Duration.ofSeconds(120);

  /**
   * The benchmark's message.
   *
   * @param from who sent it (the echo answers there)
   * @param tag "m" for a one-way message, "end" to ask a sink for its count, "req" for the echo
   * @param body the payload (empty for small messages)
   */
  public record Msg(Pid from, String tag, byte[] body) {}

  private static final byte[] EMPTY = new byte[0];

  /**
   * Runs one side.
   *
   * @param args {@code responder|driver}, own port, the other's port, cluster name, optionally {@code jgroups}
   */
  public static void main(String[] args) throws Exception {
    boolean responder = args[0].equals("responder");
    InetAddress lo = InetAddress.getLoopbackAddress();
    int own = Integer.parseInt(args[1]);
    int other = Integer.parseInt(args[2]);
    Cluster cluster = Cluster.tcp(args[3], new InetSocketAddress(lo, own),
            List.of(new InetSocketAddress(lo, own), new InetSocketAddress(lo, other)))
        .withSecret("distbench")
        .withCodec(TermCodec.builder().allow(Msg.class).build());
    if (args.length > 4 && args[4].equals("jgroups")) {
      cluster = cluster.withoutDirectConnections();
    }
    Node node = Node.start(responder ? RESPONDER : DRIVER, NodeConfig.defaults().withTransport(cluster));
    if (responder) {
      Pid echo = node.spawn(OtpPair::echo);
      node.run(() -> Proc.register("echo", echo));
      for (int i = 0; i < DistWork.SINKS; i++) {
        Pid sink = node.spawn(OtpPair::sink);
        String name = "sink" + i;
        node.run(() -> Proc.register(name, sink));
      }
      DistWork.readyUntilStdinCloses(cluster.toString());
      node.close();
      System.exit(0);
    }
    DistWork.drive(new OtpDriver(node));
    System.exit(0);
  }

  private static void echo() {
    while (true) {
      if (Proc.receive() instanceof Msg(Pid from, String tag, byte[] body)) {
        Proc.send(from, new Msg(Proc.self(), tag, EMPTY));
      }
    }
  }

  private static void sink() {
    long count = 0;
    while (true) {
      if (Proc.receive() instanceof Msg(Pid from, String tag, byte[] body)) {
        if (tag.equals("end")) {
          Proc.send(from, new Msg(Proc.self(), Long.toString(count), EMPTY));
          count = 0;
        } else {
          count++;
        }
      }
    }
  }

  private static final class OtpDriver implements DistWork.Driver {
    private final Node node;
    private final Inbox inbox;
    private final Pid echo;
    private final List<Pid> sinks = new ArrayList<>();
    private final CompletableFuture<Long> down = new CompletableFuture<>();

    OtpDriver(Node node) throws InterruptedException {
      this.node = node;
      long deadline = System.nanoTime() + PATIENCE.toNanos();
      while (!node.connectedNodes().contains(RESPONDER)) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(DRIVER + " did not see " + RESPONDER + " join within " + PATIENCE);
        }
        Thread.sleep(10); // a standalone program polling a condition, not a test
      }
      this.inbox = node.openInbox();
      this.echo = ask(Name.remote("echo", RESPONDER));
      for (int i = 0; i < DistWork.SINKS; i++) {
        inbox.send(Name.remote("sink" + i, RESPONDER), new Msg(inbox.pid(), "end", EMPTY));
        sinks.add(((Msg) inbox.receive(PATIENCE).orElseThrow()).from());
      }
    }

    private Pid ask(Name name) {
      inbox.send(name, new Msg(inbox.pid(), "req", EMPTY));
      return ((Msg) inbox.receive(PATIENCE).orElseThrow()).from();
    }

    @Override
    public double roundTrips(int clients, int each) throws InterruptedException {
      CountDownLatch done = new CountDownLatch(clients);
      long t0 = System.nanoTime();
      for (int c = 0; c < clients; c++) {
        node.spawn(() -> {
          Msg req = new Msg(Proc.self(), "req", EMPTY);
          for (int i = 0; i < each; i++) {
            Proc.send(echo, req);
            Proc.receive();
          }
          done.countDown();
        });
      }
      done.await();
      return DistWork.rate((long) clients * each, t0);
    }

    @Override
    public double oneWay(int senders, int each, int bytes) {
      byte[] body = new byte[bytes];
      long t0 = System.nanoTime();
      for (int s = 0; s < senders; s++) {
        Pid sink = sinks.get(s);
        node.spawn(() -> {
          Msg m = new Msg(Proc.self(), "m", body);
          for (int i = 0; i < each; i++) {
            Proc.send(sink, m);
          }
          Proc.send(sink, new Msg(inbox.pid(), "end", EMPTY));
        });
      }
      for (int s = 0; s < senders; s++) {
        Msg count = (Msg) inbox.receive(PATIENCE).orElseThrow();
        DistWork.checkCount(Long.parseLong(count.tag()), each);
      }
      return DistWork.rate((long) senders * each, t0);
    }

    @Override
    public void watch() throws InterruptedException {
      CountDownLatch watching = new CountDownLatch(1);
      node.spawn(() -> {
        Proc.monitorNode(RESPONDER);
        watching.countDown();
        while (true) {
          if (Proc.receive() instanceof NodeDown d && d.node().equals(RESPONDER)) {
            down.complete(DistWork.nowMicros());
            return;
          }
        }
      });
      watching.await();
    }

    @Override
    public long awaitDown() throws Exception {
      return down.get();
    }
  }
}
