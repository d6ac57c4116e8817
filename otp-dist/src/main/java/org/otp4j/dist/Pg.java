package org.otp4j.dist;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.otp4j.core.CallException;
import org.otp4j.core.Down;
import org.otp4j.core.ExitReason;
import org.otp4j.core.From;
import org.otp4j.core.Name;
import org.otp4j.core.NameConflictException;
import org.otp4j.core.Node;
import org.otp4j.core.NodeUp;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.core.Ref;

/**
 * Process groups across the nodes of a cluster, OTP's {@code pg}: processes join named groups in a
 * scope, and every node of the cluster that runs the same scope sees every member.
 *
 * <!-- snippet: org.otp4j.dist.PgTest#join -->
 * {@snippet :
 * Pg.start(a, "chat");                                  // on every node that takes part
 * a.run(() -> Pg.join("chat", "room:lobby", alice));    // alice: a process of node a
 * List<Pid> members = b.call(() -> Pg.members("chat", "room:lobby"));
 * }
 *
 * <p>A scope is a process per node, registered under the scope's name; scopes of the same name on
 * different nodes find each other (when a node comes up they exchange their local memberships) and
 * tell each other of every join and leave. Membership is eventually consistent, as in OTP: a join is
 * seen at once on its own node and shortly after on the others. A member leaves when it terminates,
 * and every member of a node leaves when that node (or its scope) goes away.
 *
 * <p>As in {@code pg}: only processes of the current node can join or leave through it; a process may
 * join a group several times and must leave it as many times; a group exists while it has members;
 * {@link #members} and {@link #localMembers} read the node's copy without asking the scope process.
 * Monitors ({@link #monitorScope}, {@link #monitor}) send {@link Notification}s to the monitoring
 * process for every later join and leave.
 *
 * <p>Group names are strings here (OTP's are any term).
 */
public final class Pg {
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(5);
  /** The copy of each running scope's groups, by the scope process: read without a message. */
  private static final ConcurrentHashMap<Pid, View> VIEWS = new ConcurrentHashMap<>();

  private Pg() {}

  // =====================================================================================
  // wire: what the scope processes of different nodes tell each other

  /** A scope process looks for its peers (and answers a peer that looks). */
  record Discover(Pid peer) {}

  /** All local members of the scope {@code peer}, by group (a pid once per join). */
  record Sync(Pid peer, Map<String, List<Pid>> groups) {}

  /** {@code pids} of the scope {@code peer}'s node joined {@code group}. */
  record Joined(Pid peer, String group, List<Pid> pids) {}

  /** {@code pids} of the scope {@code peer}'s node left {@code group}. */
  record Left(Pid peer, String group, List<Pid> pids) {}

  static final List<Class<?>> WIRE = List.of(Discover.class, Sync.class, Joined.class, Left.class);

  // local requests to the scope process (never leave the node)
  private record Join(From from, String group, List<Pid> pids) {}

  private record Leave(From from, String group, List<Pid> pids) {}

  private record Watch(From from, Pid watcher, String group) {}

  private record Unwatch(From from, Ref ref) {}

  // =====================================================================================
  // public types

  /** Whether a {@link Notification} reports a join or a leave. */
  public enum Change {
    /** The pids joined the group. */
    JOIN,
    /** The pids left the group. */
    LEAVE
  }

  /**
   * What a monitor of a scope or group receives: {@code pids} joined or left {@code group}
   * (OTP's {@code {Ref, join | leave, Group, Pids}}).
   *
   * @param ref the monitor
   * @param change join or leave
   * @param group the group
   * @param pids the processes
   */
  public record Notification(Ref ref, Change change, String group, List<Pid> pids) {}

  /**
   * A monitor of a whole scope, and its groups when it was set up.
   *
   * @param ref the monitor, in every {@link Notification} it sends
   * @param groups every group with its members
   */
  public record ScopeMonitor(Ref ref, Map<String, List<Pid>> groups) {}

  /**
   * A monitor of one group, and its members when it was set up.
   *
   * @param ref the monitor, in every {@link Notification} it sends
   * @param members the group's members
   */
  public record GroupMonitor(Ref ref, List<Pid> members) {}

  /** The node's copy of a scope's groups: lists replaced whole, so readers need no lock. */
  private static final class View {
    final ConcurrentHashMap<String, List<Pid>> all = new ConcurrentHashMap<>();
    final ConcurrentHashMap<String, List<Pid>> local = new ConcurrentHashMap<>();
  }

  // =====================================================================================
  // client API

  /**
   * Starts the scope {@code scope} on {@code node}: a process registered under that name, which
   * finds the scopes of the same name on the other nodes.
   *
   * @return the scope process
   * @throws NameConflictException if the name is taken on that node
   */
  public static Pid start(Node node, String scope) {
    Objects.requireNonNull(node, "node");
    requireName(scope, "scope");
    View view = new View();
    ScopeServer server = new ScopeServer(scope, view);
    return NodeService.start(node, scope, VIEWS, view, Discover::new, server::handle,
        "cannot start pg scope '" + scope + "' on node " + node.name() + ": the name is taken there");
  }

  /**
   * Makes {@code pids}, processes of the current node, members of {@code group} (once more each, if
   * they are already).
   *
   * @throws IllegalArgumentException if a pid is of another node, or none is given
   * @throws IllegalStateException if the scope does not run on the current node
   */
  public static void join(String scope, String group, Pid... pids) {
    requireName(group, "group");
    ask(scope, from -> new Join(from, group, localPids(pids, "join")));
  }

  /**
   * Removes one membership of {@code group} of each of {@code pids}, processes of the current node.
   *
   * @return false if none of them was a member (OTP's {@code not_joined})
   * @throws IllegalArgumentException if a pid is of another node, or none is given
   * @throws IllegalStateException if the scope does not run on the current node
   */
  public static boolean leave(String scope, String group, Pid... pids) {
    requireName(group, "group");
    return (Boolean) ask(scope, from -> new Leave(from, group, localPids(pids, "leave")));
  }

  /**
   * The members of {@code group} on every node, as this node knows them (a pid once per join).
   *
   * @throws IllegalStateException if the scope does not run on the current node
   */
  public static List<Pid> members(String scope, String group) {
    return view(scope).all.getOrDefault(group, List.of());
  }

  /**
   * The members of {@code group} that are processes of the current node.
   *
   * @throws IllegalStateException if the scope does not run on the current node
   */
  public static List<Pid> localMembers(String scope, String group) {
    return view(scope).local.getOrDefault(group, List.of());
  }

  /**
   * The groups of the scope that have members, sorted.
   *
   * @throws IllegalStateException if the scope does not run on the current node
   */
  public static List<String> whichGroups(String scope) {
    List<String> out = new ArrayList<>(view(scope).all.keySet());
    Collections.sort(out);
    return out;
  }

  /**
   * Monitors every group of the scope: the calling process receives a {@link Notification} for every
   * later join and leave, until {@link #demonitor} or it terminates.
   *
   * @throws IllegalStateException if the caller is not a process, or the scope does not run here
   */
  public static ScopeMonitor monitorScope(String scope) {
    return (ScopeMonitor) ask(scope, from -> new Watch(from, self("monitorScope"), null));
  }

  /**
   * Monitors one group of the scope, as {@link #monitorScope} does the whole scope.
   *
   * @throws IllegalStateException if the caller is not a process, or the scope does not run here
   */
  public static GroupMonitor monitor(String scope, String group) {
    requireName(group, "group");
    return (GroupMonitor) ask(scope, from -> new Watch(from, self("monitor"), group));
  }

  /**
   * Removes a monitor made by {@link #monitorScope} or {@link #monitor}.
   *
   * @return false if there was no such monitor
   */
  public static boolean demonitor(String scope, Ref ref) {
    Objects.requireNonNull(ref, "ref");
    return (Boolean) ask(scope, from -> new Unwatch(from, ref));
  }

  private static Pid self(String what) {
    if (!Proc.isProcess()) {
      throw new IllegalStateException("Pg." + what + " sends notifications to the calling process: call it from "
          + "a process");
    }
    return Proc.self();
  }

  private static void requireName(String name, String what) {
    Objects.requireNonNull(name, what);
    if (name.isBlank()) {
      throw new IllegalArgumentException("a " + what + " name cannot be blank");
    }
  }

  private static List<Pid> localPids(Pid[] pids, String what) {
    if (pids.length == 0) {
      throw new IllegalArgumentException("Pg." + what + " needs at least one pid");
    }
    for (Pid p : pids) {
      Objects.requireNonNull(p, "pid");
      if (p.isRemote()) {
        throw new IllegalArgumentException("cannot " + what + " " + p + ": only processes of this node ("
            + Node.current().name() + ") can " + what + " here; " + what + " on the process's own node");
      }
    }
    return List.of(pids);
  }

  private static Pid scopePid(String scope) {
    requireName(scope, "scope");
    return Proc.whereis(scope).filter(VIEWS::containsKey).orElseThrow(() -> new IllegalStateException(
        "no pg scope '" + scope + "' runs on node " + Node.current().name() + ": start it with Pg.start(node, \""
            + scope + "\")"));
  }

  private static View view(String scope) {
    View v = VIEWS.get(scopePid(scope));
    if (v == null) {
      throw new IllegalStateException("the pg scope '" + scope + "' has just stopped");
    }
    return v;
  }

  private static Object ask(String scope, java.util.function.Function<From, Object> request) {
    Pid pid = scopePid(scope);
    try {
      return Proc.call(pid, request, CALL_TIMEOUT);
    } catch (CallException e) {
      throw new IllegalStateException("the pg scope '" + scope + "' did not answer: " + e.reason(), e);
    }
  }

  // =====================================================================================
  // the scope process

  /**
   * One node's scope: its local members (each monitored), its peers (the same scope on other nodes,
   * each monitored) with their members, and the monitors of groups. Only this process writes the
   * {@link View}.
   */
  private static final class ScopeServer {
    private final String scope;
    private final View view;
    // local members: pid -> its monitor and its groups (a group once per join)
    private final Map<Pid, Member> members = new HashMap<>();
    // peers: their scope process -> its monitor and its groups
    private final Map<Pid, Peer> peers = new HashMap<>();
    // monitors of this scope: ref -> who, and which group (null: all)
    private final Map<Ref, Watcher> watchers = new HashMap<>();

    private record Member(Ref monitor, List<String> groups) {}

    private record Peer(Ref monitor, Map<String, List<Pid>> groups) {}

    private record Watcher(Pid pid, Ref monitor, String group) {}

    ScopeServer(String scope, View view) {
      this.scope = scope;
      this.view = view;
    }

    void handle(Object m) {
      Pid self = Proc.self();
      switch (m) {
        case Join(From from, String group, List<Pid> pids) -> {
          for (Pid p : pids) {
            members.computeIfAbsent(p, k -> new Member(Proc.monitor(k), new ArrayList<>())).groups().add(group);
          }
          changed(group, pids, List.of(), true);
          broadcast(new Joined(self, group, pids));
          from.reply(Boolean.TRUE);
        }
        case Leave(From from, String group, List<Pid> pids) -> {
          List<Pid> left = new ArrayList<>();
          for (Pid p : pids) {
            Member member = members.get(p);
            if (member != null && member.groups().remove(group)) {
              left.add(p);
              if (member.groups().isEmpty()) {
                Proc.demonitor(member.monitor());
                members.remove(p);
              }
            }
          }
          if (!left.isEmpty()) {
            changed(group, List.of(), left, true);
            broadcast(new Left(self, group, left));
          }
          from.reply(!left.isEmpty());
        }
        case Watch(From from, Pid watcher, String group) -> {
          Ref ref = Proc.monitor(watcher);
          watchers.put(ref, new Watcher(watcher, ref, group));
          if (group == null) {
            from.reply(new ScopeMonitor(ref, Map.copyOf(new TreeMap<>(view.all))));
          } else {
            from.reply(new GroupMonitor(ref, view.all.getOrDefault(group, List.of())));
          }
        }
        case Unwatch(From from, Ref ref) -> {
          Watcher w = watchers.remove(ref);
          if (w != null) {
            Proc.demonitor(w.monitor());
          }
          from.reply(w != null);
        }
        case NodeUp(String node) -> Proc.send(Name.remote(scope, node), new Discover(self));
        case Discover(Pid peer) -> {
          Proc.send(peer, new Sync(self, localGroups()));
          if (!peers.containsKey(peer)) {
            peers.put(peer, new Peer(Proc.monitor(peer), new HashMap<>()));
            Proc.send(peer, new Discover(self));
          }
        }
        case Sync(Pid peer, Map<String, List<Pid>> groups) -> {
          Peer known = peers.computeIfAbsent(peer, k -> new Peer(Proc.monitor(k), new HashMap<>()));
          Map<String, List<Pid>> old = new HashMap<>(known.groups());
          known.groups().clear();
          groups.forEach((g, pids) -> known.groups().put(g, new ArrayList<>(pids)));
          for (String g : union(old.keySet(), groups.keySet())) {
            List<Pid> before = old.getOrDefault(g, List.of());
            List<Pid> after = groups.getOrDefault(g, List.of());
            changed(g, minus(after, before), minus(before, after), false);
          }
        }
        case Joined(Pid peer, String group, List<Pid> pids) -> {
          Peer known = peers.get(peer);
          if (known != null) { // from a peer not yet discovered: its sync will bring it
            known.groups().computeIfAbsent(group, k -> new ArrayList<>()).addAll(pids);
            changed(group, pids, List.of(), false);
          }
        }
        case Left(Pid peer, String group, List<Pid> pids) -> {
          Peer known = peers.get(peer);
          if (known != null) {
            List<Pid> list = known.groups().getOrDefault(group, new ArrayList<>());
            pids.forEach(list::remove);
            if (list.isEmpty()) {
              known.groups().remove(group);
            }
            changed(group, List.of(), pids, false);
          }
        }
        case Down d -> down(d);
        default -> { } // a NodeDown needs nothing: the monitors of the node's peer fire
      }
    }

    private void down(Down d) {
      Pid pid = (Pid) d.target();
      Member member = members.get(pid);
      if (member != null && member.monitor().equals(d.ref())) {
        members.remove(pid);
        Map<String, List<Pid>> byGroup = new TreeMap<>();
        for (String g : member.groups()) {
          byGroup.computeIfAbsent(g, k -> new ArrayList<>()).add(pid);
        }
        byGroup.forEach((g, pids) -> {
          changed(g, List.of(), pids, true);
          broadcast(new Left(Proc.self(), g, pids));
        });
        return;
      }
      Peer peer = peers.get(pid);
      if (peer != null && peer.monitor().equals(d.ref())) {
        peers.remove(pid);
        new TreeMap<>(peer.groups()).forEach((g, pids) -> changed(g, List.of(), pids, false));
        return;
      }
      watchers.remove(d.ref());
    }

    /** The local members by group, a pid once per join. */
    private Map<String, List<Pid>> localGroups() {
      Map<String, List<Pid>> out = new HashMap<>();
      members.forEach((pid, m) -> m.groups().forEach(g -> out.computeIfAbsent(g, k -> new ArrayList<>()).add(pid)));
      return out;
    }

    private void broadcast(Object message) {
      for (Pid peer : peers.keySet()) {
        Proc.send(peer, message);
      }
    }

    /** Applies a change of {@code group} to the view and tells its monitors. */
    private void changed(String group, List<Pid> joined, List<Pid> left, boolean local) {
      if (joined.isEmpty() && left.isEmpty()) {
        return;
      }
      update(view.all, group, joined, left);
      if (local) {
        update(view.local, group, joined, left);
      }
      for (Watcher w : watchers.values()) {
        if (w.group() == null || w.group().equals(group)) {
          if (!joined.isEmpty()) {
            Proc.send(w.pid(), new Notification(w.monitor(), Change.JOIN, group, List.copyOf(joined)));
          }
          if (!left.isEmpty()) {
            Proc.send(w.pid(), new Notification(w.monitor(), Change.LEAVE, group, List.copyOf(left)));
          }
        }
      }
    }

    private static void update(Map<String, List<Pid>> map, String group, List<Pid> joined, List<Pid> left) {
      List<Pid> list = new ArrayList<>(map.getOrDefault(group, List.of()));
      list.addAll(joined);
      left.forEach(list::remove);
      if (list.isEmpty()) {
        map.remove(group);
      } else {
        map.put(group, List.copyOf(list));
      }
    }

    private static List<String> union(java.util.Set<String> a, java.util.Set<String> b) {
      java.util.TreeSet<String> out = new java.util.TreeSet<>(a);
      out.addAll(b);
      return List.copyOf(out);
    }

    /** {@code a} without one occurrence of each element of {@code b}. */
    private static List<Pid> minus(List<Pid> a, List<Pid> b) {
      List<Pid> out = new ArrayList<>(a);
      b.forEach(out::remove);
      return out;
    }
  }
}
