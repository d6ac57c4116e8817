package org.otp4j.behaviours;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.otp4j.behaviours.internal.Bridge;
import org.otp4j.core.Address;
import org.otp4j.core.Call;
import org.otp4j.core.CallException;
import org.otp4j.core.ExitReason;
import org.otp4j.core.From;
import org.otp4j.core.Inbox;
import org.otp4j.core.Name;
import org.otp4j.core.Node;
import org.otp4j.core.NotAProcessException;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.core.Ref;
import org.otp4j.core.RequestId;
import org.otp4j.core.ServerRef;

/**
 * A generic server: a process that holds a state and serves requests, OTP's {@code gen_server}.
 *
 * <!-- snippet: org.otp4j.behaviours.JavadocExamplesTest#counter -->
 * {@snippet :
 * public static final class Counter extends GenServer<Integer, Counter.Msg> {
 *   public sealed interface Msg {
 *     record Get() implements Msg, Call<Integer> {}
 *     record Bump(int by) implements Msg, Call<Integer> {}
 *     record Reset() implements Msg {}
 *   }
 *
 *   private final int initial;
 *
 *   private Counter(int initial) { this.initial = initial; }
 *
 *   // client API: what callers use, from a process or any thread
 *   public static ServerRef<Msg> startLink(int initial) { return GenServer.startLink(new Counter(initial)); }
 *   public static int get(ServerRef<Msg> counter) { return GenServer.call(counter, new Msg.Get()); }
 *   public static int bump(ServerRef<Msg> counter, int by) { return GenServer.call(counter, new Msg.Bump(by)); }
 *   public static void reset(ServerRef<Msg> counter) { GenServer.cast(counter, new Msg.Reset()); }
 *
 *   // server callbacks: run inside the server process, one message at a time
 *   @Override protected Init<Integer> init() { return Init.ok(initial); }
 *
 *   @Override protected CallResult<Integer> handleCall(Msg msg, From from, Integer n) {
 *     return switch (msg) {
 *       case Msg.Get get -> reply(get, n, n);
 *       case Msg.Bump bump -> reply(bump, n + bump.by(), n + bump.by());
 *       case Msg.Reset reset -> reply(null, n);
 *     };
 *   }
 *
 *   @Override protected CastResult<Integer> handleCast(Msg msg, Integer n) {
 *     return switch (msg) {
 *       case Msg.Reset reset -> noReply(0);
 *       case Msg.Get get -> noReply(n);
 *       case Msg.Bump(int by) -> noReply(n + by);
 *     };
 *   }
 * }
 * }
 *
 * <h2>Client API and server callbacks</h2>
 * A server class has two halves. The static client functions ({@link #call}, {@link #cast},
 * {@link #start}...) run in the caller, a process or any Java thread. The callbacks run inside the
 * server process, one message at a time, and return what to do next as a sealed result built by the
 * static factories ({@link #reply}, {@link #noReply}, {@link #stop}): a cast handler cannot reply,
 * because its result type does not allow it. Only {@link #init()} must be written; every other
 * callback has OTP's default. A callback may throw: the exception becomes the server's exit reason,
 * {@link #terminate} runs, and a crash report is logged.
 *
 * <p>The server object is the process's own: create a new one for each start and do not share it.
 * Its fields can hold start arguments; the mutable state belongs in {@code S}.
 *
 * <h2>Timeouts</h2>
 * {@link #call(ServerRef, Call)} waits 5 seconds by default; a call that times out throws
 * {@link CallException} and its late reply is dropped, never left in a mailbox. A callback can ask
 * for {@code handleInfo(new Timeout())} when the server stays idle ({@link Action#timeout(Duration)}),
 * or for any message after a delay ({@link Action#timeout(Duration, Object)}).
 *
 * <h2>Naming</h2>
 * Start with {@link StartOptions#withName(Name)} (or the {@code start(Name, server)} overloads) to
 * register a local name ({@link Name#local}) or a via name ({@link Name#via}), then call the name.
 * The name is released when the server terminates, before its exit signals go out, so a supervisor
 * can restart it under the same name at once.
 *
 * <h2>Supervision</h2>
 * Start servers under a {@link Supervisor} with {@code ChildSpec.worker("id", () -> X.startLink())}.
 * To run {@link #terminate} when the supervisor shuts it down, a server must trap exits
 * ({@code Proc.trapExits(true)} in init); otherwise the shutdown signal ends it at once.
 *
 * <h2>When not to use a server</h2>
 * A server handles one message at a time: it serialises access to its state, which is its purpose,
 * and also its limit. Do not put a server in front of code that needs no serialisation (pure
 * functions, read-mostly data better shared as an immutable value), and do not run long
 * computations in a callback, which blocks every caller and holds a carrier thread; hand them to
 * another process and reply later through the caller's {@link From#reply(Object) From}.
 *
 * <h2>Debugging</h2>
 * {@link Sys} reads the state of a running server, its status (with {@link #formatStatus}
 * redaction), statistics and a trace of its messages.
 *
 * @param <S> the server's state
 * @param <M> the requests it serves by call and cast
 */
public abstract class GenServer<S, M> {

  /** The default call timeout, as OTP: 5 seconds. */
  public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(5);

  static {
    Bridge.installServers((server, behaviour) -> server.behaviour = Objects.requireNonNull(behaviour, "behaviour"));
  }

  /** What its reports call this server; set before it starts, read by its process. */
  private String behaviour = "GenServer";

  protected GenServer() {}

  // =====================================================================================
  // client API

  /** Starts a server, not linked to the caller. Waits until its init has returned. */
  public static <M> ServerRef<M> start(GenServer<?, M> server) {
    return start(server, StartOptions.defaults());
  }

  /** Starts a server registered under {@code name} (a typed name: {@link ServerRef#local}). */
  public static <M> ServerRef<M> start(ServerRef<M> name, GenServer<?, M> server) {
    return start(server, StartOptions.defaults().withName(Gen.nameOf(name)));
  }

  /** Starts a server registered under {@code name} (an untyped name, Erlang-style). */
  public static <M> ServerRef<M> start(Name name, GenServer<?, M> server) {
    return start(server, StartOptions.defaults().withName(name));
  }

  /**
   * Starts a server, not linked to the caller.
   *
   * @return the server, typed by its protocol
   * @throws StartException if init returned ignore, stop or error, threw, or took longer than the
   *     start timeout, or if the name is taken
   */
  public static <M> ServerRef<M> start(GenServer<?, M> server, StartOptions options) {
    return ServerRef.of(Gen.pidOrThrow("GenServer.start", tryStart(server, options, Gen.Tie.NONE).result()));
  }

  /** Starts a server linked to the calling process. */
  public static <M> ServerRef<M> startLink(GenServer<?, M> server) {
    return startLink(server, StartOptions.defaults());
  }

  /** Starts a server linked to the calling process and registered under {@code name} (a typed name). */
  public static <M> ServerRef<M> startLink(ServerRef<M> name, GenServer<?, M> server) {
    return startLink(server, StartOptions.defaults().withName(Gen.nameOf(name)));
  }

  /** Starts a server linked to the calling process and registered under {@code name} (an untyped name). */
  public static <M> ServerRef<M> startLink(Name name, GenServer<?, M> server) {
    return startLink(server, StartOptions.defaults().withName(name));
  }

  /**
   * Starts a server linked to the calling process (from a plain thread, which cannot be linked, the
   * server is started unlinked). If its init fails, the call returns after the process has
   * terminated; a caller that traps exits finds no exit message left behind, and one that does not
   * trap exits is killed by the link unless the reason is {@code normal}, as in OTP.
   *
   * @return the server, typed by its protocol
   * @throws StartException if the server did not start
   */
  public static <M> ServerRef<M> startLink(GenServer<?, M> server, StartOptions options) {
    return ServerRef.of(Gen.pidOrThrow("GenServer.startLink", tryStart(server, options, Gen.Tie.LINK).result()));
  }

  /**
   * A server started by {@link #startMonitor}, and the monitor on it.
   *
   * @param server the server, typed by its protocol
   * @param ref the monitor: a {@link org.otp4j.core.Down} with it arrives when the server terminates
   */
  public record Monitored<M>(ServerRef<M> server, Ref ref) {}

  /** Starts a server monitored by the calling process (OTP's {@code start_monitor}). */
  public static <M> Monitored<M> startMonitor(GenServer<?, M> server, StartOptions options) {
    Gen.Start s = tryStart(server, options, Gen.Tie.MONITOR);
    return new Monitored<>(ServerRef.of(Gen.pidOrThrow("GenServer.startMonitor", s.result())), s.monitor());
  }

  /**
   * Starts a server, not linked to the caller, and returns the outcome without throwing: OTP's
   * {@code {ok, Pid} | ignore | {error, Reason}}.
   */
  public static StartResult tryStart(GenServer<?, ?> server, StartOptions options) {
    return tryStart(server, options, Gen.Tie.NONE).result();
  }

  /** Starts a server linked to the caller and returns the outcome without throwing; see {@link #tryStart}. */
  public static StartResult tryStartLink(GenServer<?, ?> server, StartOptions options) {
    return tryStart(server, options, Gen.Tie.LINK).result();
  }

  private static Gen.Start tryStart(GenServer<?, ?> server, StartOptions options, Gen.Tie tie) {
    Objects.requireNonNull(server, "server");
    return Gen.start("GenServer", options, tie, starter -> new GenServerEngine<>(server, options.name()).run(starter));
  }

  /**
   * Calls a server with a typed request and waits up to 5 seconds for its typed reply, from a process
   * or any thread: javac checks that the server handles {@code request} and gives the reply's type.
   *
   * <!-- snippet: org.otp4j.behaviours.JavadocExamplesTest#call -->
   * {@snippet :
   * int n = GenServer.call(counter, new Counter.Msg.Get());   // Get implements Msg, Call<Integer>
   * }
   *
   * @throws CallException with reason {@code timeout} (no reply in time), {@code noproc} (no such
   *     process or name), {@code calling_self}, or the server's exit reason if it terminated before
   *     replying ({@code normal} and {@code shutdown} included)
   */
  public static <Q extends Call<R>, R> R call(ServerRef<? super Q> server, Q request) {
    return call(server, request, DEFAULT_CALL_TIMEOUT);
  }

  /** Like {@link #call(ServerRef, Call)} with a timeout ({@link Proc#INFINITY} to wait forever). */
  @SuppressWarnings("unchecked") // the reply of a Call<R> is an R: the server replies through reply(request, ...)
  public static <Q extends Call<R>, R> R call(ServerRef<? super Q> server, Q request, Duration timeout) {
    return (R) Gen.call("GenServer.call", server, request, timeout);
  }

  /**
   * Calls the server {@code pid} with an untyped request (Erlang style) and waits up to 5 seconds for
   * its reply. Typed code calls through a {@link ServerRef} instead.
   *
   * @throws CallException as {@link #call(ServerRef, Call)}
   */
  public static Object call(Pid server, Object request) {
    return call(server, request, DEFAULT_CALL_TIMEOUT);
  }

  /** Like {@link #call(Pid, Object)} with a timeout ({@link Proc#INFINITY} to wait forever). */
  public static Object call(Pid server, Object request, Duration timeout) {
    return Gen.call("GenServer.call", server, request, timeout);
  }

  /** Calls the server registered under {@code name} with an untyped request; see {@link #call(Pid, Object)}. */
  public static Object call(Name server, Object request) {
    return call(server, request, DEFAULT_CALL_TIMEOUT);
  }

  /** Like {@link #call(Name, Object)} with a timeout ({@link Proc#INFINITY} to wait forever). */
  public static Object call(Name server, Object request, Duration timeout) {
    return Gen.call("GenServer.call", server, request, timeout);
  }

  /**
   * Makes the calling process a server (OTP's {@code enter_loop}): for a process that initialises
   * itself, with its own start protocol, and then serves. {@link #init()} is not called; the loop
   * starts with {@code state}. Never returns: the process ends when the server stops, with the
   * server's exit reason.
   *
   * @param parent the process that started this one (a supervisor, say): its exit signal stops the
   *     server, as a parent's does; the calling process itself if it has no parent
   * @throws NotAProcessException if called from a plain thread
   */
  public static <S> void enterLoop(GenServer<S, ?> server, S state, Pid parent) {
    enterLoop(server, null, state, null, parent);
  }

  /**
   * Like {@link #enterLoop(GenServer, Object, Pid)}, for a process registered under {@code name}
   * (if the name is not the calling process's own, the process exits with reason
   * {@code process_not_registered}, or {@code process_not_registered_via} for a via name, as in OTP),
   * starting with {@code action} (a timeout or a continuation; null for none).
   */
  public static <S> void enterLoop(GenServer<S, ?> server, Name name, S state, Action action, Pid parent) {
    Objects.requireNonNull(server, "server");
    Objects.requireNonNull(parent, "parent: the calling process itself if it has none");
    if (!Proc.isProcess()) {
      throw new NotAProcessException("GenServer.enterLoop");
    }
    new GenServerEngine<>(server, name).enterLoop(state, action, parent);
  }

  /**
   * Sends a typed request as a call, without waiting for the reply (OTP's {@code send_request}): the
   * server handles it in {@link #handleCall}, and the typed reply is collected later through the
   * returned id, by {@link RequestId#receiveResponse}, {@link RequestId#waitResponse}, or, in a
   * process that receives its messages itself (another server's {@link #handleInfo}, say), by
   * {@link RequestId#isResponse} and {@link RequestId#response}. Never fails: if the server does not
   * exist or terminates before replying, taking the response throws a {@link CallException} with its
   * exit reason.
   */
  public static <Q extends Call<R>, R> RequestId<R> sendRequest(ServerRef<? super Q> server, Q request) {
    return Gen.sendRequest(server, request);
  }

  /** {@link #sendRequest(ServerRef, Call)} with an untyped request, to a pid. */
  public static RequestId<Object> sendRequest(Pid server, Object request) {
    return Gen.sendRequest(server, request);
  }

  /** {@link #sendRequest(ServerRef, Call)} with an untyped request, to a name. */
  public static RequestId<Object> sendRequest(Name server, Object request) {
    return Gen.sendRequest(server, request);
  }

  /** Sends a typed request without waiting. Never fails, even if the server does not exist. */
  public static <M> void cast(ServerRef<M> server, M request) {
    Gen.cast(server, request);
  }

  /** Sends an untyped request to {@code pid} without waiting; see {@link #cast(ServerRef, Object)}. */
  public static void cast(Pid server, Object request) {
    Gen.cast(server, request);
  }

  /** Sends an untyped request to a name without waiting; never fails, even if nothing is registered. */
  public static void cast(Name server, Object request) {
    Gen.cast(server, request);
  }

  /**
   * What {@link #multiCall} got: the reply of each node whose server answered, and the nodes that gave
   * none (OTP's {@code {Replies, BadNodes}}).
   *
   * @param replies the replies, by node name, in the order of the nodes asked
   * @param badNodes the nodes that were not connected, had no server under the name, did not answer
   *     in time, or whose server terminated before replying; in the order of the nodes asked
   * @param <R> the reply type
   */
  public record MultiCallResult<R>(Map<String, R> replies, List<String> badNodes) {}

  /**
   * Calls the server registered under the local name of {@code name} on each of {@code nodes}, all at
   * once, and waits up to {@code timeout} for their replies (OTP's {@code multi_call/4}). The current
   * node may be among them. Works from a process or any thread.
   *
   * @throws IllegalArgumentException if {@code name} is not a local name, or {@code nodes} names a
   *     node twice
   */
  @SuppressWarnings("unchecked") // the reply of a Call<R> is an R
  public static <Q extends Call<R>, R> MultiCallResult<R> multiCall(List<String> nodes, ServerRef<? super Q> name,
      Q request, Duration timeout) {
    Objects.requireNonNull(request, "a request cannot be null");
    Objects.requireNonNull(timeout, "timeout");
    String local = localName(name, "multiCall");
    List<String> targets = distinctNodes(nodes, "multiCall");
    Node here = Node.current();
    Map<String, Object> outcomes = new HashMap<>();
    try (Inbox inbox = here.openInbox()) {
      Pid collector = inbox.pid();
      for (String node : targets) {
        here.spawn(() -> {
          Object outcome;
          try {
            outcome = Optional.ofNullable(Gen.call("GenServer.multiCall", Name.remote(local, node), request, timeout));
          } catch (CallException e) {
            outcome = e;
          }
          Proc.send(collector, Map.entry(node, outcome));
        });
      }
      // every helper's call ends by its timeout or with its node: each answers once
      while (outcomes.size() < targets.size()) {
        Map.Entry<?, ?> e = (Map.Entry<?, ?>) inbox.receive(m -> m instanceof Map.Entry<?, ?>, Proc.INFINITY)
            .orElseThrow();
        outcomes.put((String) e.getKey(), e.getValue());
      }
    }
    Map<String, R> replies = new LinkedHashMap<>();
    List<String> bad = new ArrayList<>();
    for (String node : targets) {
      if (outcomes.get(node) instanceof Optional<?> reply) {
        replies.put(node, (R) reply.orElse(null));
      } else {
        bad.add(node);
      }
    }
    return new MultiCallResult<>(Collections.unmodifiableMap(replies), List.copyOf(bad));
  }

  /**
   * Casts {@code request} to the server registered under the local name of {@code name} on each of
   * {@code nodes} (OTP's {@code abcast/3}). Never fails, even for a node that is not connected or has
   * no such server.
   *
   * @throws IllegalArgumentException if {@code name} is not a local name
   */
  public static <M> void abcast(List<String> nodes, ServerRef<M> name, M request) {
    Objects.requireNonNull(request, "a request cannot be null");
    String local = localName(name, "abcast");
    for (String node : distinctNodes(nodes, "abcast")) {
      Gen.cast(Name.remote(local, node), request);
    }
  }

  private static String localName(ServerRef<?> name, String what) {
    Objects.requireNonNull(name, "name");
    if (name.address() instanceof Name.Local(String local)) {
      return local;
    }
    throw new IllegalArgumentException(what + " reaches a server by its local name on each node: give "
        + "ServerRef.local(\"name\"), not " + name);
  }

  private static List<String> distinctNodes(List<String> nodes, String what) {
    Objects.requireNonNull(nodes, "nodes");
    List<String> out = List.copyOf(nodes);
    if (out.stream().distinct().count() != out.size()) {
      throw new IllegalArgumentException(what + " needs distinct node names, got " + nodes);
    }
    return out;
  }

  /** Stops a server with reason {@code normal}, waiting as long as it takes. */
  public static void stop(Address server) {
    stop(server, ExitReason.NORMAL, Proc.INFINITY);
  }

  /**
   * Stops a server: it runs {@link #terminate} and exits with {@code reason}. Returns once it has.
   *
   * @throws CallException with {@code noproc} if it does not exist, {@code timeout} if it has not
   *     terminated in time, or its actual exit reason if that is not {@code reason}
   */
  public static void stop(Address server, ExitReason reason, Duration timeout) {
    Gen.stop("GenServer.stop", server, reason, timeout);
  }

  // =====================================================================================
  // server callbacks

  /**
   * Initialises the server; runs in the new process before the starter returns.
   *
   * @return {@link Init#ok}, optionally with an action; {@link Init#ignore()};
   *     {@link Init#stop(ExitReason)}; or {@link Init#error(ExitReason)}
   */
  protected abstract Init<S> init() throws Exception;

  /**
   * Handles a call. The default stops the server with reason {@code {bad_call, Request}}, as
   * Elixir's does; OTP's crashes with {@code undef}.
   */
  protected CallResult<S> handleCall(M request, From from, S state) throws Exception {
    return stop(ExitReason.of(new BadRequest("bad_call", request)), state);
  }

  /** Handles a cast. The default stops the server with reason {@code {bad_cast, Request}}. */
  protected CastResult<S> handleCast(M request, S state) throws Exception {
    return stop(ExitReason.of(new BadRequest("bad_cast", request)), state);
  }

  /**
   * Handles any other message: a timeout, an exit message when trapping exits, a down message, a
   * timer's message. The default logs a warning and keeps the state.
   */
  protected CastResult<S> handleInfo(Object message, S state) throws Exception {
    Reports.log(new Reports.Report.UnexpectedMessage(Reports.Report.UnexpectedMessage.Kind.SERVER,
        getClass().getName(), Proc.self(), message));
    return noReply(state);
  }

  /**
   * Continues after a callback returned {@link Action#continueWith(Object)}, before any other
   * message. The default stops the server: a continue was asked for without a handler.
   */
  protected CastResult<S> handleContinue(Object continuation, S state) throws Exception {
    return stop(ExitReason.of("handleContinue is not implemented in " + getClass().getName()
        + " but a callback returned Action.continueWith(" + continuation + ")"), state);
  }

  /**
   * Runs when the server is about to terminate: after a callback returned stop or threw, on
   * {@link #stop(Address)}, and on its parent's exit signal when it traps exits. The default does
   * nothing. Not called when the server is killed, or ended by an exit signal it does not trap.
   */
  protected void terminate(ExitReason reason, S state) throws Exception {}

  /**
   * Shapes what status and crash reports show of the server: override it to hide secrets in the
   * state or the last message. The default shows everything.
   */
  protected Status formatStatus(Status status) {
    return status;
  }

  /**
   * The behaviour's name in crash and status reports. Behaviours in this package override it;
   * those built on GenServer elsewhere (GenStage) name themselves through {@link Bridge}.
   */
  String behaviourName() {
    return behaviour;
  }

  /** What {@link Sys#getState} shows of the state; behaviours built on GenServer show their own view. */
  Object sysState(S state) {
    return state;
  }

  /** The state after {@link Sys#replaceState} returned {@code replaced} (a value shaped like {@link #sysState}). */
  @SuppressWarnings("unchecked")
  S sysReplaceState(S state, Object replaced) {
    return (S) replaced;
  }

  // =====================================================================================
  // results

  /** Replies {@code reply} and continues with {@code state}. */
  protected static <S> Reply<S> reply(Object reply, S state) {
    return new Reply<>(reply, state, null);
  }

  /**
   * Replies to a typed request with a value of its reply type, and continues with {@code state}:
   * javac checks that {@code value} is what {@code request}'s caller gets back.
   */
  protected static <R, S> Reply<S> reply(Call<R> request, R value, S state) {
    Objects.requireNonNull(request, "request: the Call being answered");
    return new Reply<>(value, state, null);
  }

  /** Replies, continues with {@code state}, then performs {@code action} (null: none). */
  protected static <S> Reply<S> reply(Object reply, S state, Action action) {
    return new Reply<>(reply, state, action);
  }

  /**
   * Continues with {@code state} without replying now: reply later with {@code from.reply(value)},
   * from this process or any other, or thread.
   */
  protected static <S> NoReply<S> noReply(S state) {
    return new NoReply<>(state, null);
  }

  /** Continues with {@code state}, then performs {@code action} (null: none). */
  protected static <S> NoReply<S> noReply(S state, Action action) {
    return new NoReply<>(state, action);
  }

  /** Terminates with {@code reason} ({@link #terminate} runs first). */
  protected static <S> Stop<S> stop(ExitReason reason, S state) {
    return new Stop<>(Objects.requireNonNull(reason, "reason"), state);
  }

  /** Runs {@link #terminate}, sends {@code reply} to the caller, then terminates with {@code reason}. */
  protected static <S> StopReply<S> stop(ExitReason reason, Object reply, S state) {
    return new StopReply<>(Objects.requireNonNull(reason, "reason"), reply, state);
  }

  /** What {@link #init()} returns. */
  public sealed interface Init<S> {
    /** Started, with its first state and an optional action. */
    record Ok<S>(S state, Action action) implements Init<S> {}

    /** Do not start; the starter gets {@link StartResult.Ignored}. */
    record Ignore<S>() implements Init<S> {}

    /** Do not start; the process exits with {@code reason} and the starter gets it. */
    record Stop<S>(ExitReason reason) implements Init<S> {}

    /** Do not start; the starter gets {@code reason} and the process exits {@code normal} (OTP 26). */
    record Error<S>(ExitReason reason) implements Init<S> {}

    static <S> Init<S> ok(S state) {
      return new Ok<>(state, null);
    }

    /** Started, then performs {@code action} (null: none) before taking the first message. */
    static <S> Init<S> ok(S state, Action action) {
      return new Ok<>(state, action);
    }

    static <S> Init<S> ignore() {
      return new Ignore<>();
    }

    static <S> Init<S> stop(ExitReason reason) {
      return new Stop<>(Objects.requireNonNull(reason, "reason"));
    }

    static <S> Init<S> error(ExitReason reason) {
      return new Error<>(Objects.requireNonNull(reason, "reason"));
    }
  }

  /** What any callback that handles a message returns: the next state, and what to do. */
  public sealed interface Result<S> permits CallResult, CastResult {
    /** The state the server continues with (or terminates with). */
    S state();
  }

  /** What {@link #handleCall} returns: a {@link Result} that may reply. */
  public sealed interface CallResult<S> extends Result<S> permits Reply, NoReply, Stop, StopReply {}

  /** What {@link #handleCast}, {@link #handleInfo} and {@link #handleContinue} return: a {@link Result} that cannot reply. */
  public sealed interface CastResult<S> extends Result<S> permits NoReply, Stop {}

  /** Reply and continue. */
  public record Reply<S>(Object reply, S state, Action action) implements CallResult<S> {}

  /** Continue without replying. */
  public record NoReply<S>(S state, Action action) implements CallResult<S>, CastResult<S> {}

  /** Terminate. */
  public record Stop<S>(ExitReason reason, S state) implements CallResult<S>, CastResult<S> {}

  /** Reply, then terminate. */
  public record StopReply<S>(ExitReason reason, Object reply, S state) implements CallResult<S> {}

  /** What to do after a callback, besides taking the next message. */
  public sealed interface Action {
    /**
     * If no message arrives within {@code after}, call {@code handleInfo(new Timeout(), state)}. Any
     * message cancels it (OTP's integer timeout).
     */
    static Action timeout(Duration after) {
      return new IdleTimeout(after);
    }

    /** After {@code after}, call {@code handleInfo(message, state)} (OTP's {@code {timeout, T, Msg}}). */
    static Action timeout(Duration after, Object message) {
      return new MessageTimeout(after, Objects.requireNonNull(message, "message"));
    }

    /** Call {@code handleContinue(continuation, state)} before taking any other message. */
    static Action continueWith(Object continuation) {
      return new Continue(Objects.requireNonNull(continuation, "continuation"));
    }

    /**
     * OTP's hibernate. On the JVM a parked process keeps only its stack frames and its state, so
     * there is nothing to compact: this is accepted and does nothing.
     */
    static Action hibernate() {
      return Hibernate.INSTANCE;
    }

    record IdleTimeout(Duration after) implements Action {
      public IdleTimeout {
        Objects.requireNonNull(after, "after");
      }
    }

    record MessageTimeout(Duration after, Object message) implements Action {
      public MessageTimeout {
        Objects.requireNonNull(after, "after");
      }
    }

    record Continue(Object continuation) implements Action {}

    enum Hibernate implements Action { INSTANCE }
  }

  /** The message {@link Action#timeout(Duration)} delivers to {@link #handleInfo}. */
  public record Timeout() {}

  /** The exit reason term of the default handlers: {@code {bad_call, Request}} or {@code {bad_cast, Request}}. */
  public record BadRequest(String kind, Object request) {
    @Override
    public String toString() {
      return "{" + kind + "," + request + "}";
    }
  }

  /**
   * What a status or crash report shows of a server; {@link #formatStatus} may replace any part.
   *
   * @param state the state
   * @param message the message being handled, or null
   * @param reason the exit reason, in a crash report; else null
   * @param log recent events from the {@link Sys#log} trace, if enabled
   */
  public record Status(Object state, Object message, ExitReason reason, List<Object> log) {
    public Status withState(Object newState) {
      return new Status(newState, message, reason, log);
    }

    public Status withMessage(Object newMessage) {
      return new Status(state, newMessage, reason, log);
    }
  }
}
