package org.otp4j.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.otp4j.core.dist.Dispatcher;
import org.otp4j.core.dist.Signal;
import org.otp4j.core.dist.Transport;
import org.otp4j.core.dist.TransportFactory;

/**
 * A distribution engine for core's own tests: nodes of one JVM exchange signals through one FIFO
 * queue per receiving node (so the order of one node's signals to another is kept), pids and
 * references re-made on the receiving side from their wire values, as a codec would. Connections
 * can be cut and restored, to test what a node does when another goes down.
 */
final class LoopbackCluster implements TransportFactory {
  private final Map<String, Member> members = new ConcurrentHashMap<>();
  private final Set<String> cut = ConcurrentHashMap.newKeySet();

  @Override
  public Transport open(Dispatcher dispatcher) {
    Member joining = new Member(dispatcher);
    synchronized (this) {
      if (members.containsKey(dispatcher.nodeName())) {
        throw new IllegalStateException("a node named " + dispatcher.nodeName() + " is already in the cluster");
      }
      for (Member m : members.values()) {
        m.later(() -> m.dispatcher.nodeUp(joining.name, joining.dispatcher.creation()));
        joining.later(() -> joining.dispatcher.nodeUp(m.name, m.dispatcher.creation()));
      }
      members.put(joining.name, joining);
    }
    return joining;
  }

  /** Cuts the connection between two nodes: each sees the other go down. */
  synchronized void disconnect(Node a, Node b) {
    cut.add(pair(a.name(), b.name()));
    Member ma = members.get(a.name());
    Member mb = members.get(b.name());
    ma.later(() -> ma.dispatcher.nodeDown(b.name(), "disconnected"));
    mb.later(() -> mb.dispatcher.nodeDown(a.name(), "disconnected"));
  }

  /** Restores a connection cut by {@link #disconnect}: each sees the other come up. */
  synchronized void reconnect(Node a, Node b) {
    cut.remove(pair(a.name(), b.name()));
    Member ma = members.get(a.name());
    Member mb = members.get(b.name());
    ma.later(() -> ma.dispatcher.nodeUp(b.name(), mb.dispatcher.creation()));
    mb.later(() -> mb.dispatcher.nodeUp(a.name(), ma.dispatcher.creation()));
  }

  private static String pair(String a, String b) {
    return a.compareTo(b) < 0 ? a + "|" + b : b + "|" + a;
  }

  private final class Member implements Transport {
    final String name;
    final Dispatcher dispatcher;
    // one thread per receiving node: what it receives is applied in the order it was sent
    final ExecutorService inbound;

    Member(Dispatcher dispatcher) {
      this.dispatcher = dispatcher;
      this.name = dispatcher.nodeName();
      this.inbound = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "loopback-" + name);
        t.setDaemon(true);
        return t;
      });
    }

    void later(Runnable action) {
      inbound.execute(action);
    }

    @Override
    public void send(String node, Signal signal) {
      Member to = members.get(node);
      if (to == null || cut.contains(pair(name, node))) {
        return;
      }
      Signal copy = copy(signal, to.dispatcher);
      to.later(() -> to.dispatcher.receive(name, copy));
    }

    /** The signal as the receiving node decodes it: its pids and references re-made there. */
    private Signal copy(Signal s, Dispatcher at) {
      return switch (s) {
        case Signal.Send(Pid to, Object m) -> new Signal.Send(pid(to, at), value(m, at));
        case Signal.NamedSend(Pid from, String n, Object m) -> new Signal.NamedSend(pid(from, at), n, value(m, at));
        case Signal.Link(Pid from, Pid to) -> new Signal.Link(pid(from, at), pid(to, at));
        case Signal.Unlink(Pid from, Pid to) -> new Signal.Unlink(pid(from, at), pid(to, at));
        case Signal.LinkExit(Pid from, Pid to, ExitReason r) -> new Signal.LinkExit(pid(from, at), pid(to, at), r);
        case Signal.Exit(Pid from, Pid to, ExitReason r) -> new Signal.Exit(pid(from, at), pid(to, at), r);
        case Signal.Monitor(Pid from, Pid to, Ref ref) -> new Signal.Monitor(pid(from, at), pid(to, at), ref(ref, at));
        case Signal.Demonitor(Pid from, Pid to, Ref ref) ->
            new Signal.Demonitor(pid(from, at), pid(to, at), ref(ref, at));
        case Signal.MonitorDown(Pid from, Pid to, Ref ref, ExitReason r) ->
            new Signal.MonitorDown(pid(from, at), pid(to, at), ref(ref, at), r);
        case Signal.MonitorName(Pid from, String n, Ref ref) -> new Signal.MonitorName(pid(from, at), n, ref(ref, at));
        case Signal.DemonitorName(Pid from, String n, Ref ref) ->
            new Signal.DemonitorName(pid(from, at), n, ref(ref, at));
        case Signal.Reply(long id, Object m) -> new Signal.Reply(id, m == null ? null : value(m, at));
      };
    }

    private Object value(Object m, Dispatcher at) {
      return switch (m) {
        case Pid p -> pid(p, at);
        case Ref r -> ref(r, at);
        case From f -> at.from(dispatcher.fromId(f));
        case List<?> list -> {
          List<Object> out = new ArrayList<>();
          for (Object o : list) {
            out.add(value(o, at));
          }
          yield List.copyOf(out);
        }
        default -> m;
      };
    }

    private Pid pid(Pid p, Dispatcher at) {
      return at.pid(p.nodeName(), p.creation(), p.serial());
    }

    private Ref ref(Ref r, Dispatcher at) {
      return at.ref(dispatcher.refId(r));
    }

    @Override
    public void close() {
      synchronized (LoopbackCluster.this) {
        members.remove(name);
        for (Member m : members.values()) {
          m.later(() -> m.dispatcher.nodeDown(name, "connection_closed"));
        }
      }
      inbound.shutdown();
    }
  }
}
