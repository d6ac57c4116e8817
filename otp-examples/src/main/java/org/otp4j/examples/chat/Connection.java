package org.otp4j.examples.chat;

import org.otp4j.examples.TokenBucket;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.otp4j.behaviours.ChildSpec;
import org.otp4j.behaviours.DynamicSupervisor;
import org.otp4j.behaviours.GenServer;
import org.otp4j.core.CallException;
import org.otp4j.core.Down;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.core.Ref;
import org.otp4j.core.Registry;
import org.otp4j.examples.chat.Frames.ClientFrame;
import org.otp4j.examples.chat.Frames.ServerFrame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WebSocket connection: a process that owns the socket. Inbound text frames become
 * {@link Msg.Inbound} messages to it; it answers, talks to rooms and other connections, and sends
 * frames out. It is the client's representative on the server: it knows who the client is (after
 * a login or a valid token) and which rooms it is in.
 *
 * <h2>Failure</h2>
 * A connection is a temporary child of the {@code connections} supervisor: a socket cannot be
 * restarted, so neither is its process. When it ends, for any reason, its socket is closed, its
 * registry entries vanish with it, and the rooms it was in see it leave (they monitor it).
 *
 * <h2>Bad input</h2>
 * Malformed, unknown or oversized frames get an error frame and the connection stays up. Each
 * frame takes a token from a {@link TokenBucket}; a frame that finds none is refused with an error
 * frame {@code rate_limited}. A client that has more than {@code floodLimit} frames refused within
 * 10 seconds is disconnected (close code 1008, policy violation).
 */
final class Connection extends GenServer<Connection.State, Connection.Msg> {
  private static final Logger LOG = LoggerFactory.getLogger(Connection.class);

  /** What the web endpoint tells a connection about its socket. */
  sealed interface Msg {
    record Inbound(String text) implements Msg {}

    record Closed(int code, String reason) implements Msg {}

    record SendFailed(String why) implements Msg {}
  }

  /** A direct message, sent from the sender's connection to each of the recipient's. */
  record DirectMessage(String from, String to, String text, long ts, String clientId) {}

  /**
   * A session ended (its user logged out on some socket): sent to each of the user's connections,
   * so that one still using that session's token stops being logged in.
   */
  record SessionEnded(String tokenHash) {}

  /**
   * On several nodes: join {@code room} again, {@code attempt} (from 0) being the how-manieth time
   * since the room went away.
   */
  record Rejoin(String room, int attempt) {}

  /** How many times a connection tries to join a room again after it went away, before it gives up. */
  static final int REJOIN_ATTEMPTS = 30;

  static final Pattern ROOM_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,31}");
  static final int MAX_CLIENT_ID = 64;
  static final int POLICY_VIOLATION = 1008;
  static final int SERVER_ERROR = 1011;
  static final int NORMAL_CLOSURE = 1000;

  /** The connection's state; owned by its process. */
  static final class State {
    final Socket socket;
    final TokenBucket bucket;
    String user;
    String token;
    /** joined room -> the seq of the last message sent to the client from the live stream. */
    final Map<String, Long> rooms = new LinkedHashMap<>();
    /** On several nodes: joined room -> our monitor on its process (wherever it runs). */
    final Map<String, Ref> roomMonitors = new HashMap<>();
    int refused;
    long windowStart = System.nanoTime();
    /** Whether the socket was closed with a code of its own (flooding, too slow). */
    boolean closed;

    State(Socket socket, TokenBucket bucket) {
      this.socket = socket;
      this.bucket = bucket;
    }

    @Override
    public String toString() {
      return "Connection[" + socket.remote() + ", user=" + user + ", rooms=" + rooms.keySet() + "]";
    }
  }

  private final Chat chat;
  private final Socket socket;

  private Connection(Chat chat, Socket socket) {
    this.chat = chat;
    this.socket = socket;
  }

  // =====================================================================================
  // client API: used by the web endpoint, on Jetty's threads

  /** The connections supervisor's template: one temporary child per socket. */
  static DynamicSupervisor.Template<Socket> template(Chat chat) {
    return DynamicSupervisor.Template.worker((Socket s) -> GenServer.startLink(new Connection(chat, s)))
        .withRestart(ChildSpec.Restart.TEMPORARY)
        .withShutdown(ChildSpec.Shutdown.timeout(Duration.ofSeconds(2)));
  }

  static void inbound(Pid connection, String text) {
    GenServer.cast(connection, new Msg.Inbound(text));
  }

  static void closed(Pid connection, int code, String reason) {
    GenServer.cast(connection, new Msg.Closed(code, reason == null ? "" : reason));
  }

  static void sendFailed(Pid connection, String why) {
    GenServer.cast(connection, new Msg.SendFailed(why));
  }

  // =====================================================================================
  // server callbacks

  @Override
  protected Init<State> init() {
    Proc.trapExits(true); // a shutdown runs terminate, which closes the socket
    ChatConfig c = chat.config();
    State state = new State(socket, new TokenBucket(c.rateBurst(), c.rateLimit()));
    send(state, new ServerFrame.Hello("otp4j chat", c.maxFrameBytes()), null);
    return Init.ok(state);
  }

  @Override
  protected CastResult<State> handleCast(Msg msg, State state) {
    return switch (msg) {
      case Msg.Inbound(String text) -> inbound(state, text);
      case Msg.Closed(int code, String reason) -> {
        state.closed = true; // the client closed it
        yield stop(ExitReason.NORMAL, state);
      }
      case Msg.SendFailed(String why) -> {
        // Frames pile up faster than the client reads them (or the socket broke): drop it, and say why.
        LOG.info("connection {} of {}: sending failed ({}), closing", Proc.self(), state.user, why);
        yield closeAndStop(state, POLICY_VIOLATION, "too slow: more than " + chat.config().maxQueuedFrames()
            + " frames waiting to be sent");
      }
    };
  }

  @Override
  protected CastResult<State> handleInfo(Object message, State state) {
    switch (message) {
      case Room.Event.NewMessage(String room, ChatMessage m) -> {
        Long last = state.rooms.get(room);
        if (last != null && m.seq() > last) { // drop what the client already has
          state.rooms.put(room, m.seq());
          send(state, ServerFrame.Message.of(m), null);
        }
      }
      case Room.Event.PresenceChanged(String room, String event, String user, int online) -> {
        if (state.rooms.containsKey(room)) {
          send(state, new ServerFrame.Presence(room, event, user, online), null);
        }
      }
      case Room.Event.Reloaded(String room, long lastSeq, int online) -> {
        if (state.rooms.containsKey(room)) {
          send(state, new ServerFrame.RoomState(room, lastSeq, online), null);
        }
      }
      case Down d when roomOf(state, d.ref()) != null -> {
        // On several nodes: the room ended (crashed, handed over, or its node went away). Join it
        // again wherever it runs now, and send the client what it missed meanwhile.
        String room = roomOf(state, d.ref());
        state.roomMonitors.remove(room);
        rejoin(state, room, 0);
      }
      case Rejoin(String room, int attempt) -> rejoin(state, room, attempt);
      case DirectMessage(String from, String to, String text, long ts, String clientId) ->
          send(state, new ServerFrame.Direct(from, to, text, ts, clientId), null);
      case SessionEnded(String tokenHash) when state.token != null && MessageDigest.isEqual(
          Accounts.sha256(state.token).getBytes(StandardCharsets.UTF_8), tokenHash.getBytes(StandardCharsets.UTF_8)) -> {
        become(state, null, null);
        send(state, new ServerFrame.LoggedOut(), null);
      }
      default -> {}
    }
    return noReply(state);
  }

  @Override
  protected void terminate(ExitReason reason, State state) {
    if (state.closed) {
      return; // closed with its own code and reason, which a second close must not replace
    }
    if (reason.isOrderly()) {
      state.socket.close(NORMAL_CLOSURE, "bye");
    } else {
      state.socket.close(SERVER_ERROR, "the connection process failed");
    }
  }

  /** Closes the socket with a code and reason for the client, once, and stops. */
  private CastResult<State> closeAndStop(State state, int code, String reason) {
    state.closed = true;
    state.socket.close(code, reason);
    return stop(ExitReason.NORMAL, state);
  }

  /** Status and crash reports show who is connected, never the session token. */
  @Override
  protected Status formatStatus(Status status) {
    Object msg = status.message() instanceof Msg.Inbound ? "Inbound(redacted)" : status.message();
    return status.withMessage(msg);
  }

  // =====================================================================================
  // frames

  /**
   * One frame from the client: it takes a token from the bucket and is handled, or it finds the
   * bucket empty and is refused; a client refused too often is disconnected. Then the connection
   * asks the socket for the next frame.
   */
  private CastResult<State> inbound(State state, String text) {
    ChatConfig config = chat.config();
    if (state.bucket.tryTake()) {
      handleFrame(state, text);
    } else if (flooding(state)) {
      send(state, new ServerFrame.Error("flooding", "more than " + config.floodLimit() + " frames refused within "
          + ChatConfig.FLOOD_WINDOW.toSeconds() + " s: disconnecting"), Frames.refOf(text));
      return closeAndStop(state, POLICY_VIOLATION, "flooding");
    } else {
      send(state, new ServerFrame.Error("rate_limited", "too many frames: at most " + config.rateBurst()
          + " at once and " + config.rateLimit() + " per second; this one was dropped"), Frames.refOf(text));
    }
    state.socket.demand();
    return noReply(state);
  }

  /** Counts a refused frame; whether the client has crossed the flood limit. */
  private boolean flooding(State state) {
    long now = System.nanoTime();
    if (now - state.windowStart > ChatConfig.FLOOD_WINDOW.toNanos()) {
      state.windowStart = now;
      state.refused = 0;
    }
    state.refused++;
    return state.refused > chat.config().floodLimit();
  }

  private void handleFrame(State state, String text) {
    String ref = null;
    try {
      int bytes = utf8Length(text);
      if (bytes > chat.config().maxFrameBytes()) {
        throw new Frames.FrameException("too_large", "a frame may be at most " + chat.config().maxFrameBytes()
            + " bytes; this one has " + bytes, Frames.refOf(text));
      }
      Frames.Envelope envelope = Frames.parse(text);
      ref = envelope.ref();
      if (envelope.frame().needsToken()) {
        authenticate(state, envelope.token());
      }
      handle(state, envelope.frame(), ref);
    } catch (Frames.FrameException e) {
      send(state, new ServerFrame.Error(e.code, e.getMessage()), e.ref);
    } catch (ChatError e) {
      send(state, new ServerFrame.Error(e.code(), e.getMessage()), ref);
    } catch (Store.StoreException e) {
      // the details are for the operator's log, not for the client
      LOG.warn("connection {}: store error: {}", Proc.self(), e.getMessage());
      send(state, new ServerFrame.Error("unavailable", "the message store is not available; try again"), ref);
    } catch (CallException e) {
      // a service (accounts, a supervisor) is restarting: tell the client, keep the connection
      LOG.warn("connection {}: {}", Proc.self(), e.getMessage());
      send(state, new ServerFrame.Error("unavailable", "the server is busy or restarting a part; try again"), ref);
    }
  }

  /** Checks the frame's token; the first valid token (or a new one) makes the connection that user's. */
  private void authenticate(State state, String token) {
    if (token == null) {
      throw new ChatError("unauthenticated", "this frame needs the session \"token\" from your signup or login; "
          + "send {\"type\":\"login\",\"user\":...,\"password\":...} first");
    }
    if (state.token != null && MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8),
        state.token.getBytes(StandardCharsets.UTF_8))) {
      return;
    }
    Optional<String> user = Accounts.validate(token);
    if (user.isEmpty()) {
      throw new ChatError("unauthenticated", "the token is not valid (logged out, or never issued); log in again");
    }
    become(state, user.get(), token);
  }

  private void handle(State state, ClientFrame frame, String ref) {
    switch (frame) {
      case ClientFrame.SignUp(String user, String password) ->
          authenticated(state, Accounts.signUp(chat, state.socket.address(), user, password), ref);
      case ClientFrame.LogIn(String user, String password) ->
          authenticated(state, Accounts.logIn(chat, state.socket.address(), user, password), ref);
      case ClientFrame.Ping p -> send(state, new ServerFrame.Pong(), ref);
      case ClientFrame.Auth a -> send(state, new ServerFrame.Authenticated(state.user, state.token), ref);
      case ClientFrame.LogOut l -> {
        // the same session may be open on other sockets (tabs that share it, a reconnect), on this node
        // and others: it ends there too
        Accounts.logOut(chat, state.token);
        become(state, null, null);
        send(state, new ServerFrame.LoggedOut(), ref);
      }
      case ClientFrame.ListRooms l -> send(state, new ServerFrame.Rooms(roomList()), ref);
      case ClientFrame.Members(String room) -> {
        requireJoined(state, room);
        send(state, new ServerFrame.Members(room, members(room)), ref);
      }
      case ClientFrame.CreateRoom(String room) -> {
        requireRoomName(room);
        ChatConfig c = chat.config();
        switch (chat.store().createRoom(room, state.user, System.currentTimeMillis(), c.maxRooms(),
            c.maxRoomsPerUser())) {
          case CREATED -> send(state, new ServerFrame.RoomCreated(room), ref);
          case EXISTS -> throw new ChatError("room_exists", "room '" + room + "' exists already; join it");
          case TOO_MANY_FOR_USER -> throw new ChatError("room_limit", "you have created " + c.maxRoomsPerUser()
              + " rooms, the most one user may create; join an existing one");
          case TOO_MANY -> throw new ChatError("room_limit", "this server has " + c.maxRooms()
              + " rooms, the most it keeps; join an existing one");
        }
      }
      case ClientFrame.Join(String room, Long since) -> join(state, room, since, ref);
      case ClientFrame.Leave(String room) -> {
        requireJoined(state, room);
        leave(state, room);
        send(state, new ServerFrame.Left(room), ref);
      }
      case ClientFrame.Send(String room, String clientId, String text) -> {
        requireJoined(state, room);
        requireClientId(clientId);
        requireText(text);
        Room.Posted posted = Room.post(chat, room, state.user, clientId, text);
        send(state, new ServerFrame.Ack(room, clientId, posted.seq(), posted.duplicate()), ref);
      }
      case ClientFrame.History(String room, Long since, Long before, int limit) -> {
        requireJoined(state, room);
        int n = limit <= 0 ? chat.config().historyPage() : Math.min(limit, chat.config().historyPage());
        Store.Page page = since != null ? chat.store().after(room, since, n)
            : chat.store().before(room, before != null ? before : Long.MAX_VALUE, n);
        send(state, new ServerFrame.History(room, page.messages(), page.more()), ref);
      }
      case ClientFrame.Direct(String to, String clientId, String text) -> direct(state, to, clientId, text, ref);
      case ClientFrame.KillRoom(String room) -> {
        if (!chat.config().isAdmin(state.user)) {
          throw new ChatError("forbidden", "only an admin may kill rooms (the server's otp.chat.admins setting "
              + "names them)");
        }
        Pid killed = Room.kill(chat, room).orElseThrow(() -> new ChatError("unknown_room",
            "room '" + room + "' is not running (rooms start when someone joins)"));
        LOG.info("{} killed room {} ({})", state.user, room, killed);
        send(state, new ServerFrame.RoomKilled(room, killed.toString()), ref);
      }
    }
  }

  private void authenticated(State state, Accounts.Outcome outcome, String ref) {
    switch (outcome) {
      case Accounts.Outcome.Authenticated(String user, String token) -> {
        become(state, user, token);
        send(state, new ServerFrame.Authenticated(user, token), ref);
      }
      case Accounts.Outcome.Refused(String code, String message) -> throw new ChatError(code, message);
    }
  }

  /** Makes this connection {@code user}'s (or nobody's): leaves the rooms of the previous user. */
  private void become(State state, String user, String token) {
    if (state.user != null && !state.user.equals(user)) {
      for (String room : new ArrayList<>(state.rooms.keySet())) {
        leave(state, room);
      }
      chat.users().unregister(state.user);
    }
    if (user != null && !user.equals(state.user)) {
      chat.users().register(user, Boolean.TRUE);
    }
    state.user = user;
    state.token = token;
  }

  private void join(State state, String room, Long since, String ref) {
    requireRoomName(room);
    boolean wasIn = state.rooms.containsKey(room);
    if (!wasIn) {
      // Register before joining: from now on the room's broadcasts reach this process, and a room
      // that restarts finds it in the registry.
      chat.members().register(room, state.user);
    }
    Room.Joined joined;
    try {
      joined = Room.join(chat, room, Proc.self(), state.user);
    } catch (ChatError e) {
      if (!wasIn) {
        chat.members().unregister(room);
      }
      throw e;
    }
    int n = chat.config().historyPage();
    Store.Page page = since != null ? chat.store().after(room, since, n)
        : chat.store().before(room, joined.lastSeq() + 1, n);
    long lastInPage = page.messages().isEmpty() ? 0 : page.messages().getLast().seq();
    state.rooms.merge(room, Math.max(joined.lastSeq(), lastInPage), Math::max);
    watch(state, room, joined.room());
    send(state, new ServerFrame.Joined(room, joined.online(), joined.lastSeq(), page.messages(), page.more()), ref);
  }

  private void leave(State state, String room) {
    chat.members().unregister(room);
    state.rooms.remove(room);
    Ref monitor = state.roomMonitors.remove(room);
    if (monitor != null) {
      Proc.demonitorFlush(monitor);
    }
    Room.leave(chat, room, Proc.self());
  }

  /** On several nodes, monitors the process of a joined room (and no longer the one before). */
  private void watch(State state, String room, Pid roomPid) {
    if (!chat.clustered()) {
      return; // on one node, a restarted room finds its members in the registry
    }
    Ref old = state.roomMonitors.put(room, Proc.monitor(roomPid));
    if (old != null) {
      Proc.demonitorFlush(old);
    }
  }

  /** The joined room that {@code monitor} watches, if any. */
  private static String roomOf(State state, Ref monitor) {
    for (Map.Entry<String, Ref> e : state.roomMonitors.entrySet()) {
      if (e.getValue().equals(monitor)) {
        return e.getKey();
      }
    }
    return null;
  }

  /**
   * Joins a room again after its process ended, wherever it runs now, then sends the client the
   * messages it missed meanwhile (from the store, after the last one it was sent) and the room's
   * state. If the room cannot be reached yet (its node's departure is not seen everywhere, its new
   * owner is starting it), tries again a little later; after {@link #REJOIN_ATTEMPTS} it gives up and
   * tells the client, which can join again.
   */
  private void rejoin(State state, String room, int attempt) {
    if (!state.rooms.containsKey(room) || state.user == null || state.roomMonitors.containsKey(room)) {
      return; // left, logged out, or joined again meanwhile
    }
    try {
      Room.Joined joined = Room.join(chat, room, Proc.self(), state.user);
      watch(state, room, joined.room());
      long last = state.rooms.get(room);
      Store.Page page;
      do {
        page = chat.store().after(room, last, chat.config().historyPage());
        for (ChatMessage m : page.messages()) {
          if (m.seq() > last) {
            last = m.seq();
            send(state, ServerFrame.Message.of(m), null);
          }
        }
        state.rooms.put(room, last);
      } while (page.more() && !page.messages().isEmpty());
      send(state, new ServerFrame.RoomState(room, joined.lastSeq(), joined.online()), null);
    } catch (ChatError | CallException | Store.StoreException e) {
      if (attempt + 1 < REJOIN_ATTEMPTS) {
        Proc.sendAfter(Duration.ofMillis(Math.min(1000, 100L * (attempt + 1))), Proc.self(),
            new Rejoin(room, attempt + 1));
        return;
      }
      LOG.warn("connection {}: room {} could not be joined again: {}", Proc.self(), room, e.getMessage());
      chat.members().unregister(room);
      state.rooms.remove(room);
      send(state, new ServerFrame.Error("unavailable", "room '" + room + "' could not be reached again after "
          + "its process ended; join it again"), null);
    }
  }

  private void direct(State state, String name, String clientId, String text, String ref) {
    String to = Accounts.canonical(name);
    requireText(text);
    if (clientId != null && clientId.length() > MAX_CLIENT_ID) {
      throw new ChatError("bad_field", "a clientId is at most " + MAX_CLIENT_ID + " characters");
    }
    List<Registry.Entry> recipients = chat.users().lookup(to);
    if (recipients.isEmpty()) {
      if (chat.store().userExists(to)) {
        throw new ChatError("user_offline", "'" + to + "' is not online; direct messages are delivered live only");
      }
      throw new ChatError("unknown_user", "there is no user '" + Accounts.abbreviate(to) + "'");
    }
    DirectMessage dm = new DirectMessage(state.user, to, text, System.currentTimeMillis(), clientId);
    recipients.forEach(e -> Proc.send(e.pid(), dm));
    if (!to.equals(state.user)) { // the sender's other tabs show the conversation too
      chat.users().lookup(state.user).stream().filter(e -> !e.pid().equals(Proc.self()))
          .forEach(e -> Proc.send(e.pid(), dm));
    }
    send(state, new ServerFrame.DirectSent(to, clientId), ref);
  }

  /**
   * Who is in a room, asked for by a client when it shows the list: from the {@code members}
   * registry, where the connections registered themselves, so the room is not involved.
   */
  private List<String> members(String room) {
    TreeSet<String> users = new TreeSet<>();
    chat.members().lookup(room).forEach(e -> users.add((String) e.value()));
    return List.copyOf(users);
  }

  private List<Frames.RoomInfo> roomList() {
    List<Frames.RoomInfo> out = new ArrayList<>();
    for (String room : chat.store().rooms()) {
      TreeSet<String> online = new TreeSet<>();
      chat.members().lookup(room).forEach(e -> online.add((String) e.value()));
      out.add(new Frames.RoomInfo(room, online.size()));
    }
    return out;
  }

  private static void requireRoomName(String room) {
    if (!ROOM_NAME.matcher(room).matches()) {
      throw new ChatError("invalid_room", "a room name is 1 to 32 lower-case letters, digits, '_' or '-', "
          + "starting with a letter or digit; got '" + Accounts.abbreviate(room) + "'");
    }
  }

  private static void requireJoined(State state, String room) {
    if (!state.rooms.containsKey(room)) {
      throw new ChatError("not_joined", "you are not in room '" + Accounts.abbreviate(room)
          + "'; join it first with {\"type\":\"join\",\"room\":...}");
    }
  }

  private static void requireClientId(String clientId) {
    if (clientId.isEmpty() || clientId.length() > MAX_CLIENT_ID) {
      throw new ChatError("bad_field", "a clientId is 1 to " + MAX_CLIENT_ID
          + " characters, unique per message (a retry reuses it)");
    }
  }

  private void requireText(String text) {
    if (text.isBlank()) {
      throw new ChatError("bad_field", "a message needs some text");
    }
    if (text.length() > chat.config().maxMessageChars()) {
      throw new ChatError("too_large", "a message may be at most " + chat.config().maxMessageChars()
          + " characters; this one has " + text.length());
    }
  }

  private static void send(State state, ServerFrame frame, String ref) {
    state.socket.send(Frames.encode(frame, ref));
  }

  private static int utf8Length(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }
}
