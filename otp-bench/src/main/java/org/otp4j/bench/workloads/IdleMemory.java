package org.otp4j.bench.workloads;

import java.lang.ref.Reference;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.otp4j.bench.Metric;
import org.otp4j.bench.Raw;
import org.otp4j.bench.Workload;
import org.otp4j.core.Node;
import org.otp4j.core.NodeConfig;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;

/**
 * Heap per idle process: N processes blocked in receive; heap in use after full collections, minus
 * the same figure before they were spawned, divided by N.
 */
public final class IdleMemory extends Workload {
  private static final AtomicInteger STARTED = new AtomicInteger();
  /** No captured state, so one shared body (and no per-process lambda object). */
  private static final Proc.Body IDLE = () -> {
    STARTED.incrementAndGet();
    Proc.receive();
  };
  private static final VtProc.Body IDLE_VT = self -> {
    STARTED.incrementAndGet();
    self.receive();
  };
  private static final Behavior<Object> IDLE_ACTOR = Behaviors.setup(ctx -> {
    STARTED.incrementAndGet();
    return Behaviors.receiveMessage(m -> Behaviors.same());
  });

  public IdleMemory() {
    super("memory", "memory per idle process", Metric.BYTES_PER_OP, "per process");
  }

  @Override
  public List<Integer> sizes(Mode mode) {
    return mode == Mode.QUICK ? List.of(10_000, 50_000) : List.of(10_000, 100_000, 1_000_000);
  }

  @Override
  public int rounds(Mode mode, int n, int allRounds) {
    return n >= 1_000_000 ? Math.min(3, allRounds) : allRounds; // a 1M round costs 10-40 s per runtime
  }

  /** Warming up (class loading, JIT) needs no million processes. */
  @Override
  public int warmupSize(int n) {
    return Math.min(n, 100_000);
  }

  @Override
  public String description() {
    return "N processes each blocked in a receive with an empty mailbox. JVM runtimes: heap in use "
        + "after repeated `System.gc()` with the N processes alive, minus the same figure taken just "
        + "before spawning them (the array that holds their pids is allocated before the baseline), "
        + "divided by N, after three warm-up rounds (of N processes, at most 100k: a parked stack's heap chunk is sized by its "
        + "frames when it first parks, and frames the JIT has not yet compiled make it several times larger). This counts everything a process "
        + "costs on the heap: the runtime's record, the virtual thread and its parked stack chunk, the "
        + "mailbox; otp4j runs on a fresh node, Pekko on a fresh actor system. BEAM: the sum of "
        + "`process_info(P, memory)` over the N processes, divided by N.";
  }

  @Override
  public Raw otp4j(int n) throws Exception {
    Pid[] pids = new Pid[n];
    STARTED.set(0);
    try (Node node = Node.start(NodeConfig.defaults().withName("memory"))) {
      long before = Kit.usedHeapAfterGc();
      for (int i = 0; i < n; i++) {
        pids[i] = node.spawn(IDLE);
      }
      Kit.awaitCount(STARTED, n);
      long after = Kit.usedHeapAfterGc();
      Reference.reachabilityFence(pids);
      return new Raw(Math.max(0, after - before), n);
    }
  }

  @Override
  public Raw pekko(int n) throws Exception {
    PekkoKit.shutdown();
    STARTED.set(0);
    PekkoKit.system();
    Thread.sleep(200); // let the system finish starting before the baseline
    long before = Kit.usedHeapAfterGc();
    PekkoKit.spawn(Behaviors.setup(ctx -> {
      for (int i = 0; i < n; i++) {
        ctx.spawnAnonymous(IDLE_ACTOR);
      }
      return Behaviors.receiveMessage(m -> Behaviors.same());
    }));
    Kit.awaitCount(STARTED, n);
    long after = Kit.usedHeapAfterGc();
    PekkoKit.shutdown();
    return new Raw(Math.max(0, after - before), n);
  }

  @Override
  public Raw virtualThreads(int n) throws Exception {
    VtProc[] procs = new VtProc[n];
    STARTED.set(0);
    long before = Kit.usedHeapAfterGc();
    for (int i = 0; i < n; i++) {
      procs[i] = VtProc.spawn(IDLE_VT);
    }
    Kit.awaitCount(STARTED, n);
    long after = Kit.usedHeapAfterGc();
    for (VtProc p : procs) {
      p.kill();
    }
    for (VtProc p : procs) {
      p.join();
    }
    return new Raw(Math.max(0, after - before), n);
  }

  /** From 100k processes on, at most 1,000 bytes per process. */
  @Override
  public Double targetAbsolute(int n) {
    return n >= 100_000 ? 1_000.0 : null;
  }

  /**
   * Three warm-ups: a virtual thread's parked stack is copied into a heap chunk sized by its frames when it
   * first parks, and frames still interpreted or compiled by C1 (as in a young JVM) make chunks several
   * times the size of C2's; one round of 100k processes does not always get the JIT there.
   */
  @Override
  public int warmups(Mode mode, int n) {
    return 3;
  }
}
