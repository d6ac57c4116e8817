package org.otp4j.examples.demo;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import java.io.PrintStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.otp4j.behaviours.AppDescriptor;
import org.otp4j.behaviours.Application;
import org.otp4j.behaviours.ChildSpec;
import org.otp4j.behaviours.GenServer;
import org.otp4j.behaviours.NodeSnapshot;
import org.otp4j.behaviours.Supervisor;
import org.otp4j.core.Call;
import org.otp4j.core.Down;
import org.otp4j.core.ExitReason;
import org.otp4j.core.From;
import org.otp4j.core.Inbox;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.core.ServerRef;
import org.slf4j.LoggerFactory;

/**
 * A short guided tour of the runtime, printed as it runs: processes and messages, a link that
 * propagates a crash, a supervised server that is restarted after a crash, and the node's tree.
 */
public final class Tour {
  private Tour() {}

  /** A counter server, the shape of every GenServer: a client API and server callbacks. */
  static final class Counter extends GenServer<Integer, Counter.Msg> {
    sealed interface Msg {
      record Get() implements Msg, Call<Integer> {}

      record Bump(int by) implements Msg, Call<Integer> {}

      record Crash() implements Msg {}
    }

    static final ServerRef<Msg> NAME = ServerRef.local("counter");

    static ServerRef<Msg> startLink() {
      return GenServer.startLink(NAME, new Counter());
    }

    static int bump(int by) {
      return GenServer.call(NAME, new Msg.Bump(by));
    }

    static void crash() {
      GenServer.cast(NAME, new Msg.Crash());
    }

    @Override
    protected Init<Integer> init() {
      return Init.ok(0);
    }

    @Override
    protected CallResult<Integer> handleCall(Msg msg, From from, Integer n) {
      return switch (msg) {
        case Msg.Get get -> reply(get, n, n);
        case Msg.Bump bump -> reply(bump, n + bump.by(), n + bump.by());
        case Msg.Crash c -> reply(n, n);
      };
    }

    @Override
    protected CastResult<Integer> handleCast(Msg msg, Integer n) {
      if (msg instanceof Msg.Crash) {
        throw new IllegalStateException("the counter was told to crash");
      }
      return noReply(n);
    }
  }

  /** The tour's application: one supervisor with the counter under it. */
  static final class TourApp extends Application {
    @Override
    protected Pid start(Type type) {
      return Supervisor.startLink(Supervisor.oneForOne().withIntensity(3, Duration.ofSeconds(5)),
          ChildSpec.worker("counter", () -> Counter.startLink()));
    }
  }

  record Ping(Pid from, int n) {}

  /** Loggers the tour silences while it runs: the crashes it causes are on purpose, and it says so. */
  private static final List<String> QUIET = List.of("org.otp4j", "org.otp4j.behaviours.Reports");

  /**
   * Runs the tour, printing each step to {@code out}. The crashes it causes on purpose are told in
   * its own words, under the step that causes them: the runtime's crash reports, which would come
   * with stack traces and at moments of their own, are kept out of the log while it runs.
   *
   * @param out where the tour is printed
   */
  public static void run(PrintStream out) {
    Map<Logger, Level> levels = new LinkedHashMap<>();
    for (String name : QUIET) {
      Logger logger = (Logger) LoggerFactory.getLogger(name);
      levels.put(logger, logger.getLevel());
      logger.setLevel(Level.OFF);
    }
    try {
      tour(out);
    } finally {
      levels.forEach(Logger::setLevel);
    }
  }

  private static void tour(PrintStream out) {
    try (Node node = Node.start(); Inbox me = node.openInbox()) {
      node.run(() -> {
        out.println("1. Processes and messages");
        Pid echo = node.spawn(() -> {
          while (true) {
            if (Proc.receive() instanceof Ping(Pid from, int n)) {
              Proc.send(from, n * 2);
            }
          }
        });
        me.send(echo, new Ping(me.pid(), 21));
        out.println("   " + echo + " answered " + me.receive(Duration.ofSeconds(5)).orElseThrow());

        out.println("2. A link carries a crash to the other side");
        me.trapExits(true);
        Pid doomed = node.spawn(() -> {
          Proc.receive(m -> m.equals("go"));
          throw new IllegalArgumentException("boom");
        });
        me.link(doomed);
        me.send(doomed, "go");
        Object exit = me.receive(Duration.ofSeconds(5)).orElseThrow();
        out.println("   " + doomed + " crashed (IllegalArgumentException: boom); the linked inbox, trapping exits,");
        out.println("   received the exit signal as a message: " + firstLine(exit));

        out.println("3. A supervised server restarts after a crash");
        Application.load(AppDescriptor.of("tour", TourApp::new).withVersion("1.0").withDescription("the tour"));
        Application.ensureAllStarted("tour", Application.Type.TEMPORARY);
        out.println("   counter = " + Counter.bump(5));
        Pid before = Counter.NAME.pid();
        me.monitor(before);
        Counter.crash();
        Down down = (Down) me.receive(m -> m instanceof Down, Duration.ofSeconds(5)).orElseThrow();
        out.println("   " + before + " crashed: " + firstLine(down.reason()));
        out.println("   (the supervisor logs a crash report, and starts a new counter)");
        Pid after = awaitRestart(before);
        out.println("   restarted as " + after + ", counter = " + Counter.bump(1) + " (a new state)");

        out.println("4. The node, as observer shows it");
        NodeSnapshot.of(node).render().lines().forEach(l -> out.println("   " + l));

        Proc.exit(echo, ExitReason.KILL);
        Application.stop("tour");
      });
    }
  }

  private static String firstLine(Object o) {
    return String.valueOf(o).lines().findFirst().orElse("");
  }

  private static Pid awaitRestart(Pid old) {
    for (int i = 0; i < 500; i++) {
      var now = Proc.whereis(Counter.NAME.name().orElseThrow());
      if (now.isPresent() && !now.get().equals(old)) {
        return now.get();
      }
      Proc.sleep(Duration.ofMillis(10));
    }
    throw new IllegalStateException("the counter was not restarted");
  }
}
