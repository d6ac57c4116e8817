package org.otp4j.bench.workloads;

import java.time.Duration;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.otp4j.behaviours.GenServer;
import org.otp4j.core.From;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;

/**
 * The request/reply servers and clients that the gen_server, supervisor and gen_statem workloads
 * share, once per JVM runtime: an echo server that counts its casts, a supervised worker that tells a
 * watcher when it has started, and the clients that call them in a loop.
 */
final class Servers {
  private Servers() {}

  /** The request that asks a server how many casts it has handled. */
  static final Object COUNT = new Object() {
    @Override
    public String toString() {
      return "count";
    }
  };
  /** The request that makes a worker throw. */
  static final Object CRASH = new Object() {
    @Override
    public String toString() {
      return "crash";
    }
  };

  /** For the one call that waits for a backlog of casts to drain. */
  static final Duration SYNC_TIMEOUT = Duration.ofSeconds(120);

  // =====================================================================================
  // otp4j

  /** Replies to a call with its request ({@link #COUNT}: the number of casts so far); counts casts. */
  static final class Echo extends GenServer<long[], Object> {
    @Override
    protected Init<long[]> init() {
      return Init.ok(new long[1]);
    }

    @Override
    protected CallResult<long[]> handleCall(Object request, From from, long[] casts) {
      return request == COUNT ? reply(casts[0], casts) : reply(request, casts);
    }

    @Override
    protected CastResult<long[]> handleCast(Object request, long[] casts) {
      casts[0]++;
      return noReply(casts);
    }
  }

  /** A worker's announcement to its watcher: worker {@code index} runs as {@code pid}. */
  record Started(int index, Pid pid) {}

  /**
   * A supervised worker: its init tells the watcher it has started; it answers calls as {@link Echo}
   * does, and throws on the cast {@link #CRASH}.
   */
  static final class Worker extends GenServer<long[], Object> {
    private final Pid watcher;
    private final int index;

    Worker(Pid watcher, int index) {
      this.watcher = watcher;
      this.index = index;
    }

    @Override
    protected Init<long[]> init() {
      Proc.send(watcher, new Started(index, Proc.self()));
      return Init.ok(new long[1]);
    }

    @Override
    protected CallResult<long[]> handleCall(Object request, From from, long[] state) {
      return reply(request, state);
    }

    @Override
    protected CastResult<long[]> handleCast(Object request, long[] state) {
      if (request == CRASH) {
        throw new IllegalStateException("crash requested");
      }
      return noReply(state);
    }
  }

  /** Turns the otp4j behaviours' reports (crash, supervisor) off, as the BEAM side does with its logger. */
  static void quietReports() {
    ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("org.otp4j.behaviours"))
        .setLevel(ch.qos.logback.classic.Level.OFF);
  }

  // =====================================================================================
  // Pekko

  /**
   * A call, in Pekko's request-response form: the request carries the caller's own {@code ActorRef},
   * to which the server replies with a plain {@code tell}; the caller handles the reply as the next
   * message it receives.
   */
  record PCall(ActorRef<Object> replyTo, Object request) {}

  /** The echo server as an actor: {@link PCall} is a call, any other message a cast. */
  static Behavior<Object> pekkoEcho() {
    return Behaviors.setup(ctx -> {
      long[] casts = {0};
      return Behaviors.receiveMessage(m -> {
        if (m instanceof PCall(ActorRef<Object> replyTo, Object request)) {
          replyTo.tell(request == COUNT ? (Object) casts[0] : request);
        } else {
          casts[0]++;
        }
        return Behaviors.same();
      });
    });
  }

  /** What a Pekko client reports to its parent. */
  record ClientDone() {}

  /**
   * A client actor that, on its first message ("go"), calls {@code target} {@code calls} times in a
   * row, each call sent when the reply to the previous one arrives, then tells {@code parent} it is
   * done.
   */
  static Behavior<Object> pekkoCaller(ActorRef<Object> target, Object request, int calls, ActorRef<Object> parent) {
    return Behaviors.setup(ctx -> {
      ActorRef<Object> self = ctx.getSelf();
      return Behaviors.receiveMessage(go -> {
        target.tell(new PCall(self, request));
        int[] left = {calls};
        return Behaviors.receiveMessage(reply -> {
          if (--left[0] == 0) {
            parent.tell(new ClientDone());
            return Behaviors.stopped();
          }
          target.tell(new PCall(self, request));
          return Behaviors.same();
        });
      });
    });
  }

  // =====================================================================================
  // raw virtual threads

  /** A call to a raw server: reply to {@code from}'s mailbox. */
  record VtCall(VtProc from, Object request) {}

  /** The echo server as a raw virtual thread: {@link VtCall} is a call, {@link Kit#STOP} ends it, anything else a cast. */
  static VtProc vtEcho() {
    return VtProc.spawn(self -> {
      long casts = 0;
      for (;;) {
        Object m = self.receive();
        if (m instanceof VtCall(VtProc from, Object request)) {
          from.send(request == COUNT ? (Object) casts : request);
        } else if (m == Kit.STOP) {
          return;
        } else {
          casts++;
        }
      }
    });
  }

  /** A call from a raw virtual thread: the request carries the caller, which takes the next message as the reply. */
  static Object vtCall(VtProc self, VtProc server, Object request) throws InterruptedException {
    server.send(new VtCall(self, request));
    return self.receive();
  }
}
