package org.otp4j.dist;

import java.io.ByteArrayInputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jgroups.JChannel;
import org.jgroups.protocols.SYM_ENCRYPT;
import org.jgroups.protocols.pbcast.NAKACK2;
import org.jgroups.stack.ProtocolStack;
import org.otp4j.core.dist.Dispatcher;
import org.otp4j.core.dist.Transport;
import org.otp4j.core.dist.TransportFactory;
import org.otp4j.dist.internal.JGroupsTransport;

/**
 * A cluster of otp4j nodes on JGroups: the {@link TransportFactory} a distributed node is started
 * with. JGroups gives membership (views; a node that leaves a view is down), failure detection,
 * partition merge, reliable per-sender FIFO delivery, and authentication; the node's name is its
 * JGroups logical name.
 *
 * <!-- snippet: org.otp4j.dist.ClusterTest#start -->
 * {@snippet :
 * Cluster cluster = Cluster.inJvm(clusterName).withSecret("let me in");
 * Node a = Node.start("a@host", NodeConfig.defaults().withTransport(cluster));
 * Node b = Node.start("b@host", NodeConfig.defaults().withTransport(cluster));
 * }
 *
 * <h2>Stacks</h2>
 * <ul>
 *   <li>{@link #inJvm(String)}: JGroups' shared loopback, for several nodes in one JVM (tests).</li>
 *   <li>{@link #tcp(String, InetSocketAddress, List)}: TCP with a static list of seed addresses
 *       (TCPPING), a socket-based failure detector that sees a killed JVM at once (FD_SOCK2), a
 *       heartbeat detector for a hung or partitioned node (FD_ALL3, bound by
 *       {@link #withFailureTimeout}), and partition merge (MERGE3).</li>
 * </ul>
 *
 * <h2>The secret</h2>
 * Every cluster has a secret ({@link #withSecret}); a node that does not hold it is refused when it
 * tries to join (its start fails with a {@link SecurityException}) and the refusal is logged on both
 * sides. Nodes prove it with a keyed digest, not the secret itself. The digest travels in clear and
 * so does the traffic, unless the cluster is encrypted ({@link #withEncryption}): run a cluster
 * without encryption only on a network that only its nodes can read.
 */
public final class Cluster implements TransportFactory {
  private enum Kind { IN_JVM, TCP }

  private final Kind kind;
  private final String clusterName;
  private final InetSocketAddress bind;
  private final List<InetSocketAddress> seeds;
  private final String secret;
  private final Codec codec;
  private final Duration failureTimeout;
  private final Duration joinTimeout;
  private final boolean encrypted;
  private final InetSocketAddress direct;
  private final Map<String, JGroupsTransport> open;

  private Cluster(Kind kind, String clusterName, InetSocketAddress bind, List<InetSocketAddress> seeds,
      String secret, Codec codec, Duration failureTimeout, Duration joinTimeout, boolean encrypted,
      InetSocketAddress direct, Map<String, JGroupsTransport> open) {
    this.kind = kind;
    this.clusterName = clusterName;
    this.bind = bind;
    this.seeds = seeds;
    this.secret = secret;
    this.codec = codec;
    this.failureTimeout = failureTimeout;
    this.joinTimeout = joinTimeout;
    this.encrypted = encrypted;
    this.direct = direct;
    this.open = open;
  }

  /**
   * A cluster of nodes in this JVM, named {@code clusterName} (JGroups' SHARED_LOOPBACK): for tests
   * and for trying distribution out.
   */
  public static Cluster inJvm(String clusterName) {
    return new Cluster(Kind.IN_JVM, requireName(clusterName), null, List.of(), null, TermCodec.defaults(),
        Duration.ofSeconds(5), Duration.ofMillis(500), false, null, new ConcurrentHashMap<>());
  }

  /**
   * A cluster over TCP: this node listens on {@code bind} and finds the cluster through
   * {@code seeds} (the addresses of some of its nodes; this node's own may be among them).
   */
  public static Cluster tcp(String clusterName, InetSocketAddress bind, List<InetSocketAddress> seeds) {
    Objects.requireNonNull(bind, "bind");
    Objects.requireNonNull(seeds, "seeds");
    if (seeds.isEmpty()) {
      throw new IllegalArgumentException("a TCP cluster needs at least one seed address (this node's own will do "
          + "for the first node)");
    }
    return new Cluster(Kind.TCP, requireName(clusterName), bind, List.copyOf(seeds), null, TermCodec.defaults(),
        Duration.ofSeconds(5), Duration.ofSeconds(2), false, new InetSocketAddress(bind.getAddress(), 0),
        new ConcurrentHashMap<>());
  }

  private static String requireName(String clusterName) {
    Objects.requireNonNull(clusterName, "clusterName");
    if (clusterName.isBlank()) {
      throw new IllegalArgumentException("a cluster name cannot be blank: give one such as \"billing\"");
    }
    return clusterName;
  }

  /** The same cluster with its secret: every node of the cluster must be started with the same one. */
  public Cluster withSecret(String newSecret) {
    Objects.requireNonNull(newSecret, "secret");
    if (newSecret.isEmpty()) {
      throw new IllegalArgumentException("a cluster's secret cannot be empty");
    }
    return new Cluster(kind, clusterName, bind, seeds, newSecret, codec, failureTimeout, joinTimeout, encrypted, direct,
        open);
  }

  /** The same cluster with another codec ({@link TermCodec#defaults()} unless set). */
  public Cluster withCodec(Codec newCodec) {
    return new Cluster(kind, clusterName, bind, seeds, secret, Objects.requireNonNull(newCodec, "codec"),
        failureTimeout, joinTimeout, encrypted, direct, open);
  }

  /**
   * How long a node that does not answer (hung, or cut off by a partition, its sockets still open)
   * stays up before the others see it down: 5 seconds unless set. A node whose JVM dies is seen down
   * at once, whatever this bound: its sockets close.
   */
  public Cluster withFailureTimeout(Duration timeout) {
    requirePositive(timeout, "failure timeout");
    return new Cluster(kind, clusterName, bind, seeds, secret, codec, timeout, joinTimeout, encrypted, direct, open);
  }

  /**
   * The same cluster with its traffic encrypted: every message between its nodes, the requests to
   * join and the views included, is encrypted with AES under a 256-bit key derived from the secret
   * (JGroups' SYM_ENCRYPT); only the discovery and failure-detection heartbeats, which carry no
   * message of a process, travel in clear. Every node of the cluster must be started with it: a
   * node without encryption can neither join an encrypted cluster nor read its traffic.
   */
  public Cluster withEncryption() {
    return new Cluster(kind, clusterName, bind, seeds, secret, codec, failureTimeout, joinTimeout, true, direct, open);
  }

  /**
   * The same cluster with the signals of processes on direct connections: each node listens on
   * {@code listen} (port 0: a free port chosen as it starts, the default) and tells the others where
   * in the greeting it sends over JGroups; of two nodes, the one whose name sorts first connects to
   * the other, and both prove they hold the secret (a challenge answered with a keyed digest, each
   * way). JGroups keeps membership, failure detection, merge and discovery. The default of a
   * {@link #tcp} cluster, listening on its bind address; a cluster {@link #inJvm} carries everything
   * on JGroups unless this is set. An {@linkplain #withEncryption() encrypted} cluster carries
   * everything on JGroups, whatever this says, so that nothing travels in clear.
   */
  public Cluster withDirectConnections(InetSocketAddress listen) {
    Objects.requireNonNull(listen, "listen");
    return new Cluster(kind, clusterName, bind, seeds, secret, codec, failureTimeout, joinTimeout, encrypted, listen,
        open);
  }

  /** The same cluster with every signal on JGroups, beside membership: no direct connections. */
  public Cluster withoutDirectConnections() {
    return new Cluster(kind, clusterName, bind, seeds, secret, codec, failureTimeout, joinTimeout, encrypted, null,
        open);
  }

  /** How long a node waits for the cluster to answer its join before it starts a cluster of its own. */
  public Cluster withJoinTimeout(Duration timeout) {
    requirePositive(timeout, "join timeout");
    return new Cluster(kind, clusterName, bind, seeds, secret, codec, failureTimeout, timeout, encrypted, direct, open);
  }

  private static void requirePositive(Duration d, String what) {
    Objects.requireNonNull(d, what);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException("the " + what + " must be positive, got " + d);
    }
  }

  /** The cluster's name. */
  public String name() {
    return clusterName;
  }

  /**
   * How many frames the node named {@code node}, started with this cluster, has dropped because they
   * could not be decoded; 0 for a node it does not know.
   */
  public long droppedFrames(String node) {
    JGroupsTransport t = open.get(node);
    return t == null ? 0 : t.droppedFrames();
  }

  /**
   * How many signals the node named {@code node}, started with this cluster, has sent over direct
   * connections; 0 for a node it does not know, or one without direct connections.
   */
  public long directFrames(String node) {
    JGroupsTransport t = open.get(node);
    return t == null ? 0 : t.directFrames();
  }

  /** Whether the node named {@code node}, started with this cluster, has a direct connection to {@code peer} now. */
  boolean directlyConnected(String node, String peer) {
    JGroupsTransport t = open.get(node);
    return t != null && t.directlyConnected(peer);
  }

  /** Closes every direct connection of the node named {@code node}, as a network fault would. */
  void dropDirectConnections(String node) {
    JGroupsTransport t = open.get(node);
    if (t != null) {
      t.dropDirectConnections();
    }
  }

  /**
   * Cuts the node named {@code node}, started with this cluster, off from the other members
   * ({@code cut} true), its sockets staying open as in a network partition, or heals the cut: see
   * {@link JGroupsTransport#isolate}. The others see it down after the failure timeout, and it sees
   * them down; after the heal the two sides merge.
   *
   * @throws IllegalArgumentException if no node of that name was started with this cluster
   */
  void isolate(String node, boolean cut) {
    JGroupsTransport t = open.get(node);
    if (t == null) {
      throw new IllegalArgumentException("no node named " + node + " was started with " + this);
    }
    t.isolate(cut);
  }

  /** Where the node named {@code node}, started with this cluster, listens for direct connections; null if nowhere. */
  InetSocketAddress directAddress(String node) {
    JGroupsTransport t = open.get(node);
    return t == null ? null : t.directAddress();
  }

  /** The codec of this cluster's frames. */
  Codec codec() {
    return codec;
  }

  /** The key of the direct connections' handshake, derived from the secret. */
  byte[] directKey() {
    return keyed("otp4j direct ");
  }

  /** Whether this cluster carries the signals of processes on direct connections. */
  boolean direct() {
    return direct != null && !encrypted;
  }

  /**
   * Joins the cluster; called by the node as it starts.
   *
   * @throws IllegalStateException if no secret was set, or the node cannot join
   * @throws SecurityException if the cluster refused the node's secret
   */
  @Override
  public Transport open(Dispatcher dispatcher) {
    if (secret == null) {
      throw new IllegalStateException("cluster " + clusterName + " has no secret: nobody may join without one; "
          + "start every node with the same Cluster...withSecret(\"...\")");
    }
    JChannel channel;
    try {
      channel = new JChannel(new ByteArrayInputStream(stack().getBytes(StandardCharsets.UTF_8)));
    } catch (Exception e) {
      throw new IllegalStateException("could not make the JGroups stack of cluster " + clusterName + ": " + e, e);
    }
    if (encrypted) {
      encrypt(channel);
    }
    JGroupsTransport.Direct directConfig = direct()
        ? new JGroupsTransport.Direct(direct, directKey(), failureTimeout) : null;
    JGroupsTransport t = JGroupsTransport.join(channel, clusterName, digest(), dispatcher, codec, directConfig);
    String node = dispatcher.nodeName();
    open.put(node, t);
    return new Transport() {
      @Override
      public void send(String to, org.otp4j.core.dist.Signal signal) {
        t.send(to, signal);
      }

      @Override
      public void close() {
        open.remove(node, t);
        t.close();
      }
    };
  }

  /** Puts SYM_ENCRYPT, keyed from the secret, under the reliable-delivery protocol of the stack. */
  private void encrypt(JChannel channel) {
    try {
      SYM_ENCRYPT encrypt = new SYM_ENCRYPT().setSecretKey(new SecretKeySpec(keyed("otp4j encryption "), "AES"));
      encrypt.symAlgorithm("AES/CBC/PKCS5Padding");
      encrypt.symIvLength(16);
      channel.getProtocolStack().insertProtocol(encrypt, ProtocolStack.Position.BELOW, NAKACK2.class);
      encrypt.init();
    } catch (Exception e) {
      channel.close();
      throw new IllegalStateException("could not set up the encryption of cluster " + clusterName + ": " + e, e);
    }
  }

  /** What a node proves it holds the secret with (AUTH). */
  private byte[] digest() {
    return keyed("otp4j cluster ");
  }

  /** HMAC-SHA256 of {@code label} and the cluster's name, keyed by the secret. */
  private byte[] keyed(String label) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return mac.doFinal((label + clusterName).getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }

  /** The JGroups stack, as its XML configuration. */
  String stack() {
    long join = joinTimeout.toMillis();
    String auth = "<AUTH auth_class=\"org.otp4j.dist.internal.SecretToken\"/>";
    return switch (kind) {
      case IN_JVM -> """
          <config xmlns="urn:org:jgroups">
            <SHARED_LOOPBACK diag.enabled="false"/>
            <SHARED_LOOPBACK_PING/>
            <pbcast.NAKACK2 use_mcast_xmit="false"/>
            <UNICAST3/>
            <pbcast.STABLE/>
            %s
            <pbcast.GMS print_local_addr="false" join_timeout="%d" leave_timeout="%d"/>
            <FRAG4/>
          </config>
          """.formatted(auth, join, join);
      case TCP -> {
        long fd = failureTimeout.toMillis();
        String hosts = seeds.stream()
            .map(s -> s.getAddress().getHostAddress() + "[" + s.getPort() + "]")
            .collect(Collectors.joining(","));
        yield """
            <config xmlns="urn:org:jgroups">
              <TCP bind_addr="%s" bind_port="%d" port_range="0" tcp_nodelay="true" sock_conn_timeout="300"
                   diag.enabled="false" bundler_type="pd" use_virtual_threads="true"/>
              <TCPPING initial_hosts="%s" port_range="0" async_discovery="true"/>
              <MERGE3 min_interval="%d" max_interval="%d"/>
              <FD_SOCK2/>
              <FD_ALL3 timeout="%d" interval="%d"/>
              <VERIFY_SUSPECT2 timeout="100"/>
              <BARRIER/>
              <pbcast.NAKACK2 use_mcast_xmit="false"/>
              <UNICAST3/>
              <pbcast.STABLE desired_avg_gossip="50000" max_bytes="4M"/>
              %s
              <pbcast.GMS print_local_addr="false" join_timeout="%d" leave_timeout="%d"/>
              <UFC max_credits="4M" min_threshold="0.4"/>
              <MFC max_credits="4M" min_threshold="0.4"/>
              <FRAG4 frag_size="60K"/>
            </config>
            """.formatted(bind.getAddress().getHostAddress(), bind.getPort(), hosts,
                Math.max(500, fd / 2), Math.max(1000, fd), fd, Math.max(100, fd / 4), auth, join, join);
      }
    };
  }

  @Override
  public String toString() {
    return "Cluster[" + clusterName + ", " + kind + (bind == null ? "" : ", " + bind)
        + (direct() ? ", direct " + direct : "") + "]";
  }
}
