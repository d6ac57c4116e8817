package org.otp4j.bench.workloads;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.otp4j.bench.Contender;
import org.otp4j.bench.Metric;
import org.otp4j.bench.Raw;
import org.otp4j.bench.Stopwatch;
import org.otp4j.bench.Workload;
import org.otp4j.bench.Workloads;
import org.otp4j.behaviours.ChildSpec;
import org.otp4j.behaviours.GenServer;
import org.otp4j.behaviours.Supervisor;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;

/**
 * A supervised worker crashes; the time from the crash until its replacement has answered a call.
 * The median of N crashes.
 */
public final class RestartLatency extends Workload {
  /** Restarts the supervisors allow per second: high enough never to give up during a run. */
  static final int INTENSITY = 100_000;
  /**
   * Crashes under one supervisor before it is replaced by a fresh one (not timed). A supervisor keeps
   * the times of its restarts within its period to check its intensity, and OTP's scans that list on
   * every restart: tens of thousands of crashes a second under one supervisor would measure the list.
   */
  static final int PER_SUPERVISOR = 100;

  public RestartLatency() {
    super("restart", "restart latency (one_for_one)", Metric.TIME_PER_OP, "per restart");
  }

  @Override
  public List<Integer> sizes(Mode mode) {
    return List.of(mode == Mode.QUICK ? 1_000 : 5_000);
  }

  /**
   * The restart path (an exception, exit signals, a spawn, a start handshake, a call) is long: the
   * JIT needs tens of thousands of restarts to compile it. On a cold JVM the median of the first
   * thousand is several times the warm one.
   */
  @Override
  public int warmupSize(int n) {
    return 20_000;
  }

  @Override
  public int warmups(Mode mode, int n) {
    return 3;
  }

  @Override
  public String sizeLabel(int n) {
    return "median of " + Workloads.human(n) + " crashes";
  }

  @Override
  public String notApplicable(Contender who) {
    return who == Contender.VIRTUAL_THREADS
        ? "a raw virtual thread has no supervisor, links or restarts to measure" : null;
  }

  @Override
  public String description() {
    return "After three warm-up rounds of 20,000 crashes each (the JIT needs tens of "
        + "thousands of restarts to compile the restart path, and the median of the first thousand on a cold "
        + "JVM is several times the warm one), a one-for-one supervisor (100,000 restarts a second allowed) runs one worker, a server whose "
        + "start tells the measuring process its new pid (a fresh supervisor every 100 crashes, not timed: "
        + "OTP's supervisor scans its list of restarts within the period on every restart, and tens of "
        + "thousands of crashes a second under one supervisor would measure that list). The measuring process casts `crash` to the worker, "
        + "which throws; the supervisor starts a new one; the measuring process takes its pid from the "
        + "announcement and calls it once. Reported: the median, over N crashes, of the time from the cast "
        + "to the reply of that call. Crash and supervisor reports are switched off on both sides that "
        + "write them (the otp4j behaviours' loggers at OFF, `logger` at level `none` on the BEAM), so the "
        + "figure is the restart and not the console. otp4j: `Supervisor` and `GenServer`, the worker throws "
        + "from `handleCast`; BEAM: `supervisor` and `gen_server`, `erlang:error(crash)`; Pekko: a child "
        + "spawned with `Behaviors.supervise(...).onFailure(SupervisorStrategy.restart())` (logging off) "
        + "that throws on the message: Pekko restarts it in place, behind the same `ActorRef`, and its "
        + "`setup` announces it again; the call is a request carrying the measuring actor's `ActorRef`, "
        + "answered with a `tell`.";
  }

  @Override
  public Raw otp4j(int n) throws Exception {
    Servers.quietReports();
    return Kit.inProcess(() -> {
      Pid self = Proc.self();
      long[] times = new long[n];
      Stopwatch clock = Stopwatch.start();
      for (int i = 0; i < n; ) {
        Pid sup = Supervisor.startLink(Supervisor.oneForOne().withIntensity(INTENSITY, Duration.ofSeconds(1)),
            ChildSpec.worker("worker", () -> GenServer.startLink(new Servers.Worker(self, 0))));
        Pid worker = ((Servers.Started) Proc.receive()).pid();
        for (int k = 0; k < PER_SUPERVISOR && i < n; k++, i++) {
          long t0 = System.nanoTime();
          GenServer.cast(worker, Servers.CRASH);
          worker = ((Servers.Started) Proc.receive()).pid();
          GenServer.call(worker, Kit.PING);
          times[i] = System.nanoTime() - t0;
        }
        Supervisor.stop(sup);
      }
      return clock.stop(new Raw(Kit.median(times, n), 1), n);
    });
  }

  /** A worker's announcement in Pekko: the same reference after every restart. */
  record PStarted(int index, ActorRef<Object> ref) {}

  /** The Pekko worker: announces itself from setup (which runs again on every restart), throws on crash. */
  static Behavior<Object> pekkoWorker(ActorRef<Object> watcher, int index) {
    Behavior<Object> worker = Behaviors.setup(ctx -> {
      watcher.tell(new PStarted(index, ctx.getSelf()));
      return Behaviors.receiveMessage(m -> {
        if (m == Servers.CRASH) {
          throw new IllegalStateException("crash requested");
        }
        if (m instanceof Servers.PCall(ActorRef<Object> replyTo, Object request)) {
          replyTo.tell(request);
        }
        return Behaviors.same();
      });
    });
    return Behaviors.supervise(worker).onFailure(IllegalStateException.class,
        SupervisorStrategy.restart().withLoggingEnabled(false));
  }

  @Override
  public Raw pekko(int n) throws Exception {
    CompletableFuture<Raw> done = new CompletableFuture<>();
    PekkoKit.spawn(Behaviors.setup(ctx -> {
      ActorRef<Object> self = ctx.getSelf();
      long[] times = new long[n];
      Stopwatch clock = Stopwatch.start();
      int[] measured = {0};
      int[] underThisOne = {-1}; // crashes of the current worker; -1 until it has started
      long[] t0 = {0};
      @SuppressWarnings({"unchecked", "rawtypes"})
      ActorRef<Object>[] worker = new ActorRef[] {ctx.spawnAnonymous(pekkoWorker(self, 0))};
      Runnable crash = () -> {
        t0[0] = System.nanoTime();
        worker[0].tell(Servers.CRASH);
      };
      return Behaviors.receiveMessage(m -> {
        if (m instanceof PStarted) {
          if (underThisOne[0] < 0) {
            underThisOne[0] = 0;
            crash.run();
          } else {
            worker[0].tell(new Servers.PCall(self, Kit.PING)); // the call; its reply is the next message
          }
        } else { // the reply to the call
          times[measured[0]++] = System.nanoTime() - t0[0];
          if (measured[0] == n) {
            done.complete(clock.stop(new Raw(Kit.median(times, n), 1), n));
            return Behaviors.stopped();
          }
          if (++underThisOne[0] == PER_SUPERVISOR) { // a fresh supervised child, as the others take a fresh supervisor
            ctx.stop(worker[0]);
            underThisOne[0] = -1;
            worker[0] = ctx.spawnAnonymous(pekkoWorker(self, 0));
          } else {
            crash.run();
          }
        }
        return Behaviors.same();
      });
    }));
    return Kit.await(done);
  }

  @Override
  public Raw virtualThreads(int n) {
    throw new UnsupportedOperationException(notApplicable(Contender.VIRTUAL_THREADS));
  }
}
