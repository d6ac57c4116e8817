package org.otp4j.dist.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jgroups.Address;
import org.jgroups.BytesMessage;
import org.jgroups.JChannel;
import org.jgroups.Message;
import org.jgroups.Receiver;
import org.jgroups.View;
import org.jgroups.protocols.AUTH;
import org.jgroups.protocols.DISCARD;
import org.jgroups.stack.ProtocolStack;
import org.otp4j.core.dist.Dispatcher;
import org.otp4j.core.dist.Signal;
import org.otp4j.core.dist.Transport;
import org.otp4j.dist.Codec;
import org.otp4j.dist.MalformedFrameException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's transport on a JGroups channel.
 *
 * <h2>Implementation notes</h2>
 *
 * <p><b>Membership.</b> The channel's logical name is the node's name. A node learns the other
 * node's creation from a HELLO frame, which each node sends to every member that appears in its view
 * (a greeting) and in answer to every greeting (an answer, which is not answered). A greeting is
 * always answered, even from a member this node has in its view already: the views of two sides of
 * a partition need not agree (one side may have left the other out while the other kept it, its
 * connections closed all the same), and after the merge only the side that left the other out greets
 * again; it must hear back, and the side that kept it must treat the greeting as a new start. A
 * greeting that arrives before this node's view holds its sender is dropped: this node greets the
 * sender itself when that view comes. A node is up for the dispatcher once its HELLO arrived while it
 * is in the view, and down as soon as a view leaves it out. A HELLO always precedes a member's
 * signals, since the channel keeps each sender's order.
 *
 * <p><b>Direct connections.</b> With a {@link Direct} configuration, the HELLO also carries the
 * host and port where the node listens for direct connections, and the signals to a node whose HELLO
 * did too travel on {@link DirectLinks}, which reports that node up and down itself; a pair where
 * either side has none stays on JGroups (below). Every signal of one pair takes the same path, so
 * the order holds.
 *
 * <p><b>Frames.</b> One JGroups message per signal: a kind byte (GREETING, ANSWER or SIGNAL) and the codec's
 * bytes. The transport's bundler gathers the messages to one destination into one packet (see
 * decision 0015). Regular (not out-of-band) messages keep the order of one sender, and JGroups
 * delivers one sender's messages one at a time, so the dispatcher applies them in order.
 *
 * <p><b>Bad frames</b> are dropped, counted and logged; an exception never reaches JGroups'
 * threads.
 */
public final class JGroupsTransport implements Transport, Receiver {
  private static final Logger LOG = LoggerFactory.getLogger("org.otp4j.dist.Cluster");
  private static final byte GREETING = 1;
  private static final byte SIGNAL = 2;
  private static final byte ANSWER = 3;

  private final JChannel channel;
  private final Dispatcher dispatcher;
  private final Codec codec;
  private final String name;
  // guarded by this: the current view's members and the members greeted in it
  private View view;
  private final Set<Address> greeted = new HashSet<>();
  // the connected nodes: name -> address, address -> name
  private final Map<String, Address> addresses = new ConcurrentHashMap<>();
  private final Map<Address, String> names = new ConcurrentHashMap<>();
  private final AtomicLong droppedFrames = new AtomicLong();
  // the direct data path, or null if this node carries every signal on JGroups
  private final DirectLinks direct;

  private JGroupsTransport(JChannel channel, Dispatcher dispatcher, Codec codec, Direct directConfig) {
    this.channel = channel;
    this.dispatcher = dispatcher;
    this.codec = codec;
    this.name = dispatcher.nodeName();
    this.direct = directConfig == null ? null : new DirectLinks(dispatcher, codec, directConfig.key(),
        directConfig.bind(), this::inView, directConfig.connectTimeout(), droppedFrames);
  }

  /**
   * How a node opens direct connections for the signals of processes.
   *
   * @param bind the address it listens on (port 0: any free port)
   * @param key the key of the handshake, derived from the cluster's secret
   * @param connectTimeout how long a node may stay without its direct connection before it is down
   */
  public record Direct(java.net.InetSocketAddress bind, byte[] key, java.time.Duration connectTimeout) {}

  /**
   * Joins the cluster {@code clusterName} on {@code channel} (a stack with AUTH below GMS).
   *
   * @throws SecurityException if the cluster refused the node (a wrong secret)
   * @throws IllegalStateException if the node cannot join for another reason
   */
  public static JGroupsTransport join(JChannel channel, String clusterName, byte[] secretDigest,
      Dispatcher dispatcher, Codec codec, Direct directConfig) {
    JGroupsTransport t;
    try {
      t = new JGroupsTransport(channel, dispatcher, codec, directConfig);
    } catch (RuntimeException e) {
      channel.close();
      throw e;
    }
    AUTH auth = channel.getProtocolStack().findProtocol(AUTH.class);
    if (auth == null) {
      throw new IllegalStateException("the stack has no AUTH protocol: nobody may join without the secret");
    }
    SecretToken token = new SecretToken(secretDigest);
    token.setAuth(auth);
    auth.setAuthToken(token);
    channel.name(dispatcher.nodeName());
    channel.setReceiver(t);
    try {
      channel.connect(clusterName);
    } catch (SecurityException e) {
      t.closeDirect();
      channel.close();
      LOG.atError().addKeyValue("label", "join_refused").addKeyValue("node", dispatcher.nodeName())
          .log("node {} was refused by cluster {}: {}", dispatcher.nodeName(), clusterName, e.getMessage());
      throw e;
    } catch (Exception e) {
      t.closeDirect();
      channel.close();
      if (e.getCause() instanceof SecurityException se) {
        LOG.atError().addKeyValue("label", "join_refused").addKeyValue("node", dispatcher.nodeName())
            .log("node {} was refused by cluster {}: {}", dispatcher.nodeName(), clusterName, se.getMessage());
        throw se;
      }
      throw new IllegalStateException("node " + dispatcher.nodeName() + " could not join cluster " + clusterName
          + ": " + e, e);
    }
    return t;
  }

  /** Frames that could not be decoded and were dropped. */
  public long droppedFrames() {
    return droppedFrames.get();
  }

  /** Signals sent over direct connections; 0 without them. */
  public long directFrames() {
    return direct == null ? 0 : direct.framesSent();
  }

  /** Whether a direct connection to {@code node} is up now. */
  public boolean directlyConnected(String node) {
    return direct != null && direct.connected(node);
  }

  /** Where this node listens for direct connections; null without them. */
  public java.net.InetSocketAddress directAddress() {
    return direct == null ? null : direct.advertised();
  }

  /** Closes every direct connection of this node, as a network fault would. */
  public void dropDirectConnections() {
    if (direct != null) {
      direct.dropConnections();
    }
  }

  /**
   * Cuts this node off from every other member ({@code cut} true) or heals the cut: everything its
   * channel sends or receives is dropped just above the transport (JGroups' DISCARD, put into the
   * stack at the first cut), its sockets staying open, as a network partition or a hung peer would.
   * Each side's heartbeats then stop arriving, each side's view leaves the other out after the
   * failure timeout (FD_ALL3), and the direct connections close with it; once healed, the merge
   * discovery (MERGE3) finds the other side again. For tests of partitions.
   */
  public synchronized void isolate(boolean cut) {
    ProtocolStack stack = channel.getProtocolStack();
    DISCARD discard = stack.findProtocol(DISCARD.class);
    if (discard == null) {
      if (!cut) {
        return;
      }
      discard = new DISCARD();
      try {
        stack.insertProtocol(discard, ProtocolStack.Position.ABOVE, stack.getTransport().getClass());
        discard.init();
        discard.start();
      } catch (Exception e) {
        throw new IllegalStateException("node " + name + " could not put DISCARD into its stack: " + e, e);
      }
      discard.setAddress(channel.getAddress());
    }
    discard.discardAll(cut);
  }

  /** Whether a member of the current view is named {@code node}. */
  private boolean inView(String node) {
    View v;
    synchronized (this) {
      v = view;
    }
    if (v == null) {
      return false;
    }
    for (Address a : v.getMembers()) {
      if (node.equals(org.jgroups.util.NameCache.get(a))) {
        return true;
      }
    }
    return false;
  }

  private void closeDirect() {
    if (direct != null) {
      direct.close();
    }
  }

  // =====================================================================================
  // sending

  @Override
  public void send(String node, Signal signal) {
    if (direct != null && direct.send(node, signal)) {
      return;
    }
    Address to = addresses.get(node);
    if (to == null) {
      return; // not connected: the node's down has been or will be reported
    }
    byte[] body = codec.encode(signal, dispatcher); // an unencodable message fails here, at the sender
    byte[] frame = new byte[body.length + 1];
    frame[0] = SIGNAL;
    System.arraycopy(body, 0, frame, 1, body.length);
    try {
      channel.send(new BytesMessage(to, frame));
    } catch (Exception e) {
      LOG.debug("node {} could not send to node {}: {}", name, node, e.toString());
    }
  }

  /** Sends this node's HELLO to {@code to}: a greeting, or the answer to one. */
  private void hello(Address to, boolean greeting) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(greeting ? GREETING : ANSWER);
      out.writeUTF(name);
      out.writeInt(dispatcher.creation());
      if (direct != null) {
        out.writeUTF(direct.advertised().getAddress().getHostAddress());
        out.writeInt(direct.advertised().getPort());
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    try {
      channel.send(new BytesMessage(to, bytes.toByteArray()));
    } catch (Exception e) {
      LOG.debug("node {} could not greet {}: {}", name, to, e.toString());
    }
  }

  // =====================================================================================
  // receiving (JGroups' threads)

  @Override
  public void viewAccepted(View newView) {
    List<Address> toGreet = new java.util.ArrayList<>();
    List<String> gone = new java.util.ArrayList<>();
    synchronized (this) {
      view = newView;
      for (Address a : newView.getMembers()) {
        if (!a.equals(channel.getAddress()) && greeted.add(a)) {
          toGreet.add(a);
        }
      }
      greeted.removeIf(a -> !newView.containsMember(a));
      for (Map.Entry<Address, String> e : names.entrySet()) {
        if (!newView.containsMember(e.getKey())) {
          gone.add(e.getValue());
          names.remove(e.getKey());
          addresses.remove(e.getValue(), e.getKey());
        }
      }
    }
    LOG.debug("node {} installs the view {}; it greets {}, and {} left", name, newView, toGreet, gone);
    if (direct != null) {
      gone.addAll(direct.retainInView());
    }
    for (String node : gone) {
      report(() -> dispatcher.nodeDown(node, "connection_closed"));
    }
    for (Address a : toGreet) {
      hello(a, true);
    }
  }

  @Override
  public void receive(Message msg) {
    byte[] buf = msg.getArray();
    int offset = msg.getOffset();
    int length = msg.getLength();
    if (buf == null || length < 1) {
      dropped(msg, "an empty frame", null);
      return;
    }
    Address src = msg.getSrc();
    switch (buf[offset]) {
      case GREETING -> greeted(src, buf, offset + 1, length - 1, true);
      case ANSWER -> greeted(src, buf, offset + 1, length - 1, false);
      case SIGNAL -> {
        String from = names.get(src);
        if (from == null) {
          boolean departed;
          synchronized (this) {
            departed = view != null && !view.containsMember(src);
          }
          if (departed) {
            // NOTE: the last signals of a member that has just left (its processes ending as it stops)
            // may arrive after the view that removed it: expected, so neither counted nor warned about
            LOG.debug("node {} dropped a frame from {}, which has left the cluster", name, src);
          } else {
            dropped(msg, "a signal from a member that has not said hello", null);
          }
          return;
        }
        Signal signal;
        try {
          signal = codec.decode(buf, offset + 1, length - 1, dispatcher);
        } catch (MalformedFrameException e) {
          dropped(msg, e.getMessage(), null);
          return;
        } catch (RuntimeException e) {
          dropped(msg, "the codec failed", e);
          return;
        }
        report(() -> dispatcher.receive(from, signal));
      }
      default -> dropped(msg, "unknown frame kind " + buf[offset], null);
    }
  }

  /** The HELLO of {@code src}: a greeting ({@code greeting} true, answered) or an answer to this node's. */
  private void greeted(Address src, byte[] buf, int offset, int length, boolean greeting) {
    String node;
    int creation;
    String host = null;
    int port = -1;
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(buf, offset, length))) {
      node = in.readUTF();
      creation = in.readInt();
      if (in.available() > 0) {
        host = in.readUTF();
        port = in.readInt();
        if (port < 1 || port > 65535) {
          throw new IOException("port " + port);
        }
      }
    } catch (IOException e) {
      droppedFrames.incrementAndGet();
      LOG.warn("node {} dropped a malformed hello from {}", name, src);
      return;
    }
    boolean first;
    synchronized (this) {
      if (view == null || !view.containsMember(src)) {
        // from a member that has left (or that this node has not seen yet: it will greet again)
        LOG.debug("node {} ignores the hello of {} ({}), not in its view {}", name, node, src, view);
        return;
      }
      Address holder = addresses.get(node);
      if (holder != null && !holder.equals(src)) {
        LOG.atError().addKeyValue("label", "duplicate_node_name").addKeyValue("node", node)
            .log("node {} ignores a second member named {} ({}); node names must be unique in a cluster",
                name, node, src);
        return;
      }
      addresses.put(node, src);
      // a greeting starts afresh even from a known member: its side may have left this node out
      first = names.put(src, node) == null || greeting;
      greeted.add(src);
    }
    LOG.debug("node {} has the {} of {} ({})", name, greeting ? "greeting" : "answer", node, src);
    if (greeting) {
      hello(src, false);
    }
    if (direct != null && host != null) {
      String h = host;
      int p = port;
      report(() -> direct.hello(node, creation, h, p, first));
    } else {
      report(() -> dispatcher.nodeUp(node, creation));
    }
  }

  private void dropped(Message msg, String why, Throwable error) {
    long n = droppedFrames.incrementAndGet();
    LOG.atWarn().setCause(error).addKeyValue("label", "frame_dropped").addKeyValue("from", String.valueOf(msg.getSrc()))
        .addKeyValue("dropped", n)
        .log("node {} dropped a frame from {}: {}", name, msg.getSrc(), why);
  }

  private void report(Runnable action) {
    try {
      action.run();
    } catch (RuntimeException e) {
      LOG.error("node {} failed to apply what arrived", name, e);
    }
  }

  @Override
  public void close() {
    closeDirect();
    channel.close();
  }

  @Override
  public String toString() {
    return "JGroupsTransport[" + name + "]";
  }
}
