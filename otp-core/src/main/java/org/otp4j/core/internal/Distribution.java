package org.otp4j.core.internal;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.otp4j.core.ExitReason;
import org.otp4j.core.From;
import org.otp4j.core.MailboxFullException;
import org.otp4j.core.NodeDown;
import org.otp4j.core.NodeUp;
import org.otp4j.core.Pid;
import org.otp4j.core.Ref;
import org.otp4j.core.dist.Dispatcher;
import org.otp4j.core.dist.Signal;
import org.otp4j.core.dist.Transport;
import org.otp4j.core.dist.TransportFactory;
import org.otp4j.core.dist.UnencodableMessageException;

/**
 * A node's distribution: the connected nodes, the local stand-ins of their processes, node monitors,
 * and the two directions of signals (local operations on stand-ins forwarded through the
 * {@link Transport}; signals that arrive applied to local processes). Every node has one; a node
 * started without a transport has no connected node, and every remote operation finds none.
 *
 * <h2>Implementation notes</h2>
 *
 * <p><b>Stand-ins.</b> A remote process is represented by a {@link ProcessImpl} of kind
 * {@code REMOTE}, one per remote pid and connection, kept in its {@link Connection}. Links and
 * monitors to it are the ordinary ones of {@link Signals}, which forwards what concerns the remote
 * side. A stand-in is alive exactly as long as its connection: when the node goes down, each stand-in
 * terminates with {@code noconnection}, and the ordinary termination fires each of its links and
 * monitors once. A pid of a node that is not connected, of an older incarnation of a connected node,
 * or of an older incarnation of this node gets a stand-in that is dead from the start, with reason
 * {@code noconnection} or {@code noproc}: a send to it is dropped, a link or monitor fires at once.
 *
 * <p><b>Connection changes</b> ({@link #nodeUp}, {@link #nodeDown}) are serialised by
 * {@code membership}. A stand-in made while its connection closes is caught by one of the two
 * sides: nodeDown marks the connection closed and then sweeps its stand-ins; {@link #standIn} adds
 * to the map and then reads the mark (both volatile), so at least one of them sees the other.
 *
 * <p><b>Per-pair order.</b> Local operations forward on the acting thread, inside the actor's busy
 * section, so one process's messages and signals enter the transport in the order it made them; the
 * transport keeps the order per node pair, and {@link #receive} applies them in arrival order.
 */
public final class Distribution implements Dispatcher {

  /** A connected node and the stand-ins of its processes. */
  private static final class Connection {
    final String node;
    final int creation;
    final ConcurrentHashMap<Pid, ProcessImpl> standIns = new ConcurrentHashMap<>();
    volatile boolean closed;

    Connection(String node, int creation) {
      this.node = node;
      this.creation = creation;
    }
  }

  private final NodeRuntime runtime;
  private final ConcurrentHashMap<String, Connection> connections = new ConcurrentHashMap<>();
  private final Object membership = new Object();
  // node monitors, guarded by membership: per node, one entry per monitorNode call
  private final Map<String, List<ProcessImpl>> nodeMonitors = new java.util.HashMap<>();
  private final List<ProcessImpl> allNodesMonitors = new ArrayList<>();
  private final AtomicLong droppedSignals = new AtomicLong();
  private final LongAdder signalsSent = new LongAdder();
  private final LongAdder signalsReceived = new LongAdder();
  // requests to remote servers: the reply channels other nodes know by number (a call's channel, or a
  // WeakReference to a request's: see ExportableFrom.heldWeakly), and the monitors of called servers
  private final ConcurrentHashMap<Long, Object> exportedSlots = new ConcurrentHashMap<>();
  private final AtomicLong nextSlotId = new AtomicLong();
  private final ConcurrentHashMap<Ref, CallSlot> callMonitors = new ConcurrentHashMap<>();
  private volatile Transport transport;
  private volatile boolean closed;

  Distribution(NodeRuntime runtime) {
    this.runtime = runtime;
  }

  /** Opens the node's transport; called once, as the node starts. */
  public void open(TransportFactory factory) {
    transport = Objects.requireNonNull(factory.open(this), "the transport factory returned null");
  }

  /** Whether the node has a transport. */
  public boolean isDistributed() {
    return transport != null;
  }

  /**
   * Leaves the cluster (node stop): signals are dropped from now on, and every connection goes down
   * here too, so that a plain thread waiting in a call to a remote server is not left hanging.
   */
  void close() {
    Transport t = transport;
    closed = true;
    if (t != null) {
      try {
        t.close();
      } catch (RuntimeException e) {
        runtime.log().warn("closing the transport of node {} failed", runtime.name(), e);
      }
    }
    for (String node : nodes()) {
      nodeDown(node, "node_stopped");
    }
  }

  /** The connected nodes, sorted by name. */
  public List<String> nodes() {
    List<String> out = new ArrayList<>(connections.keySet());
    Collections.sort(out);
    return out;
  }

  /** Signals that arrived from a node that is not connected and were dropped. */
  public long droppedSignals() {
    return droppedSignals.get();
  }

  /** Signals handed to the transport for other nodes: messages, links, monitors, exits, replies. */
  public long signalsSent() {
    return signalsSent.sum();
  }

  /** Signals from connected nodes that this node applied. */
  public long signalsReceived() {
    return signalsReceived.sum();
  }

  /** Hands {@code signal} to the transport for {@code node}, and counts it. */
  private void transmit(Transport t, String node, Signal signal) {
    t.send(node, signal);
    signalsSent.increment();
  }

  // =====================================================================================
  // Dispatcher: what the engine reports

  @Override
  public String nodeName() {
    return runtime.name();
  }

  @Override
  public int creation() {
    return runtime.creation();
  }

  @Override
  public void nodeUp(String node, int creation) {
    Objects.requireNonNull(node, "node");
    if (node.equals(nodeName())) {
      return;
    }
    List<ProcessImpl> tell;
    synchronized (membership) {
      Connection old = connections.get(node);
      if (old != null && old.creation == creation) {
        return;
      }
      if (old != null) {
        nodeDown(node, "restarted");
      }
      connections.put(node, new Connection(node, creation));
      tell = new ArrayList<>(allNodesMonitors);
    }
    for (ProcessImpl p : tell) {
      tellSystem(p, new NodeUp(node));
    }
  }

  @Override
  public void nodeDown(String node, String reason) {
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(reason, "reason");
    List<ProcessImpl> tell = new ArrayList<>();
    Connection c;
    synchronized (membership) {
      c = connections.remove(node);
      if (c == null) {
        return;
      }
      c.closed = true;
      List<ProcessImpl> perNode = nodeMonitors.remove(node);
      if (perNode != null) {
        tell.addAll(perNode);
      }
      tell.addAll(allNodesMonitors);
    }
    for (ProcessImpl standIn : c.standIns.values()) {
      terminate(standIn, ExitReason.NOCONNECTION);
    }
    c.standIns.clear();
    for (ProcessImpl p : tell) {
      tellSystem(p, new NodeDown(node, reason));
    }
  }

  @Override
  public Pid pid(String node, int creation, long serial) {
    if (node.equals(nodeName()) && creation == creation()) {
      ProcessImpl p = serial == runtime.root().serial() ? runtime.root() : runtime.table().find(serial);
      if (p != null) {
        return p.pid();
      }
    }
    return Bridge.pids().remotePid(runtime, node, creation, serial);
  }

  @Override
  public Ref ref(RefId id) {
    if (id.node().equals(nodeName()) && id.creation() == creation()) {
      return Bridge.refs().localRef(id.serial());
    }
    return Bridge.refs().remoteRef(id.node(), id.creation(), id.serial());
  }

  @Override
  public RefId refId(Ref ref) {
    Bridge.Refs r = Bridge.refs();
    String node = r.node(ref);
    return node == null ? new RefId(nodeName(), creation(), r.serial(ref))
        : new RefId(node, r.creation(ref), r.serial(ref));
  }

  @Override
  public FromId fromId(From from) {
    return switch (from) {
      case ExportableFrom slot -> new FromId(nodeName(), export(slot), slot.callerPid());
      case RemoteFrom remote -> remote.id;
      default -> throw new UnencodableMessageException(from.getClass(), "only the From of a call or of a request "
          + "(Proc.call, Proc.sendRequest, a behaviour's call or sendRequest) can travel to another node");
    };
  }

  /** The number {@code slot} is known by on other nodes, given on its first journey. */
  private long export(ExportableFrom slot) {
    long id;
    boolean fresh = false;
    synchronized (slot) {
      id = slot.exportedAs;
      if (id == 0) {
        id = nextSlotId.incrementAndGet();
        slot.exportedAs = id;
        fresh = true;
      }
    }
    if (fresh) {
      if (slot.heldWeakly()) {
        exportedSlots.put(id, new WeakReference<>(slot));
        long forgotten = id;
        ProcessThreads.cleaner().register(slot, () -> exportedSlots.remove(forgotten));
      } else {
        exportedSlots.put(id, slot);
      }
    }
    return id;
  }

  /** The reply channel known as {@code id} to other nodes, or null if it was forgotten. */
  private ExportableFrom exported(long id) {
    Object held = exportedSlots.get(id);
    return held instanceof WeakReference<?> weak ? (ExportableFrom) weak.get() : (ExportableFrom) held;
  }

  /** Forgets the reply channel {@code slot} (its request is over): a reply that comes later is dropped. */
  void unexport(ExportableFrom slot) {
    long id = slot.exportedAs;
    if (id != 0) {
      exportedSlots.remove(id);
    }
  }

  @Override
  public From from(FromId id) {
    return new RemoteFrom(this, id);
  }

  /** The reply channel of a call made on another node (or on this one, come back). */
  private static final class RemoteFrom implements From {
    final Distribution home;
    final FromId id;

    RemoteFrom(Distribution home, FromId id) {
      this.home = home;
      this.id = Objects.requireNonNull(id, "id");
    }

    @Override
    public Optional<Pid> caller() {
      return Optional.ofNullable(id.caller());
    }

    /** Sends the reply to the caller's node; true if it could be sent (the caller may have given up). */
    @Override
    public boolean reply(Object value) {
      return home.reply(id, value);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof RemoteFrom r && r.id.equals(id);
    }

    @Override
    public int hashCode() {
      return id.hashCode();
    }

    @Override
    public String toString() {
      return "From[" + (id.caller() != null ? id.caller() : id.node()) + "]";
    }
  }

  private boolean reply(FromId id, Object value) {
    if (id.node().equals(nodeName())) {
      ExportableFrom slot = exported(id.id());
      return slot != null && slot.reply(value);
    }
    Transport t = transport;
    if (t == null || closed || !connections.containsKey(id.node())) {
      return false;
    }
    transmit(t, id.node(), new Signal.Reply(id.id(), value)); // an unencodable reply fails the replier
    return true;
  }

  /** Monitors the remote {@code server} of a call on behalf of {@code slot}; returns the monitor's reference. */
  Ref monitorForCall(ProcessImpl server, CallSlot slot) {
    Ref ref = Ref.make();
    callMonitors.put(ref, slot);
    send(server, new Signal.Monitor(runtime.root().pid(), server.pid(), ref), false);
    return ref;
  }

  /**
   * Monitors, on behalf of {@code slot}, the process registered as {@code name} on the node of
   * {@code anchor} (see {@link #anchor}); returns the monitor's reference.
   */
  Ref monitorNameForCall(ProcessImpl anchor, String name, CallSlot slot) {
    Ref ref = Ref.make();
    callMonitors.put(ref, slot);
    send(anchor, new Signal.MonitorName(runtime.root().pid(), name, ref), false);
    return ref;
  }

  /**
   * A call to the remote {@code server} (or, with {@code name}, to that name on the node of the
   * anchor {@code server}) is over: its reply channel and monitor are forgotten.
   */
  void callEnded(ProcessImpl server, String name, CallSlot slot, Ref monitor) {
    unexport(slot);
    if (monitor != null && callMonitors.remove(monitor) != null) {
      Pid root = runtime.root().pid();
      send(server, name == null ? new Signal.Demonitor(root, server.pid(), monitor)
          : new Signal.DemonitorName(root, name, monitor), false);
    }
  }

  /**
   * The stand-in of the root of {@code node} (its serial is 0 on every node): alive exactly as long
   * as the connection, so a call to a name there watches it to learn that the node went down. Dead
   * with {@code noconnection} if the node is not connected.
   */
  ProcessImpl anchor(String node) {
    Connection c = connections.get(node);
    int creation = c == null ? 0 : c.creation;
    return standIn(Bridge.pids().remotePid(runtime, node, creation, 0L));
  }

  // =====================================================================================
  // stand-ins

  /** The stand-in of the remote process {@code pid}, made on first use (see the class notes). */
  public ProcessImpl standIn(Pid pid) {
    String node = pid.nodeName();
    Connection c = connections.get(node);
    if (c == null || c.creation != pid.creation()) {
      ExitReason why = c != null || node.equals(nodeName()) ? ExitReason.NOPROC : ExitReason.NOCONNECTION;
      ProcessImpl dead = new ProcessImpl(runtime, pid);
      terminate(dead, why);
      return dead;
    }
    ProcessImpl s = c.standIns.get(pid);
    if (s != null) {
      return s;
    }
    ProcessImpl fresh = new ProcessImpl(runtime, pid);
    s = c.standIns.putIfAbsent(pid, fresh);
    if (s != null) {
      return s;
    }
    if (c.closed) {
      terminate(fresh, ExitReason.NOCONNECTION);
    }
    return fresh;
  }

  /**
   * What an operation that keeps nothing behind (see {@code Kernel.target}) acts on for the remote
   * {@code pid}: its stand-in if it has one, else a stand-in made for this operation only and not kept.
   */
  ProcessImpl target(Pid pid) {
    Connection c = connections.get(pid.nodeName());
    if (c == null || c.creation != pid.creation()) {
      return standIn(pid); // dead from the start: the message is dropped
    }
    ProcessImpl s = c.standIns.get(pid);
    return s != null ? s : new ProcessImpl(runtime, pid);
  }

  /** The stand-in of {@code pid} if the connection to its node has one, else null. */
  private ProcessImpl existingStandIn(Connection c, Pid pid) {
    return c.standIns.get(pid);
  }

  private static void terminate(ProcessImpl p, ExitReason reason) {
    boolean dies;
    synchronized (p) {
      dies = p.beginExit(reason);
    }
    if (dies) {
      ProcessImpl.terminateChain(p);
    }
  }

  // =====================================================================================
  // node monitors

  /** {@code monitor_node(Node, true)}: one NodeDown for {@code p} when {@code node} goes down. */
  public void monitorNode(ProcessImpl p, String node) {
    boolean connected;
    synchronized (membership) {
      connected = connections.containsKey(node);
      if (connected) {
        nodeMonitors.computeIfAbsent(node, k -> new ArrayList<>()).add(p);
      }
    }
    if (!connected) {
      tellSystem(p, new NodeDown(node, transport == null ? "no_network" : "not_connected"));
    }
  }

  /** {@code monitor_node(Node, false)}: removes one monitor of {@code node} held by {@code p}. */
  public boolean demonitorNode(ProcessImpl p, String node) {
    synchronized (membership) {
      List<ProcessImpl> list = nodeMonitors.get(node);
      return list != null && list.remove(p);
    }
  }

  /** {@code net_kernel:monitor_nodes(Flag)}: subscribes {@code p} to every NodeUp and NodeDown. */
  public void monitorNodes(ProcessImpl p, boolean on) {
    synchronized (membership) {
      allNodesMonitors.removeIf(m -> m == p || !m.isAlive());
      if (on) {
        allNodesMonitors.add(p);
      }
    }
  }

  private static void tellSystem(ProcessImpl p, Object msg) {
    synchronized (p) {
      if (p.isAlive()) {
        p.deliverSystem(msg);
      }
    }
  }

  // =====================================================================================
  // local operations on stand-ins, forwarded (called by Mailbox and Signals)

  void forwardMessage(ProcessImpl standIn, Object msg) {
    // A message that cannot be encoded fails the send: the sender must learn it (UnencodableMessage).
    send(standIn, new Signal.Send(standIn.pid(), msg), true);
  }

  /** Sends {@code msg} to the process registered as {@code name} on {@code node}. */
  public void sendNamed(ProcessImpl self, String name, String node, Object msg) {
    Connection c = connections.get(node);
    Transport t = transport;
    if (c == null || t == null || closed) {
      return; // as Erlang: a send to an unreachable node is dropped
    }
    ProcessImpl from = self != null ? self : runtime.root();
    if (self != null) {
      self.enterOp();
    }
    try {
      transmit(t, node, new Signal.NamedSend(from.pid(), name, msg));
    } finally {
      if (self != null) {
        self.exitOp();
      }
    }
  }

  void forwardLinkExit(ProcessImpl from, ProcessImpl standIn, ExitReason reason) {
    send(standIn, new Signal.LinkExit(from.pid(), standIn.pid(), reason), false);
  }

  void forwardExit(ProcessImpl from, ProcessImpl standIn, ExitReason reason) {
    send(standIn, new Signal.Exit(from.pid(), standIn.pid(), reason), false);
  }

  void forwardLink(ProcessImpl from, ProcessImpl standIn) {
    send(standIn, new Signal.Link(from.pid(), standIn.pid()), false);
  }

  void forwardUnlink(ProcessImpl from, ProcessImpl standIn) {
    send(standIn, new Signal.Unlink(from.pid(), standIn.pid()), false);
  }

  void forwardMonitor(ProcessImpl from, ProcessImpl standIn, Ref ref) {
    send(standIn, new Signal.Monitor(from.pid(), standIn.pid(), ref), false);
  }

  void forwardDemonitor(ProcessImpl from, ProcessImpl standIn, Ref ref) {
    send(standIn, new Signal.Demonitor(from.pid(), standIn.pid(), ref), false);
  }

  void forwardMonitorName(ProcessImpl from, ProcessImpl anchor, String name, Ref ref) {
    send(anchor, new Signal.MonitorName(from.pid(), name, ref), false);
  }

  void forwardDemonitorName(ProcessImpl from, ProcessImpl anchor, String name, Ref ref) {
    send(anchor, new Signal.DemonitorName(from.pid(), name, ref), false);
  }

  void forwardDown(ProcessImpl target, ProcessImpl standIn, Ref ref, ExitReason reason) {
    send(standIn, new Signal.MonitorDown(target.pid(), standIn.pid(), ref, reason), false);
  }

  private void send(ProcessImpl standIn, Signal signal, boolean isMessage) {
    Transport t = transport;
    if (t == null || closed) {
      return;
    }
    try {
      transmit(t, standIn.pid().nodeName(), signal);
    } catch (UnencodableMessageException e) {
      if (isMessage) {
        throw e;
      }
      runtime.log().error("node {} could not encode {} for node {}", nodeName(), signal,
          standIn.pid().nodeName(), e);
    } catch (RuntimeException e) {
      if (isMessage) {
        throw e;
      }
      // A control signal is sent from termination paths, which must go on.
      runtime.log().error("node {} could not send {} to node {}", nodeName(), signal,
          standIn.pid().nodeName(), e);
    }
  }

  private void reply(String node, Signal signal) {
    Transport t = transport;
    if (t != null && !closed) {
      try {
        transmit(t, node, signal);
      } catch (RuntimeException e) {
        runtime.log().error("node {} could not send {} to node {}", nodeName(), signal, node, e);
      }
    }
  }

  // =====================================================================================
  // signals that arrive

  @Override
  public void receive(String fromNode, Signal signal) {
    Connection c = connections.get(fromNode);
    if (c == null || closed) {
      droppedSignals.incrementAndGet();
      runtime.log().debug("node {} dropped {} from node {}, which is not connected", nodeName(), signal, fromNode);
      return;
    }
    signalsReceived.increment();
    switch (signal) {
      case Signal.Send(Pid to, Object message) -> deliver(local(to), message);
      case Signal.NamedSend(Pid from, String name, Object message) -> deliver(runtime.whereis(name), message);
      case Signal.Link(Pid from, Pid to) -> {
        ProcessImpl p = local(to);
        if (p == null || !p.remoteLink(standIn(from))) {
          reply(fromNode, new Signal.LinkExit(to, from, ExitReason.NOPROC));
        }
      }
      case Signal.Unlink(Pid from, Pid to) -> {
        ProcessImpl p = local(to);
        ProcessImpl s = existingStandIn(c, from);
        if (p != null && s != null) {
          p.remoteUnlink(s);
        }
      }
      case Signal.LinkExit(Pid from, Pid to, ExitReason reason) -> {
        ProcessImpl p = local(to);
        ProcessImpl s = existingStandIn(c, from);
        if (p != null && s != null && p.remoteLinkExit(s, reason)) {
          ProcessImpl.terminateChain(p);
        }
      }
      case Signal.Exit(Pid from, Pid to, ExitReason reason) -> {
        ProcessImpl p = local(to);
        if (p != null && p.exitSignal(target(from), reason)) {
          ProcessImpl.terminateChain(p);
        }
      }
      case Signal.Monitor(Pid from, Pid to, Ref ref) -> {
        ProcessImpl p = local(to);
        if (p == null) {
          reply(fromNode, new Signal.MonitorDown(to, from, ref, ExitReason.NOPROC));
        } else {
          p.remoteMonitor(standIn(from), ref);
        }
      }
      case Signal.MonitorName(Pid from, String name, Ref ref) -> {
        ProcessImpl p = runtime.whereis(name);
        if (p == null) {
          reply(fromNode, new Signal.MonitorDown(runtime.root().pid(), from, ref, ExitReason.NOPROC));
        } else {
          p.remoteMonitor(standIn(from), ref);
        }
      }
      case Signal.DemonitorName(Pid from, String name, Ref ref) -> {
        ProcessImpl p = runtime.whereis(name);
        ProcessImpl s = existingStandIn(c, from);
        if (p != null && s != null) {
          p.remoteDemonitor(s, ref);
        }
      }
      case Signal.Reply(long id, Object value) -> {
        ExportableFrom slot = exported(id);
        if (slot != null) {
          slot.reply(value); // dropped if the caller has given up
        }
      }
      case Signal.Demonitor(Pid from, Pid to, Ref ref) -> {
        ProcessImpl p = local(to);
        ProcessImpl s = existingStandIn(c, from);
        if (p != null && s != null) {
          p.remoteDemonitor(s, ref);
        }
      }
      case Signal.MonitorDown(Pid from, Pid to, Ref ref, ExitReason reason) -> {
        CallSlot call = callMonitors.remove(ref);
        if (call != null) {
          call.processDown(null, reason); // the server of a call terminated (or did not exist)
          return;
        }
        ProcessImpl p = local(to);
        if (p != null) {
          p.remoteDown(existingStandIn(c, from),
              existingStandIn(c, Bridge.pids().remotePid(runtime, fromNode, c.creation, 0L)), ref, reason);
        }
      }
    }
  }

  /** The local process {@code pid} names, or null if it names no live process of this node. */
  private ProcessImpl local(Pid pid) {
    if (pid.isRemote()) {
      return null; // a pid of this node that was not found, or of another incarnation
    }
    ProcessImpl p = Bridge.process(pid);
    return p.runtime() == runtime && p.kind != ProcessCore.ROOT ? p : null;
  }

  private void deliver(ProcessImpl p, Object message) {
    if (p == null) {
      return; // as Erlang: a message to a process that is gone is dropped
    }
    try {
      if (p.deliver(message)) {
        ProcessImpl.terminateChain(p);
      }
    } catch (MailboxFullException e) {
      runtime.log().debug("node {} dropped a message from another node: {}", nodeName(), e.getMessage());
    }
  }
}
