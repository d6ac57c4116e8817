package org.otp4j.examples.ledger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.otp4j.behaviours.ChildSpec;
import org.otp4j.behaviours.DynamicSupervisor;
import org.otp4j.behaviours.GenStatem;
import org.otp4j.behaviours.StartOptions;
import org.otp4j.behaviours.StartResult;
import org.otp4j.core.Call;
import org.otp4j.core.CallException;
import org.otp4j.core.ExitReason;
import org.otp4j.core.From;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.examples.ledger.LedgerStore.StoreException;
import org.otp4j.examples.ledger.Rows.Transfer;
import org.otp4j.examples.ledger.Rows.TransferState;

/**
 * One transfer's workflow, a {@link GenStatem}: validate, reserve, post, or compensate, each step
 * journaled in the store before it acts, so that whatever kills the process (a kill of the process,
 * a kill -9 of the JVM) its next incarnation reads where it stood and finishes the transfer with
 * exactly one terminal outcome.
 *
 * <p>A transfer the source can fund when it arrives needs no workflow process: the writer journals
 * all its steps and applies them in one transaction ({@link LedgerStore#transferNow}), so recovery
 * finds it COMPLETED or not at all. A workflow runs for one written in RESERVE (its source could
 * not fund it then), and for one a crash left under way.
 *
 * <pre>
 * state       does (each step idempotent)                   then
 * VALIDATE    both accounts exist, are open, one currency     RESERVE (journaled), or COMPENSATE
 *             (checked first by the transaction that accepts
 *             the transfer, which journals RESERVE at once
 *             if they pass)
 * RESERVE     the source account holds the amount             POST (journaled in the hold's transaction),
 *             (hold id = transfer id: a retry finds it)       or COMPENSATE if refused or stepTimeout passed
 * POST        both entries, hold consumed, COMPLETED:          stop normal; COMPENSATE if refused
 *             one transaction, a no-op once done               (an account frozen or closed meanwhile)
 * COMPENSATE  hold released and FAILED: one transaction       stop normal
 * </pre>
 *
 * <p>Exactly one outcome: COMPLETED is only written by the post of a transfer in POST, FAILED only
 * over a state that is not terminal, and both go through the single writer, so whichever commits
 * first makes the other a no-op. A stale incarnation (killed while its request sat in the writer's
 * batch) therefore cannot undo what its successor did.
 *
 * <p>Its processes are transient children of the {@code workflows} supervisor, registered under the
 * transfer's id: a killed workflow is restarted with the same id and resumes from the journal; one
 * that finishes stops normally and is not.
 */
final class TransferWorkflow extends GenStatem<TransferState, TransferWorkflow.Data, TransferWorkflow.Msg> {
  /** What callers ask of a workflow. */
  sealed interface Msg {
    /** Wait for the transfer's terminal outcome. */
    record Await() implements Msg, Call<Transfer> {}
  }

  /** The workflow's data: the transfer as last written, and who waits for its end. */
  static final class Data {
    Transfer transfer;
    final List<From> waiters = new ArrayList<>();

    Data(Transfer transfer) {
      this.transfer = transfer;
    }

    @Override
    public String toString() {
      return "Transfer[" + transfer.id() + ", " + transfer.from() + " -> " + transfer.to() + ", " + transfer.amount()
          + "]";
    }
  }

  private static final Object RUN = "run";
  private static final Duration RETRY = Duration.ofMillis(50);

  private final Ledger ledger;
  private final long id;

  private TransferWorkflow(Ledger ledger, long id) {
    this.ledger = ledger;
    this.id = id;
  }

  // =====================================================================================
  // client API

  /** The workflows supervisor's template: transient workflows, each under its transfer's id. */
  static DynamicSupervisor.Template<Long> template(Ledger ledger) {
    return DynamicSupervisor.Template.worker((Long id) -> GenStatem.tryStartLink(new TransferWorkflow(ledger, id),
        StartOptions.defaults().withName(ledger.workflowName(id))))
        .withRestart(ChildSpec.Restart.TRANSIENT);
  }

  /** Starts the workflow of transfer {@code id} unless it runs; empty if the transfer is over. */
  static Optional<Pid> ensureStarted(Ledger ledger, long id) {
    Optional<Pid> running = Proc.whereis(ledger.workflowName(id));
    if (running.isPresent()) {
      return running;
    }
    return switch (DynamicSupervisor.startChildWith(Ledger.WORKFLOWS, id)) {
      case StartResult.Started s -> Optional.of(s.pid());
      case StartResult.AlreadyStarted a -> Optional.of(a.pid());
      case StartResult.Ignored i -> Optional.empty();
      case StartResult.Failed f -> Optional.empty();
      case DynamicSupervisor.MaxChildren m -> Optional.empty();
    };
  }

  /**
   * Drives transfer {@code id} to its terminal outcome and returns it, waiting at most
   * {@code within}; a workflow killed meanwhile is started again and waited for again.
   *
   * @throws LedgerError 503 {@code pending} if the transfer has not finished in time
   */
  static Transfer awaitOutcome(Ledger ledger, long id, Duration within) {
    long deadline = System.nanoTime() + within.toNanos();
    int attempt = 0;
    while (true) {
      Transfer t = ledger.store().transfer(id).orElseThrow(() -> LedgerError.notFound("unknown_transfer",
          "there is no transfer " + id));
      if (t.state().terminal()) {
        return t;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new LedgerError(503, "pending", "transfer " + id + " is still under way (" + t.state()
            + "); retry with the same Idempotency-Key and body for its outcome");
      }
      Optional<Pid> pid = ensureStarted(ledger, id);
      if (pid.isPresent()) {
        try {
          return GenStatem.call(pid.get(), new Msg.Await(), Duration.ofNanos(left)) instanceof Transfer done ? done : t;
        } catch (CallException e) {
          // killed (its supervisor restarts it) or timed out: look again
        }
      }
      Proc.sleep(Duration.ofMillis(Math.min(50, 2L << Math.min(attempt++, 5))));
    }
  }

  // =====================================================================================
  // state machine

  @Override
  protected Init<TransferState, Data> init() {
    Optional<Transfer> t = ledger.store().transfer(id);
    if (t.isEmpty() || t.get().state().terminal()) {
      return Init.ignore(); // nothing left to do
    }
    return Init.ok(t.get().state(), new Data(t.get()), actionsFor(t.get().state()).toArray(Action[]::new));
  }

  @Override
  protected Result<TransferState, Data> handleEvent(Event<Msg> event, TransferState state, Data d) {
    return switch (event) {
      case Event.Call(From from, Msg.Await a) -> {
        d.waiters.add(from);
        yield keepState(d);
      }
      case Event.Internal<Msg> run -> step(state, d);
      case Event.GenericTimeout<Msg> retry -> step(state, d);
      case Event.StateTimeout<Msg> expired -> compensate(d, "timeout", "the transfer's " + state.name().toLowerCase()
          + " step did not finish within " + ledger.config().stepTimeout());
      default -> keepStateAndData();
    };
  }

  /** Runs the step of {@code state}; a store that is briefly unavailable is tried again shortly. */
  private Result<TransferState, Data> step(TransferState state, Data d) {
    try {
      return switch (state) {
        case VALIDATE -> validate(d);
        case RESERVE -> reserve(d);
        case POST -> post(d);
        case COMPENSATE -> follow(Writer.submit(LedgerStore.fail(id)), d);
        case COMPLETED, FAILED -> finish(d.transfer, d);
      };
    } catch (StoreException e) {
      return keepState(d, Action.genericTimeout("retry", RETRY, RUN));
    } catch (LedgerError e) {
      if (e.status() >= 500) {
        return keepState(d, Action.genericTimeout("retry", RETRY, RUN));
      }
      if (state == TransferState.COMPENSATE) {
        throw e; // a refusal of a compensation is a bug: crash, and the restart reads the journal again
      }
      return compensate(d, e.code(), e.getMessage());
    }
  }

  private Result<TransferState, Data> validate(Data d) {
    Transfer t = d.transfer;
    Rows.Account from = existing(t.from());
    Rows.Account to = existing(t.to());
    LedgerStore.requireOpen(from);
    LedgerStore.requireOpen(to);
    if (!from.currency().equals(to.currency())) {
      throw LedgerStore.currencyMismatch(from, to);
    }
    return follow(Writer.submit(LedgerStore.advance(id, TransferState.RESERVE, null, null, TransferState.VALIDATE)), d);
  }

  private Rows.Account existing(String account) {
    return ledger.store().account(account).orElseThrow(() -> LedgerError.notFound("unknown_account",
        "there is no account '" + account + "'"));
  }

  private Result<TransferState, Data> reserve(Data d) {
    // the hold and the POST step commit together: one durable write for the step, not two
    Transfer t = Account.ask(ledger, d.transfer.from(), new Account.Request.Reserve(id, d.transfer.amount()));
    return follow(t, d);
  }

  private Result<TransferState, Data> post(Data d) {
    return follow(Writer.submit(LedgerStore.post(id)), d);
  }

  /** Journals the compensation (with the refusal that caused it) and goes on from where the store says. */
  private Result<TransferState, Data> compensate(Data d, String code, String detail) {
    try {
      return follow(Writer.submit(LedgerStore.advance(id, TransferState.COMPENSATE, code, detail,
          TransferState.VALIDATE, TransferState.RESERVE, TransferState.POST)), d);
    } catch (LedgerError | StoreException e) {
      // not journaled: the step runs again shortly (and refuses again, or times out again)
      return keepState(d, Action.genericTimeout("retry", RETRY, RUN));
    }
  }

  /** Goes to the state the store now has for the transfer. */
  private Result<TransferState, Data> follow(Transfer t, Data d) {
    d.transfer = t;
    if (t.state().terminal()) {
      return finish(t, d);
    }
    return nextState(t.state(), d, actionsFor(t.state()).toArray(Action[]::new));
  }

  private List<Action> actionsFor(TransferState state) {
    List<Action> actions = new ArrayList<>();
    actions.add(Action.nextEvent(new Event.Internal<Msg>(RUN)));
    if (state == TransferState.VALIDATE || state == TransferState.RESERVE) {
      actions.add(Action.stateTimeout(ledger.config().stepTimeout(), "expired"));
    }
    return actions;
  }

  private Result<TransferState, Data> finish(Transfer t, Data d) {
    Action.Reply[] replies = d.waiters.stream().map(w -> Action.reply(w, t)).toArray(Action.Reply[]::new);
    return stopAndReply(ExitReason.NORMAL, d, replies);
  }
}
