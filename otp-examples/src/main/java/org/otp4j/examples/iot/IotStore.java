package org.otp4j.examples.iot;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.otp4j.examples.Jdbc;
import org.otp4j.examples.ThreadConnections;
import org.otp4j.examples.iot.DeviceMessage.Status;
import org.otp4j.examples.iot.DeviceMessage.Telemetry;

/**
 * The platform's database: SQLite in WAL mode by default, PostgreSQL when a JDBC URL is given; the
 * same SQL runs on both. Statements run on platform threads of the store's own (one writes, two
 * read), never on a process's carrier thread; processes wait for them with {@link Jdbc#await}.
 *
 * <p>Readings are keyed by device, time and sequence number, and inserted with
 * {@code ON CONFLICT DO NOTHING}, so a message the broker delivers twice is stored once. A batch
 * (readings, statuses and the per-minute windows computed from the same readings) is one
 * transaction: the windows never count a reading the table does not hold.
 */
public final class IotStore implements AutoCloseable {
  private static final long TIMEOUT_SECONDS = 60;

  private static final List<String> SCHEMA = List.of(
      "CREATE TABLE IF NOT EXISTS readings (device TEXT NOT NULL, ts BIGINT NOT NULL, seq BIGINT NOT NULL, "
          + "grp TEXT NOT NULL, temperature DOUBLE PRECISION NOT NULL, battery DOUBLE PRECISION NOT NULL, "
          + "lat DOUBLE PRECISION NOT NULL, lon DOUBLE PRECISION NOT NULL, fault TEXT, PRIMARY KEY (device, ts, seq))",
      "CREATE TABLE IF NOT EXISTS windows (scope TEXT NOT NULL, id TEXT NOT NULL, minute BIGINT NOT NULL, "
          + "n BIGINT NOT NULL, tmin DOUBLE PRECISION NOT NULL, tmax DOUBLE PRECISION NOT NULL, "
          + "tsum DOUBLE PRECISION NOT NULL, PRIMARY KEY (scope, id, minute))",
      "CREATE TABLE IF NOT EXISTS devices (id TEXT PRIMARY KEY, grp TEXT, online INTEGER NOT NULL, "
          + "status_ts BIGINT NOT NULL, interval_ms BIGINT, firmware TEXT)",
      "CREATE TABLE IF NOT EXISTS commands (id TEXT PRIMARY KEY, device TEXT NOT NULL, type TEXT NOT NULL, "
          + "args TEXT NOT NULL, state TEXT NOT NULL, attempts INTEGER NOT NULL, detail TEXT NOT NULL, "
          + "created BIGINT NOT NULL, updated BIGINT NOT NULL)");

  private final IotConfig config;
  private final ThreadConnections connections;
  private final ExecutorService writer;
  private final ExecutorService readers;

  private IotStore(IotConfig config) {
    this.config = config;
    List<String> setup = config.embedded()
        // The busy timeout first: another node's JVM may hold the file's lock while this one sets WAL.
        ? List.of("PRAGMA busy_timeout=10000", "PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL")
        : List.of();
    this.connections = new ThreadConnections(config.effectiveJdbcUrl(), config.jdbcUser(), config.jdbcPassword(), setup);
    this.writer = Executors.newSingleThreadExecutor(Thread.ofPlatform().name("iot-db-write").factory());
    this.readers = Executors.newFixedThreadPool(2, Thread.ofPlatform().name("iot-db-read-", 0).factory());
  }

  /**
   * Opens the database and creates its tables if they are missing.
   *
   * @throws StoreException if it cannot be opened (the message says which URL and why)
   */
  static IotStore open(IotConfig config) {
    if (config.embedded()) {
      try {
        Files.createDirectories(config.dataDir());
      } catch (java.io.IOException e) {
        throw new StoreException("cannot create the data folder " + config.dataDir().toAbsolutePath() + ": "
            + e.getMessage() + " (set otp.iot.dataDir to a writable folder)", e);
      }
    }
    IotStore store = new IotStore(config);
    try {
      store.write(() -> {
        Connection c = store.connections.get();
        try (Statement st = c.createStatement()) {
          for (String ddl : SCHEMA) {
            st.execute(ddl);
          }
        }
        c.setAutoCommit(false);
        return null;
      });
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
    return store;
  }

  /**
   * A minute's temperature window of a device ({@code scope} {@code device}) or a group
   * ({@code group}).
   *
   * @param scope {@code device} or {@code group}
   * @param id the device's or group's id
   * @param minute epoch minutes
   * @param n how many readings
   * @param min the lowest temperature
   * @param max the highest
   * @param sum their sum (the average is {@code sum / n})
   */
  public record Window(String scope, String id, long minute, long n, double min, double max, double sum) {
    /** The average temperature. */
    public double avg() {
      return n == 0 ? Double.NaN : sum / n;
    }

    /** This window merged with {@code other} of the same key. */
    Window merge(Window other) {
      return new Window(scope, id, minute, n + other.n, Math.min(min, other.min), Math.max(max, other.max),
          sum + other.sum);
    }
  }

  /**
   * What the store knows of a device, to rebuild its process.
   *
   * @param id the device
   * @param group its group, if it has sent a reading
   * @param online whether its last status said online
   * @param last its newest stored reading, if any
   * @param intervalMs its reporting interval as last configured, if ever
   * @param firmware its firmware version as last installed, if ever
   */
  public record StoredDevice(String id, Optional<String> group, boolean online, Optional<Telemetry> last,
      Optional<Long> intervalMs, Optional<String> firmware) {}

  /**
   * Writes a batch in one transaction: readings (a reading already stored is skipped), statuses,
   * and windows added to the stored ones.
   *
   * @return how many readings were new
   * @throws StoreException if the database failed (nothing of the batch is kept)
   */
  int writeBatch(List<Telemetry> readings, List<Status> statuses, List<Window> windows) {
    // Several nodes write the same rows (a device's, a group's windows) at once: every transaction
    // takes its row locks in one order, each table's rows sorted by key, so that two never wait for
    // each other (PostgreSQL would end one of them as a deadlock). Each table's rows go as one batch.
    List<Telemetry> sorted = new ArrayList<>(readings);
    sorted.sort(Comparator.comparing(Telemetry::device).thenComparingLong(Telemetry::ts)
        .thenComparingLong(Telemetry::seq));
    return write(() -> {
      if (config.writeDelay().isPositive()) {
        Thread.sleep(config.writeDelay()); // a deliberately slow database, to show back-pressure
      }
      Connection c = connections.get();
      int inserted = 0;
      Map<List<Object>, Window> counted = new HashMap<>();
      for (Window w : windows) {
        counted.merge(List.of(w.scope(), w.id(), w.minute()), w, Window::merge); // one key per several batches
      }
      try {
        try (PreparedStatement st = c.prepareStatement("INSERT INTO readings (device, ts, seq, grp, temperature, "
            + "battery, lat, lon, fault) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
          for (Telemetry t : sorted) {
            st.setString(1, t.device());
            st.setLong(2, t.ts());
            st.setLong(3, t.seq());
            st.setString(4, t.group());
            st.setDouble(5, t.temperature());
            st.setDouble(6, t.battery());
            st.setDouble(7, t.lat());
            st.setDouble(8, t.lon());
            st.setString(9, t.fault());
            st.addBatch();
          }
          int[] counts = sorted.isEmpty() ? new int[0] : st.executeBatch();
          for (int i = 0; i < counts.length; i++) {
            if (counts[i] > 0) {
              inserted += counts[i];
            } else if (counts[i] == 0) {
              // Stored already (a late redelivery): the windows count it once. Its temperature is
              // the stored one's, so the minimum and maximum stay; the count and sum give it back.
              Telemetry t = sorted.get(i);
              long minute = Math.floorDiv(t.ts(), 60_000L);
              uncount(counted, List.of("device", t.device(), minute), t.temperature());
              uncount(counted, List.of("group", t.group(), minute), t.temperature());
            }
          }
        }
        writeDevices(c, sorted, statuses);
        List<Window> changed = new ArrayList<>();
        for (Window w : counted.values()) {
          if (w.n() != 0) {
            changed.add(w);
          }
        }
        changed.sort(Comparator.comparing(Window::scope).thenComparing(Window::id).thenComparingLong(Window::minute));
        try (PreparedStatement st = c.prepareStatement("INSERT INTO windows (scope, id, minute, n, tmin, tmax, tsum) "
            + "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (scope, id, minute) DO UPDATE SET n = windows.n + excluded.n, "
            + "tmin = CASE WHEN excluded.tmin < windows.tmin THEN excluded.tmin ELSE windows.tmin END, "
            + "tmax = CASE WHEN excluded.tmax > windows.tmax THEN excluded.tmax ELSE windows.tmax END, "
            + "tsum = windows.tsum + excluded.tsum")) {
          for (Window w : changed) {
            st.setString(1, w.scope());
            st.setString(2, w.id());
            st.setLong(3, w.minute());
            st.setLong(4, w.n());
            st.setDouble(5, w.min());
            st.setDouble(6, w.max());
            st.setDouble(7, w.sum());
            st.addBatch();
          }
          if (!changed.isEmpty()) {
            st.executeBatch();
          }
        }
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
      return inserted;
    });
  }

  /**
   * The devices' rows of a batch, in the order of their ids: a device's group from its last reading
   * (a device seen for the first time is online), then its newest status, if newer than the stored one.
   */
  private static void writeDevices(Connection c, List<Telemetry> sortedReadings, List<Status> statuses)
      throws SQLException {
    TreeMap<String, Telemetry> lastReading = new TreeMap<>();
    for (Telemetry t : sortedReadings) {
      lastReading.put(t.device(), t); // sorted by time within a device: the last one wins
    }
    TreeMap<String, Status> newestStatus = new TreeMap<>();
    for (Status st : statuses) {
      newestStatus.merge(st.device(), st, (a, b) -> b.ts() >= a.ts() ? b : a);
    }
    TreeSet<String> ids = new TreeSet<>(lastReading.keySet());
    ids.addAll(newestStatus.keySet());
    try (PreparedStatement reading = c.prepareStatement("INSERT INTO devices (id, grp, online, status_ts) "
        + "VALUES (?, ?, 1, ?) ON CONFLICT (id) DO UPDATE SET grp = excluded.grp");
        PreparedStatement status = c.prepareStatement("INSERT INTO devices (id, online, status_ts) VALUES (?, ?, ?) "
            + "ON CONFLICT (id) DO UPDATE SET online = excluded.online, status_ts = excluded.status_ts "
            + "WHERE devices.status_ts <= excluded.status_ts")) {
      for (String id : ids) {
        Telemetry t = lastReading.get(id);
        if (t != null) {
          reading.setString(1, id);
          reading.setString(2, t.group());
          reading.setLong(3, t.ts());
          reading.executeUpdate();
        }
        Status st = newestStatus.get(id);
        if (st != null) {
          status.setString(1, id);
          status.setInt(2, st.online() ? 1 : 0);
          status.setLong(3, st.ts());
          status.executeUpdate();
        }
      }
    }
  }

  private static void uncount(Map<List<Object>, Window> windows, List<Object> key, double temperature) {
    windows.computeIfPresent(key, (k, w) -> new Window(w.scope(), w.id(), w.minute(), w.n() - 1, w.min(), w.max(),
        w.sum() - temperature));
  }

  /** Records a device's configuration or firmware after it acknowledged a command that changed it. */
  void setDeviceConfig(String id, Long intervalMs, String firmware) {
    write(() -> {
      Connection c = connections.get();
      Jdbc.update(c, "INSERT INTO devices (id, online, status_ts, interval_ms, firmware) VALUES (?, 0, 0, ?, ?) "
          + "ON CONFLICT (id) DO UPDATE SET interval_ms = COALESCE(excluded.interval_ms, devices.interval_ms), "
          + "firmware = COALESCE(excluded.firmware, devices.firmware)", id, intervalMs, firmware);
      c.commit();
      return null;
    });
  }

  /**
   * A command as the store keeps it.
   *
   * @param id the command's id
   * @param device the device it is for
   * @param type {@code set_config}, {@code reboot} or {@code firmware}
   * @param args its arguments, as the JSON object sent to the device
   * @param state {@code sent} while under way, then {@code done}, {@code failed} (the device answered
   *     with an error) or {@code expired} (no answer after every attempt)
   * @param attempts how many times it was published
   * @param detail what the device answered, or why it expired
   * @param created when it was created, epoch milliseconds
   * @param updated when it last changed, epoch milliseconds
   */
  public record StoredCommand(String id, String device, String type, String args, String state, int attempts,
      String detail, long created, long updated) {}

  /** Records a new command as {@code sent} with no attempt yet; a command already stored is left as it is. */
  void insertCommand(String id, String device, String type, String args, long now) {
    write(() -> {
      Connection c = connections.get();
      Jdbc.update(c, "INSERT INTO commands (id, device, type, args, state, attempts, detail, created, updated) "
          + "VALUES (?, ?, ?, ?, 'sent', 0, '', ?, ?) ON CONFLICT (id) DO NOTHING", id, device, type, args, now, now);
      c.commit();
      return null;
    });
  }

  /** Sets a command's state, attempts and detail. */
  void updateCommand(String id, String state, int attempts, String detail, long now) {
    write(() -> {
      Connection c = connections.get();
      Jdbc.update(c, "UPDATE commands SET state = ?, attempts = ?, detail = ?, updated = ? WHERE id = ?",
          state, attempts, detail, now, id);
      c.commit();
      return null;
    });
  }

  /** Command {@code id}, if it was ever sent. */
  public Optional<StoredCommand> command(String id) {
    return read(c -> Jdbc.queryOne(c, COMMAND_COLUMNS + "WHERE id = ?", IotStore::command, id));
  }

  /** The newest {@code limit} commands of device {@code device}, newest first. */
  public List<StoredCommand> commands(String device, int limit) {
    return read(c -> Jdbc.queryList(c, COMMAND_COLUMNS + "WHERE device = ? ORDER BY created DESC, id DESC LIMIT ?",
        IotStore::command, device, limit));
  }

  /** Every command still under way, oldest first (to take them up again after a restart). */
  List<StoredCommand> commandsUnderWay() {
    return read(c -> Jdbc.queryList(c, COMMAND_COLUMNS + "WHERE state = 'sent' ORDER BY created", IotStore::command));
  }

  private static final String COMMAND_COLUMNS =
      "SELECT id, device, type, args, state, attempts, detail, created, updated FROM commands ";

  private static StoredCommand command(java.sql.ResultSet rs) throws SQLException {
    return new StoredCommand(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
        rs.getInt(6), rs.getString(7), rs.getLong(8), rs.getLong(9));
  }

  /** How many devices the store knows, and how many of them its last status says are online: {total, online}. */
  public long[] deviceCounts() {
    return read(c -> Jdbc.queryOne(c, "SELECT COUNT(*), COALESCE(SUM(online), 0) FROM devices",
        rs -> new long[] {rs.getLong(1), rs.getLong(2)}).orElse(new long[2]));
  }

  /** What the store knows of device {@code id}. */
  public StoredDevice device(String id) {
    return read(c -> {
      Optional<Telemetry> last = Jdbc.queryOne(c, "SELECT device, grp, seq, ts, temperature, battery, lat, lon, fault "
          + "FROM readings WHERE device = ? ORDER BY ts DESC, seq DESC LIMIT 1", IotStore::telemetry, id);
      record Row(String group, Long interval, String firmware, boolean online) {}
      // online (NOT NULL) last: Jdbc.queryOne reads wasNull() of the last column read.
      Optional<Row> row = Jdbc.queryOne(c, "SELECT grp, interval_ms, firmware, online FROM devices WHERE id = ?",
          rs -> new Row(rs.getString(1), rs.getObject(2) == null ? null : rs.getLong(2), rs.getString(3),
              rs.getInt(4) == 1), id);
      return new StoredDevice(id, row.map(Row::group), row.map(Row::online).orElse(false), last,
          row.map(Row::interval), row.map(Row::firmware));
    });
  }

  /** The ids of the commands to device {@code id} still under way, oldest first. */
  public List<String> pendingCommands(String id) {
    return read(c -> Jdbc.queryList(c, "SELECT id FROM commands WHERE device = ? AND state = 'sent' ORDER BY created",
        rs -> rs.getString(1), id));
  }

  /** The newest {@code limit} readings of device {@code id}, newest first. */
  public List<Telemetry> history(String id, int limit) {
    return read(c -> Jdbc.queryList(c, "SELECT device, grp, seq, ts, temperature, battery, lat, lon, fault FROM readings "
        + "WHERE device = ? ORDER BY ts DESC, seq DESC LIMIT ?", IotStore::telemetry, id, limit));
  }

  /** How many readings are stored for device {@code id}. */
  public long countReadings(String id) {
    return read(c -> Jdbc.queryOne(c, "SELECT COUNT(*) FROM readings WHERE device = ?", rs -> rs.getLong(1), id)
        .orElse(0L));
  }

  /** How many readings are stored. */
  public long countReadings() {
    return read(c -> Jdbc.queryOne(c, "SELECT COUNT(*) FROM readings", rs -> rs.getLong(1)).orElse(0L));
  }

  /** The stored windows of a device ({@code scope} {@code device}) or group ({@code group}), oldest first. */
  public List<Window> windows(String scope, String id) {
    return read(c -> Jdbc.queryList(c, "SELECT scope, id, minute, n, tmin, tmax, tsum FROM windows "
        + "WHERE scope = ? AND id = ? ORDER BY minute", rs -> new Window(rs.getString(1), rs.getString(2),
        rs.getLong(3), rs.getLong(4), rs.getDouble(5), rs.getDouble(6), rs.getDouble(7)), scope, id));
  }

  private static Telemetry telemetry(java.sql.ResultSet rs) throws SQLException {
    // The fault (often NULL) first: Jdbc.queryOne reads wasNull() of the last column read.
    String fault = rs.getString(9);
    return new Telemetry(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4), rs.getDouble(5),
        rs.getDouble(6), rs.getDouble(7), rs.getDouble(8), fault);
  }

  /** Reading work: a function of a connection. */
  @FunctionalInterface
  interface Read<T> {
    T run(Connection c) throws Exception;
  }

  <T> T read(Read<T> work) {
    return Jdbc.await(readers.submit(() -> work.run(connections.get())), TIMEOUT_SECONDS, Jdbc.OnGiveUp.CANCEL,
        StoreException::new);
  }

  private <T> T write(Callable<T> work) {
    // A batch is written whatever becomes of the process waiting for it: its messages are
    // acknowledged only when the wait returns, so an unfinished one is delivered again.
    return Jdbc.await(writer.submit(work), TIMEOUT_SECONDS, Jdbc.OnGiveUp.LET_FINISH, StoreException::new);
  }

  /** Closes the threads, then the connections. */
  @Override
  public void close() {
    writer.shutdown();
    readers.shutdown();
    try {
      writer.awaitTermination(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      readers.awaitTermination(Duration.ofSeconds(10).toSeconds(), TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    connections.close();
  }

  /** The database failed, did not answer in time, or could not be opened. */
  public static final class StoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    StoreException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
