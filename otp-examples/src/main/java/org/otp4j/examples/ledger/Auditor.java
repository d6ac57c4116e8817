package org.otp4j.examples.ledger;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.otp4j.behaviours.GenServer;
import org.otp4j.core.Call;
import org.otp4j.core.From;
import org.otp4j.core.Proc;
import org.otp4j.core.ServerRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks the ledger's invariants over and over, each time on one consistent snapshot of the
 * database, and keeps its last verdict (for {@code GET /audit} and the page at {@code /}):
 * <ol>
 *   <li>the journal balances: in each currency the entries add up to zero, and each movement has
 *       exactly two entries that add up to zero (a completed one; a failed or unfinished one none);</li>
 *   <li>each account's balance is the sum of its entries, its reserved sum that of its active holds;</li>
 *   <li>the customers' balances add up to the deposits less the withdrawals, per currency;</li>
 *   <li>no balance is below its overdraft limit, and none can spend less than nothing.</li>
 * </ol>
 */
final class Auditor extends GenServer<Auditor.Verdict, Auditor.Request> {
  private static final Logger LOG = LoggerFactory.getLogger(Auditor.class);

  /** The auditor's protocol. */
  sealed interface Request {
    /** The last verdict. */
    record Last() implements Request, Call<Verdict> {}

    /** Audit now and answer with the verdict. */
    record Now() implements Request, Call<Verdict> {}
  }

  /**
   * An audit's result.
   *
   * @param ok whether every invariant held
   * @param checkedAt when (epoch ms; 0: not yet)
   * @param violations what did not hold, one line each (empty when ok)
   * @param accounts customer accounts
   * @param transfers movements recorded
   * @param entries journal entries
   * @param unfinished transfers whose workflow has not reached a terminal state
   * @param audits how many audits this process has run
   */
  record Verdict(boolean ok, long checkedAt, List<String> violations, long accounts, long transfers, long entries,
      long unfinished, long audits) {}

  private record Tick() {}

  private final Ledger ledger;

  private Auditor(Ledger ledger) {
    this.ledger = ledger;
  }

  static ServerRef<Request> startLink(Ledger ledger) {
    return GenServer.startLink(Ledger.AUDITOR, new Auditor(ledger));
  }

  /** The last verdict. */
  static Verdict last() {
    return GenServer.call(Ledger.AUDITOR, new Request.Last());
  }

  /** Audits now. */
  static Verdict now() {
    return GenServer.call(Ledger.AUDITOR, new Request.Now());
  }

  @Override
  protected Init<Verdict> init() {
    Proc.sendAfter(ledger.config().auditInterval(), Proc.self(), new Tick());
    return Init.ok(new Verdict(true, 0, List.of(), 0, 0, 0, 0, 0));
  }

  @Override
  protected CallResult<Verdict> handleCall(Request request, From from, Verdict last) {
    return switch (request) {
      case Request.Last l -> reply(l, last, last);
      case Request.Now n -> {
        Verdict v = audit(last);
        yield reply(n, v, v);
      }
    };
  }

  @Override
  protected CastResult<Verdict> handleInfo(Object message, Verdict last) {
    if (message instanceof Tick) {
      Verdict v = last;
      try {
        v = audit(last);
      } catch (LedgerError | LedgerStore.StoreException e) {
        LOG.debug("audit skipped: {}", e.getMessage());
      }
      Proc.sendAfter(ledger.config().auditInterval(), Proc.self(), new Tick());
      return noReply(v);
    }
    return noReply(last);
  }

  private Verdict audit(Verdict last) {
    Verdict v = ledger.store().snapshot(c -> check(c, last.audits() + 1));
    if (!v.ok() && (last.ok() || !v.violations().equals(last.violations()))) {
      LOG.error("ledger audit failed: {}", v.violations());
    }
    return v;
  }

  /** Runs every check on connection {@code c} (inside one read transaction). */
  static Verdict check(Connection c, long audits) throws SQLException {
    List<String> bad = new ArrayList<>();
    LedgerStore.queryList(c, "SELECT currency, SUM(amount) FROM entries e JOIN accounts a ON a.id = e.account_id "
        + "GROUP BY currency HAVING SUM(amount) <> 0", rs -> "entries in " + rs.getString(1) + " add up to "
        + rs.getLong(2) + ", not 0").forEach(bad::add);
    LedgerStore.queryList(c, "SELECT t.id, t.state, COUNT(e.account_id), COALESCE(SUM(e.amount), 0) FROM transfers t "
        + "LEFT JOIN entries e ON e.transfer_id = t.id GROUP BY t.id, t.state "
        + "HAVING (t.state = 'COMPLETED' AND (COUNT(e.account_id) <> 2 OR COALESCE(SUM(e.amount), 0) <> 0)) "
        + "OR (t.state <> 'COMPLETED' AND COUNT(e.account_id) <> 0)",
        rs -> "transfer " + rs.getLong(1) + " (" + rs.getString(2) + ") has " + rs.getLong(3) + " entries adding up to "
            + rs.getLong(4)).forEach(bad::add);
    LedgerStore.queryList(c, "SELECT COUNT(*) FROM entries e LEFT JOIN transfers t ON t.id = e.transfer_id "
        + "WHERE t.id IS NULL", rs -> rs.getLong(1)).stream().filter(n -> n > 0)
        .forEach(n -> bad.add(n + " entries belong to no transfer"));
    LedgerStore.queryList(c, "SELECT a.id, a.balance, COALESCE(e.s, 0) FROM accounts a LEFT JOIN "
        + "(SELECT account_id, SUM(amount) s FROM entries GROUP BY account_id) e ON e.account_id = a.id "
        + "WHERE a.balance <> COALESCE(e.s, 0)", rs -> "account " + rs.getString(1) + " shows balance "
        + rs.getLong(2) + " but its entries add up to " + rs.getLong(3)).forEach(bad::add);
    LedgerStore.queryList(c, "SELECT a.id, a.reserved, COALESCE(h.s, 0) FROM accounts a LEFT JOIN "
        + "(SELECT account_id, SUM(amount) s FROM holds WHERE status = 'active' GROUP BY account_id) h "
        + "ON h.account_id = a.id WHERE a.reserved <> COALESCE(h.s, 0)", rs -> "account " + rs.getString(1)
        + " shows " + rs.getLong(2) + " reserved but its active holds add up to " + rs.getLong(3)).forEach(bad::add);
    LedgerStore.queryList(c, "SELECT id, balance, overdraft, reserved FROM accounts WHERE kind = 'customer' "
        + "AND (balance < -overdraft OR balance + overdraft - reserved < 0)", rs -> "account " + rs.getString(1)
        + " has balance " + rs.getLong(2) + " with overdraft limit " + rs.getLong(3) + " and " + rs.getLong(4)
        + " reserved").forEach(bad::add);
    LedgerStore.queryList(c, "SELECT a.currency, a.s, COALESCE(d.s, 0), COALESCE(w.s, 0) FROM "
        + "(SELECT currency, SUM(balance) s FROM accounts WHERE kind = 'customer' GROUP BY currency) a "
        + "LEFT JOIN (SELECT currency, SUM(amount) s FROM transfers WHERE kind = 'deposit' AND state = 'COMPLETED' "
        + "GROUP BY currency) d ON d.currency = a.currency "
        + "LEFT JOIN (SELECT currency, SUM(amount) s FROM transfers WHERE kind = 'withdraw' AND state = 'COMPLETED' "
        + "GROUP BY currency) w ON w.currency = a.currency "
        + "WHERE a.s <> COALESCE(d.s, 0) - COALESCE(w.s, 0)", rs -> "the " + rs.getString(1) + " balances add up to "
        + rs.getLong(2) + ", but deposits less withdrawals are " + (rs.getLong(3) - rs.getLong(4))).forEach(bad::add);
    long accounts = count(c, "SELECT COUNT(*) FROM accounts WHERE kind = 'customer'");
    long transfers = count(c, "SELECT COUNT(*) FROM transfers");
    long entries = count(c, "SELECT COUNT(*) FROM entries");
    long unfinished = count(c, "SELECT COUNT(*) FROM transfers WHERE state NOT IN ('COMPLETED', 'FAILED')");
    return new Verdict(bad.isEmpty(), System.currentTimeMillis(), List.copyOf(bad), accounts, transfers, entries,
        unfinished, audits);
  }

  private static long count(Connection c, String sql) throws SQLException {
    return LedgerStore.queryOne(c, sql, rs -> rs.getLong(1)).orElse(0L);
  }
}
