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
import org.otp4j.behaviours.GenServer;
import org.otp4j.core.Pid;

/** One client casts N messages to a gen_server, then makes one call that returns when all are handled. */
public final class GenServerCast extends Workload {

  public GenServerCast() {
    super("cast", "gen_server cast", Metric.THROUGHPUT, "casts");
  }

  @Override
  public List<Integer> sizes(Mode mode) {
    return List.of(mode == Mode.QUICK ? 200_000 : 1_000_000);
  }

  /** The JIT compiles a behaviour's longer code paths later than a bare send and receive. */
  @Override
  public int warmups(Mode mode, int n) {
    return 3;
  }

  @Override
  public String sizeLabel(int n) {
    return Workloads.human(n) + " casts + 1 call";
  }

  @Override
  public String description() {
    return "Three warm-up rounds, then: "
        + "one client casts N messages to a server that counts them, then calls it once for the count "
        + "(timeout 120 s), which returns when the server has handled every cast; casts per second over the "
        + "whole. otp4j: `GenServer.cast` and `GenServer.call`; BEAM: `gen_server:cast/2` and "
        + "`gen_server:call/3` (the server keeps up with the casts, so its queue stays on its heap, the "
        + "default, which is faster for it than `off_heap`); Pekko: `tell`, then a request carrying the "
        + "driver's `ActorRef`; raw VT: plain sends and one request/reply.";
  }

  @Override
  public Raw otp4j(int n) throws Exception {
    return Kit.inProcess(() -> {
      Pid server = GenServer.start(new Servers.Echo()).pid();
      Stopwatch clock = Stopwatch.start();
      for (int i = 0; i < n; i++) {
        GenServer.cast(server, Kit.PING);
      }
      long handled = (Long) GenServer.call(server, Servers.COUNT, Servers.SYNC_TIMEOUT);
      Raw raw = clock.stop(n);
      check(handled, n);
      GenServer.stop(server);
      return raw;
    });
  }

  @Override
  public Raw pekko(int n) throws Exception {
    CompletableFuture<Raw> done = new CompletableFuture<>();
    PekkoKit.spawn(Behaviors.setup(ctx -> {
      ActorRef<Object> server = ctx.spawnAnonymous(Servers.pekkoEcho());
      Stopwatch clock = Stopwatch.start();
      for (int i = 0; i < n; i++) {
        server.tell(Kit.PING);
      }
      server.tell(new Servers.PCall(ctx.getSelf(), Servers.COUNT));
      return Behaviors.receiveMessage(m -> { // the count
        Raw raw = clock.stop(n);
        try {
          check((Long) m, n);
          done.complete(raw);
        } catch (RuntimeException e) {
          done.completeExceptionally(e);
        }
        return Behaviors.stopped();
      });
    }));
    return Kit.await(done);
  }

  @Override
  public Raw virtualThreads(int n) throws Exception {
    return Kit.inVtProc(self -> {
      VtProc server = Servers.vtEcho();
      Stopwatch clock = Stopwatch.start();
      for (int i = 0; i < n; i++) {
        server.send(Kit.PING);
      }
      long handled = (Long) Servers.vtCall(self, server, Servers.COUNT);
      Raw raw = clock.stop(n);
      check(handled, n);
      server.send(Kit.STOP);
      return raw;
    });
  }

  static void check(long handled, long expected) {
    if (handled != expected) {
      throw new IllegalStateException("the server handled " + handled + " casts, expected " + expected);
    }
  }
}
