package org.otp4j.examples.chat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.otp4j.examples.Jdbc;
import org.otp4j.examples.ThreadConnections;

/**
 * The chat's persistent data (users, sessions, rooms, messages) in SQL: an embedded SQLite file by
 * default, PostgreSQL when given a JDBC URL; the same statements run on both.
 *
 * <h2>Off the carriers</h2>
 * JDBC blocks, and the SQLite driver blocks inside native code, which pins the virtual thread's
 * carrier (there are only as many carriers as cores). So every statement runs on a small pool of
 * platform threads, each with its own connection; the calling process waits on the future, which
 * parks its virtual thread and leaves the carrier free for other processes.
 *
 * <h2>Lifecycle</h2>
 * This facade is shared by the whole application; the {@link StoreServer} process (child
 * {@code store} of the top supervisor) opens a {@link Database} in its init and installs it here,
 * and closes it when it terminates. While no database is installed (the store restarting), calls
 * fail with {@link StoreException}.
 */
public final class Store {

  /** What {@link #append} did. */
  public sealed interface Appended {
    /** Stored under the given seq. */
    record Stored() implements Appended {}

    /** The same sender had already sent this client id: it is stored as {@code seq}. */
    record Duplicate(long seq) implements Appended {}

    /** Another message holds this seq already (a previous incarnation of the room wrote it). */
    record SeqTaken() implements Appended {}
  }

  /** The last seq of a room, and the client ids of its most recent messages (newest first). */
  public record RoomHead(long lastSeq, List<ChatMessage> recent) {}

  /** A page of messages, oldest first, and whether more lie beyond it. */
  public record Page(List<ChatMessage> messages, boolean more) {}

  private final AtomicReference<Database> current = new AtomicReference<>();

  Store() {}

  // =====================================================================================
  // users and sessions

  /** Creates a user; false if the name is taken. */
  public boolean createUser(String name, String passwordHash, long now) {
    return db().run(c -> Jdbc.update(c, "INSERT INTO users (name, password_hash, created_at) VALUES (?, ?, ?) "
        + "ON CONFLICT DO NOTHING", name, passwordHash, now) == 1);
  }

  /** The stored password hash of a user, if the user exists. */
  public Optional<String> passwordHash(String name) {
    return db().run(c -> Jdbc.queryOne(c, "SELECT password_hash FROM users WHERE lower(name) = ?", rs -> rs.getString(1),
        Accounts.canonical(name)));
  }

  public boolean userExists(String name) {
    return passwordHash(name).isPresent();
  }

  public void saveSession(String tokenHash, String user, long now) {
    db().run(c -> Jdbc.update(c, "INSERT INTO sessions (token_hash, user_name, created_at) VALUES (?, ?, ?)",
        tokenHash, user, now));
  }

  public Optional<String> sessionUser(String tokenHash) {
    return db().run(c -> Jdbc.queryOne(c, "SELECT user_name FROM sessions WHERE token_hash = ?",
        rs -> rs.getString(1), tokenHash));
  }

  public void deleteSession(String tokenHash) {
    db().run(c -> Jdbc.update(c, "DELETE FROM sessions WHERE token_hash = ?", tokenHash));
  }

  // =====================================================================================
  // rooms

  /** Creates a room; false if it exists. */
  public boolean createRoom(String name, String createdBy, long now) {
    return db().run(c -> Jdbc.update(c, "INSERT INTO rooms (name, created_by, created_at) VALUES (?, ?, ?) "
        + "ON CONFLICT DO NOTHING", name, createdBy, now) == 1);
  }

  /** What became of a room creation with limits. */
  public enum Created {
    /** The room exists now. */
    CREATED,
    /** A room of that name existed already. */
    EXISTS,
    /** The user has created as many rooms as one may. */
    TOO_MANY_FOR_USER,
    /** The server has as many rooms as it keeps. */
    TOO_MANY
  }

  /**
   * Creates a room unless there are {@code maxRooms} rooms, or {@code createdBy} created
   * {@code maxPerUser} of them: one statement, so two creations at once cannot both pass a limit
   * (SQLite runs one write at a time).
   */
  public Created createRoom(String name, String createdBy, long now, int maxRooms, int maxPerUser) {
    return db().run(c -> {
      int n = Jdbc.update(c, "INSERT INTO rooms (name, created_by, created_at) SELECT ?, ?, ? "
          + "WHERE (SELECT COUNT(*) FROM rooms) < ? AND (SELECT COUNT(*) FROM rooms WHERE created_by = ?) < ? "
          + "ON CONFLICT DO NOTHING", name, createdBy, now, maxRooms, createdBy, maxPerUser);
      if (n == 1) {
        return Created.CREATED;
      }
      if (Jdbc.queryOne(c, "SELECT name FROM rooms WHERE name = ?", rs -> rs.getString(1), name).isPresent()) {
        return Created.EXISTS;
      }
      long mine = Jdbc.queryOne(c, "SELECT COUNT(*) FROM rooms WHERE created_by = ?", rs -> rs.getLong(1), createdBy)
          .orElse(0L);
      return mine >= maxPerUser ? Created.TOO_MANY_FOR_USER : Created.TOO_MANY;
    });
  }

  public boolean roomExists(String name) {
    return db().run(c -> Jdbc.queryOne(c, "SELECT name FROM rooms WHERE name = ?", rs -> rs.getString(1), name))
        .isPresent();
  }

  /** Every room, by name. */
  public List<String> rooms() {
    return db().run(c -> Jdbc.queryList(c, "SELECT name FROM rooms ORDER BY name", rs -> rs.getString(1)));
  }

  // =====================================================================================
  // messages

  /** Stores a message, unless its seq is taken or its sender already sent its client id. */
  public Appended append(ChatMessage m) {
    return db().run(c -> {
      int n = Jdbc.update(c, "INSERT INTO messages (room, seq, sender, client_id, body, sent_at) VALUES (?, ?, ?, ?, ?, ?) "
          + "ON CONFLICT DO NOTHING", m.room(), m.seq(), m.from(), m.clientId(), m.text(), m.ts());
      if (n == 1) {
        return new Appended.Stored();
      }
      Optional<Long> existing = Jdbc.queryOne(c, "SELECT seq FROM messages WHERE room = ? AND sender = ? AND client_id = ?",
          rs -> rs.getLong(1), m.room(), m.from(), m.clientId());
      return existing.<Appended>map(Appended.Duplicate::new).orElseGet(Appended.SeqTaken::new);
    });
  }

  /** The room's last seq (0 if it has no messages) and its {@code n} most recent messages. */
  public RoomHead head(String room, int n) {
    return db().run(c -> {
      long last = Jdbc.queryOne(c, "SELECT MAX(seq) FROM messages WHERE room = ?", rs -> rs.getLong(1), room).orElse(0L);
      List<ChatMessage> recent = Jdbc.queryList(c, SELECT_MESSAGES + "WHERE room = ? ORDER BY seq DESC LIMIT ?",
          Store::message, room, n);
      return new RoomHead(last, recent);
    });
  }

  /** Messages with seq greater than {@code since}, oldest first, at most {@code limit}. */
  public Page after(String room, long since, int limit) {
    List<ChatMessage> rows = db().run(c -> Jdbc.queryList(c,
        SELECT_MESSAGES + "WHERE room = ? AND seq > ? ORDER BY seq LIMIT ?", Store::message, room, since, limit + 1));
    return page(rows, limit, false);
  }

  /** The {@code limit} messages just before {@code seq}, oldest first. */
  public Page before(String room, long seq, int limit) {
    List<ChatMessage> rows = db().run(c -> Jdbc.queryList(c,
        SELECT_MESSAGES + "WHERE room = ? AND seq < ? ORDER BY seq DESC LIMIT ?", Store::message, room, seq, limit + 1));
    return page(rows, limit, true);
  }

  private static Page page(List<ChatMessage> rows, int limit, boolean newestFirst) {
    boolean more = rows.size() > limit;
    List<ChatMessage> kept = new ArrayList<>(more ? rows.subList(0, limit) : rows);
    if (newestFirst) {
      Collections.reverse(kept);
    }
    return new Page(List.copyOf(kept), more);
  }

  private static final String SELECT_MESSAGES = "SELECT room, seq, sender, body, sent_at, client_id FROM messages ";

  private static ChatMessage message(ResultSet rs) throws SQLException {
    return new ChatMessage(rs.getString(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getLong(5),
        rs.getString(6));
  }

  // =====================================================================================
  // the database behind the facade

  void install(Database db) {
    Database previous = current.getAndSet(db);
    if (previous != null) {
      // A store process that was killed could not close its database: close it now.
      previous.close();
    }
  }

  void uninstall(Database db) {
    current.compareAndSet(db, null);
  }

  private Database db() {
    Database db = current.get();
    if (db == null) {
      throw new StoreException("the store is not running (it is starting or restarting); try again", null);
    }
    return db;
  }

  /** A store operation failed: the database is unreachable, a statement failed, or it took too long. */
  public static final class StoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    StoreException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** Work to run with a connection, on a database thread. */
  @FunctionalInterface
  interface SqlWork<T> {
    T run(Connection c) throws SQLException;
  }

  /**
   * An open database: a pool of platform threads, each with its own JDBC connection. Opened by the
   * store process, closed when it terminates.
   */
  static final class Database implements AutoCloseable {
    private static final long TIMEOUT_SECONDS = 10;
    private static final List<String> SCHEMA = List.of(
        "CREATE TABLE IF NOT EXISTS users (name VARCHAR(32) PRIMARY KEY, password_hash VARCHAR(200) NOT NULL, "
            + "created_at BIGINT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS sessions (token_hash VARCHAR(64) PRIMARY KEY, user_name VARCHAR(32) NOT NULL, "
            + "created_at BIGINT NOT NULL)",
        // user names are case-insensitive: "Alice" cannot sign up when "alice" exists
        "CREATE UNIQUE INDEX IF NOT EXISTS users_name_nocase ON users (lower(name))",
        "CREATE TABLE IF NOT EXISTS rooms (name VARCHAR(32) PRIMARY KEY, created_by VARCHAR(32), "
            + "created_at BIGINT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS messages (room VARCHAR(32) NOT NULL, seq BIGINT NOT NULL, "
            + "sender VARCHAR(32) NOT NULL, client_id VARCHAR(64) NOT NULL, body TEXT NOT NULL, "
            + "sent_at BIGINT NOT NULL, PRIMARY KEY (room, seq), UNIQUE (room, sender, client_id))");

    private final ChatConfig config;
    private final ExecutorService executor;
    private final ThreadConnections connections;

    private Database(ChatConfig config) {
      this.config = config;
      this.connections = new ThreadConnections(config.effectiveJdbcUrl(), config.jdbcUser(), config.jdbcPassword(),
          // The busy timeout first: on several nodes, another node's JVM may hold the file's lock while
          // this one sets WAL mode.
          config.embedded()
              ? List.of("PRAGMA busy_timeout=10000", "PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL")
              : List.of());
      AtomicInteger n = new AtomicInteger();
      this.executor = Executors.newFixedThreadPool(config.dbThreads(),
          r -> Thread.ofPlatform().name("chat-db-" + n.incrementAndGet()).daemon(true).unstarted(r));
    }

    /** Opens the database and creates its tables if they do not exist. */
    static Database open(ChatConfig config) {
      if (config.embedded()) {
        try {
          java.nio.file.Files.createDirectories(config.dataDir());
        } catch (java.io.IOException e) {
          throw new StoreException("cannot create the data folder " + config.dataDir().toAbsolutePath()
              + ": " + e.getMessage() + " (set otp.chat.dataDir to a writable folder)", e);
        }
      }
      Database db = new Database(config);
      try {
        db.run(c -> {
          try (Statement st = c.createStatement()) {
            for (String ddl : SCHEMA) {
              st.execute(ddl);
            }
          }
          return null;
        });
      } catch (RuntimeException e) {
        db.close();
        throw e;
      }
      return db;
    }

    /** Runs {@code work} on a database thread and waits for it. */
    <T> T run(SqlWork<T> work) {
      Future<T> f;
      try {
        f = executor.submit(() -> work.run(connection()));
      } catch (java.util.concurrent.RejectedExecutionException e) {
        throw new StoreException("the store is closed", e);
      }
      return Jdbc.await(f, TIMEOUT_SECONDS, Jdbc.OnGiveUp.CANCEL, StoreException::new);
    }

    private Connection connection() throws SQLException {
      return connections.get();
    }

    @Override
    public void close() {
      executor.shutdown();
      try {
        executor.awaitTermination(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      connections.close();
    }
  }
}
