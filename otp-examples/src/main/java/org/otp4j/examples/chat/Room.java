package org.otp4j.examples.chat;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.otp4j.behaviours.ChildSpec;
import org.otp4j.behaviours.DynamicSupervisor;
import org.otp4j.behaviours.GenServer;
import org.otp4j.behaviours.StartOptions;
import org.otp4j.behaviours.StartResult;
import org.otp4j.behaviours.Supervisor;
import org.otp4j.core.CallException;
import org.otp4j.core.Down;
import org.otp4j.core.ExitReason;
import org.otp4j.core.From;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.core.Ref;
import org.otp4j.core.Registry;
import org.otp4j.dist.Rpc;
import org.otp4j.dist.RpcException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A chat room: numbers its messages, stores each before anyone sees it, sends it to the room's
 * members, and tells them who comes and goes.
 *
 * <h2>Started on demand, found by name</h2>
 * A room runs only while it is used: the first join starts it, under a supervisor of its own
 * under the {@code rooms} {@link DynamicSupervisor}, registered as
 * {@code Name.via(chat.rooms(), "lobby")}; it stops ({@code normal}, so the transient child is not
 * restarted, and its supervisor ends with it) after {@code roomIdle} without members. A crash or a
 * kill is abnormal: its supervisor starts it again, a few times; a room that keeps crashing is
 * given up by its own supervisor, never by the {@code rooms} supervisor or the application.
 *
 * <h2>What survives a crash</h2>
 * Nothing the room process holds is the only copy. Messages and the last sequence number are in
 * the store, written before the broadcast; the membership is in the {@code members} registry, where
 * the connections registered themselves. A restarted room reads both, monitors its members again,
 * and sends them a {@link Event.Reloaded} with its last seq, so that a member who missed a
 * message while the room was down asks for it ({@code history since}).
 *
 * <h2>Sequence numbers and idempotent sends</h2>
 * Messages are numbered 1, 2, 3... by the room, in the order it accepts them. A sender's client id
 * is remembered (the latest {@value #DEDUP_WINDOW} in memory, all of them in the store's unique
 * index), so a send retried after a crash gets the first one's seq back instead of a second copy.
 *
 * <h2>On several nodes</h2>
 * When the chat runs on several nodes ({@link ChatCluster}), a room runs on one node only, its
 * owner by rendezvous hashing; {@link #ensureStarted} asks the owner for its pid. Its members are
 * then the connections of its own node (the {@code members} registry, as on one node) and those of
 * other nodes that joined it (which it monitors, and sends its events to as well). Those remote
 * connections monitor the room in turn: when it ends (a crash, a hand-over to a node that joined,
 * its node gone), they join it again wherever it runs now and fetch from the store what they missed.
 * Its protocol's records are public because they cross nodes: the cluster's codec allows them.
 */
public final class Room extends GenServer<Room.State, Room.Request> {
  private static final Logger LOG = LoggerFactory.getLogger(Room.class);

  /** Calls a connection makes to a room. */
  public sealed interface Request {
    /**
     * A connection joins: answered with {@link Joined}.
     *
     * @param member the connection process
     * @param user its user
     */
    record Join(Pid member, String user) implements Request {}

    /**
     * A connection leaves: answered with {@code true}.
     *
     * @param member the connection process
     */
    record Leave(Pid member) implements Request {}

    /**
     * A message to number, store and send: answered with {@link Posted} or {@link Refused}.
     *
     * @param user the sender
     * @param clientId the sender's id of the message
     * @param text the text
     */
    record Post(String user, String clientId, String text) implements Request {}
  }

  /** What a room sends to its members' connection processes. */
  public sealed interface Event {
    /** The room the event is about. */
    String room();

    /**
     * A message the room stored.
     *
     * @param room the room
     * @param message the message
     */
    record NewMessage(String room, ChatMessage message) implements Event {}

    /**
     * A user came ({@code join}) or went ({@code leave}): the change and the count, never the whole
     * list, which every member would receive on every change (its size squared in all).
     */
    record PresenceChanged(String room, String event, String user, int online) implements Event {}


    /**
     * The room (re)loaded its state from the store, after a start or a restart: its last seq and
     * who is in it. A member whose client is behind asks for the rest.
     */
    record Reloaded(String room, long lastSeq, int online) implements Event {}
  }

  /**
   * The answer to a join.
   *
   * @param online how many users are in the room
   * @param lastSeq the seq of its last message
   * @param room the room's process, which a connection of another node monitors
   */
  public record Joined(int online, long lastSeq, Pid room) {}

  /**
   * The answer to a post.
   *
   * @param seq the message's seq
   * @param duplicate whether it had been sent before (a retry)
   */
  public record Posted(long seq, boolean duplicate) {}

  /**
   * The answer to a request the room (or a node asked to start it) cannot serve, for the client to
   * hear about: it becomes a {@link ChatError} at the caller.
   *
   * @param code the error frame's code
   * @param message the error frame's message
   */
  public record Refused(String code, String message) {}

  /** Why a room did not start: it does not exist. The reason of its init error. */
  record UnknownRoom(String room) {}

  /** Asked of the room by its own init: load the store's view before any request. */
  private record Load() {}

  static final int DEDUP_WINDOW = 1000;
  private static final int CALL_ATTEMPTS = 6;

  /** The room's state; owned by its process and never shared. */
  static final class State {
    final String name;
    long lastSeq;
    /** (user, clientId) -> seq, the most recent {@link #DEDUP_WINDOW}. */
    final LinkedHashMap<String, Long> recentIds = new LinkedHashMap<>(16, 0.75f, false) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
        return size() > DEDUP_WINDOW;
      }
    };
    /** connection -> its user and our monitor on it. */
    final Map<Pid, Member> members = new HashMap<>();

    State(String name) {
      this.name = name;
    }

    /** user -> how many of its connections are in the room: who is online here, kept as it changes. */
    final Map<String, Integer> online = new HashMap<>();

    /** How many users are in the room. */
    int online() {
      return online.size();
    }

    @Override
    public String toString() {
      return "Room[" + name + ", lastSeq=" + lastSeq + ", online=" + online.size() + "]";
    }
  }

  record Member(String user, Ref monitor) {}

  private final Chat chat;
  private final String name;

  private Room(Chat chat, String name) {
    this.chat = chat;
    this.name = name;
  }

  // =====================================================================================
  // client API

  /** The key of a room's own supervisor in the rooms registry (the room is under its plain name). */
  record SupervisorKey(String room) {}

  /**
   * The rooms supervisor's template: each room gets a supervisor of its own, a temporary child, so
   * that nothing a room does ever counts against the {@code rooms} supervisor or anything above it.
   * That supervisor restarts its room (transient) after a crash, at most {@code roomRestarts} times
   * in {@link ChatConfig#ROOM_RESTART_WINDOW}; past that it gives up and ends, and the room's next
   * use starts a fresh pair ({@link #ensureStarted}). When the room stops normally (idle), its
   * supervisor ends with it (the room is its significant child).
   */
  static DynamicSupervisor.Template<String> template(Chat chat) {
    return new DynamicSupervisor.Template<String>((String room) -> Supervisor.tryStartLink(roomSupervisor(chat, room),
        StartOptions.defaults().withName(chat.roomSupervisorName(room))),
        ChildSpec.Restart.TEMPORARY, ChildSpec.Shutdown.infinity(), ChildSpec.Type.SUPERVISOR);
  }

  private static Supervisor roomSupervisor(Chat chat, String room) {
    return Supervisor.of(Supervisor.oneForOne()
            .withIntensity(chat.config().roomRestarts(), ChatConfig.ROOM_RESTART_WINDOW)
            .withAutoShutdown(Supervisor.AutoShutdown.ANY_SIGNIFICANT),
        ChildSpec.worker("room", () -> startLink(chat, room))
            .withRestart(ChildSpec.Restart.TRANSIENT)
            .withSignificant(true));
  }

  /** Starts a room registered under its via name (by its own supervisor). */
  static Pid startLink(Chat chat, String room) {
    return GenServer.startLink(new Room(chat, room), StartOptions.defaults().withName(chat.roomName(room))).pid();
  }

  /**
   * The room's process, started if needed: its supervisor is started (unless it runs), which
   * starts the room. A supervisor that runs without its room is restarting it, or giving up after
   * too many crashes: look again shortly.
   */
  static Pid ensureStarted(Chat chat, String room) {
    String owner = ownerOf(chat, room);
    if (owner.equals(Node.current().name())) {
      return ensureStartedHere(chat, room);
    }
    Object answer;
    try {
      answer = Rpc.call(owner, "chat.ensure", List.of(room), ChatCluster.RPC_TIMEOUT);
    } catch (RpcException e) {
      throw new ChatError("unavailable", "room '" + room + "' lives on node " + owner
          + ", which did not answer; try again");
    }
    return switch (answer) {
      case Pid pid -> pid;
      case Refused(String code, String message) -> throw new ChatError(code, message);
      default -> throw new IllegalStateException("node " + owner + " answered chat.ensure with " + answer);
    };
  }

  /** The node where {@code room} lives: this one, unless the chat runs on several nodes. */
  static String ownerOf(Chat chat, String room) {
    String self = Node.current().name();
    if (!chat.clustered()) {
      return self;
    }
    List<String> nodes = ChatCluster.members();
    return nodes.isEmpty() ? self : ChatCluster.owner(room, nodes);
  }

  /** The room's process, if it runs, wherever it lives. */
  static Optional<Pid> whereis(Chat chat, String room) {
    String owner = ownerOf(chat, room);
    if (owner.equals(Node.current().name())) {
      return whereisHere(chat, room);
    }
    try {
      return Optional.ofNullable((Pid) Rpc.call(owner, "chat.whereis", List.of(room), ChatCluster.RPC_TIMEOUT));
    } catch (RpcException e) {
      return Optional.empty(); // its node went away: the room does not run
    }
  }

  /** The room's process on this node, if it runs here. */
  static Optional<Pid> whereisHere(Chat chat, String room) {
    return Proc.whereis(chat.roomName(room));
  }

  /** For another node, through rpc: the room's pid on this node, started if needed, or why not. */
  static Object ensureHere(Chat chat, String room) {
    try {
      return ensureStartedHere(chat, room);
    } catch (ChatError e) {
      return new Refused(e.code(), e.getMessage());
    }
  }

  /** The room's process on this node, started here if needed. */
  private static Pid ensureStartedHere(Chat chat, String room) {
    Object lastFailure = null;
    for (int attempt = 0; attempt < CALL_ATTEMPTS; attempt++) {
      Optional<Pid> running = Proc.whereis(chat.roomName(room));
      if (running.isPresent()) {
        return running.get();
      }
      if (attempt == 0 && !chat.store().roomExists(room)) {
        throw new ChatError("unknown_room", "there is no room '" + room
            + "'; list them with {\"type\":\"rooms\"} or create it with {\"type\":\"create_room\"}");
      }
      switch (DynamicSupervisor.startChildWith(Chat.ROOMS, room)) {
        case StartResult.Started s -> {
          continue; // the room started with its supervisor (unless it died already): look it up
        }
        case StartResult.AlreadyStarted a -> {
          // its supervisor runs: restarting the room, or ending after too many crashes
        }
        case StartResult.Ignored i -> {
        }
        case StartResult.Failed f -> lastFailure = f.reason();
        case DynamicSupervisor.MaxChildren m -> throw new ChatError("unavailable", "too many rooms are open");
      }
      Proc.sleep(Duration.ofMillis(10L * (attempt + 1)));
    }
    if (lastFailure != null) {
      LOG.warn("room {} could not start: {}", room, lastFailure);
    }
    throw new ChatError("unavailable", "room '" + room + "' keeps restarting; try again later");
  }

  /** Adds a connection to the room (it must have registered itself in {@code members} first). */
  static Joined join(Chat chat, String room, Pid member, String user) {
    return callRoom(chat, room, new Request.Join(member, user));
  }

  /** Removes a connection from the room, if the room runs. */
  static void leave(Chat chat, String room, Pid member) {
    whereis(chat, room).ifPresent(pid -> {
      try {
        GenServer.call(pid, new Request.Leave(member));
      } catch (CallException e) {
        // the room is gone: its successor will not count the member, which left the registry
      }
    });
  }

  /**
   * Posts a message, retrying while the room restarts: the client id makes the retry safe, a post
   * that was stored before the crash is answered with its seq and not stored twice.
   */
  static Posted post(Chat chat, String room, String user, String clientId, String text) {
    return callRoom(chat, room, new Request.Post(user, clientId, text));
  }

  /** Kills a room's process (the admin's "kill a room"); empty if it does not run. */
  static Optional<Pid> kill(Chat chat, String room) {
    Optional<Pid> pid = whereis(chat, room);
    pid.ifPresent(p -> Proc.exit(p, ExitReason.KILL));
    return pid;
  }

  /** Calls the room, starting it if needed, and again if it dies before answering. */
  private static <R> R callRoom(Chat chat, String room, Request request) {
    CallException last = null;
    for (int attempt = 0; attempt < CALL_ATTEMPTS; attempt++) {
      Pid pid = ensureStarted(chat, room);
      try {
        Object reply = GenServer.call(pid, request);
        if (reply instanceof Refused(String code, String message)) {
          throw new ChatError(code, message);
        }
        @SuppressWarnings("unchecked")
        R r = (R) reply;
        return r;
      } catch (CallException e) {
        if (e.reason() == ExitReason.TIMEOUT) {
          throw new ChatError("unavailable", "room '" + room + "' did not answer in time; try again");
        }
        last = e; // the room died before answering: its supervisor restarts it; call again
        Proc.sleep(Duration.ofMillis(10L * (attempt + 1)));
      }
    }
    throw new ChatError("unavailable", "room '" + room + "' keeps failing: " + last.reason());
  }

  // =====================================================================================
  // server callbacks

  @Override
  protected Init<State> init() {
    if (!chat.store().roomExists(name)) {
      return Init.error(ExitReason.of(new UnknownRoom(name)));
    }
    return Init.ok(new State(name), Action.continueWith(new Load()));
  }

  @Override
  protected CastResult<State> handleContinue(Object continuation, State state) {
    reload(state);
    // Adopt the members that registered before this process started: after a crash, everyone who
    // was in the room. Tell them where the room stands, so they can fill any gap.
    for (Registry.Entry e : chat.members().lookup(name)) {
      addMember(state, e.pid(), (String) e.value());
    }
    broadcast(state, new Event.Reloaded(name, state.lastSeq, state.online()));
    return idle(state);
  }

  @Override
  protected CallResult<State> handleCall(Request request, From from, State state) {
    return switch (request) {
      case Request.Join(Pid member, String user) -> {
        if (addMember(state, member, user)) {
          broadcast(state, new Event.PresenceChanged(name, "join", user, state.online()));
        }
        yield answer(new Joined(state.online(), state.lastSeq, Proc.self()), state);
      }
      case Request.Leave(Pid member) -> {
        removeMember(state, member, true);
        yield answer(true, state);
      }
      case Request.Post(String user, String clientId, String text) -> {
        Object answer;
        try {
          answer = post(state, user, clientId, text);
        } catch (Store.StoreException e) {
          LOG.warn("room {}: the message could not be stored: {}", name, e.getMessage());
          answer = new Refused("unavailable", "the message could not be stored; send it again (same clientId)");
        } catch (ChatError e) {
          answer = new Refused(e.code(), e.getMessage()); // for the caller, not a reason for the room to crash
        }
        yield answer(answer, state);
      }
    };
  }

  @Override
  protected CastResult<State> handleInfo(Object message, State state) {
    switch (message) {
      case Down down when down.target() instanceof Pid member -> removeMember(state, member, false);
      case Timeout t when state.members.isEmpty() -> {
        return stop(ExitReason.NORMAL, state); // idle: the transient child is not restarted
      }
      default -> {}
    }
    return idle(state);
  }

  // =====================================================================================
  // internals

  private Posted post(State state, String user, String clientId, String text) {
    String key = user + '\u0000' + clientId;
    Long known = state.recentIds.get(key);
    if (known != null) {
      return new Posted(known, true);
    }
    for (int attempt = 0; attempt < 3; attempt++) {
      long seq = state.lastSeq + 1;
      ChatMessage m = new ChatMessage(name, seq, user, text, System.currentTimeMillis(), clientId);
      switch (chat.store().append(m)) {
        case Store.Appended.Stored s -> {
          state.lastSeq = seq;
          state.recentIds.put(key, seq);
          broadcast(state, new Event.NewMessage(name, m));
          return new Posted(seq, false);
        }
        case Store.Appended.Duplicate(long stored) -> {
          state.recentIds.put(key, stored);
          if (stored > state.lastSeq) {
            // Stored by a previous incarnation whose write landed after this one loaded, perhaps
            // never broadcast: catch up, and tell the members, who will fetch what they miss.
            reload(state);
            broadcast(state, new Event.Reloaded(name, state.lastSeq, state.online()));
          }
          return new Posted(stored, true);
        }
        case Store.Appended.SeqTaken t -> {
          // A previous incarnation's last write landed after this one loaded: catch up, tell the
          // members (they will fetch what they missed), and number this message after it.
          reload(state);
          broadcast(state, new Event.Reloaded(name, state.lastSeq, state.online()));
        }
      }
    }
    throw new ChatError("unavailable", "could not number the message in room '" + name + "'; try again");
  }

  private void reload(State state) {
    Store.RoomHead head = chat.store().head(name, DEDUP_WINDOW);
    state.lastSeq = Math.max(state.lastSeq, head.lastSeq());
    for (ChatMessage m : head.recent().reversed()) {
      state.recentIds.put(m.from() + '\u0000' + m.clientId(), m.seq());
    }
  }

  /** Adds a member connection; whether its user was not in the room before (a first tab). */
  private boolean addMember(State state, Pid member, String user) {
    if (state.members.containsKey(member)) {
      return false;
    }
    state.members.put(member, new Member(user, Proc.monitor(member)));
    return state.online.merge(user, 1, Integer::sum) == 1;
  }

  private void removeMember(State state, Pid member, boolean demonitor) {
    Member m = state.members.remove(member);
    if (m == null) {
      return;
    }
    if (demonitor) {
      Proc.demonitorFlush(m.monitor());
    }
    if (state.online.merge(m.user(), -1, Integer::sum) == 0) { // its last tab went
      state.online.remove(m.user());
      broadcast(state, new Event.PresenceChanged(name, "leave", m.user(), state.online()));
    }
  }

  /**
   * Sends an event to the room's members through the {@code members} registry: the connections
   * registered there, whether or not this incarnation of the room has seen them join yet; and, on
   * several nodes, to the members of other nodes that joined this incarnation (the registry is this
   * node's only).
   */
  private void broadcast(State state, Event event) {
    chat.members().sendAll(state.name, event);
    if (chat.clustered()) {
      String here = Proc.self().nodeName();
      for (Pid member : state.members.keySet()) {
        if (!member.nodeName().equals(here)) {
          Proc.send(member, event);
        }
      }
    }
  }

  private CallResult<State> answer(Object reply, State state) {
    Action a = idleAction(state);
    return a == null ? reply(reply, state) : reply(reply, state, a);
  }

  private CastResult<State> idle(State state) {
    Action a = idleAction(state);
    return a == null ? noReply(state) : noReply(state, a);
  }

  /** With no members, a timeout after which the room stops; else none. */
  private Action idleAction(State state) {
    return state.members.isEmpty() ? Action.timeout(chat.config().roomIdle()) : null;
  }
}
