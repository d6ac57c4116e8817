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
import org.otp4j.bench.Workloads;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;

/** A token passed around a ring of 1,000 processes for N hops. */
public final class Ring extends Workload {
  static final int RING_SIZE = 1_000;

  public Ring() {
    super("ring", "token ring (1,000 processes)", Metric.THROUGHPUT, "hops");
  }

  @Override
  public List<Integer> sizes(Mode mode) {
    return List.of(mode == Mode.QUICK ? 200_000 : 1_000_000);
  }

  @Override
  public String sizeLabel(int n) {
    return Workloads.human(n) + " hops";
  }

  @Override
  public String description() {
    return "1,000 processes in a ring, each knowing the next. A token holding a counter N is sent to "
        + "the first; each process passes it on with the counter decremented, and the one that "
        + "receives 0 tells the parent. Hops per second (the ring is built before the clock starts).";
  }

  @Override
  public Raw otp4j(int hops) throws Exception {
    return Kit.inProcess(() -> {
      Pid main = Proc.self();
      Pid[] ring = new Pid[RING_SIZE];
      for (int i = 0; i < RING_SIZE; i++) {
        ring[i] = Proc.spawn(() -> {
          Pid next = (Pid) Proc.receive();
          for (;;) {
            Object m = Proc.receive();
            if (m == Kit.STOP) {
              return;
            }
            int h = (Integer) m;
            if (h == 0) {
              Proc.send(main, Kit.DONE);
            } else {
              Proc.send(next, h - 1);
            }
          }
        });
      }
      for (int i = 0; i < RING_SIZE; i++) {
        Proc.send(ring[i], ring[(i + 1) % RING_SIZE]);
      }
      Stopwatch clock = Stopwatch.start();
      Proc.send(ring[0], hops);
      Proc.receive();
      Raw raw = clock.stop(hops);
      for (Pid p : ring) {
        Proc.send(p, Kit.STOP);
      }
      return raw;
    });
  }

  @Override
  public Raw pekko(int hops) throws Exception {
    CompletableFuture<Raw> done = new CompletableFuture<>();
    PekkoKit.spawn(Behaviors.setup(ctx -> {
      ActorRef<Object> main = ctx.getSelf();
      @SuppressWarnings({"unchecked", "rawtypes"})
      ActorRef<Object>[] ring = new ActorRef[RING_SIZE];
      for (int i = 0; i < RING_SIZE; i++) {
        ring[i] = ctx.spawnAnonymous(member(main));
      }
      for (int i = 0; i < RING_SIZE; i++) {
        ring[i].tell(ring[(i + 1) % RING_SIZE]);
      }
      Stopwatch clock = Stopwatch.start();
      ring[0].tell(hops);
      return Behaviors.receiveMessage(m -> {
        done.complete(clock.stop(hops));
        return Behaviors.stopped(); // stops the ring members too
      });
    }));
    return Kit.await(done);
  }

  private static Behavior<Object> member(ActorRef<Object> main) {
    return Behaviors.receiveMessage(first -> {
      @SuppressWarnings("unchecked")
      ActorRef<Object> next = (ActorRef<Object>) first;
      return Behaviors.receiveMessage(m -> {
        int h = (Integer) m;
        if (h == 0) {
          main.tell(Kit.DONE);
        } else {
          next.tell(h - 1);
        }
        return Behaviors.same();
      });
    });
  }

  @Override
  public Raw virtualThreads(int hops) throws Exception {
    return Kit.inVtProc(main -> {
      VtProc[] ring = new VtProc[RING_SIZE];
      for (int i = 0; i < RING_SIZE; i++) {
        ring[i] = VtProc.spawn(self -> {
          VtProc next = (VtProc) self.receive();
          for (;;) {
            Object m = self.receive();
            if (m == Kit.STOP) {
              return;
            }
            int h = (Integer) m;
            if (h == 0) {
              main.send(Kit.DONE);
            } else {
              next.send(h - 1);
            }
          }
        });
      }
      for (int i = 0; i < RING_SIZE; i++) {
        ring[i].send(ring[(i + 1) % RING_SIZE]);
      }
      Stopwatch clock = Stopwatch.start();
      ring[0].send(hops);
      main.receive();
      Raw raw = clock.stop(hops);
      for (VtProc p : ring) {
        p.send(Kit.STOP);
      }
      return raw;
    });
  }

  /** At least the BEAM's hops per second. */
  @Override
  public Double targetVersusBeam() {
    return 1.0;
  }

  /** Two warm-ups: the adaptive spin and the JIT both settle during the first. */
  @Override
  public int warmups(Mode mode, int n) {
    return 2;
  }
}
