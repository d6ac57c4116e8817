package org.otp4j.examples.ledger;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.otp4j.behaviours.GenServer;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.core.Registry;

/**
 * A chaos monkey, off unless {@code chaosInterval} is set: every interval it kills (untrappably) one
 * process picked at random among the running accounts, transfer workflows and card holds. The ledger
 * must lose nothing to it: an account is started again by its next request, a workflow or hold is
 * restarted by its supervisor and resumes from the journal.
 */
final class Chaos extends GenServer<Chaos.State, Void> {
  private record Tick() {}

  /** The monkey's random source and its count. */
  static final class State {
    final SplittableRandom random = new SplittableRandom();
    long kills;

    @Override
    public String toString() {
      return "Chaos[kills=" + kills + "]";
    }
  }

  private final Ledger ledger;

  private Chaos(Ledger ledger) {
    this.ledger = ledger;
  }

  static Pid startLink(Ledger ledger) {
    return GenServer.startLink(new Chaos(ledger)).pid();
  }

  @Override
  protected Init<State> init() {
    Proc.sendInterval(ledger.config().chaosInterval(), Proc.self(), new Tick());
    return Init.ok(new State());
  }

  @Override
  protected CastResult<State> handleInfo(Object message, State state) {
    if (message instanceof Tick) {
      List<Pid> victims = new ArrayList<>();
      for (Registry r : List.of(ledger.accounts(), ledger.workflows())) {
        r.select(x -> true).forEach(x -> victims.add(x.pid()));
      }
      if (!victims.isEmpty()) {
        Proc.exit(victims.get(state.random.nextInt(victims.size())), ExitReason.KILL);
        state.kills++;
      }
    }
    return noReply(state);
  }
}
