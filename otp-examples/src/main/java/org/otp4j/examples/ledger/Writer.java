package org.otp4j.examples.ledger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.otp4j.behaviours.GenServer;
import org.otp4j.core.Call;
import org.otp4j.core.CallException;
import org.otp4j.core.ExitReason;
import org.otp4j.core.From;
import org.otp4j.core.Proc;
import org.otp4j.core.ServerRef;
import org.otp4j.examples.ledger.LedgerStore.Outcome;
import org.otp4j.examples.ledger.LedgerStore.Work;

/**
 * The writer: the one process that writes to the database, with group commit. It opens the
 * database in its init (and installs it in the shared {@link LedgerStore}), closes it when it
 * terminates.
 *
 * <h2>Group commit</h2>
 * A request ({@link #submit}) is a piece of {@link Work}; the writer does not run it at once but
 * collects requests for {@code batchWindow} (or until {@code batchSize} are waiting), then runs
 * them all in one transaction on the database's write thread, and answers each caller with its own
 * outcome once the transaction is committed. A transfer that can complete at once is one request,
 * so one commit: its whole workflow is journaled and applied in the batch (see
 * {@link LedgerStore#transferNow}), and a batch of them costs a few batched statements
 * ({@link WriteBatch}); other requests run under a savepoint each, so that a refused one rolls back
 * alone. With SQLite's
 * {@code synchronous=FULL} a commit is an fsync, so this is what makes durability affordable: a
 * hundred concurrent transfers cost one fsync, not a hundred. While a batch commits the writer is
 * blocked on the write thread's future, and the next requests wait in its mailbox: they make the
 * next batch.
 *
 * <p>No caller sees an answer before its work is durable, and a caller that dies meanwhile changes
 * nothing: its work is committed (or refused) all the same, and the reply goes nowhere.
 */
final class Writer extends GenServer<Writer.State, Writer.Request> {
  /** The writer's protocol. */
  sealed interface Request {
    /** Run {@code work} in the next batch. */
    record Submit(Work<?> work) implements Request, Call<Outcome> {}

    /** How many batches and works were committed. */
    record GetCounts() implements Request, Call<Counts> {}
  }

  /**
   * The writer's counters.
   *
   * @param batches transactions committed
   * @param works requests run in them
   */
  record Counts(long batches, long works) {}

  private record Flush() {}

  private record Pending(From from, Work<?> work) {}

  static final class State {
    final LedgerStore.Database db;
    List<Pending> pending = new ArrayList<>();
    boolean flushAsked;
    long batches;
    long works;

    State(LedgerStore.Database db) {
      this.db = db;
    }

    @Override
    public String toString() {
      return "Writer[pending=" + pending.size() + ", batches=" + batches + ", works=" + works + "]";
    }
  }

  private static final Duration SUBMIT_TIMEOUT = Duration.ofSeconds(30);

  private final Ledger ledger;

  private Writer(Ledger ledger) {
    this.ledger = ledger;
  }

  // =====================================================================================
  // client API

  static ServerRef<Request> startLink(Ledger ledger) {
    return GenServer.startLink(Ledger.WRITER, new Writer(ledger));
  }

  /**
   * Runs {@code work} in the writer's next batch and returns its result once committed.
   *
   * @throws LedgerError the work's refusal (nothing it wrote was kept), or 503 {@code unavailable}
   *     if the database failed or the writer is not running (then the work may or may not be
   *     committed: retry with the same idempotency key)
   */
  @SuppressWarnings("unchecked")
  static <T> T submit(Work<T> work) {
    Outcome outcome;
    try {
      outcome = GenServer.call(Ledger.WRITER, new Request.Submit(work), SUBMIT_TIMEOUT);
    } catch (CallException e) {
      throw LedgerError.unavailable("the writer did not answer (" + e.reason() + "); retry with the same key");
    }
    return switch (outcome) {
      case Outcome.Done d -> (T) d.value();
      case Outcome.Refused r -> throw r.error();
      case Outcome.Failed f -> throw LedgerError.unavailable(f.message() + "; retry with the same key");
    };
  }

  /** How many batches and works the writer has committed since it started: fewer batches is group commit. */
  static Counts counts() {
    return GenServer.call(Ledger.WRITER, new Request.GetCounts());
  }

  // =====================================================================================
  // server callbacks

  @Override
  protected Init<State> init() {
    Proc.trapExits(true); // so that terminate closes the database on shutdown
    LedgerStore.Database db = LedgerStore.Database.open(ledger.config());
    ledger.store().install(db);
    return Init.ok(new State(db));
  }

  @Override
  protected CallResult<State> handleCall(Request request, From from, State state) {
    return switch (request) {
      case Request.Submit(Work<?> work) -> {
        state.pending.add(new Pending(from, work));
        if (state.pending.size() >= ledger.config().batchSize()) {
          flush(state);
        } else if (!state.flushAsked) {
          state.flushAsked = true;
          Proc.sendAfter(ledger.config().batchWindow(), Proc.self(), new Flush());
        }
        yield noReply(state);
      }
      case Request.GetCounts c -> reply(c, new Counts(state.batches, state.works), state);
    };
  }

  @Override
  protected CastResult<State> handleInfo(Object message, State state) {
    if (message instanceof Flush) {
      state.flushAsked = false;
      flush(state);
    }
    return noReply(state);
  }

  private static void flush(State state) {
    if (state.pending.isEmpty()) {
      return;
    }
    List<Pending> batch = state.pending;
    state.pending = new ArrayList<>();
    List<Work<?>> works = new ArrayList<>(batch.size());
    for (Pending p : batch) {
      works.add(p.work());
    }
    List<Outcome> outcomes = state.db.commit(works);
    state.batches++;
    state.works += batch.size();
    for (int i = 0; i < batch.size(); i++) {
      batch.get(i).from().reply(outcomes.get(i));
    }
  }

  @Override
  protected void terminate(ExitReason reason, State state) {
    ledger.store().uninstall(state.db);
    state.db.close();
  }
}
