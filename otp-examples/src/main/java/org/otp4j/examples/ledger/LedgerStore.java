package org.otp4j.examples.ledger;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.otp4j.examples.Jdbc;
import org.otp4j.examples.ThreadConnections;
import org.otp4j.examples.ledger.Rows.Account;
import org.otp4j.examples.ledger.Rows.Hold;
import org.otp4j.examples.ledger.Rows.Transfer;
import org.otp4j.examples.ledger.Rows.TransferState;

/**
 * The ledger's tables in SQL: an embedded SQLite file (WAL, {@code synchronous=FULL}) by default,
 * PostgreSQL when given a JDBC URL; the same statements run on both.
 *
 * <h2>Tables</h2>
 * <ul>
 *   <li>{@code accounts}: id, currency, status, overdraft limit, and the balance and reserved sums
 *       kept in step with the entries and holds by the same transactions that write those;</li>
 *   <li>{@code entries}: the journal, double entry: every movement writes two rows, one per account,
 *       whose amounts add up to zero (a deposit's other side is the currency's {@code world:XXX}
 *       account);</li>
 *   <li>{@code transfers}: every movement with its client's idempotency key (unique), the hash of
 *       the request that first used it, and its workflow's state and outcome;</li>
 *   <li>{@code workflow_steps}: the write-ahead log of each transfer: a row per step, written before
 *       the step acts;</li>
 *   <li>{@code holds}: reservations of transfers under way and card authorizations;</li>
 *   <li>{@code idempotency_keys}: every client key of a request that moved or held money (transfer,
 *       deposit, withdrawal, authorization, capture, void), one namespace for all of them, with the
 *       hash of that request and the movement or hold it made, written in the same transaction.</li>
 * </ul>
 *
 * <h2>Threads</h2>
 * Every write runs on one platform thread with one connection, in the batches the {@link Writer}
 * process hands it: one transaction (and one fsync) per batch. A transfer that can complete at once
 * is checked in memory and its rows queued ({@link Blind}, {@link WriteBatch}): the rows of a whole
 * batch of them go in a few batched statements, with no savepoint. Any other request runs under a
 * savepoint so that a refused request rolls back alone. Reads run on a small pool of platform threads with connections
 * of their own. JDBC blocks, SQLite inside native code, which would pin a virtual thread's carrier:
 * a process waits on a future instead, which parks it and leaves the carrier to other processes.
 */
public final class LedgerStore {
  private final AtomicReference<Database> current = new AtomicReference<>();

  LedgerStore() {}

  /** Work the writer runs inside a batch's transaction; may throw {@link LedgerError} to refuse. */
  @FunctionalInterface
  public interface Work<T> {
    /** Runs the work on the write connection. */
    T run(Tx tx) throws SQLException;
  }

  /**
   * Work that cannot fail once it starts writing: it checks everything against what the writer
   * knows ({@link WriteBatch}), refuses (throws {@link LedgerError}) before it writes anything, and
   * then only queues its rows. The writer runs it without a savepoint, and its rows go to the
   * database with the rest of the batch's in a few batched statements.
   */
  interface Blind<T> extends Work<T> {
    /** The idempotency key it looks up, read for the whole batch at once. */
    String key();

    /** The accounts it reads, read for the whole batch at once. */
    List<String> accounts();
  }

  /** Work run on a read connection. */
  @FunctionalInterface
  interface ReadWork<T> {
    T run(Connection c) throws SQLException;
  }

  /** The write connection and the id sequence, as a batch's works see them. */
  public static final class Tx {
    final Connection c;
    private final Database db;

    Tx(Connection c, Database db) {
      this.c = c;
      this.db = db;
    }

    /** A new id for a transfer or a hold (one sequence for both, kept by the single writer). */
    long nextId() {
      return ++db.lastId;
    }

    /** The batch's queued writes and the writer's view of the accounts. */
    WriteBatch batch() {
      return db.batch;
    }
  }

  /** What became of one work in a batch. */
  sealed interface Outcome {
    record Done(Object value) implements Outcome {}

    record Refused(LedgerError error) implements Outcome {}

    record Failed(String message) implements Outcome {}
  }

  /** A store failure: the database is unreachable, a statement failed, or it took too long. */
  public static final class StoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    StoreException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  // =====================================================================================
  // reads

  /** The account {@code id}, if it exists. */
  public Optional<Account> account(String id) {
    return db().read(c -> account(c, id));
  }

  /** The transfer {@code id}, if it exists. */
  public Optional<Transfer> transfer(long id) {
    return db().read(c -> queryOne(c, SELECT_TRANSFER + "WHERE id = ?", LedgerStore::transfer, id));
  }

  /** The movement that used idempotency key {@code key}, if any. */
  public Optional<Transfer> transferByKey(String key) {
    return db().read(c -> queryOne(c, SELECT_TRANSFER + "WHERE idem_key = ?", LedgerStore::transfer, key));
  }

  /** The request hash stored with idempotency key {@code key}, if a request used it. */
  public Optional<String> requestHash(String key) {
    return db().read(c -> keyUse(c, key).map(KeyUse::hash));
  }

  /** The most recent movements, newest first; of one account if {@code account} is not null. */
  public List<Transfer> recentTransfers(String account, int limit) {
    return db().read(c -> account == null
        ? queryList(c, SELECT_TRANSFER + "ORDER BY id DESC LIMIT ?", LedgerStore::transfer, limit)
        : queryList(c, SELECT_TRANSFER + "WHERE from_acct = ? OR to_acct = ? ORDER BY id DESC LIMIT ?",
            LedgerStore::transfer, account, account, limit));
  }

  /** The ids of the transfers whose workflow has not reached a terminal state. */
  public List<Long> unfinishedTransfers() {
    return db().read(c -> queryList(c, "SELECT id FROM transfers WHERE state NOT IN ('COMPLETED', 'FAILED') ORDER BY id",
        rs -> rs.getLong(1)));
  }

  /** The steps journaled for transfer {@code id}, in order. */
  public List<String> steps(long id) {
    return db().read(c -> queryList(c, "SELECT step FROM workflow_steps WHERE transfer_id = ? ORDER BY seq",
        rs -> rs.getString(1), id));
  }

  /** The hold {@code id}, if it exists. */
  public Optional<Hold> hold(long id) {
    return db().read(c -> hold(c, id));
  }

  /** The card authorizations still active. */
  public List<Hold> activeCardHolds() {
    return db().read(c -> queryList(c, SELECT_HOLD + "WHERE kind = 'card' AND status = 'active'", LedgerStore::hold));
  }

  /** Runs {@code work} in one read transaction (a consistent snapshot on both databases). */
  <T> T snapshot(ReadWork<T> work) {
    Database db = db();
    return db.read(c -> {
      c.setAutoCommit(false);
      try {
        if (!db.config.embedded()) {
          c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        }
        T out = work.run(c);
        c.commit();
        return out;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    });
  }

  // =====================================================================================
  // writes: each returns the work the Writer runs in a batch

  /** Opens an account (and the currency's world account, the other side of deposits). */
  static Work<Account> openAccount(String id, String currency, long overdraft) {
    return tx -> {
      if (account(tx.c, id).isPresent()) {
        throw LedgerError.conflict("account_exists", "an account '" + id + "' exists already; choose another id");
      }
      long now = System.currentTimeMillis();
      update(tx.c, "INSERT INTO accounts (id, currency, status, overdraft, balance, reserved, kind, created_at) "
          + "VALUES (?, ?, 'open', ?, 0, 0, 'customer', ?)", id, currency, overdraft, now);
      update(tx.c, "INSERT INTO accounts (id, currency, status, overdraft, balance, reserved, kind, created_at) "
          + "VALUES (?, ?, 'open', 0, 0, 0, 'world', ?) ON CONFLICT DO NOTHING", world(currency), currency, now);
      return account(tx.c, id).orElseThrow();
    };
  }

  /** The account on the other side of the deposits and withdrawals in {@code currency}. */
  static String world(String currency) {
    return "world:" + currency;
  }

  /** Changes an account's status: freeze, unfreeze, or close (only an empty account with no holds). */
  static Work<Account> setStatus(String id, String status) {
    return tx -> {
      Account a = customer(tx.c, id);
      if (a.status().equals(Rows.CLOSED)) {
        throw LedgerError.conflict("account_closed", "account '" + id + "' is closed; a closed account stays closed");
      }
      if (status.equals(Rows.CLOSED) && (a.balance() != 0 || a.reserved() != 0)) {
        throw LedgerError.conflict("account_not_empty", "account '" + id + "' still has a balance of " + a.balance()
            + " and " + a.reserved() + " held: move its money out and let its holds end before closing it");
      }
      update(tx.c, "UPDATE accounts SET status = ? WHERE id = ?", status, id);
      return account(tx.c, id).orElseThrow();
    };
  }

  /**
   * A deposit or withdrawal, idempotent by {@code key}: written at once, completed; or, a withdrawal
   * of more than the account can spend, written as declined ({@code FAILED}, outcome
   * {@code insufficient_funds}, no entries), so that a retry is declined again; or refused with
   * nothing written (an account that is not open, a balance that would be too large). A key used
   * before with the same request returns that movement.
   */
  static Work<Transfer> cash(String kind, String key, String hash, String id, long amount) {
    Amounts.key(key, kind.equals("deposit") ? "deposit" : "withdrawal");
    return tx -> {
      OptionalLong before = replayed(tx.c, key, hash);
      if (before.isPresent()) {
        return transfer(tx.c, before.getAsLong()).orElseThrow();
      }
      Account a = customer(tx.c, id);
      requireOpen(a);
      boolean deposit = kind.equals("deposit");
      if (deposit && Math.addExact(a.balance(), amount) > Amounts.MAX_BALANCE) {
        throw LedgerError.badRequest("amount_too_large", "account '" + id + "' would hold more than "
            + Amounts.MAX_BALANCE + "; deposit less");
      }
      long tid = tx.nextId();
      String from = deposit ? world(a.currency()) : id;
      String to = deposit ? id : world(a.currency());
      long now = System.currentTimeMillis();
      if (!deposit && a.available() < amount) {
        LedgerError declined = insufficient(a, amount);
        insertTransfer(tx.c, tid, key, hash, kind, from, to, amount, a.currency(), "FAILED", declined.code(), now);
        update(tx.c, "UPDATE transfers SET detail = ? WHERE id = ?", declined.getMessage(), tid);
        step(tx.c, tid, "failed", now);
      } else {
        insertTransfer(tx.c, tid, key, hash, kind, from, to, amount, a.currency(), "COMPLETED", "completed", now);
        move(tx.c, tid, from, to, amount, kind, now);
        step(tx.c, tid, "complete", now);
      }
      remember(tx.c, key, hash, kind, tid, now);
      return transfer(tx.c, tid).orElseThrow();
    };
  }

  /**
   * A transfer in one transaction, the common case: returns the movement that used {@code key}
   * before if its request was the same, refuses it (409) if it was another. Otherwise it checks,
   * against the writer's view of the accounts (the writer is their only writer, so the view is
   * exact), that both accounts exist, are open and in one currency ({@code currency}, if not null,
   * is what the request said), and refuses with nothing written if not. If the source can spend
   * {@code amount}, the whole workflow is journaled and applied in this one work, so in one commit:
   * the transfer COMPLETED, its steps validate, reserve, post and complete, its hold (consumed),
   * both entries and both balances, and the key. The steps commit with their effects, so recovery
   * finds all of them or none. If the source cannot spend it now, the transfer is written in
   * RESERVE (steps validate and reserve), and its workflow reserves (and compensates, if the
   * account refuses) in transactions of their own.
   */
  static Blind<Transfer> transferNow(String key, String hash, String from, String to, long amount, String currency) {
    Amounts.key(key, "transfer");
    return new TransferNow(key, hash, from, to, amount, currency);
  }

  private record TransferNow(String key, String hash, String from, String to, long amount, String currency)
      implements Blind<Transfer> {
    @Override
    public List<String> accounts() {
      return List.of(from, to);
    }

    @Override
    public Transfer run(Tx tx) throws SQLException {
      WriteBatch b = tx.batch();
      Optional<KeyUse> used = b.keyUse(tx.c, key);
      if (used.isPresent()) {
        if (!used.get().hash().equals(hash)) {
          throw idempotencyConflict(key, used.get());
        }
        long ref = used.get().ref();
        Optional<Transfer> queued = b.unflushed(ref);
        return queued.isPresent() ? queued.get() : transfer(tx.c, ref).orElseThrow();
      }
      if (from.equals(to)) {
        throw LedgerError.badRequest("same_account", "a transfer moves money between two accounts; 'from' and 'to' "
            + "are both '" + from + "'");
      }
      Account a = b.account(tx.c, from).filter(x -> !x.id().startsWith("world:"))
          .orElseThrow(() -> LedgerError.notFound("unknown_account", "there is no account '" + from + "'"));
      Account z = b.account(tx.c, to).filter(x -> !x.id().startsWith("world:"))
          .orElseThrow(() -> LedgerError.notFound("unknown_account", "there is no account '" + to + "'"));
      requireOpen(a);
      requireOpen(z);
      if (!a.currency().equals(z.currency())) {
        throw currencyMismatch(a, z);
      }
      if (currency != null && !a.currency().equals(currency)) {
        throw LedgerError.badRequest("currency_mismatch", "the transfer says \"" + currency
            + "\" but the accounts are in " + a.currency());
      }
      // every check passed: from here on only rows are queued, nothing can refuse
      long id = tx.nextId();
      long now = System.currentTimeMillis();
      boolean funded = a.available() >= amount;
      TransferState state = funded ? TransferState.COMPLETED : TransferState.RESERVE;
      String outcome = funded ? "completed" : null;
      b.queue(tx.c, WriteBatch.INSERT_TRANSFER, id, key, hash, "transfer", from, to, amount, a.currency(), state.name(),
          outcome, now, now);
      List<String> steps = funded ? List.of("validate", "reserve", "post", "complete") : List.of("validate", "reserve");
      for (int i = 0; i < steps.size(); i++) {
        b.queue(tx.c, WriteBatch.INSERT_STEP, id, i + 1, steps.get(i), now);
      }
      if (funded) {
        b.queue(tx.c, WriteBatch.INSERT_HOLD, id, from, amount, "consumed", now);
        b.queue(tx.c, WriteBatch.INSERT_ENTRY, id, from, -amount, "transfer", now);
        b.queue(tx.c, WriteBatch.INSERT_ENTRY, id, to, amount, "transfer", now);
        b.addToBalance(from, -amount);
        b.addToBalance(to, amount);
        b.update(new Account(a.id(), a.currency(), a.status(), a.overdraft(), a.balance() - amount, a.reserved()));
        b.update(new Account(z.id(), z.currency(), z.status(), z.overdraft(), z.balance() + amount, z.reserved()));
      }
      b.queue(tx.c, WriteBatch.INSERT_KEY, key, hash, "transfer", id, now);
      Transfer t = new Transfer(id, key, "transfer", from, to, amount, a.currency(), state, outcome, null, now);
      b.remember(key, new KeyUse(hash, "transfer", id), t);
      return t;
    }
  }

  /**
   * Accepts a transfer: returns the movement that used {@code key} before if its request was the
   * same, refuses it (409) if it was another; otherwise writes the transfer in state VALIDATE (the
   * first step of its workflow, journaled), runs that step's checks in the same transaction (both
   * accounts exist, are open, in {@code currency}) and, if they pass, journals its next step, RESERVE,
   * there too; returns the transfer. One that fails them stays in VALIDATE, where its workflow
   * validates it again and compensates it with the refusal.
   */
  static Work<Transfer> acceptTransfer(String key, String hash, String from, String to, long amount, String currency) {
    Amounts.key(key, "transfer");
    return tx -> {
      OptionalLong before = replayed(tx.c, key, hash);
      if (before.isPresent()) {
        return transfer(tx.c, before.getAsLong()).orElseThrow();
      }
      long id = tx.nextId();
      long now = System.currentTimeMillis();
      insertTransfer(tx.c, id, key, hash, "transfer", from, to, amount, currency, "VALIDATE", null, now);
      step(tx.c, id, "validate", now);
      remember(tx.c, key, hash, "transfer", id, now);
      if (valid(tx.c, from, to, currency)) {
        update(tx.c, "UPDATE transfers SET state = 'RESERVE' WHERE id = ?", id);
        step(tx.c, id, "reserve", now);
      }
      return transfer(tx.c, id).orElseThrow();
    };
  }

  /**
   * Journals a step: moves transfer {@code id} to {@code next} if it is in one of {@code from}
   * (and writes the step's row; a non-null {@code outcome} and {@code detail} are kept with it, the
   * refusal a compensation ends with); returns the transfer as it is now, moved or not.
   */
  static Work<Transfer> advance(long id, TransferState next, String outcome, String detail, TransferState... from) {
    return tx -> {
      Transfer t = transfer(tx.c, id).orElseThrow(() -> LedgerError.notFound("unknown_transfer", "no transfer " + id));
      if (List.of(from).contains(t.state())) {
        long now = System.currentTimeMillis();
        update(tx.c, "UPDATE transfers SET state = ?, outcome = COALESCE(?, outcome), detail = COALESCE(?, detail), "
            + "updated_at = ? WHERE id = ?", next.name(), outcome, detail, now, id);
        step(tx.c, id, next.name().toLowerCase(java.util.Locale.ROOT), now);
        return transfer(tx.c, id).orElseThrow();
      }
      return t;
    };
  }

  /**
   * A transfer's reserve step in one transaction: holds its {@code amount} on its source account
   * {@code id} (hold id = transfer id) and journals its next step, POST; returns the transfer as it
   * is now. The hold and the step commit together, so a restarted workflow finds either both (and
   * posts) or neither (and reserves again). A transfer no longer in RESERVE (posted already, or being
   * compensated) is returned as it is and nothing is held: a stale request cannot leave a hold behind.
   */
  static Work<Transfer> reserveForTransfer(long transferId, String id, long amount) {
    Work<Hold> hold = reserve(transferId, id, amount, "transfer", null, 0);
    Work<Transfer> next = advance(transferId, TransferState.POST, null, null, TransferState.RESERVE);
    return tx -> {
      Transfer t = transfer(tx.c, transferId).orElseThrow(() -> LedgerError.notFound("unknown_transfer",
          "no transfer " + transferId));
      if (t.state() != TransferState.RESERVE) {
        return t;
      }
      hold.run(tx);
      return next.run(tx);
    };
  }

  /**
   * Holds {@code amount} on account {@code id} under hold {@code holdId}, if the account is open and
   * can spend it; idempotent by {@code holdId} (a hold written before is returned as it is).
   */
  static Work<Hold> reserve(long holdId, String id, long amount, String kind, String merchant, long expiresAt) {
    return tx -> {
      Optional<Hold> before = hold(tx.c, holdId);
      if (before.isPresent()) {
        return before.get();
      }
      Account a = customer(tx.c, id);
      requireOpen(a);
      if (a.available() < amount) {
        throw insufficient(a, amount);
      }
      update(tx.c, "INSERT INTO holds (id, account_id, merchant, amount, kind, status, expires_at, captured, created_at) "
          + "VALUES (?, ?, ?, ?, ?, 'active', ?, 0, ?)", holdId, id, merchant, amount, kind, expiresAt,
          System.currentTimeMillis());
      update(tx.c, "UPDATE accounts SET reserved = reserved + ? WHERE id = ?", amount, id);
      return hold(tx.c, holdId).orElseThrow();
    };
  }

  /**
   * A card authorization of {@code amount} on account {@code id} for {@code merchant}, idempotent by
   * {@code key}: the writer allocates its id in the same transaction. More than the account can
   * spend is written as a {@code declined} hold that holds nothing, so that a retry is declined
   * again; a request refused otherwise (an account unknown or not open, two currencies) writes nothing.
   */
  static Work<Hold> authorize(String key, String hash, String id, String merchant, long amount, long expiresAt) {
    Amounts.key(key, "card authorization");
    return tx -> {
      OptionalLong before = replayed(tx.c, key, hash);
      if (before.isPresent()) {
        return hold(tx.c, before.getAsLong()).orElseThrow();
      }
      if (id.equals(merchant)) {
        throw LedgerError.badRequest("same_account", "an authorization pays another account: the merchant is the "
            + "account itself ('" + id + "')");
      }
      Account m = customer(tx.c, merchant);
      requireOpen(m);
      Account a = customer(tx.c, id);
      if (!a.currency().equals(m.currency())) {
        throw currencyMismatch(a, m);
      }
      requireOpen(a);
      long holdId = tx.nextId();
      long now = System.currentTimeMillis();
      if (a.available() < amount) {
        update(tx.c, "INSERT INTO holds (id, account_id, merchant, amount, kind, status, expires_at, captured, "
            + "created_at) VALUES (?, ?, ?, ?, 'card', 'declined', ?, 0, ?)", holdId, id, merchant, amount, expiresAt, now);
      } else {
        reserve(holdId, id, amount, "card", merchant, expiresAt).run(tx);
      }
      update(tx.c, "UPDATE holds SET idem_key = ?, request_hash = ? WHERE id = ?", key, hash, holdId);
      remember(tx.c, key, hash, "authorize", holdId, now);
      return hold(tx.c, holdId).orElseThrow();
    };
  }

  /**
   * Posts transfer {@code id}: both entries, the hold consumed, state COMPLETED, in one transaction.
   * A transfer already terminal is returned as it is (a retried post writes nothing twice). Refuses
   * (and writes nothing) if either account is no longer open.
   */
  static Work<Transfer> post(long id) {
    return tx -> {
      Transfer t = transfer(tx.c, id).orElseThrow(() -> LedgerError.notFound("unknown_transfer", "no transfer " + id));
      if (t.state() != TransferState.POST) {
        return t;
      }
      Hold h = hold(tx.c, id).filter(x -> x.status().equals("active")).orElseThrow(() -> LedgerError.conflict(
          "not_reserved", "transfer " + id + " has no active reservation to post"));
      requireOpen(customer(tx.c, t.from()));
      requireOpen(customer(tx.c, t.to()));
      long now = System.currentTimeMillis();
      move(tx.c, id, t.from(), t.to(), t.amount(), "transfer", now);
      update(tx.c, "UPDATE accounts SET reserved = reserved - ? WHERE id = ?", h.amount(), t.from());
      update(tx.c, "UPDATE holds SET status = 'consumed' WHERE id = ?", id);
      update(tx.c, "UPDATE transfers SET state = 'COMPLETED', outcome = 'completed', updated_at = ? WHERE id = ?", now, id);
      step(tx.c, id, "complete", now);
      return transfer(tx.c, id).orElseThrow();
    };
  }

  /**
   * Ends transfer {@code id} as FAILED with the outcome its compensation step journaled: its hold (if
   * any) released, in one transaction. A transfer already terminal is returned as it is.
   */
  static Work<Transfer> fail(long id) {
    return tx -> {
      Transfer t = transfer(tx.c, id).orElseThrow(() -> LedgerError.notFound("unknown_transfer", "no transfer " + id));
      if (t.state().terminal()) {
        return t;
      }
      release(tx.c, id, "released");
      long now = System.currentTimeMillis();
      update(tx.c, "UPDATE transfers SET state = 'FAILED', outcome = COALESCE(outcome, 'failed'), updated_at = ? "
          + "WHERE id = ?", now, id);
      step(tx.c, id, "failed", now);
      return transfer(tx.c, id).orElseThrow();
    };
  }

  /**
   * Captures {@code amount} of card hold {@code holdId} ({@code all}: everything it holds), idempotent
   * by {@code key}: a key used before by the same capture returns the movement it made, whatever the
   * hold's state now. Otherwise the hold must still be active: a capture takes at most what it holds,
   * pays it to the merchant and releases the rest, and the hold ends (one capture per hold).
   *
   * @throws LedgerError 409 {@code hold_not_active} (with its {@code holdStatus}) if the hold was
   *     captured, voided or expired already; 400 {@code amount_exceeds_hold} if {@code amount} is
   *     more than it holds; 409 {@code idempotency_conflict} if {@code key} was used by another request
   */
  static Work<Transfer> capture(long holdId, String key, String hash, OptionalLong amount) {
    Amounts.key(key, "capture");
    return tx -> {
      OptionalLong before = replayed(tx.c, key, hash);
      if (before.isPresent()) {
        return transfer(tx.c, before.getAsLong()).orElseThrow();
      }
      Hold h = activeCard(tx.c, holdId);
      long take = amount.orElse(h.amount());
      if (take > h.amount()) {
        throw LedgerError.badRequest("amount_exceeds_hold", "hold " + holdId + " authorized " + h.amount()
            + "; a capture takes at most that, got " + take);
      }
      requireOpen(customer(tx.c, h.merchant()));
      Account a = customer(tx.c, h.account());
      long id = tx.nextId();
      long now = System.currentTimeMillis();
      insertTransfer(tx.c, id, key, hash, "capture", h.account(), h.merchant(), take, a.currency(), "COMPLETED",
          "completed", now);
      move(tx.c, id, h.account(), h.merchant(), take, "capture", now);
      update(tx.c, "UPDATE accounts SET reserved = reserved - ? WHERE id = ?", h.amount(), h.account());
      update(tx.c, "UPDATE holds SET status = 'captured', captured = ? WHERE id = ?", take, holdId);
      step(tx.c, id, "complete", now);
      remember(tx.c, key, hash, "capture", id, now);
      return transfer(tx.c, id).orElseThrow();
    };
  }

  /**
   * Voids card hold {@code holdId}, idempotent by {@code key}: a key used before by the same void
   * returns the hold as it is; otherwise the hold must still be active, and all of it is released.
   *
   * @throws LedgerError 409 {@code hold_not_active} (with its {@code holdStatus}) if the hold was
   *     captured, voided or expired already; 409 {@code idempotency_conflict} if {@code key} was used
   *     by another request
   */
  static Work<Hold> voidHold(long holdId, String key, String hash) {
    Amounts.key(key, "void");
    return tx -> {
      OptionalLong before = replayed(tx.c, key, hash);
      if (before.isPresent()) {
        return hold(tx.c, before.getAsLong()).orElseThrow();
      }
      activeCard(tx.c, holdId);
      release(tx.c, holdId, "voided");
      remember(tx.c, key, hash, "void", holdId, System.currentTimeMillis());
      return hold(tx.c, holdId).orElseThrow();
    };
  }

  /** Expires card hold {@code holdId}: all released; refused (409) if it ended already. */
  static Work<Hold> expire(long holdId) {
    return tx -> {
      activeCard(tx.c, holdId);
      release(tx.c, holdId, "expired");
      return hold(tx.c, holdId).orElseThrow();
    };
  }

  // =====================================================================================
  // helpers of the works

  /** What an idempotency key was first used for: that request's hash, its operation, the movement or hold it made. */
  record KeyUse(String hash, String operation, long ref) {}

  private static Optional<KeyUse> keyUse(Connection c, String key) throws SQLException {
    return queryOne(c, "SELECT request_hash, operation, ref_id FROM idempotency_keys WHERE idem_key = ?",
        rs -> new KeyUse(rs.getString(1), rs.getString(2), rs.getLong(3)), key);
  }

  /**
   * The id of the movement or hold that {@code key} made, if the same request ({@code hash}) used
   * it before; empty if no request did.
   *
   * @throws LedgerError 409 {@code idempotency_conflict} if another request used it
   */
  private static OptionalLong replayed(Connection c, String key, String hash) throws SQLException {
    Optional<KeyUse> used = keyUse(c, key);
    if (used.isEmpty()) {
      return OptionalLong.empty();
    }
    if (!used.get().hash().equals(hash)) {
      throw idempotencyConflict(key, used.get());
    }
    return OptionalLong.of(used.get().ref());
  }

  private static LedgerError idempotencyConflict(String key, KeyUse used) {
    return LedgerError.conflict("idempotency_conflict", "idempotency key '" + key + "' was used for another request "
        + "(a " + used.operation() + "); a retry must send the same body, a new request a new key");
  }

  /** Records that {@code key} made movement or hold {@code ref}, in the transaction that made it. */
  private static void remember(Connection c, String key, String hash, String operation, long ref, long now)
      throws SQLException {
    update(c, "INSERT INTO idempotency_keys (idem_key, request_hash, operation, ref_id, created_at) "
        + "VALUES (?, ?, ?, ?, ?)", key, hash, operation, ref, now);
  }

  /** The checks of a transfer's validate step, read in the writer's transaction: whether it would pass them. */
  private static boolean valid(Connection c, String from, String to, String currency) throws SQLException {
    Optional<Account> a = account(c, from).filter(x -> !x.id().startsWith("world:"));
    Optional<Account> b = account(c, to).filter(x -> !x.id().startsWith("world:"));
    return a.isPresent() && b.isPresent() && a.get().status().equals(Rows.OPEN) && b.get().status().equals(Rows.OPEN)
        && a.get().currency().equals(currency) && b.get().currency().equals(currency);
  }

  private static Account customer(Connection c, String id) throws SQLException {
    return account(c, id).filter(a -> !a.id().startsWith("world:"))
        .orElseThrow(() -> LedgerError.notFound("unknown_account", "there is no account '" + id + "'"));
  }

  static void requireOpen(Account a) {
    if (a.status().equals(Rows.CLOSED)) {
      throw LedgerError.conflict("account_closed", "account '" + a.id() + "' is closed");
    }
    if (a.status().equals(Rows.FROZEN)) {
      throw LedgerError.conflict("account_frozen", "account '" + a.id() + "' is frozen; unfreeze it first");
    }
  }

  static LedgerError insufficient(Account a, long amount) {
    return new LedgerError(422, "insufficient_funds", "account '" + a.id() + "' can spend " + a.available()
        + " (balance " + a.balance() + ", overdraft " + a.overdraft() + ", held " + a.reserved() + "), not " + amount);
  }

  static LedgerError currencyMismatch(Account a, Account b) {
    return LedgerError.badRequest("currency_mismatch", "account '" + a.id() + "' is in " + a.currency() + ", '"
        + b.id() + "' in " + b.currency() + ": money moves between accounts of one currency");
  }

  private static Hold activeCard(Connection c, long holdId) throws SQLException {
    Hold h = hold(c, holdId).filter(x -> x.kind().equals("card"))
        .orElseThrow(() -> LedgerError.notFound("unknown_hold", "there is no card authorization " + holdId));
    if (!h.status().equals("active")) {
      throw LedgerError.conflict("hold_not_active", "authorization " + holdId + " is " + h.status()
          + " already; only an active one can be captured or voided (a retry of the request that ended it, with "
          + "its Idempotency-Key and body, gets that request's outcome)").with("holdStatus", h.status());
    }
    return h;
  }

  private static void release(Connection c, long holdId, String status) throws SQLException {
    Optional<Hold> h = hold(c, holdId).filter(x -> x.status().equals("active"));
    if (h.isPresent()) {
      update(c, "UPDATE holds SET status = ? WHERE id = ?", status, holdId);
      update(c, "UPDATE accounts SET reserved = reserved - ? WHERE id = ?", h.get().amount(), h.get().account());
    }
  }

  /** The two entries of one movement, and both balances. */
  private static void move(Connection c, long id, String from, String to, long amount, String kind, long now)
      throws SQLException {
    update(c, "INSERT INTO entries (transfer_id, account_id, amount, kind, created_at) VALUES (?, ?, ?, ?, ?)",
        id, from, -amount, kind, now);
    update(c, "INSERT INTO entries (transfer_id, account_id, amount, kind, created_at) VALUES (?, ?, ?, ?, ?)",
        id, to, amount, kind, now);
    update(c, "UPDATE accounts SET balance = balance - ? WHERE id = ?", amount, from);
    update(c, "UPDATE accounts SET balance = balance + ? WHERE id = ?", amount, to);
  }

  private static void insertTransfer(Connection c, long id, String key, String hash, String kind, String from, String to,
      long amount, String currency, String state, String outcome, long now) throws SQLException {
    update(c, "INSERT INTO transfers (id, idem_key, request_hash, kind, from_acct, to_acct, amount, currency, state, "
        + "outcome, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        id, key, hash, kind, from, to, amount, currency, state, outcome, now, now);
  }

  private static void step(Connection c, long id, String step, long now) throws SQLException {
    long seq = queryOne(c, "SELECT COALESCE(MAX(seq), 0) + 1 FROM workflow_steps WHERE transfer_id = ?",
        rs -> rs.getLong(1), id).orElse(1L);
    update(c, "INSERT INTO workflow_steps (transfer_id, seq, step, at) VALUES (?, ?, ?, ?)", id, seq, step, now);
  }

  private static final String SELECT_ACCOUNT = "SELECT id, currency, status, overdraft, balance, reserved FROM accounts ";
  private static final String SELECT_TRANSFER = "SELECT id, idem_key, kind, from_acct, to_acct, amount, currency, "
      + "state, outcome, detail, created_at FROM transfers ";
  private static final String SELECT_HOLD = "SELECT id, account_id, merchant, amount, kind, status, expires_at, captured "
      + "FROM holds ";

  static Optional<Account> account(Connection c, String id) throws SQLException {
    return queryOne(c, SELECT_ACCOUNT + "WHERE id = ?", rs -> new Account(rs.getString(1), rs.getString(2),
        rs.getString(3), rs.getLong(4), rs.getLong(5), rs.getLong(6)), id);
  }

  private static Optional<Transfer> transfer(Connection c, long id) throws SQLException {
    return queryOne(c, SELECT_TRANSFER + "WHERE id = ?", LedgerStore::transfer, id);
  }

  private static Transfer transfer(ResultSet rs) throws SQLException {
    return new Transfer(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
        rs.getLong(6), rs.getString(7), TransferState.valueOf(rs.getString(8)), rs.getString(9), rs.getString(10),
        rs.getLong(11));
  }

  private static Optional<Hold> hold(Connection c, long id) throws SQLException {
    return queryOne(c, SELECT_HOLD + "WHERE id = ?", LedgerStore::hold, id);
  }

  private static Hold hold(ResultSet rs) throws SQLException {
    return new Hold(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getLong(4), rs.getString(5), rs.getString(6),
        rs.getLong(7), rs.getLong(8));
  }

  static int update(Connection c, String sql, Object... args) throws SQLException {
    return Jdbc.update(c, sql, args);
  }

  static <T> Optional<T> queryOne(Connection c, String sql, Jdbc.Row<T> row, Object... args) throws SQLException {
    return Jdbc.queryOne(c, sql, row, args);
  }

  static <T> List<T> queryList(Connection c, String sql, Jdbc.Row<T> row, Object... args) throws SQLException {
    return Jdbc.queryList(c, sql, row, args);
  }

  // =====================================================================================
  // the database behind the facade

  void install(Database db) {
    Database previous = current.getAndSet(db);
    if (previous != null) {
      previous.close(); // a writer that was killed could not close its database
    }
  }

  void uninstall(Database db) {
    current.compareAndSet(db, null);
  }

  Database db() {
    Database db = current.get();
    if (db == null) {
      throw LedgerError.unavailable("the store is not running (it is starting or restarting); try again");
    }
    return db;
  }

  /**
   * An open database: one platform thread and connection for the writer's batches, a pool of
   * platform threads with their own connections for reads.
   */
  static final class Database implements AutoCloseable {
    private static final long TIMEOUT_SECONDS = 15;
    private static final List<String> SCHEMA = List.of(
        "CREATE TABLE IF NOT EXISTS accounts (id VARCHAR(64) PRIMARY KEY, currency CHAR(3) NOT NULL, "
            + "status VARCHAR(8) NOT NULL, overdraft BIGINT NOT NULL, balance BIGINT NOT NULL, "
            + "reserved BIGINT NOT NULL, kind VARCHAR(8) NOT NULL, created_at BIGINT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS transfers (id BIGINT PRIMARY KEY, idem_key VARCHAR(200) NOT NULL UNIQUE, "
            + "request_hash VARCHAR(200) NOT NULL, kind VARCHAR(10) NOT NULL, from_acct VARCHAR(64) NOT NULL, "
            + "to_acct VARCHAR(64) NOT NULL, amount BIGINT NOT NULL, currency CHAR(3) NOT NULL, "
            + "state VARCHAR(12) NOT NULL, outcome VARCHAR(32), detail VARCHAR(500), created_at BIGINT NOT NULL, "
            + "updated_at BIGINT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS transfers_state ON transfers (state)",
        "CREATE INDEX IF NOT EXISTS transfers_from ON transfers (from_acct)",
        "CREATE INDEX IF NOT EXISTS transfers_to ON transfers (to_acct)",
        // double entry: one row per account and movement; the pair of a movement adds up to zero
        "CREATE TABLE IF NOT EXISTS entries (transfer_id BIGINT NOT NULL, account_id VARCHAR(64) NOT NULL, "
            + "amount BIGINT NOT NULL, kind VARCHAR(10) NOT NULL, created_at BIGINT NOT NULL, "
            + "PRIMARY KEY (transfer_id, account_id))",
        "CREATE INDEX IF NOT EXISTS entries_account ON entries (account_id)",
        "CREATE TABLE IF NOT EXISTS workflow_steps (transfer_id BIGINT NOT NULL, seq INT NOT NULL, "
            + "step VARCHAR(12) NOT NULL, at BIGINT NOT NULL, PRIMARY KEY (transfer_id, seq))",
        "CREATE TABLE IF NOT EXISTS holds (id BIGINT PRIMARY KEY, account_id VARCHAR(64) NOT NULL, "
            + "merchant VARCHAR(64), amount BIGINT NOT NULL, kind VARCHAR(8) NOT NULL, status VARCHAR(10) NOT NULL, "
            + "expires_at BIGINT NOT NULL, captured BIGINT NOT NULL, created_at BIGINT NOT NULL, "
            + "idem_key VARCHAR(200) UNIQUE, request_hash VARCHAR(200))",
        "CREATE INDEX IF NOT EXISTS holds_status ON holds (status)",
        "CREATE TABLE IF NOT EXISTS idempotency_keys (idem_key VARCHAR(200) PRIMARY KEY, "
            + "request_hash VARCHAR(200) NOT NULL, operation VARCHAR(10) NOT NULL, ref_id BIGINT NOT NULL, "
            + "created_at BIGINT NOT NULL)",
        // a database written before the keys had a table of their own: its keys move there once
        "INSERT INTO idempotency_keys (idem_key, request_hash, operation, ref_id, created_at) SELECT idem_key, "
            + "request_hash, kind, id, created_at FROM transfers WHERE NOT EXISTS (SELECT 1 FROM idempotency_keys) "
            + "ON CONFLICT DO NOTHING",
        "INSERT INTO idempotency_keys (idem_key, request_hash, operation, ref_id, created_at) SELECT idem_key, "
            + "request_hash, 'authorize', id, created_at FROM holds WHERE idem_key IS NOT NULL AND NOT EXISTS "
            + "(SELECT 1 FROM idempotency_keys WHERE operation = 'authorize') ON CONFLICT DO NOTHING");

    final LedgerConfig config;
    private final ExecutorService writeThread;
    private final ExecutorService readPool;
    private final ThreadConnections connections;
    /** The last id handed out; read and written on the write thread only. */
    long lastId;
    /** The write thread's batched writes and view of the accounts; used on the write thread only. */
    final WriteBatch batch = new WriteBatch();

    private Database(LedgerConfig config) {
      this.config = config;
      this.connections = new ThreadConnections(config.effectiveJdbcUrl(), config.jdbcUser(), config.jdbcPassword(),
          config.embedded()
              // FULL: a commit returns once the WAL is synced. One sync per batch, not per transfer.
              ? List.of("PRAGMA journal_mode=WAL", "PRAGMA synchronous=" + config.synchronous(),
                  "PRAGMA busy_timeout=10000")
              : List.of());
      this.writeThread = Executors.newSingleThreadExecutor(
          r -> Thread.ofPlatform().name("ledger-db-writer").daemon(true).unstarted(r));
      AtomicInteger n = new AtomicInteger();
      this.readPool = Executors.newFixedThreadPool(config.readThreads(),
          r -> Thread.ofPlatform().name("ledger-db-reader-" + n.incrementAndGet()).daemon(true).unstarted(r));
    }

    /** Opens the database, creates its tables if they do not exist, and reads where the ids stand. */
    static Database open(LedgerConfig config) {
      if (config.embedded()) {
        try {
          java.nio.file.Files.createDirectories(config.dataDir());
        } catch (java.io.IOException e) {
          throw new StoreException("cannot create the data folder " + config.dataDir().toAbsolutePath() + ": "
              + e.getMessage() + " (set otp.ledger.dataDir to a writable folder)", e);
        }
      }
      Database db = new Database(config);
      try {
        db.await(db.writeThread.submit(() -> {
          Connection c = db.connection();
          try (Statement st = c.createStatement()) {
            for (String ddl : SCHEMA) {
              st.execute(ddl);
            }
          }
          db.lastId = Math.max(
              queryOne(c, "SELECT COALESCE(MAX(id), 0) FROM transfers", rs -> rs.getLong(1)).orElse(0L),
              queryOne(c, "SELECT COALESCE(MAX(id), 0) FROM holds", rs -> rs.getLong(1)).orElse(0L));
          c.setAutoCommit(false);
          return null;
        }));
      } catch (RuntimeException e) {
        db.close();
        throw e;
      }
      return db;
    }

    /**
     * Runs a batch of works in one transaction on the write thread and commits it. {@link Blind}
     * works run without a savepoint (they refuse before they write, and then cannot fail) and their
     * rows are sent together; any other work runs under a savepoint, so that a refused one rolls
     * back alone, after the queued rows are sent (it reads what the works before it wrote). If the
     * database fails the batch, it runs again with every work under a savepoint of its own and its
     * rows sent at once, so that a work the database fails fails alone; if the commit fails, every
     * work failed.
     */
    List<Outcome> commit(List<Work<?>> works) {
      return await(writeThread.submit(() -> {
        List<Outcome> out = attempt(works, false);
        return out != null ? out : attempt(works, true);
      }));
    }

    /**
     * Runs {@link #commit} on the write thread without waiting for it, and hands its outcomes to
     * {@code then} there, once committed (every work failed if the database could not be reached).
     */
    void commitLater(List<Work<?>> works, java.util.function.Consumer<List<Outcome>> then) {
      try {
        writeThread.execute(() -> {
          List<Outcome> out;
          try {
            out = attempt(works, false);
            if (out == null) {
              out = attempt(works, true);
            }
          } catch (SQLException | RuntimeException e) {
            out = new ArrayList<>();
            for (int i = 0; i < works.size(); i++) {
              out.add(new Outcome.Failed("the database could not be reached: " + e.getMessage()));
            }
          }
          then.accept(out);
        });
      } catch (RejectedExecutionException e) {
        List<Outcome> out = new ArrayList<>();
        for (int i = 0; i < works.size(); i++) {
          out.add(new Outcome.Failed("the store is closed"));
        }
        then.accept(out);
      }
    }

    /** One try of {@link #commit}; null if a batch run together failed and should be run again isolated. */
    private List<Outcome> attempt(List<Work<?>> works, boolean isolated) throws SQLException {
      Connection c = connection();
      if (c.getAutoCommit()) {
        c.setAutoCommit(false);
      }
      Tx tx = new Tx(c, this);
      long idBefore = lastId;
      List<Outcome> out = new ArrayList<>(works.size());
      try {
        if (!isolated) {
          batch.prefetch(c, works);
        }
        for (Work<?> w : works) {
          long id = lastId;
          if (w instanceof Blind<?> && !isolated) {
            try {
              out.add(new Outcome.Done(w.run(tx)));
            } catch (LedgerError e) {
              lastId = id; // refused before it queued anything
              out.add(new Outcome.Refused(e));
            }
            continue; // a database failure fails the batch, which runs again isolated
          }
          batch.flush(c);
          Savepoint sp = c.setSavepoint();
          try {
            Object value = w.run(tx);
            batch.flush(c);
            c.releaseSavepoint(sp);
            out.add(new Outcome.Done(value));
          } catch (LedgerError e) {
            c.rollback(sp);
            lastId = id;
            out.add(new Outcome.Refused(e));
          } catch (SQLException | RuntimeException e) {
            c.rollback(sp);
            lastId = id;
            out.add(new Outcome.Failed("database error: " + e.getMessage()));
          } finally {
            batch.forget(); // it may have written any account with its own SQL, or been rolled back
          }
        }
        batch.flush(c);
        c.commit();
        batch.committed();
        return out;
      } catch (SQLException | RuntimeException e) {
        lastId = idBefore;
        batch.forget();
        try {
          c.rollback();
        } catch (SQLException ignored) {
          // the connection is gone: the next batch opens another
        }
        if (!isolated) {
          return null;
        }
        List<Outcome> failed = new ArrayList<>();
        for (int i = 0; i < works.size(); i++) {
          failed.add(new Outcome.Failed("the batch could not be committed: " + e.getMessage()));
        }
        return failed;
      }
    }

    /** Runs {@code work} on a read thread and waits for it. */
    <T> T read(ReadWork<T> work) {
      Future<T> f;
      try {
        f = readPool.submit(() -> work.run(connection()));
      } catch (RejectedExecutionException e) {
        throw LedgerError.unavailable("the store is closed; try again");
      }
      return await(f);
    }

    /**
     * Waits for work on the database threads. Work is left to finish when its caller stops
     * waiting: a batch's commit decides the outcome of every work in it.
     */
    private <T> T await(Future<T> f) {
      return Jdbc.await(f, TIMEOUT_SECONDS, Jdbc.OnGiveUp.LET_FINISH, Database::failure);
    }

    /** A refusal raised by the work reaches the caller as it is; anything else is a store failure. */
    private static RuntimeException failure(String message, Throwable cause) {
      return cause instanceof LedgerError refused ? refused : new StoreException(message, cause);
    }

    private Connection connection() throws SQLException {
      return connections.get();
    }

    @Override
    public void close() {
      try {
        writeThread.submit(batch::close);
      } catch (RejectedExecutionException e) {
        // closed already
      }
      writeThread.shutdown();
      readPool.shutdown();
      try {
        writeThread.awaitTermination(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        readPool.awaitTermination(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      connections.close();
    }
  }
}
