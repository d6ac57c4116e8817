package org.otp4j.bench.workloads;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;
import org.otp4j.bench.Metric;
import org.otp4j.bench.Raw;
import org.otp4j.bench.Stopwatch;
import org.otp4j.bench.Workload;
import org.otp4j.bench.Workloads;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.core.Ref;

/**
 * Request/reply with a fresh reference while N unrelated messages wait in the requester's mailbox:
 * the time of one exchange, median over as many exchanges as fit in a second.
 */
public final class SelectiveReceive extends Workload {
  static final int BACKLOG = 500_000;
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  public SelectiveReceive() {
    super("selective", "selective receive of a reply", Metric.TIME_PER_OP, "per receive");
  }

  @Override
  public List<Integer> sizes(Mode mode) {
    return List.of(0, BACKLOG);
  }

  @Override
  public String sizeLabel(int n) {
    return n == 0 ? "empty mailbox" : Workloads.human(n) + " queued";
  }

  @Override
  public String description() {
    return "The measuring process first sends itself N unrelated messages (which stay queued, in "
        + "order, throughout), then repeats for one second (at least 5 times): make a fresh "
        + "reference, send a request carrying it to an echo process, and selectively receive the "
        + "reply that carries it. Reported: the median time of one exchange (reference, send, "
        + "receive). otp4j uses `Proc.makeRef()` and `Proc.receiveAfter(ref, ...)`, so the receive "
        + "skips the backlog (OTP's receive marker); the BEAM uses `make_ref()` and a `receive` on "
        + "it, which its compiler turns into the same marker, in a process whose queue is kept off its heap "
        + "(`message_queue_data`), as an Erlang process that holds a large queue should be: on its heap, every "
        + "garbage collection of the process goes through the whole backlog. Pekko has no selective receive: the "
        + "actor stashes the unrelated messages as they arrive (before the clock) and leaves them in its "
        + "stash buffer throughout, handling each reply as it comes (a stash, the idiom Pekko documents "
        + "for messages an actor cannot handle yet). Raw VT gives its plain queue the same receive marker: "
        + "before sending the request it moves whatever has arrived to its save list (the backlog once, "
        + "before the clock), and the receive then looks only at messages that arrived after that point.";
  }

  /** Exchanges for about a second: at least 5, at most 20,000. */
  static final class Exchanges {
    private static final long BUDGET_NANOS = 1_000_000_000L;
    private static final int MIN = 5;
    private static final int MAX = 20_000;
    private final long[] times = new long[MAX];
    private final Stopwatch clock = Stopwatch.start();
    private final long deadline = System.nanoTime() + BUDGET_NANOS;
    private int count;

    boolean more() {
      return count < MIN || (count < MAX && System.nanoTime() < deadline);
    }

    void record(long nanos) {
      times[count++] = nanos;
    }

    Raw result() {
      return clock.stop(new Raw(Kit.median(times, count), 1), count);
    }
  }

  private record Request(Pid from, Ref ref) {}

  private record Reply(Ref ref) {}

  @Override
  public Raw otp4j(int backlog) throws Exception {
    return Kit.inProcess(() -> {
      Pid self = Proc.self();
      Pid echo = Proc.spawn(() -> {
        while (Proc.receive() instanceof Request(Pid from, Ref ref)) {
          Proc.send(from, new Reply(ref));
        }
      });
      for (int i = 0; i < backlog; i++) {
        Proc.send(self, Kit.JUNK);
      }
      Exchanges ex = new Exchanges();
      while (ex.more()) {
        long t0 = System.nanoTime();
        Ref ref = Proc.makeRef();
        Proc.send(echo, new Request(self, ref));
        Proc.receiveAfter(ref, m -> m instanceof Reply r && r.ref() == ref, TIMEOUT).orElseThrow();
        ex.record(System.nanoTime() - t0);
      }
      Raw raw = ex.result();
      Proc.send(echo, Kit.STOP);
      int left = Proc.flush(m -> m == Kit.JUNK);
      if (left != backlog) {
        throw new IllegalStateException("the backlog should still hold " + backlog + " messages, found " + left);
      }
      return raw;
    });
  }

  private record PRequest(ActorRef<Object> from, Object ref) {}

  private record PReply(Object ref) {}

  /** Sent by the Pekko requester to itself after its backlog: the exchanges start. */
  private static final Object START = new Object() {
    @Override
    public String toString() {
      return "start";
    }
  };

  @Override
  public Raw pekko(int backlog) throws Exception {
    CompletableFuture<Raw> done = new CompletableFuture<>();
    PekkoKit.spawn(Behaviors.setup(ctx -> Behaviors.withStash(backlog + 16, stash -> {
      ActorRef<Object> self = ctx.getSelf();
      ActorRef<Object> echo = ctx.spawnAnonymous(Behaviors.receiveMessage(m -> {
        if (m instanceof PRequest(ActorRef<Object> from, Object ref)) {
          from.tell(new PReply(ref));
        }
        return Behaviors.same();
      }));
      for (int i = 0; i < backlog; i++) {
        self.tell(Kit.JUNK);
      }
      self.tell(START);
      PekkoRequester requester = new PekkoRequester(self, echo, stash, backlog, done);
      // The backlog goes to the stash as it arrives, and stays there.
      return Behaviors.receiveMessage(m -> {
        if (m == START) {
          return requester.start();
        }
        stash.stash(m);
        return Behaviors.same();
      });
    })));
    return Kit.await(done);
  }

  /**
   * The requester's states: one exchange in flight at a time. The unrelated messages stay in the
   * stash buffer throughout; each reply is handled as it arrives.
   */
  private static final class PekkoRequester {
    private final ActorRef<Object> self;
    private final ActorRef<Object> echo;
    private final StashBuffer<Object> stash;
    private final int backlog;
    private final CompletableFuture<Raw> done;
    private Exchanges ex;

    PekkoRequester(ActorRef<Object> self, ActorRef<Object> echo, StashBuffer<Object> stash, int backlog,
        CompletableFuture<Raw> done) {
      this.self = self;
      this.echo = echo;
      this.stash = stash;
      this.backlog = backlog;
      this.done = done;
    }

    Behavior<Object> start() {
      ex = new Exchanges();
      return exchange();
    }

    /** Sends a request with a fresh reference and waits for the reply that carries it. */
    Behavior<Object> exchange() {
      long t0 = System.nanoTime();
      Object ref = new Object();
      echo.tell(new PRequest(self, ref));
      return Behaviors.receiveMessage(m -> {
        if (m instanceof PReply(Object r) && r == ref) {
          ex.record(System.nanoTime() - t0);
          if (ex.more()) {
            return exchange();
          }
          if (stash.size() != backlog) {
            done.completeExceptionally(new IllegalStateException("the stash should still hold " + backlog
                + " messages, found " + stash.size()));
          } else {
            done.complete(ex.result());
          }
          return Behaviors.stopped();
        }
        stash.stash(m); // anything else waits with the backlog
        return Behaviors.same();
      });
    }
  }

  private record VRequest(VtProc from, Object ref) {}

  private record VReply(Object ref) {}

  @Override
  public Raw virtualThreads(int backlog) throws Exception {
    return Kit.inVtProc(self -> {
      VtProc echo = VtProc.spawn(p -> {
        while (p.receive() instanceof VRequest(VtProc from, Object ref)) {
          from.send(new VReply(ref));
        }
      });
      for (int i = 0; i < backlog; i++) {
        self.send(Kit.JUNK);
      }
      self.mark(); // the backlog moves to the save list before the clock, as Pekko's goes to its stash
      Exchanges ex = new Exchanges();
      while (ex.more()) {
        long t0 = System.nanoTime();
        Object ref = new Object();
        int mark = self.mark(); // nothing queued before this point can carry the new reference
        echo.send(new VRequest(self, ref));
        self.receive(m -> m instanceof VReply r && r.ref() == ref, mark);
        ex.record(System.nanoTime() - t0);
      }
      Raw raw = ex.result();
      echo.send(Kit.STOP);
      int left = self.flush();
      if (left != backlog) {
        throw new IllegalStateException("the backlog should still hold " + backlog + " messages, found " + left);
      }
      return raw;
    });
  }
}
