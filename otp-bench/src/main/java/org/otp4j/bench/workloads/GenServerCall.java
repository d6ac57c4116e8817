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
import org.otp4j.core.Proc;

/**
 * Calls to one gen_server from C client processes at once, each calling in a loop (one call waits for
 * its reply before the next); C = 1 is the plain round trip. One workload per C: {@code call-1},
 * {@code call-100}.
 */
public final class GenServerCall extends Workload {
  private final int clients;

  public GenServerCall(int clients) {
    super("call-" + clients, clients == 1 ? "gen_server call (1 client)"
        : String.format(java.util.Locale.ROOT, "gen_server call (%,d clients)", clients), Metric.THROUGHPUT, "calls");
    this.clients = clients;
  }

  @Override
  public List<Integer> sizes(Mode mode) {
    if (clients == 1) {
      return List.of(mode == Mode.QUICK ? 100_000 : 200_000);
    }
    return List.of(mode == Mode.QUICK ? 200_000 : 1_000_000);
  }

  /** The JIT compiles a behaviour's longer code paths later than a bare send and receive. */
  @Override
  public int warmups(Mode mode, int n) {
    return 3;
  }

  @Override
  public String sizeLabel(int n) {
    return clients == 1 ? Workloads.human(n) + " calls"
        : Workloads.human(n) + " calls (" + Workloads.human(n / clients) + " each)";
  }

  /** From one client at least the BEAM's rate; from 100, at least 1.5 times it. */
  @Override
  public Double targetVersusBeam() {
    return clients == 1 ? 1.0 : 1.5;
  }

  @Override
  public String description() {
    String who = clients == 1 ? "one client process calls" : String.format(java.util.Locale.ROOT,
        "%,d client processes, started before the clock and released at once, each call", clients);
    return "Three warm-up rounds, then: " + who + " an echo server in a loop, each "
        + "call waiting for its reply, until N calls in all "
        + "are done; calls per second. otp4j: `GenServer.call` (default 5 s timeout) to a `GenServer`; BEAM: "
        + "`gen_server:call/2` (5 s) to a `gen_server`; Pekko: client actors in Pekko's request-response "
        + "form, the request carrying the client's own `ActorRef`, the reply handled as the client's next "
        + "message (no timeout); raw VT: the request carries the client, which takes the reply from its own "
        + "queue (no monitor, no timeout, no reference).";
  }

  @Override
  public Raw otp4j(int n) throws Exception {
    int per = n / clients;
    return Kit.inProcess(() -> {
      Pid main = Proc.self();
      Pid server = GenServer.start(new Servers.Echo()).pid();
      Pid[] cs = new Pid[clients];
      for (int c = 0; c < clients; c++) {
        cs[c] = Proc.spawn(() -> {
          Proc.receive(); // go
          for (int i = 0; i < per; i++) {
            GenServer.call(server, Kit.PING);
          }
          Proc.send(main, Kit.DONE);
        });
      }
      Stopwatch clock = Stopwatch.start();
      for (Pid c : cs) {
        Proc.send(c, Kit.PING);
      }
      for (int c = 0; c < clients; c++) {
        Proc.receive();
      }
      Raw raw = clock.stop((long) per * clients);
      GenServer.stop(server);
      return raw;
    });
  }

  @Override
  public Raw pekko(int n) throws Exception {
    int per = n / clients;
    CompletableFuture<Raw> done = new CompletableFuture<>();
    PekkoKit.spawn(Behaviors.setup(ctx -> {
      ActorRef<Object> server = ctx.spawnAnonymous(Servers.pekkoEcho());
      @SuppressWarnings({"unchecked", "rawtypes"})
      ActorRef<Object>[] cs = new ActorRef[clients];
      for (int c = 0; c < clients; c++) {
        cs[c] = ctx.spawnAnonymous(Servers.pekkoCaller(server, Kit.PING, per, ctx.getSelf()));
      }
      Stopwatch clock = Stopwatch.start();
      for (ActorRef<Object> c : cs) {
        c.tell(Kit.PING);
      }
      int[] left = {clients};
      return Behaviors.receiveMessage(m -> {
        if (--left[0] == 0) {
          done.complete(clock.stop((long) per * clients));
          return Behaviors.stopped(); // stops the server too
        }
        return Behaviors.same();
      });
    }));
    return Kit.await(done);
  }

  @Override
  public Raw virtualThreads(int n) throws Exception {
    int per = n / clients;
    return Kit.inVtProc(main -> {
      VtProc server = Servers.vtEcho();
      VtProc[] cs = new VtProc[clients];
      for (int c = 0; c < clients; c++) {
        cs[c] = VtProc.spawn(self -> {
          self.receive(); // go
          for (int i = 0; i < per; i++) {
            Servers.vtCall(self, server, Kit.PING);
          }
          main.send(Kit.DONE);
        });
      }
      Stopwatch clock = Stopwatch.start();
      for (VtProc c : cs) {
        c.send(Kit.PING);
      }
      for (int c = 0; c < clients; c++) {
        main.receive();
      }
      Raw raw = clock.stop((long) per * clients);
      server.send(Kit.STOP);
      return raw;
    });
  }
}
