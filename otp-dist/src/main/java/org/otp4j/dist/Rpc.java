package org.otp4j.dist;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.otp4j.core.CallException;
import org.otp4j.core.Down;
import org.otp4j.core.ExitReason;
import org.otp4j.core.NameConflictException;
import org.otp4j.core.From;
import org.otp4j.core.Inbox;
import org.otp4j.core.Name;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.core.Ref;
import org.otp4j.core.dist.UnencodableMessageException;

/**
 * Running code on other nodes, Erlang's {@code rpc}/{@code erpc} and remote {@code spawn}: a request
 * names an {@link EntryPoints entry point} of the target node and carries its arguments; no code
 * travels.
 *
 * <!-- snippet: org.otp4j.dist.RpcTest#call -->
 * {@snippet :
 * int sum = (Integer) Rpc.call("b@host", "add", List.of(2, 3), Duration.ofSeconds(5));
 * }
 *
 * <p>A node answers only if it serves rpc: {@link #serve(Node, EntryPoints)} starts its server (OTP's
 * {@code rex}), registered as {@value #SERVER}. Each request runs in a process of its own on the target
 * node (as {@code erpc} does), so a slow entry point does not hold up the others. The caller acts on
 * its current node ({@link Node#current()}): from a process, its node; from a plain thread, the node it
 * is bound to with {@link Node#run}.
 *
 * <h2>Failures</h2>
 * Each is a {@link RpcException}: {@link RpcException.RemoteError} when the entry point threw (its class
 * name and message; the exception itself does not travel), {@link RpcException.UnknownEntry} when the
 * node has no such entry point, {@link RpcException.NoAnswer} with {@code noconnection} when the node
 * is not connected or goes down before answering (never a hang), {@code noproc} when it serves no rpc,
 * {@code timeout} when the time runs out. Arguments and results must be encodable by the cluster's
 * codec (records allowed on every node), else the request fails at the caller with an
 * {@link UnencodableMessageException}; a result that cannot be encoded comes back as a
 * {@link RpcException.RemoteError} naming it.
 */
public final class Rpc {
  /** The name the rpc server of a node is registered under. */
  public static final String SERVER = "otp4j_rpc";

  private Rpc() {}

  // =====================================================================================
  // wire: the records the rpc server and its callers exchange (allowed by TermCodec by default)

  /** A call: run {@code entry} with {@code args}, reply the outcome to {@code from}. */
  record Request(From from, String entry, List<Object> args) {}

  /** A cast: run {@code entry} with {@code args}, reply nothing. */
  record Cast(String entry, List<Object> args) {}

  /**
   * A spawn: start a process that runs {@code entry}; with {@code waitFor}, it waits for a {@link Go}
   * from that process (which links to or monitors it first), or ends if that process goes away.
   */
  record SpawnRequest(From from, String entry, List<Object> args, Pid waitFor) {}

  /** Lets a spawned process start, once its spawner has linked to or monitored it. */
  record Go() {}

  /** The entry point returned {@code value}. */
  record Returned(Object value) {}

  /** The entry point threw. */
  record Raised(String errorClass, String message) {}

  /** No such entry point. */
  record Unknown(String entry, int arity, List<String> known) {}

  /** A spawned process. */
  record Spawned(Pid pid) {}

  static final List<Class<?>> WIRE = List.of(Request.class, Cast.class, SpawnRequest.class, Go.class,
      Returned.class, Raised.class, Unknown.class, Spawned.class);

  // =====================================================================================
  // the server side

  /**
   * Starts the rpc server of {@code node}, which runs {@code entries} for other nodes, and registers
   * it as {@value #SERVER}.
   *
   * @return the server's pid
   * @throws org.otp4j.core.NameConflictException if the node already serves rpc
   */
  public static Pid serve(Node node, EntryPoints entries) {
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(entries, "entries");
    Pid server = node.spawn(() -> {
      while (true) {
        Object m = Proc.receive();
        switch (m) {
          case Request r -> Proc.spawn(() -> answer(r.from(), run(entries, r.entry(), r.args())));
          case Cast c -> {
            EntryPoints.Entry entry = entries.find(c.entry(), c.args().size());
            if (entry != null) {
              Proc.spawn(() -> entry.apply(c.args())); // a crash is the process's own, and reported
            }
          }
          case SpawnRequest s -> spawn(entries, s);
          default -> { } // anything else is not for the rpc server: dropped
        }
      }
    });
    try {
      node.run(() -> Proc.register(SERVER, server));
    } catch (NameConflictException e) {
      node.run(() -> Proc.exit(server, ExitReason.KILL));
      throw new NameConflictException("node " + node.name() + " already serves rpc (" + e.getMessage() + ")");
    }
    return server;
  }

  /** Replies {@code outcome}; a result the codec cannot encode is answered as the error it is. */
  private static void answer(From from, Object outcome) {
    try {
      from.reply(outcome);
    } catch (UnencodableMessageException e) {
      from.reply(new Raised(e.getClass().getName(), e.getMessage()));
    }
  }

  private static Object run(EntryPoints entries, String name, List<Object> args) {
    EntryPoints.Entry entry = entries.find(name, args.size());
    if (entry == null) {
      return new Unknown(name, args.size(), entries.names());
    }
    try {
      return new Returned(entry.apply(args));
    } catch (Exception | AssertionError | LinkageError | StackOverflowError e) {
      // NOTE: other VM errors (out of memory) are the node's, not the call's: they end the worker
      return new Raised(e.getClass().getName(), e.getMessage());
    }
  }

  private static void spawn(EntryPoints entries, SpawnRequest s) {
    EntryPoints.Entry entry = entries.find(s.entry(), s.args().size());
    if (entry == null) {
      s.from().reply(new Unknown(s.entry(), s.args().size(), entries.names()));
      return;
    }
    Pid pid = Proc.spawn(() -> {
      if (s.waitFor() != null) {
        Ref spawner = Proc.monitor(s.waitFor());
        Object first = Proc.receive(m -> m instanceof Go || m instanceof Down d && d.ref().equals(spawner));
        if (first instanceof Down) {
          return; // the spawner went away before it could link or monitor: nothing to run for
        }
        Proc.demonitorFlush(spawner);
      }
      entry.apply(s.args());
    });
    s.from().reply(new Spawned(pid));
  }

  // =====================================================================================
  // the calling side

  /**
   * Runs {@code entry} with {@code args} on {@code node} and returns its result (erpc's
   * {@code call(Node, M, F, A, Timeout)}).
   *
   * @param timeout how long to wait, or {@link Proc#INFINITY}
   * @return what the entry point returned (null if it returned null)
   * @throws RpcException.RemoteError if it threw
   * @throws RpcException.UnknownEntry if the node has no such entry point
   * @throws RpcException.NoAnswer with {@code noconnection}, {@code noproc} or {@code timeout}
   */
  public static Object call(String node, String entry, List<?> args, Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    List<Object> arguments = arguments(node, entry, args);
    Object reply = ask(node, entry, from -> new Request(from, entry, arguments), timeout);
    return switch (reply) {
      case Returned(Object value) -> value;
      case Raised(String errorClass, String message) -> throw new RpcException.RemoteError(node, entry, errorClass,
          message);
      case Unknown u -> throw new RpcException.UnknownEntry(node, entry, u.arity(), u.known());
      default -> throw new IllegalStateException("the rpc server of node " + node + " answered " + reply);
    };
  }

  /**
   * Runs {@code entry} with {@code args} on {@code node} without waiting (erpc's {@code cast}): never
   * fails, even if the node is not connected or has no such entry point (then nothing runs).
   *
   * @throws UnencodableMessageException if an argument cannot be encoded
   */
  public static void cast(String node, String entry, List<?> args) {
    List<Object> arguments = arguments(node, entry, args);
    Proc.send(Name.remote(SERVER, node), new Cast(entry, arguments));
  }

  /** What {@link #multicall} got from one node. */
  public sealed interface Result {
    /** The node. */
    String node();

    /**
     * The entry point returned {@code value} on {@code node}.
     *
     * @param node the node
     * @param value the result; may be null
     */
    record Ok(String node, Object value) implements Result {}

    /**
     * The request to {@code node} failed.
     *
     * @param node the node
     * @param error why
     */
    record Failed(String node, RpcException error) implements Result {}
  }

  /**
   * Runs {@code entry} with {@code args} on every node of {@code nodes} at once and returns each
   * node's result in the order of {@code nodes} (erpc's {@code multicall}): a node that fails does not
   * fail the others.
   *
   * @param timeout how long to wait for all of them, or {@link Proc#INFINITY}
   * @throws IllegalArgumentException if {@code nodes} is empty or names a node twice
   */
  public static List<Result> multicall(List<String> nodes, String entry, List<?> args, Duration timeout) {
    Objects.requireNonNull(nodes, "nodes");
    Objects.requireNonNull(timeout, "timeout");
    if (nodes.isEmpty() || nodes.stream().distinct().count() != nodes.size()) {
      throw new IllegalArgumentException("multicall needs distinct node names, got " + nodes);
    }
    List<Object> arguments = arguments(nodes.getFirst(), entry, args);
    Node here = Node.current();
    Map<String, Result> results = new HashMap<>();
    try (Inbox inbox = here.openInbox()) {
      Pid collector = inbox.pid();
      for (String node : nodes) {
        here.spawn(() -> {
          Result r;
          try {
            r = new Result.Ok(node, call(node, entry, arguments, timeout));
          } catch (RpcException e) {
            r = new Result.Failed(node, e);
          } catch (RuntimeException e) {
            r = new Result.Failed(node, new RpcException.RemoteError(node, entry, e.getClass().getName(),
                e.getMessage()));
          }
          Proc.send(collector, r);
        });
      }
      // each helper's call ends by its timeout or by noconnection, so every helper answers
      while (results.size() < nodes.size()) {
        Result r = (Result) inbox.receive(m -> m instanceof Result, Proc.INFINITY).orElseThrow();
        results.put(r.node(), r);
      }
    }
    List<Result> out = new ArrayList<>(nodes.size());
    for (String node : nodes) {
      out.add(results.get(node));
    }
    return out;
  }

  /**
   * Starts a process on {@code node} that runs {@code entry} with {@code args} (Erlang's
   * {@code spawn(Node, M, F, A)}); what the entry point throws is the process's exit reason.
   *
   * @return the new process
   * @throws RpcException.UnknownEntry if the node has no such entry point
   * @throws RpcException.NoAnswer if the node is not connected ({@code noconnection}), serves no rpc
   *     ({@code noproc}), or does not answer within 5 seconds ({@code timeout})
   */
  public static Pid spawn(String node, String entry, List<?> args) {
    return spawnRequest(node, entry, args, null);
  }

  /**
   * Like {@link #spawn}, linked to the calling process before the entry point starts (Erlang's
   * {@code spawn_link(Node, M, F, A)}): its exit reaches the caller as from a local process, and a
   * lost connection as {@code noconnection}.
   *
   * @throws IllegalStateException if the caller is not a process
   */
  public static Pid spawnLink(String node, String entry, List<?> args) {
    Pid self = requireProcess("spawnLink");
    Pid pid = spawnRequest(node, entry, args, self);
    Proc.link(pid);
    Proc.send(pid, new Go());
    return pid;
  }

  /**
   * Like {@link #spawn}, monitored by the calling process before the entry point starts (Erlang's
   * {@code spawn_monitor(Node, M, F, A)}).
   *
   * @throws IllegalStateException if the caller is not a process
   */
  public static Proc.SpawnMonitor spawnMonitor(String node, String entry, List<?> args) {
    Pid self = requireProcess("spawnMonitor");
    Pid pid = spawnRequest(node, entry, args, self);
    Ref ref = Proc.monitor(pid);
    Proc.send(pid, new Go());
    return new Proc.SpawnMonitor(pid, ref);
  }

  private static Pid requireProcess(String what) {
    if (!Proc.isProcess()) {
      throw new IllegalStateException(what + " links or monitors the calling process: call it from a process "
          + "(a plain thread can use Rpc.spawn)");
    }
    return Proc.self();
  }

  private static final Duration SPAWN_TIMEOUT = Duration.ofSeconds(5);

  private static Pid spawnRequest(String node, String entry, List<?> args, Pid waitFor) {
    List<Object> arguments = arguments(node, entry, args);
    Object reply = ask(node, entry, from -> new SpawnRequest(from, entry, arguments, waitFor), SPAWN_TIMEOUT);
    return switch (reply) {
      case Spawned(Pid pid) -> pid;
      case Unknown u -> throw new RpcException.UnknownEntry(node, entry, u.arity(), u.known());
      default -> throw new IllegalStateException("the rpc server of node " + node + " answered " + reply);
    };
  }

  private static Object ask(String node, String entry, java.util.function.Function<From, Object> request,
      Duration timeout) {
    try {
      return Proc.call(Name.remote(SERVER, node), request, timeout);
    } catch (CallException e) {
      throw new RpcException.NoAnswer(node, entry, e.reason());
    }
  }

  private static List<Object> arguments(String node, String entry, List<?> args) {
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(entry, "entry");
    Objects.requireNonNull(args, "args (give List.of() for none)");
    return new ArrayList<>(args);
  }
}
