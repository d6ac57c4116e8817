package org.otp4j.dist;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.otp4j.core.CallException;
import org.otp4j.core.Down;
import org.otp4j.core.ExitReason;
import org.otp4j.core.From;
import org.otp4j.core.Name;
import org.otp4j.core.NameConflictException;
import org.otp4j.core.NameRegistry;
import org.otp4j.core.NoSuchNameException;
import org.otp4j.core.Node;
import org.otp4j.core.NodeUp;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.core.Ref;

/**
 * Names that are unique in the whole cluster, OTP's {@code global}: a process registered under a
 * global name is found by that name from every node that runs the registry.
 *
 * <!-- snippet: org.otp4j.dist.GlobalTest#register -->
 * {@snippet :
 * boolean mine = a.call(() -> Global.registerName("billing", billing));   // Global.start(node) on each node first
 * Optional<Pid> found = b.call(() -> Global.whereis("billing"));
 * }
 *
 * <p>Every node keeps a copy of the table and reads it without a message ({@link #whereis},
 * {@link #send}). A registration is decided by one node, the one with the smallest name among those
 * that run the registry and have found each other (the leader), which waits until every other
 * registry it knows has taken the name in before it answers: when {@link #registerName} or
 * {@link #unregisterName} returns, every node's table has the change. A name is
 * released when its process terminates, and when its node goes away. Through {@link #names()} a
 * global name is also a {@link Name#via via name}: a behaviour can be started and called under it.
 *
 * <h2>Conflicts</h2>
 * Two parts of a cluster that were cut off from each other may each register the same name. When
 * they meet again, the two registrations are resolved on the node, of the two whose processes hold
 * the name, with the smaller name, by the {@link Resolver} given at that node's registration, or by
 * default by keeping that node's own registration: the process that loses exits with reason
 * {@code ExitReason.of(new Global.NameConflict(name))} (OTP's {@code {global_name_conflict, Name}};
 * OTP's default picks one at random).
 */
public final class Global {
  /** The name the registry process of a node is registered under. */
  public static final String SERVER = "otp4j_global";

  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(5);
  private static final int ATTEMPTS = 5;
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Global.class);
  /** Each running registry's copy of the table and of its peers, by registry process. */
  private static final ConcurrentHashMap<Pid, View> VIEWS = new ConcurrentHashMap<>();
  private static final NameRegistry NAMES = new Via();

  private Global() {}

  /**
   * Decides which of two processes registered under the same name keeps it, after a partition; given
   * at registration, it runs on the registering node if that node resolves the conflict (see the class
   * notes).
   *
   * <!-- snippet: org.otp4j.dist.GlobalTest#resolver -->
   * {@snippet :
   * Global.Resolver theirs = (n, registered, other) -> other;   // keep the other side's process
   * a.call(() -> Global.registerName("y", losesA, theirs));
   * }
   */
  @FunctionalInterface
  public interface Resolver {
    /**
     * Chooses the process that keeps {@code name}; the other exits with a
     * {@link NameConflict} reason.
     *
     * @param name the name
     * @param registered the process registered under it on this node's side
     * @param other the process registered under it on the other side
     * @return {@code registered} or {@code other} to keep one, or null to keep neither: the name is
     *     then released and both processes go on
     */
    Pid resolve(String name, Pid registered, Pid other);
  }

  /**
   * The exit reason's term of a process that lost its global name in a conflict.
   *
   * @param name the name it lost
   */
  public record NameConflict(String name) {}

  // =====================================================================================
  // wire

  /** A registry process looks for its peers (and answers a peer that looks). */
  record Discover(Pid peer) {}

  /** The table of the registry {@code peer}. */
  record Sync(Pid peer, Map<String, Pid> names) {}

  /** To the leader: register {@code pid} under {@code name}; the answer is a boolean. */
  record Register(From from, String name, Pid pid) {}

  /** {@code name} is {@code pid}'s. */
  record Registered(String name, Pid pid) {}

  /** {@code name} is no longer {@code pid}'s. */
  record Unregistered(String name, Pid pid) {}

  /** To the leader: release {@code name}, whoever holds it. */
  record Unregister(From from, String name) {}

  /** Answered once what the same sender sent before has been taken in. */
  record Barrier(From from) {}

  static final List<Class<?>> WIRE = List.of(Discover.class, Sync.class, Register.class, Registered.class,
      Unregistered.class, Unregister.class, Barrier.class, NameConflict.class);

  // local requests
  private record Settle(From from, String name, Pid pid, Resolver resolver) {}


  /** A registry's table and the nodes of its peers: written by its process only, read by anyone. */
  private static final class View {
    final ConcurrentHashMap<String, Pid> names = new ConcurrentHashMap<>();
    final java.util.Set<String> peers = ConcurrentHashMap.newKeySet();
  }

  // =====================================================================================
  // client API

  /**
   * Starts the registry on {@code node}, registered as {@value #SERVER}; it finds the registries of
   * the other nodes and takes their names.
   *
   * @return the registry process
   * @throws NameConflictException if the node already runs one
   */
  public static Pid start(Node node) {
    Objects.requireNonNull(node, "node");
    View view = new View();
    Server server = new Server(view);
    return NodeService.start(node, SERVER, VIEWS, view, Discover::new, server::handle,
        "node " + node.name() + " already runs the global registry");
  }

  /**
   * Registers {@code pid} under {@code name} in the whole cluster, with the default conflict
   * resolution.
   *
   * @return false if the name is taken (OTP's {@code no})
   * @throws IllegalStateException if the registry does not run on the current node, or its leader did
   *     not answer
   */
  public static boolean registerName(String name, Pid pid) {
    return registerName(name, pid, null);
  }

  /**
   * Like {@link #registerName(String, Pid)}, with {@code resolver} to decide a conflict after a
   * partition (null: the default, keep this side's registration).
   */
  public static boolean registerName(String name, Pid pid, Resolver resolver) {
    requireName(name);
    Objects.requireNonNull(pid, "pid");
    Pid local = server();
    boolean ok = (Boolean) askLeader(local, "a registration of '" + name + "'",
        from -> new Register(from, name, pid));
    // The leader told this node's registry before it answered: store the resolver beside the name
    call(local, from -> new Settle(from, name, pid, ok ? resolver : null));
    return ok;
  }

  /** Asks the leader; if it goes away meanwhile, asks the next one. */
  private static Object askLeader(Pid local, String what, java.util.function.Function<From, Object> request) {
    View view = VIEWS.get(local);
    CallException last = null;
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      try {
        return Proc.call(Name.remote(SERVER, leader(view)), request, CALL_TIMEOUT);
      } catch (CallException e) {
        last = e;
      }
    }
    throw new IllegalStateException("the global registry's leader did not answer " + what + ": " + last.reason(),
        last);
  }

  /**
   * Releases {@code name} in the whole cluster, whoever holds it; nothing if it is not registered.
   *
   * @throws IllegalStateException if the registry does not run on the current node, or its leader did
   *     not answer
   */
  public static void unregisterName(String name) {
    requireName(name);
    askLeader(server(), "the release of '" + name + "'", from -> new Unregister(from, name));
  }

  /**
   * The process registered under {@code name}, as this node's table has it.
   *
   * @throws IllegalStateException if the registry does not run on the current node
   */
  public static Optional<Pid> whereis(String name) {
    requireName(name);
    return Optional.ofNullable(VIEWS.get(server()).names.get(name));
  }

  /**
   * The global names, sorted.
   *
   * @throws IllegalStateException if the registry does not run on the current node
   */
  public static List<String> registeredNames() {
    List<String> out = new ArrayList<>(VIEWS.get(server()).names.keySet());
    Collections.sort(out);
    return out;
  }

  /**
   * The nodes whose registries this node's registry has found and taken the names of, sorted. Until a
   * registry has found the others, it decides its registrations alone, as one side of a partition
   * does: wait for the nodes to be here before relying on a name being unique.
   *
   * @throws IllegalStateException if the registry does not run on the current node
   */
  public static List<String> syncedNodes() {
    List<String> out = new ArrayList<>(VIEWS.get(server()).peers);
    Collections.sort(out);
    return out;
  }

  /**
   * Sends {@code message} to the process registered under {@code name}.
   *
   * @return its pid
   * @throws NoSuchNameException if nothing is registered under the name (OTP exits with {@code badarg})
   */
  public static Pid send(String name, Object message) {
    Pid pid = whereis(name).orElseThrow(() -> new NoSuchNameException(Name.via(NAMES, name), "Global.send"));
    Proc.send(pid, message);
    return pid;
  }

  /**
   * The global names as a {@link NameRegistry}: {@code Name.via(Global.names(), "billing")} is OTP's
   * {@code {global, billing}}, for a behaviour's start and calls. Its keys are strings; it acts on the
   * current node's registry, and on a node that runs none, such a name denotes no process.
   */
  public static NameRegistry names() {
    return NAMES;
  }

  /** The registry as a via module. */
  private static final class Via implements NameRegistry {
    @Override
    public boolean registerName(Object key, Pid pid) {
      return Global.registerName(key(key), pid);
    }

    @Override
    public void unregisterName(Object key) {
      // Called as well when the registered process terminates, where it must not wait: the registry
      // monitors its processes and releases their names itself.
      if (Proc.isProcess() && Proc.isAlive(Proc.self())) {
        Global.unregisterName(key(key));
      }
    }

    @Override
    public Optional<Pid> whereisName(Object key) {
      // NOTE: the runtime also asks this as a process terminates, on whichever thread ends it, whose
      // node may run no registry: nothing is registered there
      String name = key(key);
      Pid server = Proc.whereis(SERVER).orElse(null);
      View view = server == null ? null : VIEWS.get(server);
      return view == null ? Optional.empty() : Optional.ofNullable(view.names.get(name));
    }

    private static String key(Object key) {
      if (key instanceof String s) {
        return s;
      }
      throw new IllegalArgumentException("a global name is a string, got " + key);
    }

    @Override
    public String toString() {
      return "global";
    }
  }

  private static void requireName(String name) {
    Objects.requireNonNull(name, "name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("a global name cannot be blank");
    }
  }

  private static Pid server() {
    return Proc.whereis(SERVER).filter(VIEWS::containsKey).orElseThrow(() -> new IllegalStateException(
        "the global registry does not run on node " + Node.current().name() + ": start it with Global.start(node)"));
  }

  private static String leader(View view) {
    TreeSet<String> candidates = new TreeSet<>(view.peers);
    candidates.add(Node.current().name());
    return candidates.first();
  }

  private static Object call(Pid server, java.util.function.Function<From, Object> request) {
    try {
      return Proc.call(server, request, CALL_TIMEOUT);
    } catch (CallException e) {
      throw new IllegalStateException("the global registry did not answer: " + e.reason(), e);
    }
  }

  // =====================================================================================
  // the registry process

  /**
   * One node's registry: the table (a copy of every name), its own processes' names (each process
   * monitored), its peers (each monitored), and the resolvers of its own registrations.
   */
  private static final class Server {
    private final View view;
    private final Map<Pid, Local> locals = new HashMap<>();
    private final Map<Pid, Ref> peers = new HashMap<>();
    private final Map<String, Resolver> resolvers = new HashMap<>();

    private record Local(Ref monitor, java.util.Set<String> names) {}

    Server(View view) {
      this.view = view;
    }

    void handle(Object m) {
      Pid self = Proc.self();
      switch (m) {
        case Register(From from, String name, Pid pid) -> {
          Pid holder = view.names.get(name);
          if (holder != null && !holder.equals(pid)) {
            from.reply(Boolean.FALSE);
          } else {
            apply(name, pid);
            broadcastAndWait(new Registered(name, pid)); // every peer has it before the answer
            from.reply(Boolean.TRUE);
          }
        }
        case Settle(From from, String name, Pid pid, Resolver resolver) -> {
          if (resolver != null && pid.equals(view.names.get(name))) {
            resolvers.put(name, resolver);
          }
          from.reply(Boolean.TRUE);
        }
        case Unregister(From from, String name) -> {
          Pid holder = view.names.get(name);
          if (holder != null) {
            release(name, holder);
            broadcastAndWait(new Unregistered(name, holder));
          }
          from.reply(Boolean.TRUE);
        }
        case Registered(String name, Pid pid) -> apply(name, pid);
        case Barrier(From from) -> from.reply(Boolean.TRUE);
        case Unregistered(String name, Pid pid) -> release(name, pid);
        case NodeUp(String node) -> Proc.send(Name.remote(SERVER, node), new Discover(self));
        case Discover(Pid peer) -> {
          Proc.send(peer, new Sync(self, Map.copyOf(view.names)));
          if (!peers.containsKey(peer)) {
            addPeer(peer);
            Proc.send(peer, new Discover(self));
          }
        }
        case Sync(Pid peer, Map<String, Pid> names) -> {
          if (!peers.containsKey(peer)) {
            addPeer(peer);
          }
          new java.util.TreeMap<>(names).forEach(this::merge);
        }
        case Down d -> down(d);
        default -> { } // a NodeDown needs nothing: the monitor of the node's registry fires
      }
    }

    private void addPeer(Pid peer) {
      peers.put(peer, Proc.monitor(peer));
      view.peers.add(peer.nodeName());
    }

    /**
     * A name as a peer's table has it, when the two meet. A name of a process of this node is left to
     * this table, which knows best; another name this node does not have is taken, unless its process
     * is of a node that is not connected (a name that died with its node). Two processes under one name are a conflict:
     * the node that owns one of them and has the smaller name resolves it and tells everyone; the other
     * owner keeps its own process until then, and every other node the process of the smaller node,
     * which the default resolution keeps.
     */
    private void merge(String name, Pid theirs) {
      String me = Node.current().name();
      if (theirs.nodeName().equals(me)) {
        return; // this table knows best which names this node's processes hold (a copy may be stale)
      }
      Pid current = view.names.get(name);
      if (current == null) {
        if (Node.current().connectedNodes().contains(theirs.nodeName())) {
          apply(name, theirs);
        }
        return;
      }
      if (current.equals(theirs)) {
        return;
      }
      String resolverNode = min(current.nodeName(), theirs.nodeName());
      if (!resolverNode.equals(me)) {
        if (current.nodeName().equals(me)) {
          // This node's own process keeps its claim until the resolver's decision comes: had it been
          // dropped for the other side's, a decision lost in a connection's flap would leave this
          // node pointing at a process the resolver has since killed, and the next sync would never
          // show the resolver a conflict to settle again.
          return;
        }
        Pid provisional = current.nodeName().equals(resolverNode) ? current : theirs;
        if (!provisional.equals(current)) {
          apply(name, provisional);
        }
        return;
      }
      Pid own = current; // the resolver's node is one of the two, and not theirs
      Pid other = theirs;
      Resolver resolver = resolvers.getOrDefault(name, (n, registered, competitor) -> registered);
      Pid keep;
      try {
        keep = resolver.resolve(name, own, other);
      } catch (RuntimeException e) {
        keep = null;
        LOG.warn("the resolver of global name {} failed; the name is released", name, e);
      }
      ExitReason lost = ExitReason.of(new NameConflict(name));
      if (own.equals(keep) || other.equals(keep)) {
        Pid loser = own.equals(keep) ? other : own;
        apply(name, keep);
        // the loser's exit goes first: a connection lost between the two would otherwise let the
        // loser's node take the new name and drop the loser's claim, and no later sync would show
        // the conflict again, leaving the loser alive; lost after the exit, the name comes back with
        // the next sync
        Proc.exit(loser, lost);
        broadcast(new Registered(name, keep));
      } else {
        release(name, current);
        broadcast(new Unregistered(name, own));
        broadcast(new Unregistered(name, other));
      }
    }

    private static String min(String a, String b) {
      return a.compareTo(b) <= 0 ? a : b;
    }

    private void apply(String name, Pid pid) {
      Pid previous = view.names.put(name, pid);
      if (previous != null && !previous.equals(pid)) {
        forgetLocal(name, previous);
      }
      if (!pid.isRemote()) {
        locals.computeIfAbsent(pid, p -> new Local(Proc.monitor(p), new java.util.HashSet<>())).names().add(name);
      }
    }

    private void release(String name, Pid pid) {
      if (view.names.remove(name, pid)) {
        forgetLocal(name, pid);
      }
    }

    private void forgetLocal(String name, Pid pid) {
      resolvers.remove(name);
      Local local = locals.get(pid);
      if (local != null && local.names().remove(name) && local.names().isEmpty()) {
        Proc.demonitor(local.monitor());
        locals.remove(pid);
      }
    }

    private void down(Down d) {
      Pid pid = (Pid) d.target();
      Local local = locals.get(pid);
      if (local != null && local.monitor().equals(d.ref())) {
        locals.remove(pid);
        for (String name : local.names()) {
          if (view.names.remove(name, pid)) {
            resolvers.remove(name);
            broadcast(new Unregistered(name, pid));
          }
        }
        return;
      }
      Ref peer = peers.get(pid);
      if (peer != null && peer.equals(d.ref())) {
        peers.remove(pid);
        view.peers.remove(pid.nodeName());
        // a name dies with its node
        view.names.entrySet().removeIf(e -> e.getValue().nodeName().equals(pid.nodeName()));
      }
    }

    private void broadcast(Object message) {
      for (Pid peer : peers.keySet()) {
        Proc.send(peer, message);
      }
    }

    /**
     * Broadcasts {@code message} and waits until every peer has taken it in: a peer answers a barrier
     * after what this process sent it before. A peer that goes away meanwhile is not waited for. Peers
     * never wait for this process (only the leader waits, and for registrations and releases only), so
     * no two registries wait for each other.
     */
    private void broadcastAndWait(Object message) {
      broadcast(message);
      for (Pid peer : List.copyOf(peers.keySet())) {
        try {
          Proc.call(peer, Barrier::new, CALL_TIMEOUT);
        } catch (CallException e) {
          LOG.debug("the global registry of node {} did not take in {}: {}", peer.nodeName(), message, e.reason());
        }
      }
    }
  }
}
