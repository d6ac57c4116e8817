package org.otp4j.examples.ledger;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import org.otp4j.behaviours.ChildSpec;
import org.otp4j.behaviours.DynamicSupervisor;
import org.otp4j.behaviours.GenStatem;
import org.otp4j.behaviours.StartOptions;
import org.otp4j.behaviours.StartResult;
import org.otp4j.core.CallException;
import org.otp4j.core.ExitReason;
import org.otp4j.core.From;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.examples.ledger.Rows.Hold;

/**
 * A card authorization as a process: money held on an account for a merchant until it is captured
 * (in full or in part), voided, or expires by itself. The expiry is the state machine's state
 * timeout: nothing polls for it.
 *
 * <pre>
 * state        event                     then
 * AUTHORIZED   capture(amount &lt;= held)   captured: the amount paid to the merchant, the rest released; stop
 * AUTHORIZED   void                      voided: all released; stop
 * AUTHORIZED   state timeout (expiry)    expired: all released; stop
 * </pre>
 *
 * The hold itself is in the store, and the store's statements check it is still active: a capture
 * racing an expiry (or a process killed between the two) ends the hold once. A capture or void
 * carries its client's idempotency key: asked again with the same key and body it answers with what
 * it did; any other capture or void of a hold that ended is refused, 409 {@code hold_not_active}
 * naming the hold's status ({@code captured}, {@code voided} or {@code expired}). Its processes are
 * transient children of the {@code holds} supervisor; the recovery process starts one for every
 * active authorization after a restart, whose timeout is what is left until its expiry.
 */
final class CardHold extends GenStatem<CardHold.State, Hold, CardHold.Msg> {
  /** The key of a hold's process in the workflows registry. */
  record Key(long hold) {}

  /** The one state: while it runs, the authorization is active. */
  enum State { AUTHORIZED }

  /** What callers ask of a hold; each answer is the result or the {@link LedgerError}. */
  sealed interface Msg {
    /**
     * Capture {@code amount} (empty: all the hold holds), idempotent by {@code key}.
     *
     * @throws LedgerError 400 {@code missing_idempotency_key} if {@code key} is null or blank
     */
    record Capture(String key, String hash, OptionalLong amount) implements Msg {
      public Capture {
        Amounts.key(key, "capture");
      }
    }

    /**
     * Release it all, idempotent by {@code key}.
     *
     * @throws LedgerError 400 {@code missing_idempotency_key} if {@code key} is null or blank
     */
    record Void(String key, String hash) implements Msg {
      public Void {
        Amounts.key(key, "void");
      }
    }
  }

  private final Ledger ledger;
  private final long id;

  private CardHold(Ledger ledger, long id) {
    this.ledger = ledger;
    this.id = id;
  }

  // =====================================================================================
  // client API

  /** The holds supervisor's template: transient hold processes, each under its hold's key. */
  static DynamicSupervisor.Template<Long> template(Ledger ledger) {
    return DynamicSupervisor.Template.worker((Long id) -> GenStatem.tryStartLink(new CardHold(ledger, id),
        StartOptions.defaults().withName(ledger.holdName(id))))
        .withRestart(ChildSpec.Restart.TRANSIENT);
  }

  /** Starts hold {@code id}'s process unless it runs; empty if the hold is not active. */
  static Optional<Pid> ensureStarted(Ledger ledger, long id) {
    Optional<Pid> running = Proc.whereis(ledger.holdName(id));
    if (running.isPresent()) {
      return running;
    }
    return switch (DynamicSupervisor.startChildWith(Ledger.HOLDS, id)) {
      case StartResult.Started s -> Optional.of(s.pid());
      case StartResult.AlreadyStarted a -> Optional.of(a.pid());
      default -> Optional.empty();
    };
  }

  /**
   * Asks hold {@code id}'s process to capture or void it. A hold with no process (it ended, or there
   * is no such hold) is asked of the store directly, which answers a retry of the request that ended
   * it (same key and body) with that request's outcome, and refuses any other.
   *
   * @throws LedgerError 409 {@code hold_not_active} if the hold ended by another request, 404
   *     {@code unknown_hold}, 400 {@code amount_exceeds_hold}, 409 {@code idempotency_conflict}, 503
   *     if its process could not be reached
   */
  static Object ask(Ledger ledger, long id, Msg msg) {
    for (int attempt = 0; attempt < 20; attempt++) {
      Optional<Pid> pid = ensureStarted(ledger, id);
      if (pid.isEmpty()) {
        return Writer.submit(work(id, msg));
      }
      try {
        Object answer = GenStatem.call(pid.get(), msg, Duration.ofSeconds(30));
        if (answer instanceof LedgerError refused) {
          throw refused;
        }
        return answer;
      } catch (CallException e) {
        Proc.sleep(Duration.ofMillis(Math.min(100, 2L << attempt))); // killed: its supervisor restarts it
      }
    }
    throw LedgerError.unavailable("authorization " + id + " could not be reached; retry with the same key");
  }

  /** The store's work for {@code msg} on hold {@code id}. */
  private static LedgerStore.Work<?> work(long id, Msg msg) {
    return switch (msg) {
      case Msg.Capture(String key, String hash, OptionalLong amount) -> LedgerStore.capture(id, key, hash, amount);
      case Msg.Void(String key, String hash) -> LedgerStore.voidHold(id, key, hash);
    };
  }

  // =====================================================================================
  // state machine

  @Override
  protected Init<State, Hold> init() {
    Optional<Hold> h = ledger.store().hold(id).filter(x -> x.kind().equals("card") && x.status().equals("active"));
    if (h.isEmpty()) {
      return Init.ignore();
    }
    Duration left = Duration.ofMillis(Math.max(0, h.get().expiresAt() - System.currentTimeMillis()));
    return Init.ok(State.AUTHORIZED, h.get(), Action.stateTimeout(left, "expire"));
  }

  @Override
  protected Result<State, Hold> handleEvent(Event<Msg> event, State state, Hold hold) {
    return switch (event) {
      case Event.Call(From from, Msg request) -> end(from, work(id, request), hold);
      case Event.StateTimeout<Msg> expire -> {
        try {
          Writer.submit(LedgerStore.expire(id));
        } catch (LedgerError e) {
          if (e.status() >= 500) {
            yield keepStateAndData(Action.stateTimeout(Duration.ofMillis(100), "expire")); // try again
          }
          // ended already (captured or voided by an earlier incarnation): nothing to expire
        }
        yield stop(ExitReason.NORMAL);
      }
      default -> keepStateAndData();
    };
  }

  private Result<State, Hold> end(From from, LedgerStore.Work<?> work, Hold hold) {
    try {
      Object done = Writer.submit(work);
      return stopAndReply(ExitReason.NORMAL, hold, Action.reply(from, done));
    } catch (LedgerError refused) {
      if (refused.code().equals("hold_not_active")) {
        return stopAndReply(ExitReason.NORMAL, hold, Action.reply(from, refused));
      }
      return keepStateAndData(Action.reply(from, refused)); // e.g. more than authorized: the hold stays
    }
  }
}
