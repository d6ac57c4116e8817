package org.otp4j.bench.workloads;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.otp4j.bench.Metric;
import org.otp4j.bench.Raw;
import org.otp4j.bench.Stopwatch;
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
    return "A receiver counts messages; 1,000 sender processes are spawned and tell the parent they are "
        + "ready, all before the clock starts. Then the parent tells each to go, and each sends the "
        + "receiver N messages at once. Messages per second, from the first go until the receiver has "
        + "taken all 1,000 × N and told the parent. On the BEAM the receiver keeps its queue off its heap "
        + "(`message_queue_data`), as a process flooded by many senders should.";
  }

  @Override
  public Raw otp4j(int perSender) throws Exception {
    long total = (long) SENDERS * perSender;
    return Kit.inProcess(() -> {
      Pid main = Proc.self();
      Pid sink = Proc.spawn(() -> {
        for (long i = 0; i < total; i++) {
          Proc.receive();
        }
        Proc.send(main, Kit.DONE);
      });
      Pid[] senders = new Pid[SENDERS];
      for (int s = 0; s < SENDERS; s++) {
        senders[s] = Proc.spawn(() -> {
          Proc.send(main, Kit.PING); // ready
          Proc.receive(); // go
          for (int i = 0; i < perSender; i++) {
            Proc.send(sink, Kit.PING);
          }
        });
      }
      for (int s = 0; s < SENDERS; s++) {
        Proc.receive(); // ready
      }
      Stopwatch clock = Stopwatch.start();
      for (Pid s : senders) {
        Proc.send(s, Kit.PING);
      }
      Proc.receive(); // done
      return clock.stop(total);
    });
  }

  @Override
  public Raw pekko(int perSender) throws Exception {
    long total = (long) SENDERS * perSender;
    CompletableFuture<Raw> done = new CompletableFuture<>();
    PekkoKit.spawn(Behaviors.setup(ctx -> {
      ActorRef<Object> main = ctx.getSelf();
      long[] left = {total};
      ActorRef<Object> sink = ctx.spawnAnonymous(Behaviors.receiveMessage(m -> {
        if (--left[0] == 0) {
          main.tell(Kit.DONE);
        }
        return Behaviors.same();
      }));
      @SuppressWarnings({"unchecked", "rawtypes"})
      ActorRef<Object>[] senders = new ActorRef[SENDERS];
      for (int s = 0; s < SENDERS; s++) {
        senders[s] = ctx.spawnAnonymous(Behaviors.setup(c -> {
          main.tell(Kit.PING); // ready
          return Behaviors.receiveMessage(go -> {
            for (int i = 0; i < perSender; i++) {
              sink.tell(Kit.PING);
            }
            return Behaviors.stopped();
          });
        }));
      }
      int[] ready = {0};
      Stopwatch[] clock = {null};
      return Behaviors.receiveMessage(m -> {
        if (m == Kit.PING) {
          if (++ready[0] == SENDERS) {
            clock[0] = Stopwatch.start();
            for (ActorRef<Object> s : senders) {
              s.tell(Kit.PING); // go
            }
          }
          return Behaviors.same();
        }
        done.complete(clock[0].stop(total)); // done
        return Behaviors.stopped(); // stops the receiver too
      });
    }));
    return Kit.await(done);
  }

  @Override
  public Raw virtualThreads(int perSender) throws Exception {
    long total = (long) SENDERS * perSender;
    return Kit.inVtProc(main -> {
      VtProc sink = VtProc.spawn(self -> {
        for (long i = 0; i < total; i++) {
          self.receive();
        }
        main.send(Kit.DONE);
      });
      VtProc[] senders = new VtProc[SENDERS];
      for (int s = 0; s < SENDERS; s++) {
        senders[s] = VtProc.spawn(self -> {
          main.send(Kit.PING); // ready
          self.receive(); // go
          for (int i = 0; i < perSender; i++) {
            sink.send(Kit.PING);
          }
        });
      }
      for (int s = 0; s < SENDERS; s++) {
        main.receive(); // ready
      }
      Stopwatch clock = Stopwatch.start();
      for (VtProc s : senders) {
        s.send(Kit.PING);
      }
      main.receive(); // done
      return clock.stop(total);
    });
  }

  /** At least twice the BEAM's messages per second. */
  @Override
  public Double targetVersusBeam() {
    return 2.0;
  }
}
