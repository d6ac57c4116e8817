package org.otp4j.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The ledger benchmark's peer: the same HTTP API for accounts, deposits and transfers, written the
 * plain way, a Jetty handler over a HikariCP pool with one database transaction per request.
 *
 * <p>A transfer is one transaction: the transfer row with the client's idempotency key (unique: a
 * retry finds the first outcome), both account rows locked in id order ({@code SELECT ... FOR
 * UPDATE} on PostgreSQL, at READ COMMITTED: two transfers over the same pair of accounts queue on
 * the first row, so no deadlock), the funds checked, both balances updated and the two journal
 * entries written (double entry: they add up to zero), then commit. On SQLite the pool holds the
 * one connection a writer may use, and every transaction starts with {@code BEGIN IMMEDIATE}.
 * The schema keeps the ledger's column names for what both have (accounts' {@code balance} and
 * {@code kind}, {@code entries}), so that one conservation check reads both.
 */
final class PlainLedger implements AutoCloseable {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  /** The other side of deposits, as in the ledger. */
  static final String WORLD = "world:EUR";

  private final HikariDataSource pool;
  private final Server server;
  private final boolean sqlite;
  private final String describe;

  /**
   * Opens the pool, creates the tables, and starts the HTTP server on a free port.
   *
   * @param jdbcUrl a {@code jdbc:sqlite:} file or a {@code jdbc:postgresql:} database
   * @param poolSize connections in the pool on PostgreSQL (SQLite always has one: its one writer)
   */
  PlainLedger(String jdbcUrl, int poolSize) throws Exception {
    this.sqlite = jdbcUrl.startsWith("jdbc:sqlite:");
    HikariConfig hc = new HikariConfig();
    hc.setPoolName("plain-ledger");
    if (sqlite) {
      // sqlite-jdbc reads these pragmas from the URL; transaction_mode makes every transaction BEGIN IMMEDIATE
      hc.setJdbcUrl(jdbcUrl + "?journal_mode=WAL&synchronous=FULL&busy_timeout=10000&transaction_mode=IMMEDIATE");
      hc.setMaximumPoolSize(1);
    } else {
      hc.setJdbcUrl(jdbcUrl);
      hc.setMaximumPoolSize(poolSize);
      hc.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
      hc.addDataSourceProperty("prepareThreshold", "1"); // server-side prepared statements from the first use
    }
    hc.setMinimumIdle(hc.getMaximumPoolSize());
    hc.setAutoCommit(false);
    hc.setConnectionTimeout(30_000);
    this.pool = new HikariDataSource(hc);
    createTables();
    this.describe = describe(poolSize);
    QueuedThreadPool threads = new QueuedThreadPool(64, 4);
    threads.setName("plain-http");
    this.server = new Server(threads);
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    server.setHandler(new Api());
    server.start();
  }

  /** The HTTP port it listens on. */
  int port() {
    return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
  }

  /** Its configuration, for the report. */
  String describe() {
    return describe;
  }

  private String describe(int poolSize) throws SQLException {
    if (sqlite) {
      try (Connection c = pool.getConnection(); Statement st = c.createStatement()) {
        String mode = one(st, "PRAGMA journal_mode");
        String sync = one(st, "PRAGMA synchronous"); // 2 = FULL
        c.commit();
        return "HikariCP, 1 connection (SQLite's one writer), journal_mode=" + mode + ", synchronous="
            + (sync.equals("2") ? "FULL" : sync) + ", BEGIN IMMEDIATE per transfer";
      }
    }
    try (Connection c = pool.getConnection(); Statement st = c.createStatement()) {
      String sync = one(st, "SHOW synchronous_commit");
      String fsync = one(st, "SHOW fsync");
      c.commit();
      return "HikariCP, " + poolSize + " connections, READ COMMITTED, SELECT ... FOR UPDATE of both accounts in id "
          + "order; server fsync=" + fsync + ", synchronous_commit=" + sync;
    }
  }

  private static String one(Statement st, String sql) throws SQLException {
    try (ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private void createTables() throws SQLException {
    String id = sqlite ? "INTEGER PRIMARY KEY" : "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY";
    List<String> ddl = List.of(
        "CREATE TABLE accounts (id VARCHAR(64) PRIMARY KEY, currency CHAR(3) NOT NULL, balance BIGINT NOT NULL, "
            + "kind VARCHAR(8) NOT NULL, created_at BIGINT NOT NULL)",
        "CREATE TABLE transfers (id " + id + ", idem_key VARCHAR(200) NOT NULL UNIQUE, kind VARCHAR(10) NOT NULL, "
            + "from_acct VARCHAR(64) NOT NULL, to_acct VARCHAR(64) NOT NULL, amount BIGINT NOT NULL, "
            + "created_at BIGINT NOT NULL)",
        "CREATE TABLE entries (transfer_id BIGINT NOT NULL, account_id VARCHAR(64) NOT NULL, amount BIGINT NOT NULL, "
            + "kind VARCHAR(10) NOT NULL, created_at BIGINT NOT NULL, PRIMARY KEY (transfer_id, account_id))",
        "CREATE INDEX entries_account ON entries (account_id)",
        "INSERT INTO accounts (id, currency, balance, kind, created_at) VALUES ('" + WORLD + "', 'EUR', 0, 'world', 0)");
    try (Connection c = pool.getConnection(); Statement st = c.createStatement()) {
      for (String s : ddl) {
        st.execute(s);
      }
      c.commit();
    }
  }

  /** An HTTP answer. */
  private record Answer(int status, JsonNode body) {}

  /** A refusal: the transaction is rolled back and the client gets {@code status}. */
  private static final class Refused extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;

    Refused(int status, String code) {
      super(code, null, false, false);
      this.status = status;
    }
  }

  private final class Api extends Handler.Abstract {
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      Answer a;
      try {
        a = route(request);
      } catch (Refused r) {
        ObjectNode n = JSON.createObjectNode();
        n.put("error", r.getMessage());
        a = new Answer(r.status, n);
      } catch (SQLException | IOException | RuntimeException e) {
        ObjectNode n = JSON.createObjectNode();
        n.put("error", "unavailable");
        n.put("message", String.valueOf(e.getMessage()));
        a = new Answer(503, n);
      }
      response.setStatus(a.status());
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
      response.write(true, ByteBuffer.wrap(JSON.writeValueAsBytes(a.body())), callback);
      return true;
    }

    private Answer route(Request request) throws SQLException, IOException {
      String[] p = Request.getPathInContext(request).split("/", -1);
      String method = request.getMethod();
      if (p.length == 2 && p[1].equals("accounts") && method.equals("POST")) {
        JsonNode b = body(request);
        return new Answer(201, openAccount(b.get("id").asString(), b.get("currency").asString()));
      }
      if (p.length == 3 && p[1].equals("accounts") && method.equals("GET")) {
        return new Answer(200, account(p[2]));
      }
      if (p.length == 4 && p[1].equals("accounts") && p[3].equals("deposit") && method.equals("POST")) {
        long amount = body(request).get("amount").asLong();
        return new Answer(200, move(key(request), "deposit", WORLD, p[2], amount));
      }
      if (p.length == 2 && p[1].equals("transfers") && method.equals("POST")) {
        JsonNode b = body(request);
        String from = b.get("from").asString();
        String to = b.get("to").asString();
        if (from.equals(to)) {
          throw new Refused(400, "same_account");
        }
        return new Answer(200, move(key(request), "transfer", from, to, b.get("amount").asLong()));
      }
      throw new Refused(404, "not_found");
    }

    private static String key(Request request) {
      String key = request.getHeaders().get("Idempotency-Key");
      if (key == null || key.isBlank()) {
        throw new Refused(400, "missing_idempotency_key");
      }
      return key;
    }

    private static JsonNode body(Request request) throws IOException {
      try (InputStream in = Content.Source.asInputStream(request)) {
        JsonNode n = JSON.readTree(in.readNBytes(16_384));
        if (n == null || !n.isObject()) {
          throw new Refused(400, "malformed_json");
        }
        return n;
      }
    }
  }

  private ObjectNode openAccount(String id, String currency) throws SQLException {
    try (Connection c = pool.getConnection()) {
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO accounts (id, currency, balance, kind, created_at) VALUES (?, ?, 0, 'customer', ?)")) {
        ps.setString(1, id);
        ps.setString(2, currency);
        ps.setLong(3, System.currentTimeMillis());
        ps.executeUpdate();
        c.commit();
      } catch (SQLException e) {
        c.rollback();
        throw e;
      }
    }
    ObjectNode n = JSON.createObjectNode();
    n.put("id", id);
    n.put("currency", currency);
    n.put("balance", 0);
    return n;
  }

  private ObjectNode account(String id) throws SQLException {
    try (Connection c = pool.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT balance FROM accounts WHERE id = ?")) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        c.commit();
        if (!rs.next()) {
          throw new Refused(404, "unknown_account");
        }
        ObjectNode n = JSON.createObjectNode();
        n.put("id", id);
        n.put("balance", rs.getLong(1));
        return n;
      }
    }
  }

  /**
   * Moves {@code amount} from one account to another in one transaction, idempotent by {@code key};
   * the world account (deposits) may go below zero, a customer's may not.
   */
  private ObjectNode move(String key, String kind, String from, String to, long amount) throws SQLException {
    if (amount <= 0) {
      throw new Refused(400, "invalid_amount");
    }
    try (Connection c = pool.getConnection()) {
      try {
        ObjectNode out = moveIn(c, key, kind, from, to, amount);
        c.commit();
        return out;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
  }

  private ObjectNode moveIn(Connection c, String key, String kind, String from, String to, long amount)
      throws SQLException {
    long now = System.currentTimeMillis();
    long id;
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO transfers (idem_key, kind, from_acct, to_acct, amount, "
        + "created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (idem_key) DO NOTHING RETURNING id")) {
      ps.setString(1, key);
      ps.setString(2, kind);
      ps.setString(3, from);
      ps.setString(4, to);
      ps.setLong(5, amount);
      ps.setLong(6, now);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          // a retry: the first request with this key made the movement
          ObjectNode n = JSON.createObjectNode();
          n.put("key", key);
          n.put("state", "COMPLETED");
          return n;
        }
        id = rs.getLong(1);
      }
    }
    // both rows, locked in id order (SQLite: the IMMEDIATE transaction holds the whole database)
    long fromBalance = Long.MIN_VALUE;
    int found = 0;
    try (PreparedStatement ps = c.prepareStatement("SELECT id, balance FROM accounts WHERE id IN (?, ?) ORDER BY id"
        + (sqlite ? "" : " FOR UPDATE"))) {
      ps.setString(1, from);
      ps.setString(2, to);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          found++;
          if (rs.getString(1).equals(from)) {
            fromBalance = rs.getLong(2);
          }
        }
      }
    }
    if (found != 2) {
      throw new Refused(404, "unknown_account");
    }
    if (!from.equals(WORLD) && fromBalance < amount) {
      throw new Refused(422, "insufficient_funds");
    }
    try (PreparedStatement ps = c.prepareStatement("UPDATE accounts SET balance = balance + ? WHERE id = ?")) {
      ps.setLong(1, -amount);
      ps.setString(2, from);
      ps.addBatch();
      ps.setLong(1, amount);
      ps.setString(2, to);
      ps.addBatch();
      ps.executeBatch();
    }
    try (PreparedStatement ps = c.prepareStatement(
        "INSERT INTO entries (transfer_id, account_id, amount, kind, created_at) VALUES (?, ?, ?, ?, ?), (?, ?, ?, ?, ?)")) {
      ps.setLong(1, id);
      ps.setString(2, from);
      ps.setLong(3, -amount);
      ps.setString(4, kind);
      ps.setLong(5, now);
      ps.setLong(6, id);
      ps.setString(7, to);
      ps.setLong(8, amount);
      ps.setString(9, kind);
      ps.setLong(10, now);
      ps.executeUpdate();
    }
    ObjectNode n = JSON.createObjectNode();
    n.put("id", id);
    n.put("key", key);
    n.put("from", from);
    n.put("to", to);
    n.put("amount", amount);
    n.put("state", "COMPLETED");
    return n;
  }

  @Override
  public void close() throws Exception {
    server.stop();
    pool.close();
  }
}
