package org.otp4j.bench.workloads;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.typed.ActorRef;
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
import org.otp4j.core.ExitReason;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;

/**
 * A supervisor with N workers; all are killed at once; the time until every one has been restarted
 * and has answered a call, per worker.
 */
public final class RestartStorm extends Workload {

  public RestartStorm() {
    super("storm", "supervisor restart storm", Metric.TIME_PER_OP, "per worker");
  }

  @Override
  public List<Integer> sizes(Mode mode) {
    return List.of(1_000);
  }

  @Override
  public String sizeLabel(int n) {
    return Workloads.human(n) + " workers";
  }

  @Override
  public int warmups(Mode mode, int n) {
    return 10; // a storm is short, and its code paths are long: the JIT needs several
  }

  @Override
  public String notApplicable(Contender who) {
    return who == Contender.VIRTUAL_THREADS
        ? "a raw virtual thread has no supervisor, links or restarts to measure" : null;
  }

  @Override
  public String description() {
    return "After 10 warm-up storms, a one-for-one supervisor starts N workers (servers that announce their pid to the measuring "
        + "process when they start); once all have, the measuring process kills every one of them at once "
        + "(a loop of untrappable kills), waits for the N announcements of their replacements, and calls each "
        + "replacement once. Time from the first kill to the last reply, divided by N. Reports off, as for "
        + "restart latency. otp4j: `Proc.exit(pid, KILL)` under `Supervisor`; BEAM: `exit(Pid, kill)` under "
        + "`supervisor`; Pekko has no kill that its supervision restarts from, so each child is sent a "
        + "message on which it throws, and is restarted in place by `SupervisorStrategy.restart()`: Pekko "
        + "does less here (no new process, no restart of a child by its parent).";
  }

  @Override
  public Raw otp4j(int n) throws Exception {
    Servers.quietReports();
    return Kit.inProcess(() -> {
      Pid self = Proc.self();
      ChildSpec[] specs = new ChildSpec[n];
      for (int i = 0; i < n; i++) {
        int index = i;
        specs[i] = ChildSpec.worker(i, () -> GenServer.startLink(new Servers.Worker(self, index)));
      }
      Pid sup = Supervisor.startLink(
          Supervisor.oneForOne().withIntensity(RestartLatency.INTENSITY, Duration.ofSeconds(1)), specs);
      Pid[] workers = collect(n);
      Stopwatch clock = Stopwatch.start();
      for (Pid w : workers) {
        Proc.exit(w, ExitReason.KILL);
      }
      Pid[] replacements = collect(n);
      for (Pid w : replacements) {
        GenServer.call(w, Kit.PING);
      }
      Raw raw = clock.stop(n);
      Supervisor.stop(sup);
      return raw;
    });
  }

  /** The pids of the next {@code n} announcements, by worker index. */
  private static Pid[] collect(int n) {
    Pid[] pids = new Pid[n];
    for (int i = 0; i < n; i++) {
      Servers.Started s = (Servers.Started) Proc.receive();
      pids[s.index()] = s.pid();
    }
    return pids;
  }

  @Override
  public Raw pekko(int n) throws Exception {
    CompletableFuture<Raw> done = new CompletableFuture<>();
    PekkoKit.spawn(Behaviors.setup(ctx -> {
      ActorRef<Object> self = ctx.getSelf();
      @SuppressWarnings({"unchecked", "rawtypes"})
      ActorRef<Object>[] workers = new ActorRef[n];
      for (int i = 0; i < n; i++) {
        workers[i] = ctx.spawnAnonymous(RestartLatency.pekkoWorker(self, i));
      }
      int[] started = {0};
      int[] answered = {0};
      Stopwatch[] clock = {null};
      return Behaviors.receiveMessage(m -> {
        if (m instanceof RestartLatency.PStarted) {
          if (++started[0] == n) {
            if (clock[0] == null) { // the first starts: crash them all
              started[0] = 0;
              clock[0] = Stopwatch.start();
              for (ActorRef<Object> w : workers) {
                w.tell(Servers.CRASH);
              }
            } else { // all restarted: call each in turn
              workers[0].tell(new Servers.PCall(self, Kit.PING));
            }
          }
        } else { // the reply to a call
          if (++answered[0] == n) {
            done.complete(clock[0].stop(n));
            return Behaviors.stopped();
          }
          workers[answered[0]].tell(new Servers.PCall(self, Kit.PING));
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
