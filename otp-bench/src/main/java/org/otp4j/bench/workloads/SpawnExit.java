package org.otp4j.bench.workloads;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.otp4j.bench.Metric;
import org.otp4j.bench.Raw;
import org.otp4j.bench.Stopwatch;
import org.otp4j.bench.Workload;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;

/**
 * Spawn N processes that exit at once; time from the first spawn until the parent has learnt of
 * every exit, per process.
 */
public final class SpawnExit extends Workload {
  private static final Proc.Body NOTHING = () -> {};
  private static final VtProc.Body NOTHING_VT = self -> {};
  private static final Behavior<Object> STOP_AT_ONCE = Behaviors.setup(ctx -> Behaviors.stopped());

  public SpawnExit() {
    super("spawn", "spawn + exit", Metric.TIME_PER_OP, "per process");
  }

  @Override
  public List<Integer> sizes(Mode mode) {
    return mode == Mode.QUICK ? List.of(10_000, 50_000) : List.of(10_000, 100_000, 1_000_000);
  }

  @Override
  public int warmups(Mode mode, int n) {
    return n >= 1_000_000 ? 1 : 2;
  }

  @Override
  public int rounds(Mode mode, int n, int allRounds) {
    return n >= 1_000_000 ? Math.min(3, allRounds) : allRounds; // a 1M round costs 10-40 s per runtime
  }

  @Override
  public String description() {
    return "A parent process spawns N processes whose code is empty, then waits until all have "
        + "exited; time from the first spawn to the last exit, divided by N. Each runtime learns of the "
        + "exits its own cheapest exact way: otp4j `Proc.awaitExit` on each pid in turn; the BEAM polls "
        + "`erlang:system_info(process_count)` (yielding) until it is back to where it was, which is "
        + "cheaper there than `spawn_monitor` and a `'DOWN'` per process; Pekko `watch` and one "
        + "`Terminated` per child; raw VT `Thread.join`.";
  }

  @Override
  public Raw otp4j(int n) throws Exception {
    return Kit.inProcess(() -> {
      Pid[] pids = new Pid[n];
      Stopwatch clock = Stopwatch.start();
      for (int i = 0; i < n; i++) {
        pids[i] = Proc.spawn(NOTHING);
      }
      for (Pid p : pids) {
        Proc.awaitExit(p, Proc.INFINITY);
      }
      return clock.stop(n);
    });
  }

  @Override
  public Raw pekko(int n) throws Exception {
    CompletableFuture<Raw> done = new CompletableFuture<>();
    PekkoKit.spawn(Behaviors.setup(ctx -> {
      Stopwatch clock = Stopwatch.start();
      for (int i = 0; i < n; i++) {
        ctx.watch(ctx.spawnAnonymous(STOP_AT_ONCE));
      }
      int[] left = {n};
      return Behaviors.receive(Object.class)
          .onSignal(Terminated.class, t -> {
            if (--left[0] == 0) {
              done.complete(clock.stop(n));
              return Behaviors.stopped();
            }
            return Behaviors.same();
          })
          .build();
    }));
    return Kit.await(done);
  }

  @Override
  public Raw virtualThreads(int n) throws Exception {
    return Kit.inVtProc(self -> {
      VtProc[] procs = new VtProc[n];
      Stopwatch clock = Stopwatch.start();
      for (int i = 0; i < n; i++) {
        procs[i] = VtProc.spawn(NOTHING_VT);
      }
      for (VtProc p : procs) {
        p.join();
      }
      return clock.stop(n);
    });
  }

  /** From 100k processes on, at most the BEAM's time per process. */
  @Override
  public Double targetVersusBeam(int n) {
    return n >= 100_000 ? 1.0 : null;
  }
}
