package org.otp4j.examples.chat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.otp4j.behaviours.GenServer;
import org.otp4j.core.Call;
import org.otp4j.core.From;
import org.otp4j.core.Node;
import org.otp4j.core.ServerRef;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;

/**
 * Users and their session tokens: sign up, log in, check a token, log out.
 *
 * <p>The slow part of signing up and logging in, hashing the password, runs in the caller (the
 * connection process, through {@link Passwords}' pool), so that one user's login never waits for
 * another's hash. The server itself only issues, checks and revokes tokens (and forgets one
 * revoked on another node). A token is 32 random bytes; only its SHA-256 is stored, in the
 * database, so tokens survive a restart of this server or of the whole application and a copy of
 * the database does not hand them out. The server keeps the tokens it has seen in memory.
 */
final class Accounts extends GenServer<Map<String, String>, Accounts.Request> {

  /** What the server does. */
  sealed interface Request {
    record IssueToken(String user) implements Request, Call<String> {}

    record Validate(String token) implements Request, Call<Optional<String>> {}

    record Revoke(String token) implements Request, Call<Optional<String>> {}

    /**
     * A session ended on another node (cast to every node's server): forget its token, and end it on
     * this node's sockets of {@code user} too.
     */
    record Forget(String tokenHash, String user) implements Request {}
  }

  /** The outcome of signing up or logging in. */
  sealed interface Outcome {
    /** Signed up or logged in: the user and the session token to put in every frame. */
    record Authenticated(String user, String token) implements Outcome {}

    /** Refused: an error code for the client and a message for people. */
    record Refused(String code, String message) implements Outcome {}
  }

  static final Pattern USER_NAME = Pattern.compile("[A-Za-z0-9_-]{2,24}");
  static final int MIN_PASSWORD = 6;
  static final int MAX_PASSWORD = 200;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Chat chat;

  private Accounts(Chat chat) {
    this.chat = chat;
  }

  // =====================================================================================
  // client API: runs in the caller

  static ServerRef<Request> startLink(Chat chat) {
    return GenServer.startLink(Chat.ACCOUNTS, new Accounts(chat));
  }

  /**
   * Creates a user with a new salted hash of its password, and logs it in. User names are
   * case-insensitive: the account is created under the name in lower case.
   */
  static Outcome signUp(Chat chat, String address, String name, String password) {
    if (!USER_NAME.matcher(name).matches()) {
      return new Outcome.Refused("invalid_name", "a user name is 2 to 24 letters, digits, '_' or '-'; got '"
          + abbreviate(name) + "'");
    }
    if (password.length() < MIN_PASSWORD || password.length() > MAX_PASSWORD) {
      return new Outcome.Refused("weak_password", "a password is " + MIN_PASSWORD + " to " + MAX_PASSWORD
          + " characters long; got " + password.length());
    }
    String user = canonical(name);
    Optional<String> throttled = chat.throttle().tryAttempt(address, null);
    if (throttled.isPresent()) {
      return new Outcome.Refused("login_throttled", throttled.get());
    }
    String hash; // a signup keeps its attempt: an address cannot make accounts faster than loginRate
    try {
      hash = chat.passwords().hash(password, chat.config().passwordIterations());
    } catch (Passwords.Busy e) {
      chat.throttle().refund(address);
      return busy();
    }
    if (!chat.store().createUser(user, hash, System.currentTimeMillis())) {
      return new Outcome.Refused("user_exists", "the user name '" + user + "' is taken (names are the same in "
          + "upper and lower case); log in, or pick another name");
    }
    return new Outcome.Authenticated(user, GenServer.call(Chat.ACCOUNTS, new Request.IssueToken(user)));
  }

  /**
   * Checks a user's password and, if it matches, issues a session token. Attempts beyond what
   * {@link LoginThrottle} allows the address or the account are refused without a hash.
   */
  static Outcome logIn(Chat chat, String address, String name, String password) {
    boolean valid = USER_NAME.matcher(name).matches();
    String user = valid ? canonical(name) : "";
    Optional<String> throttled = chat.throttle().tryAttempt(address, valid ? user : null);
    if (throttled.isPresent()) {
      return new Outcome.Refused("login_throttled", throttled.get());
    }
    Optional<String> stored = valid ? chat.store().passwordHash(user) : Optional.empty();
    boolean ok;
    try {
      if (stored.isPresent()) {
        ok = chat.passwords().verify(password, stored.get());
      } else {
        chat.passwords().verifyNothing(password, chat.config().passwordIterations());
        ok = false;
      }
    } catch (Passwords.Busy e) {
      chat.throttle().refund(address);
      return busy();
    }
    if (!ok) {
      if (valid) {
        chat.throttle().failed(user);
      }
      return new Outcome.Refused("invalid_credentials", "wrong user name or password");
    }
    chat.throttle().refund(address);
    return new Outcome.Authenticated(user, GenServer.call(Chat.ACCOUNTS, new Request.IssueToken(user)));
  }

  private static Outcome busy() {
    return new Outcome.Refused("busy", "the server is checking too many passwords at the moment; try again in a "
        + "few seconds");
  }

  /** The user a session token belongs to, if it is valid. */
  static Optional<String> validate(String token) {
    return GenServer.call(Chat.ACCOUNTS, new Request.Validate(token));
  }

  /**
   * Ends a session everywhere: the token is no longer valid, and every socket that uses it, on this
   * node and the others, is logged out (all but the caller's own, if the caller is a connection).
   * Returns the user it was of, if it was valid.
   */
  static Optional<String> logOut(Chat chat, String token) {
    Optional<String> user = GenServer.call(Chat.ACCOUNTS, new Request.Revoke(token));
    user.ifPresent(u -> {
      String tokenHash = sha256(token);
      endHere(chat, tokenHash, u);
      if (chat.clustered()) {
        String self = Node.current().name();
        List<String> others = ChatCluster.members().stream().filter(n -> !n.equals(self)).toList();
        GenServer.abcast(others, Chat.ACCOUNTS, new Request.Forget(tokenHash, u));
      }
    });
    return user;
  }

  /** Logs out this node's sockets of {@code user} on the session {@code tokenHash}, but the caller's. */
  private static void endHere(Chat chat, String tokenHash, String user) {
    Connection.SessionEnded ended = new Connection.SessionEnded(tokenHash);
    Pid self = Proc.isProcess() ? Proc.self() : null;
    chat.users().lookup(user).stream().filter(e -> !e.pid().equals(self)).forEach(e -> Proc.send(e.pid(), ended));
  }

  // =====================================================================================
  // server callbacks

  @Override
  protected Init<Map<String, String>> init() {
    return Init.ok(new HashMap<>());
  }

  @Override
  protected CallResult<Map<String, String>> handleCall(Request request, From from, Map<String, String> known) {
    return switch (request) {
      case Request.IssueToken issue -> {
        String user = issue.user();
        byte[] raw = new byte[32];
        RANDOM.nextBytes(raw);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        String tokenHash = sha256(token);
        chat.store().saveSession(tokenHash, user, System.currentTimeMillis());
        known.put(tokenHash, user);
        yield reply(issue, token, known);
      }
      case Request.Validate validate -> {
        String tokenHash = sha256(validate.token());
        String user = known.get(tokenHash);
        if (user == null) {
          user = chat.store().sessionUser(tokenHash).orElse(null);
          if (user != null) {
            known.put(tokenHash, user);
          }
        }
        yield reply(validate, Optional.ofNullable(user), known);
      }
      case Request.Revoke revoke -> {
        String tokenHash = sha256(revoke.token());
        String user = known.remove(tokenHash);
        if (user == null) {
          user = chat.store().sessionUser(tokenHash).orElse(null);
        }
        chat.store().deleteSession(tokenHash);
        yield reply(revoke, Optional.ofNullable(user), known);
      }
      case Request.Forget f -> noReply(known); // a cast
    };
  }

  @Override
  protected CastResult<Map<String, String>> handleCast(Request request, Map<String, String> known) {
    if (request instanceof Request.Forget(String tokenHash, String user)) {
      known.remove(tokenHash); // the store has deleted it already: the next look-up finds nothing
      endHere(chat, tokenHash, user);
    }
    return noReply(known);
  }

  /** Shows how many sessions are known, never the token hashes. */
  @Override
  protected Status formatStatus(Status status) {
    return status.withState(((Map<?, ?>) status.state()).size() + " sessions").withMessage("(redacted)");
  }

  static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A user name as the server knows it: names differ in more than case, "Alice" is "alice". */
  static String canonical(String user) {
    return user.toLowerCase(Locale.ROOT);
  }

  static String abbreviate(String text) {
    return text.length() <= 40 ? text : text.substring(0, 40) + "...";
  }
}
