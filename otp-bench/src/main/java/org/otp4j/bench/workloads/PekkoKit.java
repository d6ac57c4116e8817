package org.otp4j.bench.workloads;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * One Pekko actor system per fork, whose guardian spawns the workload's driver actors on request.
 * The dispatchers are sized for the machine, as a deployment tuned for it would be: as many threads
 * as cores (Pekko's reference configuration starts at least 8, or 4 for its internal dispatcher,
 * whatever the core count), so that Pekko runs on as many threads as otp4j has carriers and the
 * BEAM has schedulers. Logging is turned down.
 */
public final class PekkoKit {
  private PekkoKit() {}

  /** Threads of Pekko's dispatchers: one per core. */
  static final int THREADS = Runtime.getRuntime().availableProcessors();

  /**
   * Messages an actor handles in a row before its thread moves on to the next actor: the value of
   * the dispatcher example in Pekko's documentation, for throughput over fairness (the reference
   * configuration's default is 5). The fork's system property {@code otp4j.bench.pekko.throughput}
   * sets another, for experiments.
   */
  static final int THROUGHPUT = Integer.getInteger("otp4j.bench.pekko.throughput", 100);

  /** Overrides of Pekko's reference configuration: dispatchers sized for the machine, quiet logs. */
  static final String CONFIG = """
      pekko.actor.default-dispatcher {
        fork-join-executor {
          parallelism-min = %1$d
          parallelism-factor = 1.0
          parallelism-max = %1$d
        }
        throughput = %2$d
      }
      pekko.actor.internal-dispatcher.fork-join-executor {
        parallelism-min = %1$d
        parallelism-factor = 1.0
        parallelism-max = %1$d
      }
      pekko.loglevel = WARNING
      pekko.stdout-loglevel = WARNING
      pekko.log-dead-letters = off
      pekko.log-dead-letters-during-shutdown = off
      pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off
      """.formatted(THREADS, THROUGHPUT);

  /** The configuration every fork's actor system runs with: {@link #CONFIG} over Pekko's reference one. */
  public static Config config() {
    return ConfigFactory.parseString(CONFIG).withFallback(ConfigFactory.load());
  }

  private record Spawn(Behavior<Object> behavior) {}

  private static ActorSystem<Object> system;

  /** The fork's actor system, started on first use. */
  static synchronized ActorSystem<Object> system() {
    if (system == null) {
      system = ActorSystem.create(guardian(), "bench", config());
    }
    return system;
  }

  private static Behavior<Object> guardian() {
    return Behaviors.setup(ctx -> Behaviors.receiveMessage(m -> {
      if (m instanceof Spawn(Behavior<Object> b)) {
        ctx.spawnAnonymous(b);
      }
      return Behaviors.same();
    }));
  }

  /** Starts {@code behavior} as a child of the guardian. */
  static void spawn(Behavior<Object> behavior) {
    system().tell(new Spawn(behavior));
  }

  /** Terminates the actor system (all its actors) and waits for it; the next use starts a new one. */
  static synchronized void shutdown() throws Exception {
    if (system != null) {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(Kit.WAIT_SECONDS, TimeUnit.SECONDS);
      system = null;
    }
  }
}
