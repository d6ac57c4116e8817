package org.otp4j.examples.ledger;

import java.time.Duration;
import java.util.Optional;
import org.otp4j.behaviours.DynamicSupervisor;
import org.otp4j.behaviours.GenServer;
import org.otp4j.behaviours.StartOptions;
import org.otp4j.behaviours.StartResult;
import org.otp4j.core.CallException;
import org.otp4j.core.From;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.examples.ledger.Rows.Hold;
import org.otp4j.examples.ledger.Rows.Transfer;

/**
 * An account as a process: the place that takes money out of it in more than one step. A withdrawal,
 * a transfer's reservation, a card authorization and every change of status go through the account's
 * process, one at a time. Credits and the posting of what was reserved need no check of this
 * account's funds and go to the writer directly. A transfer the source can fund at once goes to the
 * writer directly too ({@link LedgerStore#transferNow}): the writer, the only process that writes
 * the accounts, checks it against the balances as its earlier batches left them and applies it in
 * one commit, so no two debits race for the same money there either. The process could not check it
 * as well: a credit reaches the balance without passing through it.
 *
 * <h2>Started on demand, found by name, stopped when idle</h2>
 * An account's process runs only while it is used: the first request starts it under the
 * {@code accounts} {@link DynamicSupervisor} (a temporary child: a killed account is simply started
 * again by its next request), registered as {@code Name.via(ledger.accounts(), id)}; it stops
 * ({@code normal}) after {@code accountIdle} without a request.
 *
 * <h2>Nothing it holds is the only copy</h2>
 * The balance, the reserved sum and the status are in the store, changed only by committed
 * transactions whose own statements check the funds again. The process keeps the row as of its last
 * write, for its status page; it can be killed at any moment, between any two statements, and its
 * next incarnation reads the row afresh. A request whose caller saw the process die is retried with
 * the same idempotency key or hold id, so a write committed just before the kill is found, not
 * repeated.
 */
final class Account extends GenServer<Rows.Account, Account.Request> {
  /** What other processes ask of an account. Each answer is the result, or the {@link LedgerError}. */
  sealed interface Request {
    /**
     * A deposit ({@code withdraw} false) or a withdrawal, idempotent by {@code key}; answered with
     * the movement (a withdrawal of more than the account can spend: {@code FAILED}, outcome
     * {@code insufficient_funds}).
     *
     * @throws LedgerError 400 {@code missing_idempotency_key} if {@code key} is null or blank
     */
    record Cash(boolean withdraw, String key, String hash, long amount) implements Request {
      public Cash {
        Amounts.key(key, withdraw ? "withdrawal" : "deposit");
      }
    }

    /**
     * Hold {@code amount} for transfer {@code transferId} and journal its next step, POST, in one
     * transaction (idempotent by that id); answered with the transfer as it is then.
     */
    record Reserve(long transferId, long amount) implements Request {}

    /**
     * A card authorization for {@code merchant} until {@code expiresAt} (idempotent by {@code key});
     * answered with the hold ({@code declined} if the account cannot spend {@code amount}).
     *
     * @throws LedgerError 400 {@code missing_idempotency_key} if {@code key} is null or blank
     */
    record Authorize(String key, String hash, String merchant, long amount, long expiresAt) implements Request {
      public Authorize {
        Amounts.key(key, "card authorization");
      }
    }

    /** Freeze, unfreeze or close. */
    record SetStatus(String status) implements Request {}
  }

  private static final int ATTEMPTS = 20;
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

  private final Ledger ledger;
  private final String id;

  private Account(Ledger ledger, String id) {
    this.ledger = ledger;
    this.id = id;
  }

  // =====================================================================================
  // client API

  /** The accounts supervisor's template: temporary accounts, each under its via name. */
  static DynamicSupervisor.Template<String> template(Ledger ledger) {
    return DynamicSupervisor.Template.worker((String id) -> GenServer.tryStartLink(new Account(ledger, id),
        StartOptions.defaults().withName(ledger.accountName(id))))
        .withRestart(org.otp4j.behaviours.ChildSpec.Restart.TEMPORARY);
  }

  /**
   * Asks account {@code id}'s process, starting it if needed; a process that dies under the request
   * (killed, or stopping idle) is started again and asked again, so each request must be idempotent.
   *
   * @throws LedgerError the account's refusal, 404 if there is no such account, 503 if it could not
   *     be reached
   */
  @SuppressWarnings("unchecked")
  static <T> T ask(Ledger ledger, String id, Request request) {
    Object lastFailure = null;
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      Optional<Pid> pid = Proc.whereis(ledger.accountName(id));
      if (pid.isEmpty()) {
        switch (DynamicSupervisor.startChildWith(Ledger.ACCOUNTS, id)) {
          case StartResult.Started s -> pid = Optional.of(s.pid());
          case StartResult.AlreadyStarted a -> pid = Optional.of(a.pid());
          case StartResult.Ignored i -> throw LedgerError.notFound("unknown_account", "there is no account '" + id + "'");
          case StartResult.Failed f -> lastFailure = f.reason();
          case DynamicSupervisor.MaxChildren m -> throw LedgerError.unavailable("too many accounts are active");
        }
      }
      if (pid.isPresent()) {
        try {
          Object answer = GenServer.call(pid.get(), request, CALL_TIMEOUT);
          if (answer instanceof LedgerError refused) {
            throw refused;
          }
          return (T) answer;
        } catch (CallException e) {
          lastFailure = e.reason(); // killed, or stopped idle just now: start it again and ask again
        }
      }
      Proc.sleep(Duration.ofMillis(Math.min(100, 2L << attempt)));
    }
    throw LedgerError.unavailable("account '" + id + "' could not be reached (" + lastFailure + "); retry");
  }

  // =====================================================================================
  // server callbacks

  @Override
  protected Init<Rows.Account> init() {
    Optional<Rows.Account> row = ledger.store().account(id).filter(a -> !a.id().startsWith("world:"));
    if (row.isEmpty()) {
      return Init.ignore(); // no such account: the caller says so
    }
    return Init.ok(row.get(), Action.timeout(ledger.config().accountIdle()));
  }

  @Override
  protected CallResult<Rows.Account> handleCall(Request request, From from, Rows.Account account) {
    Object answer;
    try {
      answer = switch (request) {
        case Request.Cash(boolean withdraw, String key, String hash, long amount) ->
            Writer.<Transfer>submit(LedgerStore.cash(withdraw ? "withdraw" : "deposit", key, hash, id, amount));
        case Request.Reserve(long transferId, long amount) ->
            Writer.<Transfer>submit(LedgerStore.reserveForTransfer(transferId, id, amount));
        case Request.Authorize(String key, String hash, String merchant, long amount, long expiresAt) ->
            Writer.<Hold>submit(LedgerStore.authorize(key, hash, id, merchant, amount, expiresAt));
        case Request.SetStatus(String status) -> Writer.<Rows.Account>submit(LedgerStore.setStatus(id, status));
      };
      account = ledger.store().account(id).orElse(account);
    } catch (LedgerError refused) {
      answer = refused;
    }
    return reply(answer, account, Action.timeout(ledger.config().accountIdle()));
  }

  @Override
  protected CastResult<Rows.Account> handleInfo(Object message, Rows.Account account) {
    if (message instanceof GenServer.Timeout) {
      return stop(ExitReason.NORMAL, account); // idle: the next request starts it again
    }
    return noReply(account, Action.timeout(ledger.config().accountIdle()));
  }
}
