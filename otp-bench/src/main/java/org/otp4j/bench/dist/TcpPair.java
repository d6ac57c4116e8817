package org.otp4j.bench.dist;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;

/**
 * The floor: no runtime, plain TCP sockets on loopback with {@code TCP_NODELAY}, a thread per
 * connection (virtual, or platform: the classic blocking server, whose threads the kernel wakes
 * directly when data arrives), frames of a length, a kind and a payload. Each client and each sender
 * has a connection of its own (what a hand-written protocol without multiplexing does).
 *
 * <p>Arguments: {@code responder PORT [virtual|platform]} or {@code driver PORT [virtual|platform]}.
 */
public final class TcpPair {
  private TcpPair() {}

  private static final byte REQ = 1;
  private static final byte MSG = 2;
  private static final byte END = 3;

  /** The threads of connections, by the third argument. */
  private static ThreadFactory threads(String[] args) {
    String kind = args.length > 2 ? args[2] : "virtual";
    return switch (kind) {
      case "virtual" -> Thread.ofVirtual().factory();
      case "platform" -> Thread.ofPlatform().daemon().factory();
      default -> throw new IllegalArgumentException("threads '" + kind + "': expected virtual or platform");
    };
  }

  /**
   * Runs one side.
   *
   * @param args {@code responder PORT [virtual|platform]} or {@code driver PORT [virtual|platform]}
   */
  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[1]);
    ThreadFactory threads = threads(args);
    if (args[0].equals("responder")) {
      ServerSocket server = new ServerSocket(port, 256, InetAddress.getLoopbackAddress());
      threads.newThread(() -> accept(server, threads)).start();
      DistWork.readyUntilStdinCloses("port " + port);
      System.exit(0);
    }
    DistWork.drive(new TcpDriver(port, threads));
    System.exit(0);
  }

  private static void accept(ServerSocket server, ThreadFactory threads) {
    try {
      while (true) {
        Socket s = server.accept();
        threads.newThread(() -> serve(s)).start();
      }
    } catch (IOException e) {
      System.err.println("accept failed: " + e);
    }
  }

  /** Answers requests, counts one-way messages until an end, which it answers with the count. */
  private static void serve(Socket s) {
    try (s) {
      s.setTcpNoDelay(true);
      DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream(), 1 << 16));
      DataOutputStream out = new DataOutputStream(new BufferedOutputStream(s.getOutputStream(), 1 << 16));
      long count = 0;
      byte[] buf = new byte[1 << 17];
      while (true) {
        int len = in.readInt();
        byte kind = in.readByte();
        in.readFully(buf, 0, len);
        switch (kind) {
          case REQ -> {
            frame(out, REQ, 0);
            out.flush();
          }
          case MSG -> count++;
          case END -> {
            out.writeInt(8);
            out.writeByte(END);
            out.writeLong(count);
            out.flush();
            count = 0;
          }
          default -> throw new IOException("unknown frame kind " + kind);
        }
      }
    } catch (IOException e) {
      // the driver closed the connection (or died)
    }
  }

  private static void frame(DataOutputStream out, byte kind, int bytes) throws IOException {
    out.writeInt(bytes);
    out.writeByte(kind);
    if (bytes > 0) {
      out.write(new byte[bytes]);
    }
  }

  private record Conn(Socket socket, DataInputStream in, DataOutputStream out) {
    static Conn open(int port) throws IOException {
      Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
      s.setTcpNoDelay(true);
      return new Conn(s, new DataInputStream(new BufferedInputStream(s.getInputStream(), 1 << 16)),
          new DataOutputStream(new BufferedOutputStream(s.getOutputStream(), 1 << 16)));
    }
  }

  private static final class TcpDriver implements DistWork.Driver {
    private final int port;
    private final ExecutorService threads;
    private final CompletableFuture<Long> down = new CompletableFuture<>();

    TcpDriver(int port, ThreadFactory factory) {
      this.port = port;
      this.threads = Executors.newThreadPerTaskExecutor(factory);
    }

    @Override
    public double roundTrips(int clients, int each) throws Exception {
      List<Conn> conns = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        conns.add(Conn.open(port));
      }
      List<Future<?>> done = new ArrayList<>();
      long t0 = System.nanoTime();
      for (Conn c : conns) {
        done.add(threads.submit(() -> {
          for (int i = 0; i < each; i++) {
            frame(c.out(), REQ, 0);
            c.out().flush();
            c.in().readInt();
            c.in().readByte();
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
      double rate = DistWork.rate((long) clients * each, t0);
      for (Conn c : conns) {
        c.socket().close();
      }
      return rate;
    }

    @Override
    public double oneWay(int senders, int each, int bytes) throws Exception {
      List<Conn> conns = new ArrayList<>();
      for (int c = 0; c < senders; c++) {
        conns.add(Conn.open(port));
      }
      byte[] body = new byte[bytes];
      List<Future<?>> done = new ArrayList<>();
      long t0 = System.nanoTime();
      for (Conn c : conns) {
        done.add(threads.submit(() -> {
          for (int i = 0; i < each; i++) {
            c.out().writeInt(bytes);
            c.out().writeByte(MSG);
            c.out().write(body);
          }
          frame(c.out(), END, 0);
          c.out().flush();
          c.in().readInt();
          c.in().readByte();
          DistWork.checkCount(c.in().readLong(), each);
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
      double rate = DistWork.rate((long) senders * each, t0);
      for (Conn c : conns) {
        c.socket().close();
      }
      return rate;
    }

    @Override
    public void watch() throws IOException {
      Conn c = Conn.open(port);
      threads.submit(() -> {
        try {
          c.in().readInt();
        } catch (IOException e) {
          // end of stream or reset: the peer is gone
        }
        down.complete(DistWork.nowMicros());
        return null;
      });
    }

    @Override
    public long awaitDown() throws Exception {
      return down.get();
    }
  }
}
