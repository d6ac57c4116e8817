package org.otp4j.examples.chat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The chat server's settings, read once from the application environment when the application
 * starts (see {@link ChatApp#descriptor()} for the keys, their defaults and how to override them).
 *
 * @param host the interface the web endpoint listens on
 * @param port the HTTP/WebSocket port; 0 picks a free one (tests)
 * @param dataDir where the embedded SQLite database lives ({@code chat.db} inside it)
 * @param jdbcUrl a JDBC URL (PostgreSQL) to use instead of the embedded SQLite file; empty for SQLite
 * @param jdbcUser the database user for {@code jdbcUrl}, if it needs one
 * @param jdbcPassword the database password for {@code jdbcUrl}, if it needs one
 * @param dbThreads platform threads that run the database work
 * @param defaultRooms rooms created at first start
 * @param historyPage the most messages one join or history frame carries
 * @param maxFrameBytes inbound frames larger than this get an error frame {@code too_large}
 * @param maxMessageChars the longest message text
 * @param rateLimit frames per second a connection may send on average (token bucket refill)
 * @param rateBurst frames a connection may send at once (token bucket capacity)
 * @param floodLimit refused frames within {@link #FLOOD_WINDOW} after which the connection is closed
 * @param maxConnections the most WebSocket connections at once
 * @param passwordIterations PBKDF2 iterations for new password hashes
 * @param admins user names (lower case) allowed the admin actions: kill a room, from the page or the observer
 * @param roomIdle how long a room with no members waits before it stops
 * @param roomRestarts restarts of one room within {@link #ROOM_RESTART_WINDOW} before its own supervisor
 *     gives up (the room's next use starts it afresh)
 * @param maxRooms the most rooms that can exist
 * @param maxRoomsPerUser the most rooms one user can create
 * @param loginBurst login and signup attempts one client address may make at once (a success gives its
 *     attempt back)
 * @param loginRate attempts per second that one client address gets back
 * @param accountBurst wrong passwords one account may receive at once before its logins are throttled
 * @param accountRate wrong passwords per second that one account gets back
 * @param hashQueue password hashes that may wait for a hashing thread; more are refused with {@code busy}
 * @param maxQueuedFrames frames that may wait to be written to one client; a client that reads slower
 *     is disconnected (close code 1008)
 */
public record ChatConfig(String host, int port, Path dataDir, String jdbcUrl, String jdbcUser, String jdbcPassword,
    int dbThreads, List<String> defaultRooms, int historyPage, int maxFrameBytes, int maxMessageChars,
    double rateLimit, int rateBurst, int floodLimit, int maxConnections, int passwordIterations, Set<String> admins,
    Duration roomIdle, int roomRestarts, int maxRooms, int maxRoomsPerUser, int loginBurst, double loginRate,
    int accountBurst, double accountRate, int hashQueue, int maxQueuedFrames) {

  /** The window in which {@link #floodLimit} refused frames close a connection. */
  public static final Duration FLOOD_WINDOW = Duration.ofSeconds(10);

  /** The window in which {@link #roomRestarts} restarts of one room make its supervisor give up. */
  public static final Duration ROOM_RESTART_WINDOW = Duration.ofSeconds(10);

  /**
   * Checks the settings that no type check catches.
   *
   * @throws IllegalArgumentException naming the setting and the accepted values
   */
  public ChatConfig {
    for (String admin : admins) {
      if (!Accounts.USER_NAME.matcher(admin).matches() || !admin.equals(Accounts.canonical(admin))) {
        throw new IllegalArgumentException("chat.admins is a comma-separated list of user names (2 to 24 letters, "
            + "digits, '_' or '-', lower case); got '" + admin + "'" + (admin.equals("*")
            ? ": there is no wildcard, every admin is named (an admin can kill any room)" : ""));
      }
    }
    requirePositive("roomRestarts", roomRestarts);
    requirePositive("maxRooms", maxRooms);
    requirePositive("maxRoomsPerUser", maxRoomsPerUser);
    requirePositive("loginBurst", loginBurst);
    requirePositive("accountBurst", accountBurst);
    requirePositive("hashQueue", hashQueue);
    requirePositive("maxQueuedFrames", maxQueuedFrames);
    if (!(loginRate > 0) || !(accountRate > 0)) {
      throw new IllegalArgumentException("chat.loginRate and chat.accountRate are attempts per second, more than 0; "
          + "got " + loginRate + " and " + accountRate);
    }
  }

  private static void requirePositive(String key, int value) {
    if (value < 1) {
      throw new IllegalArgumentException("chat." + key + " must be at least 1; got " + value);
    }
  }

  /** Reads the settings from an application environment (as {@link org.otp4j.behaviours.Application#getAllEnv}). */
  static ChatConfig from(Map<String, Object> env) {
    return new ChatConfig(
        (String) env.get("host"),
        (Integer) env.get("port"),
        Path.of((String) env.get("dataDir")),
        ((String) env.get("jdbcUrl")).trim(),
        (String) env.get("jdbcUser"),
        (String) env.get("jdbcPassword"),
        (Integer) env.get("dbThreads"),
        words((String) env.get("rooms")),
        (Integer) env.get("historyPage"),
        (Integer) env.get("maxFrameBytes"),
        (Integer) env.get("maxMessageChars"),
        (Double) env.get("rateLimit"),
        (Integer) env.get("rateBurst"),
        (Integer) env.get("floodLimit"),
        (Integer) env.get("maxConnections"),
        (Integer) env.get("passwordIterations"),
        words((String) env.get("admins")).stream().map(w -> w.equals("*") ? w : Accounts.canonical(w))
            .collect(Collectors.toUnmodifiableSet()),
        (Duration) env.get("roomIdle"),
        (Integer) env.get("roomRestarts"),
        (Integer) env.get("maxRooms"),
        (Integer) env.get("maxRoomsPerUser"),
        (Integer) env.get("loginBurst"),
        (Double) env.get("loginRate"),
        (Integer) env.get("accountBurst"),
        (Double) env.get("accountRate"),
        (Integer) env.get("hashQueue"),
        (Integer) env.get("maxQueuedFrames"));
  }

  /** Whether the store is the embedded SQLite file (no JDBC URL given). */
  public boolean embedded() {
    return jdbcUrl.isEmpty();
  }

  /** The JDBC URL actually used. */
  public String effectiveJdbcUrl() {
    return embedded() ? "jdbc:sqlite:" + dataDir.resolve("chat.db").toAbsolutePath() : jdbcUrl;
  }

  /** Whether {@code user} (a canonical, lower-case name; null: nobody logged in) may use the admin actions. */
  public boolean isAdmin(String user) {
    return user != null && admins.contains(user);
  }

  /** Shows every setting but the database password. */
  @Override
  public String toString() {
    return "ChatConfig[host=" + host + ", port=" + port + ", dataDir=" + dataDir + ", jdbcUrl=" + jdbcUrl
        + ", jdbcUser=" + jdbcUser + ", jdbcPassword=" + (jdbcPassword.isEmpty() ? "" : "(redacted)")
        + ", dbThreads=" + dbThreads + ", defaultRooms=" + defaultRooms + ", historyPage=" + historyPage
        + ", maxFrameBytes=" + maxFrameBytes + ", maxMessageChars=" + maxMessageChars + ", rateLimit=" + rateLimit
        + ", rateBurst=" + rateBurst + ", floodLimit=" + floodLimit + ", maxConnections=" + maxConnections
        + ", passwordIterations=" + passwordIterations + ", admins=" + admins + ", roomIdle=" + roomIdle
        + ", roomRestarts=" + roomRestarts + ", maxRooms=" + maxRooms + ", maxRoomsPerUser=" + maxRoomsPerUser
        + ", loginBurst=" + loginBurst + ", loginRate=" + loginRate + ", accountBurst=" + accountBurst
        + ", accountRate=" + accountRate + ", hashQueue=" + hashQueue + ", maxQueuedFrames=" + maxQueuedFrames + "]";
  }

  private static List<String> words(String text) {
    return Arrays.stream(text.split(",")).map(String::trim).filter(s -> !s.isEmpty())
        .collect(Collectors.toUnmodifiableList());
  }
}
