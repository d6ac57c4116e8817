package org.otp4j.examples.chat;

import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The chat's wire protocol: JSON text frames over a WebSocket, each an object with a
 * {@code "type"}. Every frame may carry a {@code "ref"}, which the server echoes in its direct
 * answer or error, and every frame except {@code signup}, {@code login} and {@code ping} must carry
 * the session {@code "token"}.
 *
 * <pre>
 * client to server                                   server to client
 * {type:signup, user, password}                      {type:authenticated, user, token}
 * {type:login, user, password}                       {type:authenticated, user, token}
 * {type:auth, token}          (after a reconnect)    {type:authenticated, user, token}
 * {type:ping}                                        {type:pong}
 * {type:rooms, token}                                {type:rooms, rooms:[{name, online}]}
 * {type:create_room, token, room}                    {type:room_created, room}
 * {type:join, token, room, since?}                   {type:joined, room, online, lastSeq, messages, more}
 * {type:members, token, room}                        {type:members, room, members}
 * {type:leave, token, room}                          {type:left, room}
 * {type:send, token, room, clientId, text}           {type:ack, room, clientId, seq, duplicate}
 *                                                    {type:message, room, seq, from, text, ts, clientId} (to all)
 *                                                    {type:presence, room, event: join|leave, user, online}
 *                                                    {type:room_state, room, lastSeq, online} (room restarted)
 * {type:history, token, room, since? | before?, limit?} {type:history, room, messages, more}
 * {type:dm, token, to, clientId?, text}              {type:dm_sent, to, clientId}; {type:dm, from, to, text, ts, clientId}
 * {type:logout, token}                               {type:logged_out}
 * {type:kill_room, token, room}       (admins)       {type:room_killed, room, pid}
 * anything wrong                                     {type:error, code, message, ref}
 * </pre>
 */
final class Frames {
  private Frames() {}

  private static final JsonMapper JSON = JsonMapper.builder().build();

  // =====================================================================================
  // client to server

  /** A frame from a client, and what travels with it. */
  record Envelope(ClientFrame frame, String token, String ref) {}

  /** What a client can ask. */
  sealed interface ClientFrame {
    record SignUp(String user, String password) implements ClientFrame {}

    record LogIn(String user, String password) implements ClientFrame {}

    record Ping() implements ClientFrame {}

    record Auth() implements ClientFrame {}

    record LogOut() implements ClientFrame {}

    record ListRooms() implements ClientFrame {}

    /** Who is in a room (a joined one): asked for when the client shows the list, kept up to date by presence. */
    record Members(String room) implements ClientFrame {}

    record CreateRoom(String room) implements ClientFrame {}

    /** Join a room; with {@code since}, get the messages after that seq (a rejoin after a reconnect). */
    record Join(String room, Long since) implements ClientFrame {}

    record Leave(String room) implements ClientFrame {}

    record Send(String room, String clientId, String text) implements ClientFrame {}

    /** Messages after {@code since} (filling a gap), or before {@code before} (scrolling back). */
    record History(String room, Long since, Long before, int limit) implements ClientFrame {}

    record Direct(String to, String clientId, String text) implements ClientFrame {}

    record KillRoom(String room) implements ClientFrame {}

    /** Whether the frame can be sent without a session token. */
    default boolean needsToken() {
      return !(this instanceof SignUp || this instanceof LogIn || this instanceof Ping);
    }
  }

  /** A frame that cannot be understood: {@code code} and {@code message} go back in an error frame. */
  static final class FrameException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final String code;
    final String ref;

    FrameException(String code, String message, String ref) {
      super(message, null, false, false);
      this.code = code;
      this.ref = ref;
    }
  }

  static final List<String> TYPES = List.of("signup", "login", "ping", "auth", "logout", "rooms", "create_room",
      "join", "leave", "send", "history", "dm", "kill_room", "members");

  /** Parses a text frame. */
  static Envelope parse(String text) {
    JsonNode node;
    try {
      node = JSON.readTree(text);
    } catch (JacksonException e) {
      throw new FrameException("bad_json", "a frame must be a JSON object such as {\"type\":\"ping\"}; "
          + "this one is not valid JSON: " + firstLine(e.getOriginalMessage()), null);
    }
    if (node == null || !node.isObject()) {
      throw new FrameException("bad_frame", "a frame must be a JSON object with a \"type\", such as "
          + "{\"type\":\"ping\"}", null);
    }
    String ref = node.get("ref") != null && node.get("ref").isValueNode() ? node.get("ref").asString() : null;
    String type = optionalString(node, "type", ref);
    if (type == null) {
      throw new FrameException("missing_field", "the frame has no \"type\"; one of " + TYPES, ref);
    }
    String token = optionalString(node, "token", ref);
    ClientFrame frame = switch (type) {
      case "signup" -> new ClientFrame.SignUp(string(node, "user", ref), string(node, "password", ref));
      case "login" -> new ClientFrame.LogIn(string(node, "user", ref), string(node, "password", ref));
      case "ping" -> new ClientFrame.Ping();
      case "auth" -> new ClientFrame.Auth();
      case "logout" -> new ClientFrame.LogOut();
      case "rooms" -> new ClientFrame.ListRooms();
      case "members" -> new ClientFrame.Members(string(node, "room", ref));
      case "create_room" -> new ClientFrame.CreateRoom(string(node, "room", ref));
      case "join" -> new ClientFrame.Join(string(node, "room", ref), optionalLong(node, "since", ref));
      case "leave" -> new ClientFrame.Leave(string(node, "room", ref));
      case "send" -> new ClientFrame.Send(string(node, "room", ref), string(node, "clientId", ref),
          string(node, "text", ref));
      case "history" -> {
        Long since = optionalLong(node, "since", ref);
        Long before = optionalLong(node, "before", ref);
        if (since != null && before != null) {
          throw new FrameException("bad_frame", "a history frame has \"since\" (messages after a seq) or "
              + "\"before\" (messages before a seq), not both", ref);
        }
        Long limit = optionalLong(node, "limit", ref);
        yield new ClientFrame.History(string(node, "room", ref), since, before, limit == null ? 0 : limit.intValue());
      }
      case "dm" -> new ClientFrame.Direct(string(node, "to", ref), optionalString(node, "clientId", ref),
          string(node, "text", ref));
      case "kill_room" -> new ClientFrame.KillRoom(string(node, "room", ref));
      default -> throw new FrameException("unknown_type", "unknown frame type '" + Accounts.abbreviate(type)
          + "'; expected one of " + TYPES, ref);
    };
    return new Envelope(frame, token, ref);
  }

  /**
   * The {@code ref} of a frame that is not parsed (too large, or refused by the rate limit): read
   * with a streaming parser that skips every nested value, so that the error answering the frame
   * carries its ref as every answer does. Null if there is none or the text is not a JSON object.
   */
  static String refOf(String text) {
    try (JsonParser p = JSON.createParser(text)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      for (String name = p.nextName(); name != null; name = p.nextName()) {
        JsonToken value = p.nextToken();
        if (name.equals("ref")) {
          return value.isScalarValue() && value != JsonToken.VALUE_NULL ? p.getString() : null;
        }
        p.skipChildren();
      }
    } catch (JacksonException e) {
      // not JSON, or cut short before a ref: there is none to echo
    }
    return null;
  }

  private static String string(JsonNode node, String field, String ref) {
    String s = optionalString(node, field, ref);
    if (s == null) {
      throw new FrameException("missing_field", "a '" + node.get("type").asString() + "' frame needs a string \""
          + field + "\"", ref);
    }
    return s;
  }

  private static String optionalString(JsonNode node, String field, String ref) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isString()) {
      throw new FrameException("bad_field", "\"" + field + "\" must be a string, got " + v.getNodeType(), ref);
    }
    return v.stringValue();
  }

  private static Long optionalLong(JsonNode node, String field, String ref) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0) {
      throw new FrameException("bad_field", "\"" + field + "\" must be a whole number of at least 0, got " + v, ref);
    }
    return v.longValue();
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  // =====================================================================================
  // server to client

  /** A room in the room list. */
  record RoomInfo(String name, int online) {}

  /** What the server sends. */
  sealed interface ServerFrame {
    record Hello(String server, int maxFrameBytes) implements ServerFrame {}

    record Authenticated(String user, String token) implements ServerFrame {}

    record Pong() implements ServerFrame {}

    record Rooms(List<RoomInfo> rooms) implements ServerFrame {}

    record RoomCreated(String room) implements ServerFrame {}

    record Joined(String room, int online, long lastSeq, List<ChatMessage> messages, boolean more)
        implements ServerFrame {}

    record Left(String room) implements ServerFrame {}

    record Message(String room, long seq, String from, String text, long ts, String clientId) implements ServerFrame {
      static Message of(ChatMessage m) {
        return new Message(m.room(), m.seq(), m.from(), m.text(), m.ts(), m.clientId());
      }
    }

    record Ack(String room, String clientId, long seq, boolean duplicate) implements ServerFrame {}

    record Members(String room, List<String> members) implements ServerFrame {}

    record Presence(String room, String event, String user, int online) implements ServerFrame {}

    record RoomState(String room, long lastSeq, int online) implements ServerFrame {}

    record History(String room, List<ChatMessage> messages, boolean more) implements ServerFrame {}

    record Direct(String from, String to, String text, long ts, String clientId) implements ServerFrame {}

    record DirectSent(String to, String clientId) implements ServerFrame {}

    record LoggedOut() implements ServerFrame {}

    record RoomKilled(String room, String pid) implements ServerFrame {}

    record Error(String code, String message) implements ServerFrame {}
  }

  /** The {@code "type"} of a server frame. */
  static String type(ServerFrame frame) {
    return switch (frame) {
      case ServerFrame.Hello h -> "hello";
      case ServerFrame.Authenticated a -> "authenticated";
      case ServerFrame.Pong p -> "pong";
      case ServerFrame.Rooms r -> "rooms";
      case ServerFrame.RoomCreated r -> "room_created";
      case ServerFrame.Joined j -> "joined";
      case ServerFrame.Left l -> "left";
      case ServerFrame.Message m -> "message";
      case ServerFrame.Ack a -> "ack";
      case ServerFrame.Members m -> "members";
      case ServerFrame.Presence p -> "presence";
      case ServerFrame.RoomState r -> "room_state";
      case ServerFrame.History h -> "history";
      case ServerFrame.Direct d -> "dm";
      case ServerFrame.DirectSent d -> "dm_sent";
      case ServerFrame.LoggedOut l -> "logged_out";
      case ServerFrame.RoomKilled r -> "room_killed";
      case ServerFrame.Error e -> "error";
    };
  }

  /** Encodes a server frame, with the {@code ref} of the client frame it answers (or null). */
  static String encode(ServerFrame frame, String ref) {
    ObjectNode node = JSON.createObjectNode();
    node.put("type", type(frame));
    if (ref != null) {
      node.put("ref", ref);
    }
    node.setAll((ObjectNode) JSON.valueToTree(frame));
    return JSON.writeValueAsString(node);
  }
}
