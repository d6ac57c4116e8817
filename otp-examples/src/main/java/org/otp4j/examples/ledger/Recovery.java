package org.otp4j.examples.ledger;

import org.otp4j.behaviours.GenServer;
import org.otp4j.core.Call;
import org.otp4j.core.From;
import org.otp4j.core.Proc;
import org.otp4j.core.ServerRef;
import org.otp4j.examples.ledger.Rows.Hold;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the work nobody drives and starts a process for it: at start (in its init, so before the
 * HTTP endpoint accepts a request) every transfer whose workflow has not reached a terminal state
 * and every active card authorization; then again every {@code recoverySweep}, for a workflow
 * whose supervisor gave up on it (or whose caller died before it started).
 */
final class Recovery extends GenServer<Recovery.State, Recovery.Request> {
  private static final Logger LOG = LoggerFactory.getLogger(Recovery.class);

  /** The recovery process's protocol. */
  sealed interface Request {
    /** Sweep now; answers how many processes it started. */
    record SweepNow() implements Request, Call<Integer> {}
  }

  private record Sweep() {}

  /** What the sweeps did. */
  static final class State {
    int sweeps;
    long started;

    @Override
    public String toString() {
      return "Recovery[sweeps=" + sweeps + ", started=" + started + "]";
    }
  }

  private final Ledger ledger;

  private Recovery(Ledger ledger) {
    this.ledger = ledger;
  }

  static ServerRef<Request> startLink(Ledger ledger) {
    return GenServer.startLink(Ledger.RECOVERY, new Recovery(ledger));
  }

  /** Sweeps now; returns how many workflow and hold processes it started. */
  static int sweepNow() {
    return GenServer.call(Ledger.RECOVERY, new Request.SweepNow());
  }

  @Override
  protected Init<State> init() {
    State state = new State();
    int n = sweep(state);
    if (n > 0) {
      LOG.info("recovery: resumed {} unfinished transfers and card authorizations", n);
    }
    Proc.sendAfter(ledger.config().recoverySweep(), Proc.self(), new Sweep());
    return Init.ok(state);
  }

  @Override
  protected CallResult<State> handleCall(Request request, From from, State state) {
    return switch (request) {
      case Request.SweepNow s -> reply(s, sweep(state), state);
    };
  }

  @Override
  protected CastResult<State> handleInfo(Object message, State state) {
    if (message instanceof Sweep) {
      try {
        sweep(state);
      } catch (LedgerError | LedgerStore.StoreException e) {
        LOG.warn("recovery sweep failed, trying again later: {}", e.getMessage());
      }
      Proc.sendAfter(ledger.config().recoverySweep(), Proc.self(), new Sweep());
    }
    return noReply(state);
  }

  private int sweep(State state) {
    int n = 0;
    for (long id : ledger.store().unfinishedTransfers()) {
      if (Proc.whereis(ledger.workflowName(id)).isEmpty() && TransferWorkflow.ensureStarted(ledger, id).isPresent()) {
        n++;
      }
    }
    for (Hold h : ledger.store().activeCardHolds()) {
      if (Proc.whereis(ledger.holdName(h.id())).isEmpty() && CardHold.ensureStarted(ledger, h.id()).isPresent()) {
        n++;
      }
    }
    state.sweeps++;
    state.started += n;
    return n;
  }
}
