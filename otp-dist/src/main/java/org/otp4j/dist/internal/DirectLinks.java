package org.otp4j.dist.internal;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import org.otp4j.core.dist.Dispatcher;
import org.otp4j.core.dist.Signal;
import org.otp4j.core.dist.UnencodableMessageException;
import org.otp4j.dist.Codec;
import org.otp4j.dist.MalformedFrameException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The direct data path: one TCP connection per node pair for the signals of processes, beside the
 * JGroups channel that keeps membership (see decision 0016).
 *
 * <h2>Implementation notes</h2>
 *
 * <p><b>Who dials.</b> Of two nodes, the one whose name sorts first dials the address the other
 * advertised in its HELLO; the other only accepts. So two nodes never dial each other at once, and a
 * dial from a node that should not dial is refused.
 *
 * <p><b>A peer's states.</b> A HELLO over JGroups (first of its member) reports the node up and makes
 * the peer <i>connecting</i>: signals to it are queued. The handshake makes it <i>connected</i>
 * (reported up again, which the dispatcher ignores for the same creation) and its writer flushes the
 * queue first, so a pair's order holds across the switch. A connection that closes, or a connection
 * not made within the failure timeout, makes it <i>down</i>: reported down at once, queue dropped,
 * signals dropped until a new handshake reports it up again; the dialling side redials while the node
 * is in the JGroups view. A view that leaves the node out forgets the peer.
 *
 * <p><b>Locks.</b> A peer's monitor orders its membership transitions (and the reports they make);
 * its queue has a lock of its own that senders and the writer take, never the other way round.
 *
 * <p><b>Writing.</b> One writer thread per connection takes everything queued at once, writes it
 * into one buffered stream and flushes (TCP_NODELAY): a lone signal goes out at once, signals queued
 * under load leave together. A process's thread waits while more than {@link #QUEUE_BOUND} bytes are
 * queued for the peer (as a BEAM process is suspended on a busy distribution port); the transport's
 * own threads never wait.
 *
 * <p><b>Frames</b> on the stream: a 4-byte length, then the codec's bytes. A frame that does not
 * decode is dropped, counted and logged; a length out of bounds means the stream cannot be trusted
 * any more, so it is counted, logged, and the connection closed (the node is down, then redialled).
 */
public final class DirectLinks implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger("org.otp4j.dist.Cluster");
  /** The largest frame that travels. */
  public static final int MAX_FRAME = 64 << 20;
  /** Bytes queued for one peer beyond which a process's send waits. */
  public static final long QUEUE_BOUND = 4 << 20;
  private static final int BUFFER = 64 << 10;
  private static final ThreadLocal<Boolean> TRANSPORT_THREAD = ThreadLocal.withInitial(() -> Boolean.FALSE);

  private enum State { CONNECTING, CONNECTED, DOWN }

  private final Dispatcher dispatcher;
  private final Codec codec;
  private final String name;
  private final byte[] key;
  private final Predicate<String> inView;
  private final Duration connectTimeout;
  private final AtomicLong droppedFrames;
  private final ServerSocket server;
  private final InetSocketAddress advertised;
  private final ConcurrentHashMap<String, Peer> peers = new ConcurrentHashMap<>();
  private final AtomicLong framesSent = new AtomicLong();
  private final ScheduledExecutorService timer;
  private volatile boolean closed;

  /**
   * Listens on {@code bind} (port 0: any free port).
   *
   * @param key the key derived from the cluster's secret for the handshake
   * @param inView whether a node of that name is in the JGroups view now
   * @param droppedFrames the transport's count of frames dropped
   * @throws IllegalStateException if it cannot listen on {@code bind}
   */
  public DirectLinks(Dispatcher dispatcher, Codec codec, byte[] key, InetSocketAddress bind, Predicate<String> inView,
      Duration connectTimeout, AtomicLong droppedFrames) {
    this.dispatcher = dispatcher;
    this.codec = codec;
    this.name = dispatcher.nodeName();
    this.key = key.clone();
    this.inView = inView;
    this.connectTimeout = connectTimeout;
    this.droppedFrames = droppedFrames;
    try {
      server = new ServerSocket();
      server.bind(bind, 64);
    } catch (IOException e) {
      throw new IllegalStateException("node " + name + " cannot listen for direct connections on " + bind + ": " + e, e);
    }
    InetAddress host = server.getInetAddress();
    if (host.isAnyLocalAddress()) {
      try {
        host = InetAddress.getLocalHost();
      } catch (IOException e) {
        host = InetAddress.getLoopbackAddress();
      }
    }
    advertised = new InetSocketAddress(host, server.getLocalPort());
    timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("otp4j-direct-timer-" + name)
        .factory());
    Thread.ofPlatform().daemon().name("otp4j-direct-accept-" + name).start(this::acceptLoop);
  }

  /** The address other nodes dial, told in the HELLO. */
  public InetSocketAddress advertised() {
    return advertised;
  }

  /** Signals sent over direct connections. */
  public long framesSent() {
    return framesSent.get();
  }

  /** Whether a direct connection to {@code node} is up now. */
  public boolean connected(String node) {
    Peer p = peers.get(node);
    if (p == null) {
      return false;
    }
    synchronized (p) {
      return p.conn != null;
    }
  }

  /** Closes every direct connection now, as a network fault would (the nodes redial). */
  public void dropConnections() {
    for (Peer p : peers.values()) {
      Connection c;
      synchronized (p) {
        c = p.conn;
      }
      if (c != null) {
        c.closeSocket();
      }
    }
  }

  // =====================================================================================
  // sending

  /**
   * Sends {@code signal} on the direct path if {@code node} is a direct peer.
   *
   * @return false if {@code node} is no direct peer (the caller uses JGroups)
   */
  public boolean send(String node, Signal signal) {
    Peer p = peers.get(node);
    if (p == null) {
      return false;
    }
    byte[] body = codec.encode(signal, dispatcher); // an unencodable message fails here, at the sender
    if (body.length > MAX_FRAME) {
      throw new UnencodableMessageException(signal.getClass(), "its frame of " + body.length
          + " bytes is larger than the largest that travels, " + MAX_FRAME);
    }
    p.enqueue(body);
    return true;
  }

  // =====================================================================================
  // membership, from JGroups

  /**
   * The HELLO of {@code node}, which listens for direct connections on {@code host}:{@code port}.
   *
   * @param first whether it is the first HELLO of its JGroups member, or a greeting (which starts afresh)
   */
  public void hello(String node, int creation, String host, int port, boolean first) {
    Peer p = peers.computeIfAbsent(node, Peer::new);
    boolean dial;
    synchronized (p) {
      p.removed = false;
      boolean moved = !host.equals(p.host) || port != p.port;
      p.host = host;
      p.port = port;
      boolean incarnation = p.creation != creation;
      if (!first && !incarnation && !moved) {
        return;
      }
      if (p.conn != null && !incarnation) {
        return; // its dial came before its HELLO
      }
      if (p.conn != null) {
        Connection old = p.conn;
        p.conn = null;
        old.closeSocket();
      }
      p.creation = creation;
      p.state = State.CONNECTING;
      p.open(false);
      p.cancelDeadline();
      p.deadline = timer.schedule(() -> timedOut(p), connectTimeout.toMillis(), TimeUnit.MILLISECONDS);
      report(() -> dispatcher.nodeUp(node, creation));
      dial = p.dialer && !p.dialing;
      if (dial) {
        p.dialing = true;
      }
      p.notifyAll(); // a dial loop waiting out its backoff tries the new address now
    }
    if (dial) {
      Thread.ofVirtual().name("otp4j-direct-dial-" + name + "-" + node).start(() -> dialLoop(p));
    }
  }

  /** Forgets every peer that the JGroups view no longer holds; returns their names. */
  public List<String> retainInView() {
    List<String> gone = new ArrayList<>();
    for (Peer p : peers.values()) {
      if (!inView.test(p.node)) {
        forget(p);
        gone.add(p.node);
      }
    }
    return gone;
  }

  private void forget(Peer p) {
    synchronized (p) {
      p.removed = true;
      p.cancelDeadline();
      Connection c = p.conn;
      p.conn = null;
      p.state = State.DOWN;
      p.close();
      if (c != null) {
        c.closeSocket();
      }
      p.notifyAll();
    }
    peers.remove(p.node, p);
  }

  private void timedOut(Peer p) {
    synchronized (p) {
      if (p.state != State.CONNECTING || p.removed) {
        return;
      }
      p.state = State.DOWN;
      p.close();
      LOG.atWarn().addKeyValue("label", "direct_connect_timeout").addKeyValue("node", p.node)
          .log("node {} could not connect directly to node {} within {}: it is down until it connects",
              name, p.node, connectTimeout);
      report(() -> dispatcher.nodeDown(p.node, "noconnection"));
    }
  }

  // =====================================================================================
  // connecting

  private void dialLoop(Peer p) {
    long backoff = 20;
    while (!closed) {
      String host;
      int port;
      synchronized (p) {
        if (p.removed || p.conn != null || !inView.test(p.node)) {
          p.dialing = false;
          return;
        }
        host = p.host;
        port = p.port;
      }
      Socket s = new Socket();
      try {
        s.connect(new InetSocketAddress(host, port), (int) Math.min(connectTimeout.toMillis(), Integer.MAX_VALUE));
        s.setTcpNoDelay(true);
        s.setSoTimeout((int) Math.min(connectTimeout.toMillis(), Integer.MAX_VALUE));
        DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream(), BUFFER));
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(s.getOutputStream(), BUFFER));
        Handshake.Peer who = Handshake.dial(in, out, key, name, dispatcher.creation(), p.node);
        s.setSoTimeout(0);
        synchronized (p) {
          p.dialing = false;
          install(p, new Connection(p, s, in, out), who.creation());
        }
        return;
      } catch (Handshake.RefusedException e) {
        closeQuietly(s);
        LOG.atError().addKeyValue("label", "direct_refused").addKeyValue("node", p.node)
            .log("node {} could not connect directly to node {}: {}", name, p.node, e.getMessage());
      } catch (IOException e) {
        closeQuietly(s);
        LOG.debug("node {} could not connect directly to node {}: {}", name, p.node, e.toString());
      }
      synchronized (p) {
        try {
          p.wait(backoff); // the backoff between two attempts; a new HELLO wakes it
        } catch (InterruptedException e) {
          p.dialing = false;
          return;
        }
      }
      backoff = Math.min(backoff * 2, 1000);
    }
  }

  private void acceptLoop() {
    while (!closed) {
      Socket s;
      try {
        s = server.accept();
      } catch (IOException e) {
        if (!closed) {
          LOG.error("node {} stopped accepting direct connections", name, e);
        }
        return;
      }
      Thread.ofVirtual().name("otp4j-direct-handshake-" + name).start(() -> accepted(s));
    }
  }

  private void accepted(Socket s) {
    try {
      s.setTcpNoDelay(true);
      s.setSoTimeout((int) Math.min(connectTimeout.toMillis(), Integer.MAX_VALUE));
      DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream(), BUFFER));
      DataOutputStream out = new DataOutputStream(new BufferedOutputStream(s.getOutputStream(), BUFFER));
      Handshake.Peer who = Handshake.accept(in, out, key, name, dispatcher.creation(), node -> {
        if (node.equals(name)) {
          return "it has this node's name";
        }
        if (node.compareTo(name) > 0) {
          return "of the two, node " + name + " dials";
        }
        return inView.test(node) ? null : "it is not a member of the cluster's view";
      });
      s.setSoTimeout(0);
      Peer p = peers.computeIfAbsent(who.node(), Peer::new);
      synchronized (p) {
        if (p.removed) {
          closeQuietly(s);
          return;
        }
        install(p, new Connection(p, s, in, out), who.creation());
      }
    } catch (Handshake.RefusedException e) {
      closeQuietly(s);
      LOG.atError().addKeyValue("label", "direct_refused").addKeyValue("from", String.valueOf(s.getRemoteSocketAddress()))
          .log("node {} refused a direct connection from {}: {}", name, s.getRemoteSocketAddress(), e.getMessage());
    } catch (IOException e) {
      closeQuietly(s);
      LOG.warn("node {} dropped a direct connection from {} during its handshake: {}", name,
          s.getRemoteSocketAddress(), e.toString());
    }
  }

  /** Makes {@code c} the peer's connection (under the peer's monitor) and starts its threads. */
  private void install(Peer p, Connection c, int creation) {
    if (closed) {
      c.closeSocket();
      return;
    }
    if (p.conn != null) {
      Connection old = p.conn;
      p.conn = null;
      old.closeSocket();
      p.close();
      report(() -> dispatcher.nodeDown(p.node, "connection_closed"));
    }
    p.cancelDeadline();
    p.creation = creation;
    p.conn = c;
    p.state = State.CONNECTED;
    p.open(true);
    report(() -> dispatcher.nodeUp(p.node, creation));
    LOG.debug("node {} is connected directly to node {}", name, p.node);
    c.start();
  }

  /** {@code c} closed: the node is down at once, and the dialling side redials while the view holds it. */
  private void lost(Connection c, String why) {
    c.closeSocket();
    Peer p = c.peer;
    boolean redial = false;
    synchronized (p) {
      if (p.conn != c) {
        return; // replaced, or the peer forgotten
      }
      p.conn = null;
      p.state = State.DOWN;
      p.close();
      LOG.atInfo().addKeyValue("label", "direct_connection_lost").addKeyValue("node", p.node)
          .log("node {} lost its direct connection to node {}: {}", name, p.node, why);
      report(() -> dispatcher.nodeDown(p.node, "connection_closed"));
      if (p.dialer && !p.dialing && !p.removed && !closed) {
        p.dialing = true;
        redial = true;
      }
    }
    if (redial) {
      Thread.ofVirtual().name("otp4j-direct-dial-" + name + "-" + p.node).start(() -> dialLoop(p));
    }
  }

  private void report(Runnable action) {
    try {
      action.run();
    } catch (RuntimeException e) {
      LOG.error("node {} failed to apply what arrived", name, e);
    }
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // closing anyway
    }
  }

  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException e) {
      // closing anyway
    }
    for (Peer p : peers.values()) {
      forget(p);
    }
    timer.shutdownNow();
  }

  // =====================================================================================
  // decoding

  /**
   * Reads frames from {@code in} until it ends, handing each decoded signal to {@code deliver};
   * a frame that does not decode is dropped, counted and logged.
   *
   * @throws IOException when the stream ends or fails, or a frame's length is out of bounds (the
   *     stream cannot be read further; counted and logged)
   */
  public static void readFrames(InputStream raw, Codec codec, Dispatcher dispatcher, String self, String from,
      AtomicLong dropped, java.util.function.Consumer<Signal> deliver) throws IOException {
    DataInputStream in = raw instanceof DataInputStream d ? d : new DataInputStream(raw);
    while (true) {
      int length = in.readInt(); // EOFException: the stream ended
      if (length < 1 || length > MAX_FRAME) {
        long n = dropped.incrementAndGet();
        LOG.atWarn().addKeyValue("label", "frame_dropped").addKeyValue("from", from).addKeyValue("dropped", n)
            .log("node {} read a frame length of {} from node {}: closing the connection", self, length, from);
        throw new IOException("a frame length of " + length);
      }
      byte[] frame = new byte[length];
      in.readFully(frame);
      Signal signal;
      try {
        signal = codec.decode(frame, 0, length, dispatcher);
      } catch (MalformedFrameException e) {
        dropFrame(dropped, self, from, e.getMessage(), null);
        continue;
      } catch (RuntimeException e) {
        dropFrame(dropped, self, from, "the codec failed", e);
        continue;
      }
      deliver.accept(signal);
    }
  }

  private static void dropFrame(AtomicLong dropped, String self, String from, String why, Throwable error) {
    long n = dropped.incrementAndGet();
    LOG.atWarn().setCause(error).addKeyValue("label", "frame_dropped").addKeyValue("from", from)
        .addKeyValue("dropped", n).log("node {} dropped a frame from node {}: {}", self, from, why);
  }

  // =====================================================================================

  /** A node this one exchanges signals with directly. */
  private final class Peer {
    final String node;
    final boolean dialer;
    // guarded by this
    String host = "";
    int port = -1;
    int creation;
    State state = State.DOWN;
    Connection conn;
    boolean dialing;
    boolean removed;
    ScheduledFuture<?> deadline;
    // the queue, guarded by lock
    final ReentrantLock lock = new ReentrantLock();
    final Condition notEmpty = lock.newCondition();
    final Condition notFull = lock.newCondition();
    final ArrayDeque<byte[]> queue = new ArrayDeque<>();
    long bytes;
    boolean open;
    Connection writer;

    Peer(String node) {
      this.node = node;
      this.dialer = name.compareTo(node) < 0;
    }

    void cancelDeadline() {
      if (deadline != null) {
        deadline.cancel(false);
        deadline = null;
      }
    }

    /** Takes signals from now on; {@code writing} with the connection now installed. */
    void open(boolean writing) {
      lock.lock();
      try {
        open = true;
        writer = writing ? conn : null;
        notEmpty.signalAll();
      } finally {
        lock.unlock();
      }
    }

    /** Drops what is queued and every signal from now on (the node is down). */
    void close() {
      lock.lock();
      try {
        open = false;
        writer = null;
        queue.clear();
        bytes = 0;
        notEmpty.signalAll();
        notFull.signalAll();
      } finally {
        lock.unlock();
      }
    }

    void enqueue(byte[] frame) {
      lock.lock();
      try {
        if (bytes > QUEUE_BOUND && !TRANSPORT_THREAD.get()) {
          while (open && bytes > QUEUE_BOUND) {
            notFull.awaitUninterruptibly();
          }
        }
        if (!open) {
          LOG.debug("node {} dropped a signal to node {}, which is down", name, node);
          return;
        }
        queue.add(frame);
        bytes += frame.length;
        if (queue.size() == 1) {
          notEmpty.signal();
        }
      } finally {
        lock.unlock();
      }
    }

    /** Everything queued, once {@code c} is the writer and something is; null once it is not the writer. */
    List<byte[]> take(Connection c) throws InterruptedException {
      lock.lock();
      try {
        while (writer == c && queue.isEmpty()) {
          notEmpty.await();
        }
        if (writer != c) {
          return null;
        }
        List<byte[]> batch = new ArrayList<>(queue);
        queue.clear();
        bytes = 0;
        notFull.signalAll();
        return batch;
      } finally {
        lock.unlock();
      }
    }
  }

  /** One direct connection, with its reader and writer threads. */
  private final class Connection {
    final Peer peer;
    final Socket socket;
    final DataInputStream in;
    final DataOutputStream out;
    final AtomicBoolean socketClosed = new AtomicBoolean();

    Connection(Peer peer, Socket socket, DataInputStream in, DataOutputStream out) {
      this.peer = peer;
      this.socket = socket;
      this.in = in;
      this.out = out;
    }

    void start() {
      Thread.ofPlatform().daemon().name("otp4j-direct-write-" + name + "-" + peer.node).start(this::write);
      Thread.ofPlatform().daemon().name("otp4j-direct-read-" + name + "-" + peer.node).start(this::read);
    }

    private void write() {
      try {
        while (true) {
          List<byte[]> batch = peer.take(this);
          if (batch == null) {
            return;
          }
          for (byte[] frame : batch) {
            out.writeInt(frame.length);
            out.write(frame);
          }
          out.flush();
          framesSent.addAndGet(batch.size());
        }
      } catch (IOException e) {
        lost(this, "writing failed: " + e.getMessage());
      } catch (InterruptedException e) {
        lost(this, "its writer was interrupted");
      }
    }

    private void read() {
      TRANSPORT_THREAD.set(Boolean.TRUE);
      try {
        readFrames(in, codec, dispatcher, name, peer.node, droppedFrames, signal -> {
          try {
            dispatcher.receive(peer.node, signal);
          } catch (RuntimeException e) {
            LOG.error("node {} failed to apply what arrived", name, e);
          }
        });
      } catch (EOFException e) {
        lost(this, "the other side closed it");
      } catch (SocketException e) {
        lost(this, socketClosed.get() ? "closed" : e.getMessage());
      } catch (IOException e) {
        lost(this, e.getMessage());
      }
    }

    void closeSocket() {
      if (socketClosed.compareAndSet(false, true)) {
        try {
          socket.close();
        } catch (IOException e) {
          // closing anyway
        }
      }
    }
  }
}
