package org.otp4j.examples.ledger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.otp4j.behaviours.GenServer;
import org.otp4j.core.Call;
import org.otp4j.core.CallException;
import org.otp4j.core.ExitReason;
import org.otp4j.core.From;
import org.otp4j.core.Pid;
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
 * A request ({@link #submit}) is a piece of {@link Work}. The writer keeps one transaction in
 * flight on the database's write thread; the requests that arrive meanwhile wait, and when it is
 * committed they all go in the next one (at most {@code batchSize}). An idle writer commits what it
 * has once it has taken in the requests already in its mailbox (or after {@code batchWindow}, if
 * that is set). A batch runs in one transaction on the database's write thread, and answers each caller with its own
 * outcome once the transaction is committed. A transfer that can complete at once is one request,
 * so one commit: its whole workflow is journaled and applied in the batch (see
 * {@link LedgerStore#transferNow}), and a batch of them costs a few batched statements
 * ({@link WriteBatch}); other requests run under a savepoint each, so that a refused one rolls back
 * alone. With SQLite's
 * {@code synchronous=FULL} a commit is an fsync, so this is what makes durability affordable: a
 * hundred concurrent transfers cost one fsync, not a hundred. The write thread answers each caller
 * itself once the batch is committed (after it told the writer, so that the writer's counts include
 * a batch before any of its callers sees an answer).
 *
 * <p>No caller sees an answer before its work is durable, and a caller that dies meanwhile changes
 * nothing: its work is committed (or refused) all the same, and the reply goes nowhere.
 */
final class Writer extends GenServer<Writer.State, Writer.Request> {
  /** The writer's protocol. */
  sealed interface Request {
    /** Run {@code work} in the next batch. */
    record Submit(Work<?> work) implements Request, Call<Outcome> {}

    /**
     * Run {@code work} in the next batch and complete {@code outcome} once committed: how a thread
     * that is not a process submits (it parks on the future rather than spin in a call's wait).
     */
    record SubmitFuture(Work<?> work, CompletableFuture<Outcome> outcome) implements Request {}

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

  /** From the write thread: the batch in flight is committed (or failed), its {@code works} answered. */
  private record Committed(int works) {}

  /** A request waiting for its batch, answered through {@code from} (a process) or {@code future} (a thread). */
  private record Pending(From from, CompletableFuture<Outcome> future, Work<?> work) {
    void answer(Outcome outcome) {
      if (from != null) {
        from.reply(outcome);
      } else {
        future.complete(outcome);
      }
    }
  }

  static final class State {
    final LedgerStore.Database db;
    List<Pending> pending = new ArrayList<>();
    boolean flushAsked;
    boolean inFlight;
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
  /** How often a thread waiting for its outcome looks whether the writer is still alive. */
  private static final Duration WATCH = Duration.ofMillis(250);

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
    if (Proc.isProcess()) {
      try {
        outcome = GenServer.call(Ledger.WRITER, new Request.Submit(work), SUBMIT_TIMEOUT);
      } catch (CallException e) {
        throw LedgerError.unavailable("the writer did not answer (" + e.reason() + "); retry with the same key");
      }
    } else {
      outcome = submitFromThread(work);
    }
    return switch (outcome) {
      case Outcome.Done d -> (T) d.value();
      case Outcome.Refused r -> throw r.error();
      case Outcome.Failed f -> throw LedgerError.unavailable(f.message() + "; retry with the same key");
    };
  }

  /**
   * {@link #submit} from a thread that is not a process (the HTTP endpoint's): a cast with a future,
   * on which the thread parks. A call's wait would spin first, which costs a platform thread more
   * CPU than the commit it waits for. The writer is watched while the thread waits: if it dies with
   * the request not yet handed to the database, the thread stops waiting.
   */
  private static Outcome submitFromThread(Work<?> work) {
    Pid writer = Proc.whereis(Ledger.WRITER).orElseThrow(() -> LedgerError.unavailable(
        "the writer is not running (it is starting or restarting); retry with the same key"));
    CompletableFuture<Outcome> outcome = new CompletableFuture<>();
    GenServer.cast(writer, new Request.SubmitFuture(work, outcome));
    long deadline = System.nanoTime() + SUBMIT_TIMEOUT.toNanos();
    try {
      while (true) {
        try {
          return outcome.get(WATCH.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
          if (!Proc.isAlive(writer) && !outcome.isDone()) {
            // its batch, if it had one, was committed or failed on the write thread, which answers
            // all the same: a last look, then give up
            try {
              return outcome.get(WATCH.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException late) {
              throw LedgerError.unavailable("the writer stopped; retry with the same key");
            }
          }
          if (System.nanoTime() > deadline) {
            throw LedgerError.unavailable("the writer did not answer within " + SUBMIT_TIMEOUT
                + "; retry with the same key");
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw LedgerError.unavailable("interrupted while waiting for the writer; retry with the same key");
    } catch (ExecutionException e) {
      throw LedgerError.unavailable("the writer failed (" + e.getCause() + "); retry with the same key");
    }
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
        add(new Pending(from, null, work), state);
        yield noReply(state);
      }
      case Request.SubmitFuture f -> throw new IllegalArgumentException("SubmitFuture is a cast, not a call");
      case Request.GetCounts c -> reply(c, new Counts(state.batches, state.works), state);
    };
  }

  @Override
  protected CastResult<State> handleCast(Request request, State state) {
    switch (request) {
      case Request.SubmitFuture(Work<?> work, CompletableFuture<Outcome> outcome) ->
          add(new Pending(null, outcome, work), state);
      case Request.Submit s -> throw new IllegalArgumentException("Submit is a call, not a cast");
      case Request.GetCounts c -> throw new IllegalArgumentException("GetCounts is a call, not a cast");
    }
    return noReply(state);
  }

  /** Takes a request into the next batch, and has that batch committed soon unless one is in flight. */
  private void add(Pending p, State state) {
    state.pending.add(p);
    if (state.inFlight) {
      return; // the next batch, once the one in flight is committed
    }
    if (state.pending.size() >= ledger.config().batchSize()) {
      flush(state);
    } else if (!state.flushAsked) {
      state.flushAsked = true;
      if (ledger.config().batchWindow().isZero()) {
        Proc.send(Proc.self(), new Flush()); // behind the requests already in the mailbox: they join
      } else {
        Proc.sendAfter(ledger.config().batchWindow(), Proc.self(), new Flush());
      }
    }
  }

  @Override
  protected CastResult<State> handleInfo(Object message, State state) {
    switch (message) {
      case Flush f -> {
        state.flushAsked = false;
        if (!state.inFlight) {
          flush(state);
        }
      }
      case Committed(int works) -> {
        state.inFlight = false;
        state.batches++;
        state.works += works;
        flush(state); // what arrived while it committed
      }
      default -> {
        // nothing else is expected
      }
    }
    return noReply(state);
  }

  /** Hands the waiting requests (at most {@code batchSize}) to the write thread as one batch. */
  private void flush(State state) {
    if (state.pending.isEmpty()) {
      return;
    }
    int n = Math.min(state.pending.size(), ledger.config().batchSize());
    List<Pending> batch = new ArrayList<>(state.pending.subList(0, n));
    state.pending = new ArrayList<>(state.pending.subList(n, state.pending.size()));
    List<Work<?>> works = new ArrayList<>(n);
    for (Pending p : batch) {
      works.add(p.work());
    }
    Pid writer = Proc.self();
    state.inFlight = true;
    state.db.commitLater(works, outcomes -> {
      Proc.send(writer, new Committed(n));
      for (int i = 0; i < n; i++) {
        batch.get(i).answer(outcomes.get(i));
      }
    });
  }

  @Override
  protected void terminate(ExitReason reason, State state) {
    for (Pending p : state.pending) {
      p.answer(new Outcome.Failed("the writer stopped before the request's batch"));
    }
    ledger.store().uninstall(state.db);
    state.db.close();
  }
}
