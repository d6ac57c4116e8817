package org.otp4j.bench.workloads;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.otp4j.bench.Metric;
import org.otp4j.bench.Raw;
import org.otp4j.bench.Workload;
import org.otp4j.bench.Workloads;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;

/** 1,000 senders each send N messages to one receiver. */
public final class FanIn extends Workload {
  static final int SENDERS = 1_000;

  public FanIn() {
    super("fan-in", "fan-in (1,000 senders → 1 receiver)", Metric.THROUGHPUT, "messages");
  }

  @Override
  public List<Integer> sizes(Mode mode) {
    return List.of(mode == Mode.QUICK ? 200 : 1_000);
  }

  @Override
  public String sizeLabel(int n) {
    return "1,000 × " + Workloads.human(n) + " msgs";
  }

  @Override
  public String description() {
    return "A receiver counts messages; 1,000 sender processes are spawned and each sends it N "
        + "messages at once. Messages per second, from the first spawn until the receiver has taken "
        + "all 1,000 × N and told the parent.";
  }

  @Override
  public Raw otp4j(int perSender) throws Exception {
    long total = (long) SENDERS * perSender;
    return Kit.inProcess(() -> {
      Pid main = Proc.self();
      long t0 = System.nanoTime();
      Pid sink = Proc.spawn(() -> {
        for (long i = 0; i < total; i++) {
          Proc.receive();
        }
        Proc.send(main, Kit.DONE);
      });
      for (int s = 0; s < SENDERS; s++) {
        Proc.spawn(() -> {
          for (int i = 0; i < perSender; i++) {
            Proc.send(sink, Kit.PING);
          }
        });
      }
      Proc.receive();
      return new Raw(System.nanoTime() - t0, total);
    });
  }

  @Override
  public Raw pekko(int perSender) throws Exception {
    long total = (long) SENDERS * perSender;
    CompletableFuture<Raw> done = new CompletableFuture<>();
    PekkoKit.spawn(Behaviors.setup(ctx -> {
      ActorRef<Object> main = ctx.getSelf();
      long t0 = System.nanoTime();
      long[] left = {total};
      ActorRef<Object> sink = ctx.spawnAnonymous(Behaviors.receiveMessage(m -> {
        if (--left[0] == 0) {
          main.tell(Kit.DONE);
        }
        return Behaviors.same();
      }));
      for (int s = 0; s < SENDERS; s++) {
        ctx.spawnAnonymous(Behaviors.setup(c -> {
          for (int i = 0; i < perSender; i++) {
            sink.tell(Kit.PING);
          }
          return Behaviors.stopped();
        }));
      }
      return Behaviors.receiveMessage(m -> {
        done.complete(new Raw(System.nanoTime() - t0, total));
        return Behaviors.stopped(); // stops the receiver too
      });
    }));
    return Kit.await(done);
  }

  @Override
  public Raw virtualThreads(int perSender) throws Exception {
    long total = (long) SENDERS * perSender;
    return Kit.inVtProc(main -> {
      long t0 = System.nanoTime();
      VtProc sink = VtProc.spawn(self -> {
        for (long i = 0; i < total; i++) {
          self.receive();
        }
        main.send(Kit.DONE);
      });
      for (int s = 0; s < SENDERS; s++) {
        VtProc.spawn(self -> {
          for (int i = 0; i < perSender; i++) {
            sink.send(Kit.PING);
          }
        });
      }
      main.receive();
      return new Raw(System.nanoTime() - t0, total);
    });
  }

  /** At least twice the BEAM's messages per second. */
  @Override
  public Double targetVersusBeam() {
    return 2.0;
  }
}
