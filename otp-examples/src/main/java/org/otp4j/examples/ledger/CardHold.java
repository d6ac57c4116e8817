package org.otp4j.examples.ledger;

import java.time.Duration;
import java.util.Optional;
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
 * racing an expiry (or a process killed between the two) ends the hold once. Its processes are
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
    /** Capture {@code amount}. */
    record Capture(long amount) implements Msg {}

    /** Release it all. */
    record Void() implements Msg {}
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
   * Asks hold {@code id}'s process; a capture or void asked again after the process died finds the
   * hold ended by the first (and answers with that), and an ended hold is refused with 409.
   */
  static Object ask(Ledger ledger, long id, Msg msg) {
    for (int attempt = 0; attempt < 20; attempt++) {
      Optional<Pid> pid = ensureStarted(ledger, id);
      if (pid.isEmpty()) {
        return ended(ledger, id, msg);
      }
      try {
        Object answer = GenStatem.call(pid.get(), msg, Duration.ofSeconds(30));
        if (answer instanceof LedgerError refused) {
          if (refused.code().equals("hold_not_active")) {
            return ended(ledger, id, msg); // ended by an earlier try of this request, perhaps
          }
          throw new LedgerError(refused.status(), refused.code(), refused.getMessage());
        }
        return answer;
      } catch (CallException e) {
        Proc.sleep(Duration.ofMillis(Math.min(100, 2L << attempt))); // killed: its supervisor restarts it
      }
    }
    throw LedgerError.unavailable("authorization " + id + " could not be reached; retry");
  }

  /** The answer to {@code msg} for a hold that is no longer active: what ended it, if {@code msg} did. */
  private static Object ended(Ledger ledger, long id, Msg msg) {
    Hold h = ledger.store().hold(id).filter(x -> x.kind().equals("card")).orElseThrow(() -> LedgerError.notFound(
        "unknown_hold", "there is no card authorization " + id));
    if (msg instanceof Msg.Capture && h.status().equals("captured")) {
      return ledger.store().transferByKey("capture:" + id).orElseThrow();
    }
    if (msg instanceof Msg.Void && h.status().equals("voided")) {
      return h;
    }
    throw LedgerError.conflict("hold_not_active", "authorization " + id + " is " + h.status()
        + "; only an active one can be captured or voided");
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
      case Event.Call(From from, Msg.Capture(long amount)) -> end(from, LedgerStore.capture(id, amount), hold);
      case Event.Call(From from, Msg.Void v) -> end(from, LedgerStore.endHold(id, "voided"), hold);
      case Event.StateTimeout<Msg> expire -> {
        try {
          Writer.submit(LedgerStore.endHold(id, "expired"));
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
