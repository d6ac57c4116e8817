package org.otp4j.examples.ledger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.otp4j.examples.ledger.LedgerStore.KeyUse;
import org.otp4j.examples.ledger.Rows.Account;
import org.otp4j.examples.ledger.Rows.Transfer;

/**
 * The write thread's batched writes: what makes a batch of transfers cost a few database round
 * trips, not a few per transfer. Used on the write thread only, so nothing here is locked.
 *
 * <h2>Implementation notes</h2>
 * <ul>
 *   <li><b>Prepared once.</b> Every statement the write connection runs through here is prepared once
 *       per connection and reused (a new connection, after a failure, prepares them again).</li>
 *   <li><b>Blind writes, queued.</b> A {@link LedgerStore.Blind} work checks everything it needs
 *       before it writes, against the view below, and then only queues its rows ({@code addBatch}):
 *       the transfer, its hold, its entries, its journaled steps, its idempotency key. Balance changes
 *       are summed per account. {@link #flush} sends them all, one {@code executeBatch} per statement
 *       and one batched {@code UPDATE} of the accounts touched, each account once.</li>
 *   <li><b>The view.</b> The writer is the only process that writes the database, so the accounts it
 *       read or wrote stay as it knows them, balance included, as long as only blind works changed
 *       them: a blind work updates the view with what it queued. A work that writes with its own SQL
 *       (a deposit, a hold, a post) could change any account, so the view is dropped after each one
 *       ({@link #forget}), and after a rollback. The idempotency keys of a batch are read for all its
 *       blind works in one query before they run ({@link #prefetch}).</li>
 *   <li><b>Order.</b> Before a work that reads with its own SQL runs, the queued writes are flushed,
 *       so that it reads what the works before it in the batch wrote.</li>
 * </ul>
 */
final class WriteBatch {
  static final String INSERT_TRANSFER = "INSERT INTO transfers (id, idem_key, request_hash, kind, from_acct, to_acct, "
      + "amount, currency, state, outcome, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
  static final String INSERT_HOLD = "INSERT INTO holds (id, account_id, merchant, amount, kind, status, expires_at, "
      + "captured, created_at) VALUES (?, ?, NULL, ?, 'transfer', ?, 0, 0, ?)";
  static final String INSERT_ENTRY = "INSERT INTO entries (transfer_id, account_id, amount, kind, created_at) "
      + "VALUES (?, ?, ?, ?, ?)";
  static final String INSERT_STEP = "INSERT INTO workflow_steps (transfer_id, seq, step, at) VALUES (?, ?, ?, ?)";
  static final String INSERT_KEY = "INSERT INTO idempotency_keys (idem_key, request_hash, operation, ref_id, "
      + "created_at) VALUES (?, ?, ?, ?, ?)";
  private static final String UPDATE_BALANCE = "UPDATE accounts SET balance = balance + ? WHERE id = ?";
  private static final String SELECT_KEY = "SELECT idem_key, request_hash, operation, ref_id FROM idempotency_keys ";
  private static final String SELECT_ACCOUNT = "SELECT id, currency, status, overdraft, balance, reserved FROM accounts ";
  /** The most ids in one {@code IN (...)} of a prefetch. */
  private static final int CHUNK = 500;
  /** The view is dropped when it holds more accounts than this. */
  private static final int MAX_ACCOUNTS = 200_000;

  private Connection connection;
  private final Map<String, PreparedStatement> statements = new HashMap<>();
  private final Set<PreparedStatement> queued = new LinkedHashSet<>();
  private final Map<String, Long> deltas = new LinkedHashMap<>();
  private final Map<String, Account> accounts = new HashMap<>();
  private final Map<String, Optional<KeyUse>> keys = new HashMap<>();
  private final Map<Long, Transfer> unflushed = new HashMap<>();

  /** The statement {@code sql} on {@code c}, prepared once per connection. */
  PreparedStatement statement(Connection c, String sql) throws SQLException {
    if (c != connection) {
      for (PreparedStatement ps : statements.values()) {
        closeQuietly(ps);
      }
      statements.clear();
      queued.clear();
      connection = c;
    }
    PreparedStatement ps = statements.get(sql);
    if (ps == null) {
      ps = c.prepareStatement(sql);
      statements.put(sql, ps);
    }
    return ps;
  }

  /** Queues one row of {@code sql} (an insert) for the next {@link #flush}. */
  void queue(Connection c, String sql, Object... args) throws SQLException {
    PreparedStatement ps = statement(c, sql);
    for (int i = 0; i < args.length; i++) {
      ps.setObject(i + 1, args[i]);
    }
    ps.addBatch();
    queued.add(ps);
  }

  /** Queues {@code delta} on the balance of {@code account}: summed with the others on it until the flush. */
  void addToBalance(String account, long delta) {
    deltas.merge(account, delta, Long::sum);
  }

  /** Keeps {@code t}, queued but not yet flushed, for a retry of its key in the same batch. */
  void remember(String key, KeyUse use, Transfer t) {
    keys.put(key, Optional.of(use));
    unflushed.put(t.id(), t);
  }

  /** The queued transfer {@code id}, if it is not flushed yet. */
  Optional<Transfer> unflushed(long id) {
    return Optional.ofNullable(unflushed.get(id));
  }

  /** Updates the view of an account with what a blind work queued for it. */
  void update(Account a) {
    accounts.put(a.id(), a);
  }

  /** Whether anything is queued. */
  boolean dirty() {
    return !queued.isEmpty() || !deltas.isEmpty();
  }

  /** Sends what is queued: one {@code executeBatch} per statement, then the balances, each account once. */
  void flush(Connection c) throws SQLException {
    if (!dirty()) {
      return;
    }
    if (!deltas.isEmpty()) {
      PreparedStatement ps = statement(c, UPDATE_BALANCE);
      for (Map.Entry<String, Long> d : deltas.entrySet()) {
        ps.setLong(1, d.getValue());
        ps.setString(2, d.getKey());
        ps.addBatch();
      }
      queued.add(ps);
    }
    List<PreparedStatement> run = new ArrayList<>(queued);
    queued.clear();
    deltas.clear();
    unflushed.clear();
    try {
      for (PreparedStatement ps : run) {
        ps.executeBatch();
      }
    } catch (SQLException | RuntimeException e) {
      for (PreparedStatement ps : run) {
        try {
          ps.clearBatch(); // the rows of the statements not sent yet go with the rolled back ones
        } catch (SQLException ignored) {
          // the statement is unusable: the connection is replaced after the failure
        }
      }
      throw e;
    }
  }

  /**
   * Drops the view and what is queued: after a work that wrote with its own SQL (it may have
   * changed any account), or a rollback (the view may hold what was rolled back).
   */
  void forget() {
    for (PreparedStatement ps : queued) {
      try {
        ps.clearBatch();
      } catch (SQLException e) {
        closeQuietly(ps);
        statements.values().remove(ps);
      }
    }
    queued.clear();
    deltas.clear();
    unflushed.clear();
    accounts.clear();
    keys.clear();
  }

  /** The end of a committed batch: the view of the accounts stays, the keys of this batch go. */
  void committed() {
    keys.clear();
    unflushed.clear();
    if (accounts.size() > MAX_ACCOUNTS) {
      accounts.clear();
    }
  }

  /** The account {@code id} as the writer knows it: from the view, or read (with the batch's writes flushed). */
  Optional<Account> account(Connection c, String id) throws SQLException {
    Account a = accounts.get(id);
    if (a != null) {
      return Optional.of(a);
    }
    PreparedStatement ps = statement(c, SELECT_ACCOUNT + "WHERE id = ?");
    ps.setString(1, id);
    try (ResultSet rs = ps.executeQuery()) {
      if (!rs.next()) {
        return Optional.empty();
      }
      a = account(rs);
    }
    accounts.put(id, a);
    return Optional.of(a);
  }

  /** What key {@code key} was used for, if anything: from this batch, its prefetch, or read. */
  Optional<KeyUse> keyUse(Connection c, String key) throws SQLException {
    Optional<KeyUse> known = keys.get(key);
    if (known != null) {
      return known;
    }
    PreparedStatement ps = statement(c, SELECT_KEY + "WHERE idem_key = ?");
    ps.setString(1, key);
    Optional<KeyUse> use;
    try (ResultSet rs = ps.executeQuery()) {
      use = rs.next() ? Optional.of(keyUse(rs)) : Optional.empty();
    }
    keys.put(key, use);
    return use;
  }

  /**
   * Reads, before the batch runs, what its blind works will look up: the use of each of their
   * idempotency keys, and the accounts the view does not hold. One query per {@value #CHUNK} of each.
   */
  void prefetch(Connection c, List<LedgerStore.Work<?>> works) throws SQLException {
    List<String> wantedKeys = new ArrayList<>();
    Set<String> wantedAccounts = new LinkedHashSet<>();
    for (LedgerStore.Work<?> w : works) {
      if (w instanceof LedgerStore.Blind<?> b) {
        if (!keys.containsKey(b.key())) {
          wantedKeys.add(b.key());
          keys.put(b.key(), Optional.empty());
        }
        for (String id : b.accounts()) {
          if (!accounts.containsKey(id)) {
            wantedAccounts.add(id);
          }
        }
      }
    }
    for (List<String> chunk : chunks(wantedKeys)) {
      try (PreparedStatement ps = c.prepareStatement(SELECT_KEY + "WHERE idem_key IN (" + marks(chunk.size()) + ")")) {
        bind(ps, chunk);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            keys.put(rs.getString(1), Optional.of(keyUse(rs)));
          }
        }
      }
    }
    for (List<String> chunk : chunks(new ArrayList<>(wantedAccounts))) {
      try (PreparedStatement ps = c.prepareStatement(SELECT_ACCOUNT + "WHERE id IN (" + marks(chunk.size()) + ")")) {
        bind(ps, chunk);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            Account a = account(rs);
            accounts.put(a.id(), a);
          }
        }
      }
    }
  }

  private static KeyUse keyUse(ResultSet rs) throws SQLException {
    return new KeyUse(rs.getString(2), rs.getString(3), rs.getLong(4));
  }

  private static Account account(ResultSet rs) throws SQLException {
    return new Account(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4), rs.getLong(5), rs.getLong(6));
  }

  private static List<List<String>> chunks(List<String> all) {
    List<List<String>> out = new ArrayList<>();
    for (int i = 0; i < all.size(); i += CHUNK) {
      out.add(all.subList(i, Math.min(all.size(), i + CHUNK)));
    }
    return out;
  }

  private static String marks(int n) {
    return String.join(", ", java.util.Collections.nCopies(n, "?"));
  }

  private static void bind(PreparedStatement ps, List<String> values) throws SQLException {
    for (int i = 0; i < values.size(); i++) {
      ps.setString(i + 1, values.get(i));
    }
  }

  /** Closes every prepared statement (the write connection is closing). */
  void close() {
    for (PreparedStatement ps : statements.values()) {
      closeQuietly(ps);
    }
    statements.clear();
    queued.clear();
  }

  private static void closeQuietly(PreparedStatement ps) {
    try {
      ps.close();
    } catch (SQLException ignored) {
      // the connection is gone already
    }
  }
}
