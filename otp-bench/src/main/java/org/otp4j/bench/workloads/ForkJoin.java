package org.otp4j.bench.workloads;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.otp4j.bench.Metric;
import org.otp4j.bench.Raw;
import org.otp4j.bench.Stopwatch;
import org.otp4j.bench.Workload;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;

/**
 * The mixed workload: a fork-join tree, Savina's recursive Fibonacci with one process per call.
 */
public final class ForkJoin extends Workload {

  public ForkJoin() {
    super("fork-join", "fork-join (recursive fib, a process per call)", Metric.THROUGHPUT, "processes");
  }

  @Override
  public List<Integer> sizes(Mode mode) {
    return List.of(mode == Mode.QUICK ? 22 : 25);
  }

  @Override
  public String sizeLabel(int n) {
    return String.format(java.util.Locale.ROOT, "fib(%d): %,d procs", n, Kit.fibCalls(n));
  }

  @Override
  public String description() {
    return "The chosen mixed workload is fork-join (Savina's Fibonacci): computing fib(N), every "
        + "call with N >= 2 spawns two processes for fib(N-1) and fib(N-2), waits for their two "
        + "results as messages, and sends the sum to its parent; calls with N < 2 send N. It mixes "
        + "spawn, exit, many short-lived mailboxes, and a burst of parallel work spread over both "
        + "cores. Processes per second (fib(25) is 242,785 processes).";
  }

  @Override
  public Raw otp4j(int n) throws Exception {
    return Kit.inProcess(() -> {
      Pid main = Proc.self();
      Stopwatch clock = Stopwatch.start();
      Proc.spawn(() -> fib(main, n));
      long result = (Long) Proc.receive();
      Raw raw = clock.stop(Kit.fibCalls(n));
      check(n, result);
      return raw;
    });
  }

  private static void fib(Pid parent, int n) {
    if (n < 2) {
      Proc.send(parent, (long) n);
      return;
    }
    Pid self = Proc.self();
    Proc.spawn(() -> fib(self, n - 1));
    Proc.spawn(() -> fib(self, n - 2));
    long a = (Long) Proc.receive();
    long b = (Long) Proc.receive();
    Proc.send(parent, a + b);
  }

  @Override
  public Raw pekko(int n) throws Exception {
    CompletableFuture<Raw> done = new CompletableFuture<>();
    PekkoKit.spawn(Behaviors.setup(ctx -> {
      Stopwatch clock = Stopwatch.start();
      ctx.spawnAnonymous(fibActor(ctx.getSelf(), n));
      return Behaviors.receiveMessage(m -> {
        Raw raw = clock.stop(Kit.fibCalls(n));
        check(n, (Long) m);
        done.complete(raw);
        return Behaviors.stopped();
      });
    }));
    return Kit.await(done);
  }

  private static Behavior<Object> fibActor(ActorRef<Object> parent, int n) {
    return Behaviors.setup(ctx -> {
      if (n < 2) {
        parent.tell((long) n);
        return Behaviors.stopped();
      }
      ctx.spawnAnonymous(fibActor(ctx.getSelf(), n - 1));
      ctx.spawnAnonymous(fibActor(ctx.getSelf(), n - 2));
      long[] sumAndCount = {0, 0};
      return Behaviors.receiveMessage(m -> {
        sumAndCount[0] += (Long) m;
        if (++sumAndCount[1] == 2) {
          parent.tell(sumAndCount[0]);
          return Behaviors.stopped();
        }
        return Behaviors.same();
      });
    });
  }

  @Override
  public Raw virtualThreads(int n) throws Exception {
    return Kit.inVtProc(main -> {
      Stopwatch clock = Stopwatch.start();
      VtProc.spawn(self -> fibVt(self, main, n));
      long result = (Long) main.receive();
      Raw raw = clock.stop(Kit.fibCalls(n));
      check(n, result);
      return raw;
    });
  }

  private static void fibVt(VtProc self, VtProc parent, int n) throws InterruptedException {
    if (n < 2) {
      parent.send((long) n);
      return;
    }
    VtProc.spawn(child -> fibVt(child, self, n - 1));
    VtProc.spawn(child -> fibVt(child, self, n - 2));
    long a = (Long) self.receive();
    long b = (Long) self.receive();
    parent.send(a + b);
  }

  private static void check(int n, long result) {
    if (result != Kit.fib(n)) {
      throw new IllegalStateException("fib(" + n + ") came out as " + result + ", expected " + Kit.fib(n));
    }
  }
}
