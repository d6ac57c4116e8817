package org.otp4j.bench.workloads;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * One Pekko actor system per fork, whose guardian spawns the workload's driver actors on request.
 * The dispatcher is Pekko's default one; only logging is turned down.
 */
final class PekkoKit {
  private PekkoKit() {}

  /** Overrides of Pekko's reference configuration: quiet logs, nothing that changes scheduling. */
  static final String CONFIG = """
      pekko.loglevel = WARNING
      pekko.stdout-loglevel = WARNING
      pekko.log-dead-letters = off
      pekko.log-dead-letters-during-shutdown = off
      pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off
      """;

  private record Spawn(Behavior<Object> behavior) {}

  private static ActorSystem<Object> system;

  /** The fork's actor system, started on first use. */
  static synchronized ActorSystem<Object> system() {
    if (system == null) {
      Config config = ConfigFactory.parseString(CONFIG).withFallback(ConfigFactory.load());
      system = ActorSystem.create(guardian(), "bench", config);
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
