package org.otp4j.bench.dist;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import org.jgroups.Address;
import org.jgroups.BytesMessage;
import org.jgroups.JChannel;
import org.jgroups.Message;
import org.jgroups.Receiver;
import org.jgroups.View;
import org.jgroups.protocols.TCPPING;

/**
 * Raw JGroups, the engine under otp-dist, used directly: its stock {@code tcp.xml} stack with
 * {@code TCP_NODELAY} on (the stack's own {@code tcp-nodelay} switch, set by the harness) and the two
 * loopback addresses as the discovery list. Unicast {@link BytesMessage}s of a kind byte, a client
 * or sink number and the payload; requests are answered from the receiver callback.
 *
 * <p>Arguments: {@code responder|driver}, own port, the other's port, cluster name.
 */
public final class JGroupsPair {
  private JGroupsPair() {}

  private static final byte REQ = 1;
  private static final byte MSG = 2;
  private static final byte END = 3;

  /**
   * Runs one side.
   *
   * @param args {@code responder|driver}, own port, the other's port, cluster name
   */
  public static void main(String[] args) throws Exception {
    boolean responder = args[0].equals("responder");
    InetAddress lo = InetAddress.getLoopbackAddress();
    int own = Integer.parseInt(args[1]);
    int other = Integer.parseInt(args[2]);
    System.setProperty("tcp-nodelay", "true"); // tcp.xml's own switch, read when the file is parsed
    JChannel ch = new JChannel("tcp.xml");
    ch.getProtocolStack().getTransport().setValue("bind_addr", lo).setValue("bind_port", own);
    TCPPING ping = ch.getProtocolStack().findProtocol(TCPPING.class);
    ping.setInitialHosts(List.of(new InetSocketAddress(lo, own), new InetSocketAddress(lo, other)));
    if (responder) {
      AtomicLongArray counts = new AtomicLongArray(DistWork.SINKS);
      ch.setReceiver(new Receiver() {
        @Override
        public void receive(Message msg) {
          ByteBuffer in = ByteBuffer.wrap(msg.getArray(), msg.getOffset(), msg.getLength());
          byte kind = in.get();
          int id = in.getInt();
          try {
            switch (kind) {
              case REQ -> ch.send(new BytesMessage(msg.getSrc(), header(REQ, id, 0).array()));
              case MSG -> counts.incrementAndGet(id);
              case END -> ch.send(new BytesMessage(msg.getSrc(),
                  header(END, id, 8).putLong(counts.getAndSet(id, 0)).array()));
              default -> throw new IllegalStateException("unknown kind " + kind);
            }
          } catch (Exception e) {
            throw new IllegalStateException("could not answer", e);
          }
        }
      });
      ch.connect(args[3]);
      DistWork.readyUntilStdinCloses(ch.getAddress() + " on port " + own);
      ch.close();
      System.exit(0);
    }
    JGroupsDriver driver = new JGroupsDriver(ch);
    ch.setReceiver(driver);
    ch.connect(args[3]);
    driver.awaitPeer();
    DistWork.drive(driver);
    System.exit(0);
  }

  private static ByteBuffer header(byte kind, int id, int extra) {
    return ByteBuffer.allocate(5 + extra).put(kind).putInt(id);
  }

  private static final class JGroupsDriver implements DistWork.Driver, Receiver {
    private final JChannel ch;
    private final CountDownLatch peerSeen = new CountDownLatch(1);
    private volatile Address peer;
    private volatile boolean watching;
    private final CompletableFuture<Long> down = new CompletableFuture<>();
    private final Semaphore[] replies = new Semaphore[1_000];
    private final LinkedBlockingQueue<Long> counts = new LinkedBlockingQueue<>();

    JGroupsDriver(JChannel ch) {
      this.ch = ch;
      for (int i = 0; i < replies.length; i++) {
        replies[i] = new Semaphore(0);
      }
    }

    void awaitPeer() throws InterruptedException {
      if (!peerSeen.await(120, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the responder did not join within 120 s");
      }
    }

    @Override
    public void viewAccepted(View view) {
      for (Address a : view.getMembers()) {
        if (!a.equals(ch.getAddress())) {
          peer = a;
          peerSeen.countDown();
          return;
        }
      }
      if (watching && view.size() == 1) {
        down.complete(DistWork.nowMicros());
      }
    }

    @Override
    public void receive(Message msg) {
      ByteBuffer in = ByteBuffer.wrap(msg.getArray(), msg.getOffset(), msg.getLength());
      byte kind = in.get();
      int id = in.getInt();
      if (kind == REQ) {
        replies[id].release();
      } else if (kind == END) {
        counts.add(in.getLong());
      }
    }

    @Override
    public double roundTrips(int clients, int each) throws Exception {
      CountDownLatch done = new CountDownLatch(clients);
      long t0 = System.nanoTime();
      for (int c = 0; c < clients; c++) {
        int id = c;
        Thread.ofVirtual().start(() -> {
          try {
            byte[] req = header(REQ, id, 0).array();
            for (int i = 0; i < each; i++) {
              ch.send(new BytesMessage(peer, req));
              replies[id].acquire();
            }
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
          done.countDown();
        });
      }
      done.await();
      return DistWork.rate((long) clients * each, t0);
    }

    @Override
    public double oneWay(int senders, int each, int bytes) throws Exception {
      long t0 = System.nanoTime();
      for (int s = 0; s < senders; s++) {
        int id = s;
        Thread.ofVirtual().start(() -> {
          try {
            byte[] m = header(MSG, id, bytes).array();
            for (int i = 0; i < each; i++) {
              ch.send(new BytesMessage(peer, m));
            }
            ch.send(new BytesMessage(peer, header(END, id, 0).array()));
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
      }
      for (int s = 0; s < senders; s++) {
        Long count = counts.poll(120, TimeUnit.SECONDS);
        if (count == null) {
          throw new IllegalStateException("a sink's count did not come back within 120 s");
        }
        DistWork.checkCount(count, each);
      }
      return DistWork.rate((long) senders * each, t0);
    }

    @Override
    public void watch() {
      watching = true;
    }

    @Override
    public long awaitDown() throws Exception {
      return down.get();
    }
  }
}
