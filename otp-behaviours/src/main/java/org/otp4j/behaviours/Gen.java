package org.otp4j.behaviours;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.otp4j.core.Address;
import org.otp4j.core.CallException;
import org.otp4j.core.ExitMessage;
import org.otp4j.core.ExitReason;
import org.otp4j.core.From;
import org.otp4j.core.GenCall;
import org.otp4j.core.GenCast;
import org.otp4j.core.Name;
import org.otp4j.core.NameConflictException;
import org.otp4j.core.NoSuchNameException;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.core.Ref;
import org.otp4j.core.RequestId;
import org.otp4j.core.ServerRef;

/**
 * The machinery every behaviour shares, OTP's {@code proc_lib} and {@code gen}: starting a process
 * with a synchronous init handshake, calls, casts, replies, stopping, and the system messages
 * through which {@link Sys} looks into a running behaviour.
 *
 * <h2>The start handshake</h2>
 * The starter spawns the process (linked for {@code startLink}, monitored for
 * {@code startMonitor}) and then calls it with a {@link StartRequest}. The new process registers its
 * name, if any, runs its init and replies with a {@link StartResult}. If the process dies before it
 * replies, the call fails with its exit reason; if it does not reply in time, it is killed. When the
 * start fails the starter waits for the process to be gone (so its name is free when the starter
 * returns) and removes the exit message or down message that the failure left in its mailbox, as
 * OTP 26 does.
 */
final class Gen {
  private Gen() {}

  /** The first message of a behaviour process: who started it and where to acknowledge. */
  record StartRequest(From from, Pid parent) {}

  /** A system message ({@code {system, From, Request}}): see {@link Sys}. */
  record SystemMessage(From from, SystemRequest request) {}

  /** The requests a behaviour process answers besides its own protocol. */
  sealed interface SystemRequest {
    record Terminate(ExitReason reason) implements SystemRequest {}

    record GetState() implements SystemRequest {}

    record ReplaceState(java.util.function.UnaryOperator<Object> function) implements SystemRequest {}

    record GetStatus() implements SystemRequest {}

    record Suspend() implements SystemRequest {}

    record Resume() implements SystemRequest {}

    /** Switch statistics on (true) or off (false), or read them (null). */
    record Statistics(Boolean on) implements SystemRequest {}

    record Trace(boolean on) implements SystemRequest {}

    /** Keep the last {@code limit} events (0: stop logging); or read the log ({@code limit < 0}). */
    record Log(int limit) implements SystemRequest {}

    record Install(Sys.EventSink sink) implements SystemRequest {}

    record Remove(Sys.EventSink sink) implements SystemRequest {}
  }

  /** The answer to a system request (a holder, since a state may be null). */
  record SystemReply(Object value, Throwable failure) {}

  /** How the starter is tied to the new process. */
  enum Tie { NONE, LINK, MONITOR }

  /** What a start returns: the result, and the monitor for {@link Tie#MONITOR}. */
  record Start(StartResult result, Ref monitor) {}

  /** Runs in the new process once its name is registered: runs init, acks, then loops. */
  @FunctionalInterface
  interface Body {
    void run(Starter starter) throws Exception;
  }

  /** The new process's side of the handshake. */
  static final class Starter {
    private final From from;
    private final Pid parent;
    private boolean acked;

    Starter(From from, Pid parent) {
      this.from = from;
      this.parent = parent;
    }

    /** The process that started this one (itself if started unlinked, or from a plain thread). */
    Pid parent() {
      return parent;
    }

    /** Tells the starter how the start went. Once only. */
    void ack(StartResult result) {
      if (!acked) {
        acked = true;
        from.reply(result);
      }
    }
  }

  // ---------------------------------------------------------------------------------------
  // starting

  static Start start(String what, StartOptions options, Tie tie, Body body) {
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(body, "body");
    boolean inProcess = Proc.isProcess();
    Pid starter = inProcess ? Proc.self() : null;
    Name name = options.name();
    Proc.Body processBody = () -> {
      StartRequest request = (StartRequest) Proc.receive(m -> m instanceof StartRequest);
      Pid self = Proc.self();
      if (name != null) {
        Optional<Pid> holder = register(name, self);
        if (holder.isPresent()) {
          request.from().reply(new StartResult.AlreadyStarted(holder.get()));
          return;
        }
      }
      Pid parent = tie == Tie.LINK && request.parent() != null ? request.parent() : self;
      body.run(new Starter(request.from(), parent));
    };

    Pid child;
    Ref monitor = null;
    if (!inProcess) {
      child = Node.current().spawn(options.spawn(), processBody);
    } else if (tie == Tie.LINK) {
      child = Proc.spawnLink(options.spawn(), processBody);
    } else if (tie == Tie.MONITOR) {
      Proc.SpawnMonitor sm = Proc.spawnMonitor(options.spawn(), processBody);
      child = sm.pid();
      monitor = sm.ref();
    } else {
      child = Proc.spawn(options.spawn(), processBody);
    }

    StartResult result;
    try {
      result = (StartResult) Proc.call(child, from -> new StartRequest(from, starter), options.timeout());
    } catch (CallException e) {
      if (e.reason() == ExitReason.TIMEOUT) {
        if (inProcess && tie == Tie.LINK) {
          Proc.unlink(child); // OTP's kill_flush: the kill must not travel back to the starter
        }
        Proc.exit(child, ExitReason.KILL);
        result = new StartResult.Failed(ExitReason.TIMEOUT);
      } else {
        result = new StartResult.Failed(e.reason()); // it died before acknowledging
      }
    }
    if (!(result instanceof StartResult.Started)) {
      awaitGone(child, inProcess && tie == Tie.LINK, monitor);
      monitor = null;
    }
    return new Start(result, monitor);
  }

  /** Registers {@code name} for {@code self}; returns the holder if it is taken. */
  private static Optional<Pid> register(Name name, Pid self) {
    for (int attempt = 0; attempt < 100; attempt++) {
      try {
        Proc.register(name, self);
        return Optional.empty();
      } catch (NameConflictException e) {
        Optional<Pid> holder = Proc.whereis(name);
        if (holder.isPresent()) {
          return holder;
        }
        // The holder went away between the two calls: try again.
      }
    }
    throw new NameConflictException("could not register " + name + ": it keeps changing hands");
  }

  /**
   * Waits until a failed process has terminated, then removes the exit or down message its end left
   * in the starter's mailbox (OTP 26+ start semantics).
   */
  private static void awaitGone(Pid child, boolean linked, Ref monitor) {
    Proc.awaitExit(child, Proc.INFINITY);
    if (linked) {
      Proc.flush(m -> m instanceof ExitMessage exit && exit.from().equals(child));
    }
    if (monitor != null) {
      Proc.demonitorFlush(monitor);
    }
  }

  /** The name a typed name stands for; a ref by pid cannot name a new process. */
  static Name nameOf(ServerRef<?> name) {
    return Objects.requireNonNull(name, "name").name().orElseThrow(() -> new IllegalArgumentException(
        "cannot start a process under " + name + ": it is a pid, not a name; give a name such as "
            + "ServerRef.local(\"counter\")"));
  }

  /** The pid or name an address stands for (a typed ref unwrapped). */
  static Address pidOrName(Address address) {
    return address instanceof ServerRef<?> ref ? ref.address() : address;
  }

  /** The pid of a started process as a start function returned it (a pid, a typed ref, a name). */
  static Pid pidOf(Address process) {
    return switch (process) {
      case Pid pid -> pid;
      case ServerRef<?> ref -> ref.pid();
      case Name name -> Proc.whereis(name).orElseThrow(() -> new NoSuchNameException(name, "start"));
    };
  }

  /** Throws a {@link StartException} unless the start gave a running process. */
  static Pid pidOrThrow(String what, StartResult result) {
    if (result instanceof StartResult.Started started) {
      return started.pid();
    }
    throw new StartException(what, result);
  }

  // ---------------------------------------------------------------------------------------
  // client side

  static Object call(String what, Address server, Object request, Duration timeout) {
    Objects.requireNonNull(server, "server");
    Objects.requireNonNull(request, "a request cannot be null");
    try {
      return Proc.call(server, from -> new GenCall(from, request), timeout);
    } catch (CallException e) {
      throw e.as(what, request);
    }
  }

  /** Sends a call without waiting; the id's reply type is the caller's to state (the request's). */
  @SuppressWarnings("unchecked")
  static <R> RequestId<R> sendRequest(Address server, Object request) {
    Objects.requireNonNull(server, "server");
    Objects.requireNonNull(request, "a request cannot be null");
    return (RequestId<R>) (RequestId<?>) Proc.sendRequest(server, request, from -> new GenCall(from, request));
  }

  static void cast(Address server, Object request) {
    Objects.requireNonNull(server, "server");
    Objects.requireNonNull(request, "a request cannot be null");
    try {
      switch (server) {
        case Pid pid -> Proc.send(pid, new GenCast(request));
        case Name name -> Proc.send(name, new GenCast(request));
        case ServerRef<?> ref -> cast(ref.address(), request);
      }
    } catch (NoSuchNameException e) {
      // A cast never fails, even to a name that is not registered (OTP).
    }
  }

  static Object system(String what, Address server, SystemRequest request, Duration timeout) {
    try {
      return Proc.call(server, from -> new SystemMessage(from, request), timeout);
    } catch (CallException e) {
      throw e.as(what, request);
    }
  }

  /**
   * Asks a behaviour process to terminate with {@code reason} and waits until it has.
   *
   * @throws CallException with {@code noproc} if it does not exist, {@code timeout} if it has not
   *     terminated in time, or its actual exit reason if that differs from {@code reason}
   */
  static void stop(String what, Address server, ExitReason reason, Duration timeout) {
    Objects.requireNonNull(server, "server");
    Objects.requireNonNull(reason, "reason");
    SystemRequest.Terminate request = new SystemRequest.Terminate(reason);
    try {
      Proc.call(server, from -> new SystemMessage(from, request), timeout);
    } catch (CallException e) {
      if (e.reason().equals(reason)) {
        return;
      }
      throw e.as(what, request);
    }
    throw new IllegalStateException(what + "(" + server + "): the process answered instead of terminating");
  }

  /** Names and pids a report can show for a process. */
  static String label(Pid pid, Name name) {
    return name != null ? name + " (" + pid + ")" : pid.toString();
  }
}
