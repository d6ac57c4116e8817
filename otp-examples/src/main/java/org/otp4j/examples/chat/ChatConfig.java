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
 * @param admins user names allowed to kill rooms ({@code *}: everyone, for the demo)
 * @param roomIdle how long a room with no members waits before it stops
 */
public record ChatConfig(String host, int port, Path dataDir, String jdbcUrl, String jdbcUser, String jdbcPassword,
    int dbThreads, List<String> defaultRooms, int historyPage, int maxFrameBytes, int maxMessageChars,
    double rateLimit, int rateBurst, int floodLimit, int maxConnections, int passwordIterations, Set<String> admins,
    Duration roomIdle) {

  /** The window in which {@link #floodLimit} refused frames close a connection. */
  public static final Duration FLOOD_WINDOW = Duration.ofSeconds(10);

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
        Set.copyOf(words((String) env.get("admins"))),
        (Duration) env.get("roomIdle"));
  }

  /** Whether the store is the embedded SQLite file (no JDBC URL given). */
  public boolean embedded() {
    return jdbcUrl.isEmpty();
  }

  /** The JDBC URL actually used. */
  public String effectiveJdbcUrl() {
    return embedded() ? "jdbc:sqlite:" + dataDir.resolve("chat.db").toAbsolutePath() : jdbcUrl;
  }

  /** Whether {@code user} may use the admin frames. */
  public boolean isAdmin(String user) {
    return admins.contains("*") || admins.contains(user);
  }

  /** Shows every setting but the database password. */
  @Override
  public String toString() {
    return "ChatConfig[host=" + host + ", port=" + port + ", dataDir=" + dataDir + ", jdbcUrl=" + jdbcUrl
        + ", jdbcUser=" + jdbcUser + ", jdbcPassword=" + (jdbcPassword.isEmpty() ? "" : "(redacted)")
        + ", dbThreads=" + dbThreads + ", defaultRooms=" + defaultRooms + ", historyPage=" + historyPage
        + ", maxFrameBytes=" + maxFrameBytes + ", maxMessageChars=" + maxMessageChars + ", rateLimit=" + rateLimit
        + ", rateBurst=" + rateBurst + ", floodLimit=" + floodLimit + ", maxConnections=" + maxConnections
        + ", passwordIterations=" + passwordIterations + ", admins=" + admins + ", roomIdle=" + roomIdle + "]";
  }

  private static List<String> words(String text) {
    return Arrays.stream(text.split(",")).map(String::trim).filter(s -> !s.isEmpty())
        .collect(Collectors.toUnmodifiableList());
  }
}
