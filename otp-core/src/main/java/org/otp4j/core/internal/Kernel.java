package org.otp4j.core.internal;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.otp4j.core.Address;
import org.otp4j.core.CallException;
import org.otp4j.core.ExitReason;
import org.otp4j.core.From;
import org.otp4j.core.Name;
import org.otp4j.core.NameConflictException;
import org.otp4j.core.NoSuchNameException;
import org.otp4j.core.Pid;
import org.otp4j.core.Ref;
import org.otp4j.core.ServerRef;

/**
 * The runtime's operations (Erlang's BIFs), each taking the acting process explicitly: the current
 * process for {@code Proc}'s static methods, an inbox's own process for {@code Inbox}, or null for a
 * plain Java thread.
 *
 * <p>Every operation that emits a message or signal as {@code self} runs inside
 * {@code self.enterOp()/exitOp()} (see {@link ProcessImpl#enterOp()}); any process termination it
 * causes is finished after {@code exitOp()}, never inside it.
 */
public final class Kernel {
  private Kernel() {}

  public static ProcessImpl process(Pid pid) {
    return Bridge.process(Objects.requireNonNull(pid, "pid"));
  }

  /**
   * The process that an operation keeping nothing behind (a send, an exit signal, an unlink, a
   * question) acts on for {@code pid}: its process, or for a remote pid its stand-in, made for the
   * operation only if links or monitors have not made one already (so that sending to many remote
   * pids leaves nothing behind). Links, monitors and calls use {@link #process(Pid)}.
   */
  public static ProcessImpl target(Pid pid) {
    Objects.requireNonNull(pid, "pid");
    return pid.isRemote() ? Bridge.via(pid).distribution().target(pid) : Bridge.process(pid);
  }

  // ---------------------------------------------------------------------------------------
  // messages

  public static void send(ProcessImpl self, ProcessImpl target, Object msg) {
    Objects.requireNonNull(msg, "cannot send null: a message must be an object");
    boolean overflowed;
    if (self == null) {
      overflowed = target.deliver(msg);
    } else {
      self.enterOp();
      try {
        overflowed = target.deliver(msg);
      } finally {
        self.exitOp();
      }
    }
    if (overflowed) {
      // The message overflowed a bounded mailbox whose policy is to exit: finish that exit now that
      // the sender is out of its busy section (see the class notes).
      ProcessImpl.terminateChain(target);
      if (target == self) {
        throw self.terminated();
      }
    }
  }

  /** Sends to a pid or a name; a name that is not registered fails. */
  public static void send(ProcessImpl self, NodeRuntime node, Address to, Object msg) {
    Objects.requireNonNull(to, "cannot send to a null address");
    if (remoteName(to) instanceof Name.Remote remote && !remote.node().equals(node.name())) {
      Objects.requireNonNull(msg, "cannot send null: a message must be an object");
      node.distribution().sendNamed(self, remote.name(), remote.node(), msg);
      return;
    }
    Pid direct = pidOf(to);
    ProcessImpl target = direct != null ? target(direct) : resolve(node, to);
    if (target == null) {
      throw new NoSuchNameException(nameOf(to), "send");
    }
    send(self, target, msg);
  }

  /** The pid an address stands for without a lookup (a pid, or a typed pid), else null (a name). */
  public static Pid pidOf(Address to) {
    return switch (to) {
      case Pid p -> p;
      case ServerRef<?> ref -> pidOf(ref.address());
      case Name n -> null;
    };
  }

  /** Whether {@code to} is a {@code {Name, Node}} of a node other than {@code node}. */
  public static boolean isOtherNodesName(NodeRuntime node, Address to) {
    return remoteName(to) instanceof Name.Remote remote && !remote.node().equals(node.name());
  }

  /** The {@code {Name, Node}} an address stands for, else null. */
  private static Name.Remote remoteName(Address to) {
    return switch (to) {
      case Name.Remote r -> r;
      case ServerRef<?> ref -> remoteName(ref.address());
      case Name n -> null;
      case Pid p -> null;
    };
  }

  /** The name an address that resolved to nothing stands for (a pid always resolves). */
  public static Name nameOf(Address to) {
    return switch (to) {
      case Name n -> n;
      case ServerRef<?> ref -> nameOf(ref.address());
      case Pid p -> throw new AssertionError("a pid always resolves: " + p);
    };
  }

  /**
   * The process an address denotes right now: a pid's process (even if dead), the holder of a name,
   * or null if the name is not registered.
   */
  public static ProcessImpl resolve(NodeRuntime node, Address to) {
    return switch (to) {
      case Pid pid -> process(pid);
      case Name.Local local -> node.whereis(local.name());
      case Name.Via via -> via.registry().whereisName(via.key()).map(Kernel::process).orElse(null);
      case Name.Remote remote -> remote.node().equals(node.name()) ? node.whereis(remote.name()) : null;
      case ServerRef<?> ref -> resolve(node, ref.address());
    };
  }

  // ---------------------------------------------------------------------------------------
  // exits

  /** {@code exit(Pid, Reason)}: never fails, even if the target is gone. */
  public static void exit(ProcessImpl self, ProcessImpl target, ExitReason reason) {
    Objects.requireNonNull(reason, "reason");
    boolean dies;
    if (self == null) {
      dies = target.exitSignal(null, reason);
    } else {
      self.enterOp();
      try {
        dies = target.exitSignal(self, reason);
      } finally {
        self.exitOp();
      }
    }
    if (dies) {
      ProcessImpl.terminateChain(target);
    }
    if (self != null && target == self && !self.isAlive()) {
      throw self.terminated();
    }
  }

  // ---------------------------------------------------------------------------------------
  // monitors

  public static Ref monitor(ProcessImpl self, NodeRuntime node, Address target) {
    Objects.requireNonNull(target, "cannot monitor a null address");
    if (remoteName(target) instanceof Name.Remote remote && !remote.node().equals(node.name())) {
      return self.monitorRemoteName(node.distribution().anchor(remote.node()), remote.name(), target);
    }
    ProcessImpl p = resolve(node, target);
    return self.monitor(p, target);
  }

  // ---------------------------------------------------------------------------------------
  // names

  public static void register(NodeRuntime node, Name name, ProcessImpl p) {
    Objects.requireNonNull(name, "name");
    if (p.isRemote()) {
      throw new IllegalArgumentException("cannot register " + name + " for " + p.pid()
          + ": only a process of this node can be registered here");
    }
    switch (name) {
      case Name.Local local -> {
        String problem = p.registerName(local.name());
        if (problem != null) {
          throw new NameConflictException("cannot register '" + local.name() + "': " + problem);
        }
      }
      case Name.Remote remote -> {
        if (!remote.node().equals(node.name())) {
          throw new IllegalArgumentException("cannot register " + remote + " on node " + node.name()
              + ": a name is registered on its own node; use Name.local(\"" + remote.name() + "\") there");
        }
        register(node, Name.local(remote.name()), p);
      }
      case Name.Via via -> {
        ViaRelease release = new ViaRelease(via);
        if (!p.addExitHook(release)) {
          throw new NameConflictException("cannot register " + via + ": process " + p.displayName()
              + " is not alive");
        }
        boolean ok;
        try {
          ok = via.registry().registerName(via.key(), p.pid());
        } catch (RuntimeException e) {
          p.removeExitHook(release);
          throw e;
        }
        if (!ok) {
          p.removeExitHook(release);
          String holder = via.registry().whereisName(via.key()).map(Pid::toString).orElse("another process");
          throw new NameConflictException("cannot register " + via + ": the name is already registered to "
              + holder);
        }
      }
    }
  }

  /** Releases a via name when its process terminates, before its signals go out. */
  private record ViaRelease(Name.Via via) implements ExitHook {
    @Override
    public void processExited(ProcessImpl process) {
      Optional<Pid> holder = via.registry().whereisName(via.key());
      if (holder.isPresent() && holder.get() == process.pid()) {
        via.registry().unregisterName(via.key());
      }
    }
  }

  // ---------------------------------------------------------------------------------------
  // calls

  /**
   * Sends the request built by {@code request} to {@code to} and waits for the reply.
   *
   * @param timeoutNanos negative for no timeout
   */
  public static Object call(ProcessImpl self, NodeRuntime node, Address to, Function<From, Object> request,
      long timeoutNanos, Duration timeout) {
    Objects.requireNonNull(to, "cannot call a null address");
    Objects.requireNonNull(request, "request");
    // A call to {Name, Node} of another node watches the connection (through the stand-in of that
    // node's root) and monitors the name as resolved there, as Erlang's gen:call does.
    Name.Remote named = node != null && remoteName(to) instanceof Name.Remote r && !r.node().equals(node.name())
        ? r : null;
    ProcessImpl server = named != null ? node.distribution().anchor(named.node()) : resolve(node, to);
    if (server == null) {
      throw new CallException(ExitReason.NOPROC, "call", to, null, timeout);
    }
    if (server == self) {
      throw new CallException(ExitReason.CALLING_SELF, "call", to, null, timeout);
    }
    CallSlot slot = new CallSlot(self, Thread.currentThread(), server);
    Object message = Objects.requireNonNull(request.apply(slot), "the request function returned null");
    if (!server.addWatcher(slot)) {
      // a stand-in of a remote server is dead when its node is not connected: noconnection
      throw new CallException(server.isRemote() ? server.exitReason() : ExitReason.NOPROC, "call", to, message,
          timeout);
    }
    Object outcome;
    Object previousBlock = null;
    Ref remoteMonitor = null;
    Distribution dist = server.isRemote() ? server.runtime().distribution() : null;
    try {
      if (dist != null) {
        // Erlang's gen:call monitors the server: here the server's node answers with a down if it
        // terminates (or does not exist), and the stand-in's watcher covers the connection.
        remoteMonitor = named != null ? dist.monitorNameForCall(server, named.name(), slot)
            : dist.monitorForCall(server, slot);
      }
      if (self != null) {
        // Set before sending, so that if the caller is killed from now on, its termination
        // finds the slot and closes it: a reply after the kill reaches no one.
        previousBlock = self.blockedOn;
        self.blockedOn = slot;
      }
      if (named != null) {
        dist.sendNamed(self, named.name(), named.node(), message);
      } else {
        send(self, server, message);
      }
      outcome = slot.await(timeoutNanos);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CallException(ExitReason.of("interrupted"), "call", to, message, timeout);
    } finally {
      if (self != null) {
        self.blockedOn = previousBlock;
      }
      server.removeWatcher(slot);
      if (dist != null) {
        dist.callEnded(server, named == null ? null : named.name(), slot, remoteMonitor);
      }
    }
    if (outcome == null) {
      throw new CallException(ExitReason.TIMEOUT, "call", to, message, timeout);
    }
    if (outcome instanceof CallSlot.Failed failed) {
      throw new CallException(failed.reason(), "call", to, message, timeout);
    }
    return outcome == CallSlot.NULL_REPLY ? null : outcome;
  }

  // ---------------------------------------------------------------------------------------
  // waiting for an exit from any thread

  /**
   * Waits until {@code target} has terminated and returns its exit reason, or null on timeout.
   *
   * @param timeoutNanos negative for no timeout
   */
  public static ExitReason awaitExit(ProcessImpl self, ProcessImpl target, long timeoutNanos)
      throws InterruptedException {
    if (target.isRemote()) {
      throw new IllegalArgumentException("cannot wait for the exit of " + target.pid()
          + ", a process of another node: monitor it and receive its Down");
    }
    if (!target.isAlive()) {
      return target.awaitDead();
    }
    CallSlot slot = new CallSlot(self, Thread.currentThread(), target);
    if (!target.addWatcher(slot)) {
      return target.awaitDead();
    }
    Object previousBlock = null;
    if (self != null) {
      previousBlock = self.blockedOn;
      self.blockedOn = Blocking.AWAIT_EXIT;
    }
    try {
      Object outcome = slot.await(timeoutNanos);
      // The watchers are told after the links: its exit signals have all been delivered.
      return outcome instanceof CallSlot.Failed failed ? failed.reason() : null;
    } finally {
      if (self != null) {
        self.blockedOn = previousBlock;
      }
      target.removeWatcher(slot);
    }
  }

  enum Blocking {
    AWAIT_EXIT;

    @Override
    public String toString() {
      return "await exit";
    }
  }
}
