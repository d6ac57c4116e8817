package org.otp4j.bench.workloads;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.otp4j.bench.Contender;
import org.otp4j.bench.Metric;
import org.otp4j.bench.Raw;
import org.otp4j.bench.Stopwatch;
import org.otp4j.bench.Workload;
import org.otp4j.bench.Workloads;
import org.otp4j.behaviours.GenStatem;
import org.otp4j.core.From;
import org.otp4j.core.Pid;

/**
 * Events through a two-state machine (off, on) that changes state on every event: by cast (N casts,
 * then one call that returns the count), or by call (N calls in a row). One workload per way:
 * {@code statem-cast}, {@code statem-call}.
 */
public final class StatemToggle extends Workload {
  private final boolean byCall;

  public StatemToggle(boolean byCall) {
    super(byCall ? "statem-call" : "statem-cast", byCall ? "gen_statem toggle by call" : "gen_statem toggle by cast",
        Metric.THROUGHPUT, "events");
    this.byCall = byCall;
  }

  @Override
  public List<Integer> sizes(Mode mode) {
    if (byCall) {
      return List.of(mode == Mode.QUICK ? 100_000 : 200_000);
    }
    return List.of(mode == Mode.QUICK ? 100_000 : 500_000);
  }

  /** The JIT compiles a behaviour's longer code paths later than a bare send and receive. */
  @Override
  public int warmups(Mode mode, int n) {
    return 3;
  }

  @Override
  public String sizeLabel(int n) {
    return byCall ? Workloads.human(n) + " calls" : Workloads.human(n) + " casts + 1 call";
  }

  @Override
  public String notApplicable(Contender who) {
    return who == Contender.VIRTUAL_THREADS ? "a state machine on a raw thread is a loop with a variable: the "
        + "request/reply floor of the gen_server rows, nothing more" : null;
  }

  @Override
  public String description() {
    String how = byCall ? "One client calls `toggle` N times in a row; the machine replies with its count "
        + "and changes state. Events (calls) per second."
        : "One client casts `toggle` N times, then calls `count`, which returns when every cast is handled. "
        + "Events (casts) per second over the whole.";
    return "Three warm-up rounds, then: "
        + "a state machine with two states, off and on, and a counter as its data; every `toggle` "
        + "changes the state (a real state change, each time) and counts. " + how + " otp4j: `GenStatem` "
        + "in handle-event mode (an enum state), `GenStatem.cast` / `GenStatem.call` (no timeout); BEAM: "
        + "`gen_statem` with `handle_event_function`, `gen_statem:cast` / `gen_statem:call` (no timeout)"
        + (byCall ? "; " : ", the machine started with `{message_queue_data, off_heap}` (the casts come faster "
            + "than it handles them); ")
        + "Pekko: two behaviors that return each other (the typed-actor way to change state), `tell`, and "
        + "calls in the request-response form (the request carries the client's `ActorRef`, no timeout).";
  }

  static final Object TOGGLE = new Object() {
    @Override
    public String toString() {
      return "toggle";
    }
  };

  enum Light { OFF, ON }

  /** The machine: off and on, a counter of toggles. */
  static final class Toggle extends GenStatem<Light, long[], Object> {
    @Override
    protected Init<Light, long[]> init() {
      return Init.ok(Light.OFF, new long[1]);
    }

    @Override
    protected Result<Light, long[]> handleEvent(Event<Object> event, Light light, long[] count) {
      Light next = light == Light.OFF ? Light.ON : Light.OFF;
      return switch (event) {
        case Event.Cast<Object> c -> {
          count[0]++;
          yield nextState(next, count);
        }
        case Event.Call(From from, Object request) when request == Servers.COUNT ->
            keepStateAndData(Action.reply(from, count[0]));
        case Event.Call(From from, Object request) -> {
          long before = count[0]++;
          yield nextState(next, count, Action.reply(from, before));
        }
        default -> keepStateAndData();
      };
    }
  }

  @Override
  public Raw otp4j(int n) throws Exception {
    return Kit.inProcess(() -> {
      Pid machine = GenStatem.start(new Toggle(), org.otp4j.behaviours.StartOptions.defaults()).pid();
      Stopwatch clock = Stopwatch.start();
      if (byCall) {
        for (int i = 0; i < n; i++) {
          GenStatem.call(machine, TOGGLE);
        }
      } else {
        for (int i = 0; i < n; i++) {
          GenStatem.cast(machine, TOGGLE);
        }
      }
      long count = (Long) GenStatem.call(machine, Servers.COUNT);
      Raw raw = clock.stop(n);
      GenServerCast.check(count, n);
      GenStatem.stop(machine);
      return raw;
    });
  }

  /** The Pekko machine: the two states are two behaviors; the counter lives in both. */
  static Behavior<Object> pekkoToggle() {
    return Behaviors.setup(ctx -> {
      long[] count = {0};
      @SuppressWarnings({"unchecked", "rawtypes"})
      Behavior<Object>[] states = new Behavior[2];
      for (int s = 0; s < 2; s++) {
        int other = 1 - s;
        states[s] = Behaviors.receiveMessage(m -> {
          if (m instanceof Servers.PCall(ActorRef<Object> replyTo, Object request)) {
            if (request == Servers.COUNT) {
              replyTo.tell(count[0]);
              return Behaviors.same();
            }
            replyTo.tell(count[0]++);
          } else {
            count[0]++;
          }
          return states[other];
        });
      }
      return states[0];
    });
  }

  @Override
  public Raw pekko(int n) throws Exception {
    CompletableFuture<Raw> done = new CompletableFuture<>();
    PekkoKit.spawn(Behaviors.setup(ctx -> {
      ActorRef<Object> machine = ctx.spawnAnonymous(pekkoToggle());
      ActorRef<Object> self = ctx.getSelf();
      Stopwatch clock = Stopwatch.start();
      Runnable count = () -> machine.tell(new Servers.PCall(self, Servers.COUNT));
      if (byCall) {
        ctx.spawnAnonymous(Servers.pekkoCaller(machine, TOGGLE, n, self)).tell(Kit.PING);
      } else {
        for (int i = 0; i < n; i++) {
          machine.tell(TOGGLE);
        }
        count.run();
      }
      return Behaviors.receiveMessage(m -> {
        if (m instanceof Servers.ClientDone) {
          count.run();
          return Behaviors.same();
        }
        Raw raw = clock.stop(n); // m is the count
        try {
          GenServerCast.check((Long) m, n);
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
  public Raw virtualThreads(int n) {
    throw new UnsupportedOperationException(notApplicable(Contender.VIRTUAL_THREADS));
  }
}
