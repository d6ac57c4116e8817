package org.otp4j.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import org.otp4j.core.internal.Kernel;
import org.otp4j.core.internal.NodeRuntime;
import org.otp4j.core.internal.ProcessImpl;

/**
 * Processes: spawn them, send them messages, receive, link, monitor, trap exits, name them, set
 * timers. The static methods of this class are Erlang's process built-ins, meant to be imported
 * statically ({@code import static org.otp4j.core.Proc.*}); an echo process, given a
 * {@code record Ping(Pid from)}:
 *
 * <!-- snippet: org.otp4j.core.JavadocExamplesTest#echo -->
 * {@snippet :
 * Pid p = spawn(() -> {
 *   while (true) {
 *     if (receive() instanceof Ping(Pid from)) {
 *       send(from, "pong");
 *     }
 *   }
 * });
 * }
 *
 * <h2>Processes and threads</h2>
 * Each process runs its {@link Body} on its own virtual thread, has its own mailbox, and shares
 * nothing else with other processes unless its code shares objects (see "Messages" below). A
 * process ends when its body returns (reason {@code normal}), throws (the exception is the reason),
 * calls {@link #exit(ExitReason)}, or receives an exit signal that terminates it.
 *
 * <p>Methods that act <em>as</em> the current process ({@link #receive()}, {@link #link(Pid)},
 * {@link #monitor(Address)}, {@link #trapExits(boolean)}, {@link #self()}...) must be called from a
 * process and throw {@link NotAProcessException} on a plain Java thread. The others ({@link #send(Pid, Object)},
 * {@link #spawn}, {@link #exit(Pid, ExitReason)}, {@link #call}, {@link #whereis(String)},
 * {@link #awaitExit}, the timers) work from any thread; from a plain thread they use the
 * {@link Node#current() current node}. A plain thread that needs a mailbox opens an {@link Inbox}.
 *
 * <h2>Messages</h2>
 * Any non-null object can be a message. Messages are passed by reference, not copied as on the
 * BEAM: send immutable values (records, strings, immutable collections), never an object that the
 * sender or anyone else will change afterwards.
 *
 * <p>Messages from one process (or thread) to another arrive in the order they were sent, and so do
 * all signals between them (links, exits, monitors); there is no ordering between different
 * senders.
 *
 * <h2>Links, exits and trapping</h2>
 * A link ties two processes together: when one terminates, the other receives an exit signal
 * carrying the reason. A process that does not trap exits dies with the same reason unless the
 * reason is {@code normal}; one that traps exits receives an {@link ExitMessage} instead. See
 * {@link #exit(Pid, ExitReason)} for the whole table.
 */
public final class Proc {
  private Proc() {}

  /**
   * The code of a process. It may throw: an exception thrown out of it becomes the process's exit
   * reason ({@link ExitReason.Crash}), reported to linked and monitoring processes.
   */
  @FunctionalInterface
  public interface Body {
    void run() throws Exception;
  }

  /** A process started by {@link #spawnMonitor}, and the monitor on it. */
  public record SpawnMonitor(Pid pid, Ref ref) {}

  /** A timeout that never expires: {@code receive(filter, INFINITY)} waits forever ({@link Timeouts#INFINITY}). */
  public static final Duration INFINITY = Timeouts.INFINITY;

  // =====================================================================================
  // identity

  /** The current process. */
  public static Pid self() {
    return current("self()").pid();
  }

  /** Whether the current thread is a process. */
  public static boolean isProcess() {
    return ProcessImpl.current() != null;
  }

  // =====================================================================================
  // spawning

  /** Starts a process running {@code body} and returns its pid at once. */
  public static Pid spawn(Body body) {
    return spawn(SpawnOptions.defaults(), body);
  }

  /** Starts a process with options. */
  public static Pid spawn(SpawnOptions options, Body body) {
    ProcessImpl self = ProcessImpl.current();
    return runtime(self).spawn(check(body), Objects.requireNonNull(options, "options"), self, false).pid();
  }

  /**
   * Starts a process linked to the current one. The link exists before the new process runs, so an
   * immediate exit of the child is never missed.
   */
  public static Pid spawnLink(Body body) {
    return spawnLink(SpawnOptions.defaults(), body);
  }

  /** Starts a process with options, linked to the current one. */
  public static Pid spawnLink(SpawnOptions options, Body body) {
    ProcessImpl self = current("spawnLink");
    return self.runtime().spawn(check(body), Objects.requireNonNull(options, "options"), self, true).pid();
  }

  /**
   * Starts a process monitored by the current one; the monitor exists before the new process runs,
   * so a {@link Down} arrives even if it exits at once.
   */
  public static SpawnMonitor spawnMonitor(Body body) {
    return spawnMonitor(SpawnOptions.defaults(), body);
  }

  /** Starts a process with options, monitored by the current one. */
  public static SpawnMonitor spawnMonitor(SpawnOptions options, Body body) {
    ProcessImpl self = current("spawnMonitor");
    NodeRuntime.Spawned s = self.runtime().spawnMonitor(check(body), Objects.requireNonNull(options, "options"), self);
    return new SpawnMonitor(s.process().pid(), s.monitor());
  }

  private static Body check(Body body) {
    return Objects.requireNonNull(body, "a process needs a body to run: spawn(() -> ...)");
  }

  // =====================================================================================
  // messages

  /**
   * Sends {@code message} to a process. Never blocks (unless the receiver has a bounded mailbox with
   * the {@link MailboxOverflow#REJECT} policy, which throws). Sending to a pid whose process has
   * terminated silently drops the message, as in Erlang.
   *
   * @throws NullPointerException if {@code message} is null
   */
  public static void send(Pid to, Object message) {
    Kernel.send(ProcessImpl.current(), Kernel.target(to), message); // no name to resolve: no node needed
  }

  /**
   * Sends {@code message} to the process registered under {@code name}, looked up now.
   *
   * @throws NoSuchNameException if nothing is registered under the name
   */
  public static void send(Name to, Object message) {
    ProcessImpl self = ProcessImpl.current();
    Kernel.send(self, runtime(self), Objects.requireNonNull(to, "cannot send to a null address"), message);
  }

  /** Sends to the process registered locally as {@code name}; see {@link #send(Name, Object)}. */
  public static void send(String name, Object message) {
    send(Name.local(name), message);
  }

  /**
   * Sends {@code message} to a typed address: javac checks that the process handles it. See
   * {@link #send(Pid, Object)} and {@link #send(Name, Object)}.
   */
  public static <M> void send(ServerRef<M> to, M message) {
    ProcessImpl self = ProcessImpl.current();
    Kernel.send(self, runtime(self), Objects.requireNonNull(to, "cannot send to a null address"), message);
  }

  /** Takes the oldest message, waiting as long as it takes. */
  public static Object receive() {
    return current("receive").receive(null, -1, null);
  }

  /**
   * Takes the oldest message that matches {@code filter}, waiting as long as it takes. Messages
   * that do not match stay in the mailbox, in order, for later receives (selective receive).
   */
  public static Object receive(Predicate<Object> filter) {
    return current("receive").receive(Objects.requireNonNull(filter, "filter"), -1, null);
  }

  /**
   * Takes the oldest message, waiting at most {@code timeout} ({@link Duration#ZERO}: only look;
   * {@link #INFINITY}: wait forever). Empty if nothing arrived in time.
   */
  public static Optional<Object> receive(Duration timeout) {
    return result(current("receive").receive(null, Timeouts.nanos(timeout), null));
  }

  /** Selective receive with a timeout: Erlang's {@code receive ... after T -> ... end}. */
  public static Optional<Object> receive(Predicate<Object> filter, Duration timeout) {
    return result(current("receive").receive(Objects.requireNonNull(filter, "filter"), Timeouts.nanos(timeout), null));
  }

  /**
   * Makes a new reference and marks the current end of the mailbox: a following
   * {@link #receiveAfter} for this reference looks only at messages that arrived after this point.
   * This is OTP's receive-marker optimisation for request/reply: a reply that carries the reference
   * cannot have arrived before the reference existed, so a long backlog need not be scanned.
   */
  public static Ref makeRef() {
    ProcessImpl self = ProcessImpl.current();
    return self == null ? Ref.make() : self.makeRefWithMarker();
  }

  /**
   * Like {@link #receive(Predicate, Duration)}, but if {@code ref} is the reference most recently
   * made by {@link #makeRef()} in this process, only messages that arrived after it was made are
   * examined. Use it to wait for a reply that carries {@code ref}.
   */
  public static Optional<Object> receiveAfter(Ref ref, Predicate<Object> filter, Duration timeout) {
    Objects.requireNonNull(ref, "ref");
    return result(current("receiveAfter").receive(Objects.requireNonNull(filter, "filter"), Timeouts.nanos(timeout), ref));
  }

  /** Removes and returns every message now in the mailbox, oldest first (Erlang shell's {@code flush()}). */
  public static List<Object> flush() {
    ProcessImpl self = current("flush");
    List<Object> out = new ArrayList<>();
    Object m;
    while ((m = self.receive(null, 0, null)) != ProcessImpl.TIMED_OUT) {
      out.add(m);
    }
    return out;
  }

  /** Removes every message now in the mailbox that matches {@code filter}; returns how many. */
  public static int flush(Predicate<Object> filter) {
    ProcessImpl self = current("flush");
    Objects.requireNonNull(filter, "filter");
    int n = 0;
    while (self.receive(filter, 0, null) != ProcessImpl.TIMED_OUT) {
      n++;
    }
    return n;
  }

  /**
   * Suspends the current process or thread for {@code duration} without touching the mailbox
   * (Erlang's {@code timer:sleep/1}).
   */
  public static void sleep(Duration duration) {
    ProcessImpl self = ProcessImpl.current();
    if (self == null) {
      try {
        Thread.sleep(duration);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return;
    }
    self.receive(m -> false, Timeouts.nanos(duration), null);
  }

  // =====================================================================================
  // links and exits

  /**
   * Links the current process to {@code pid}. Linking to oneself, or linking twice, does nothing.
   * If {@code pid} has already terminated: a process that traps exits receives
   * {@code ExitMessage(pid, noproc)}; one that does not gets {@link NoProcException}.
   */
  public static void link(Pid pid) {
    current("link").link(Kernel.process(pid));
  }

  /**
   * Removes the link between the current process and {@code pid}, if any. Once it returns, the link
   * can no longer affect the current process (an exit message that arrived before may still be in
   * the mailbox).
   */
  public static void unlink(Pid pid) {
    current("unlink").unlink(Kernel.target(pid));
  }

  /**
   * Sets whether the current process traps exits: exit signals (other than an untrappable
   * {@code kill}) then arrive as {@link ExitMessage}s instead of terminating it.
   *
   * @return the previous setting
   */
  public static boolean trapExits(boolean trap) {
    return current("trapExits").setTrapExits(trap);
  }

  /**
   * Ends the current process with {@code reason} (Erlang's {@code exit/1}) by throwing
   * {@link ProcessExit}, which unwinds the process's code.
   */
  public static void exit(ExitReason reason) {
    current("exit");
    throw new ProcessExit(Objects.requireNonNull(reason, "reason"));
  }

  /**
   * Sends an exit signal to {@code pid} (Erlang's {@code exit/2}). Never fails, even if the process
   * is gone. How the signal is received:
   * <table>
   *   <caption>Receiving an exit signal</caption>
   *   <tr><th>reason</th><th>receiver traps exits</th><th>receiver does not trap exits</th></tr>
   *   <tr><td>{@code kill}</td><td colspan="2">terminated with reason {@code killed} (cannot be trapped)</td></tr>
   *   <tr><td>{@code normal}</td><td>{@code ExitMessage(sender, normal)}</td>
   *       <td>ignored, unless the receiver is the sender: then it terminates with {@code normal}</td></tr>
   *   <tr><td>any other</td><td>{@code ExitMessage(sender, reason)}</td><td>terminated with that reason</td></tr>
   * </table>
   * Exit signals sent through a link (when a linked process terminates) follow the same table,
   * except that a {@code kill} reason is trappable there and terminates with {@code kill}.
   */
  public static void exit(Pid pid, ExitReason reason) {
    Kernel.exit(ProcessImpl.current(), Kernel.target(pid), reason);
  }

  // =====================================================================================
  // monitors

  /**
   * Monitors a process, by pid or by name (a name is resolved now, once). When it terminates the
   * current process receives a {@link Down} with the returned reference; if it does not exist, the
   * {@code Down} (reason {@code noproc}) arrives at once. Each call makes an independent monitor.
   *
   * <p>A process of another node is monitored the same way; if the connection to its node goes down
   * (or is not up), the {@code Down} comes with reason {@code noconnection}. A name on another node
   * ({@link Name#remote}) is resolved on that node when the monitor arrives there, once; the
   * {@code Down} names it ({@link Down#name()}), with {@code noproc} if nothing was registered under
   * it.
   */
  public static Ref monitor(Address target) {
    ProcessImpl self = current("monitor");
    return Kernel.monitor(self, self.runtime(), target);
  }

  /**
   * Removes a monitor. Afterwards no {@link Down} for it will arrive, though one may already be in
   * the mailbox (see {@link #demonitorFlush}).
   *
   * @return true if the monitor was active and has been removed; false if it had already fired
   */
  public static boolean demonitor(Ref ref) {
    return current("demonitor").demonitor(Objects.requireNonNull(ref, "ref"), false);
  }

  /**
   * Removes a monitor and any {@link Down} of it already in the mailbox.
   *
   * @return true if the monitor was active and has been removed; false if it had already fired
   *     (and its {@code Down} was flushed)
   */
  public static boolean demonitorFlush(Ref ref) {
    return current("demonitor").demonitor(Objects.requireNonNull(ref, "ref"), true);
  }

  // =====================================================================================
  // nodes

  /**
   * Monitors the node named {@code node} (Erlang's {@code monitor_node(Node, true)}): when the
   * connection to it goes down, the current process receives a {@link NodeDown}, once for each call.
   * If the node is not connected now, the {@code NodeDown} arrives at once.
   */
  public static void monitorNode(String node) {
    ProcessImpl self = current("monitorNode");
    self.runtime().distribution().monitorNode(self, Objects.requireNonNull(node, "node"));
  }

  /**
   * Removes one monitor of {@code node} made by {@link #monitorNode} (Erlang's
   * {@code monitor_node(Node, false)}).
   *
   * @return true if there was one
   */
  public static boolean demonitorNode(String node) {
    ProcessImpl self = current("demonitorNode");
    return self.runtime().distribution().demonitorNode(self, Objects.requireNonNull(node, "node"));
  }

  /**
   * Subscribes the current process to the connection and disconnection of every node (Erlang's
   * {@code net_kernel:monitor_nodes(true)}): it receives a {@link NodeUp} when a node connects and a
   * {@link NodeDown} when one goes down, until it calls this with {@code false}.
   */
  public static void monitorNodes(boolean on) {
    ProcessImpl self = current("monitorNodes");
    self.runtime().distribution().monitorNodes(self, on);
  }

  // =====================================================================================
  // names

  /**
   * Registers {@code pid} under a local name. Fails with {@link NameConflictException} if the name
   * is taken, if the process already has a name, or if it is not alive.
   */
  public static void register(String name, Pid pid) {
    register(Name.local(name), pid);
  }

  /** Registers {@code pid} under a local or via name; see {@link #register(String, Pid)}. */
  public static void register(Name name, Pid pid) {
    ProcessImpl p = Kernel.process(pid);
    Kernel.register(p.runtime(), name, p);
  }

  /**
   * Removes a local name.
   *
   * @throws NoSuchNameException if the name is not registered
   */
  public static void unregister(String name) {
    Name.Local local = Name.local(name);
    if (!runtime(ProcessImpl.current()).unregister(name)) {
      throw new NoSuchNameException(local, "unregister");
    }
  }

  /** The process registered locally under {@code name}, if any. */
  public static Optional<Pid> whereis(String name) {
    return whereis(Name.local(name));
  }

  /** The process a name denotes now, if any. */
  public static Optional<Pid> whereis(Name name) {
    ProcessImpl p = Kernel.resolve(runtime(ProcessImpl.current()), Objects.requireNonNull(name, "name"));
    return p == null || !p.isAlive() ? Optional.empty() : Optional.of(p.pid());
  }

  /** The process a typed address denotes now, if any: its pid if alive, or the holder of its name. */
  public static Optional<Pid> whereis(ServerRef<?> ref) {
    return switch (Objects.requireNonNull(ref, "ref").address()) {
      case Pid pid -> Kernel.target(pid).isAlive() ? Optional.of(pid) : Optional.empty();
      case Name name -> whereis(name);
      case ServerRef<?> nested -> whereis(nested);
    };
  }

  /** The locally registered names of the current node. */
  public static List<String> registered() {
    return runtime(ProcessImpl.current()).registered();
  }

  // =====================================================================================
  // timers

  /**
   * Sends {@code message} to {@code to} after {@code delay}. A name is looked up when the timer
   * fires (nothing happens if it is not registered then); a timer to a pid is void once that
   * process has terminated.
   */
  public static TimerRef sendAfter(Duration delay, Address to, Object message) {
    return TimerRef.start(timerRuntime(), delay, to, message, TimerRef.Kind.SEND);
  }

  /** Like {@link #sendAfter}, but delivers {@code new TimeoutMessage(timer, message)}. */
  public static TimerRef startTimer(Duration delay, Address to, Object message) {
    return TimerRef.start(timerRuntime(), delay, to, message, TimerRef.Kind.TIMEOUT);
  }

  /** Sends {@code message} every {@code interval} until cancelled or the receiving process terminates. */
  public static TimerRef sendInterval(Duration interval, Address to, Object message) {
    return TimerRef.start(timerRuntime(), interval, to, message, TimerRef.Kind.INTERVAL);
  }

  /** The node whose scheduler a new timer uses; a terminated process cannot start one. */
  private static NodeRuntime timerRuntime() {
    ProcessImpl self = ProcessImpl.current();
    if (self != null) {
      self.checkAlive();
    }
    return runtime(self);
  }

  /**
   * Cancels a timer.
   *
   * @return the time that was left, or empty if the timer had already fired (its message may be in
   *     the mailbox), had been cancelled, or its receiver has terminated
   */
  public static Optional<Duration> cancelTimer(TimerRef timer) {
    return Objects.requireNonNull(timer, "timer").cancel();
  }

  /** The time left on a timer, or empty if it is no longer active. */
  public static Optional<Duration> readTimer(TimerRef timer) {
    return Objects.requireNonNull(timer, "timer").read();
  }

  // =====================================================================================
  // request and reply

  /**
   * Sends a request and waits for its reply, from a process or any thread: the primitive under
   * every behaviour's call.
   *
   * <p>{@code request} builds the message from the {@link From} that the receiver must reply to;
   * the caller monitors the receiver while it waits. A reply that comes after the caller gave up is
   * dropped, never left in a mailbox.
   *
   * @param timeout how long to wait, or {@link #INFINITY}
   * @throws CallException with reason {@code timeout}, {@code noproc}, {@code calling_self}, or the
   *     receiver's exit reason if it terminated before replying
   */
  public static Object call(Address to, Function<From, Object> request, Duration timeout) {
    ProcessImpl self = ProcessImpl.current();
    long nanos = Timeouts.nanos(timeout);
    NodeRuntime node = to != null && Kernel.pidOf(to) != null ? null : runtime(self); // only a name needs a node
    return Kernel.call(self, node, to, request, nanos, timeout);
  }

  /**
   * Sends a request without waiting for the reply, from a process or any thread: OTP's
   * {@code send_request}. {@code request} builds the message from the {@link From} the receiver
   * replies to; the reply is collected through the returned {@link RequestId}. Never fails: a
   * server that does not exist, or terminates before replying, makes the response a
   * {@link CallException} with its exit reason.
   */
  public static RequestId<Object> sendRequest(Address to, Function<From, Object> request) {
    return RequestId.send(to, request, null);
  }

  /**
   * Like {@link #sendRequest(Address, Function)}, where the message wraps {@code shownRequest} in an
   * envelope of its own (as every behaviour's call does): a {@link CallException} from the response
   * names {@code shownRequest} rather than the envelope.
   */
  public static RequestId<Object> sendRequest(Address to, Object shownRequest, Function<From, Object> request) {
    return RequestId.send(to, request, Objects.requireNonNull(shownRequest, "shownRequest"));
  }

  // =====================================================================================
  // introspection

  /** Whether the process is alive (has not begun to terminate). */
  public static boolean isAlive(Pid pid) {
    return Kernel.target(pid).isAlive();
  }

  /** A snapshot of what the process is doing, or empty if it has terminated. */
  public static Optional<ProcessInfo> info(Pid pid) {
    return ProcessInfo.of(Kernel.target(pid));
  }

  /**
   * Waits until {@code pid} has terminated, from a process or any thread, and returns its exit
   * reason; empty if it is still alive after {@code timeout}. Does not touch the mailbox.
   */
  public static Optional<ExitReason> awaitExit(Pid pid, Duration timeout) {
    try {
      return Optional.ofNullable(Kernel.awaitExit(ProcessImpl.current(), Kernel.process(pid), Timeouts.nanos(timeout)));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  // =====================================================================================
  // helpers

  static ProcessImpl current(String operation) {
    ProcessImpl self = ProcessImpl.current();
    if (self == null) {
      throw new NotAProcessException(operation);
    }
    return self;
  }

  static NodeRuntime runtime(ProcessImpl self) {
    return self != null ? self.runtime() : Node.current().runtime();
  }

  private static Optional<Object> result(Object m) {
    return m == ProcessImpl.TIMED_OUT ? Optional.empty() : Optional.of(m);
  }
}
