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

/** Two processes bounce one message back and forth N times. */
public final class PingPong extends Workload {

  public PingPong() {
    super("ping-pong", "ping-pong", Metric.THROUGHPUT, "round trips");
  }

  @Override
  public List<Integer> sizes(Mode mode) {
    return List.of(mode == Mode.QUICK ? 200_000 : 1_000_000);
  }

  @Override
  public String sizeLabel(int n) {
    return Workloads.human(n) + " round trips";
  }

  @Override
  public String description() {
    return "Process A sends `ping` to process B, which sends it back; A waits for it before sending "
        + "the next. Round trips per second over N round trips.";
  }

  @Override
  public Raw otp4j(int n) throws Exception {
    return Kit.inProcess(() -> {
      Pid self = Proc.self();
      Pid echo = Proc.spawn(() -> {
        for (;;) {
          Object m = Proc.receive();
          if (m == Kit.STOP) {
            return;
          }
          Proc.send(self, m);
        }
      });
      Stopwatch clock = Stopwatch.start();
      for (int i = 0; i < n; i++) {
        Proc.send(echo, Kit.PING);
        Proc.receive();
      }
      Raw raw = clock.stop(n);
      Proc.send(echo, Kit.STOP);
      return raw;
    });
  }

  @Override
  public Raw pekko(int n) throws Exception {
    CompletableFuture<Raw> done = new CompletableFuture<>();
    PekkoKit.spawn(Behaviors.setup(ctx -> {
      ActorRef<Object> self = ctx.getSelf();
      ActorRef<Object> echo = ctx.spawnAnonymous(Behaviors.receiveMessage(m -> {
        self.tell(m);
        return Behaviors.same();
      }));
      int[] left = {n};
      Stopwatch clock = Stopwatch.start();
      echo.tell(Kit.PING);
      return Behaviors.receiveMessage(m -> {
        if (--left[0] == 0) {
          done.complete(clock.stop(n));
          return Behaviors.stopped();
        }
        echo.tell(Kit.PING);
        return Behaviors.same();
      });
    }));
    return Kit.await(done);
  }

  @Override
  public Raw virtualThreads(int n) throws Exception {
    return Kit.inVtProc(self -> {
      VtProc echo = VtProc.spawn(p -> {
        for (;;) {
          Object m = p.receive();
          if (m == Kit.STOP) {
            return;
          }
          self.send(m);
        }
      });
      Stopwatch clock = Stopwatch.start();
      for (int i = 0; i < n; i++) {
        echo.send(Kit.PING);
        self.receive();
      }
      Raw raw = clock.stop(n);
      echo.send(Kit.STOP);
      return raw;
    });
  }

  /** At least the BEAM's round trips per second. */
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
