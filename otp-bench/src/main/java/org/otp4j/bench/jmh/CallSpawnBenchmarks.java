package org.otp4j.bench.jmh;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.otp4j.core.From;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;

/**
 * {@code Proc.call} (request, monitor of the server, reply through the call slot) and spawn:
 * <ul>
 *   <li>{@code callFromProcess}: a process calls a server process that replies at once;</li>
 *   <li>{@code callFromThread}: the same from a plain (JMH) thread;</li>
 *   <li>{@code spawnAndAwaitExit}: a process spawns 1,000 processes with an empty body and waits for
 *       each to exit, per process.</li>
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-XX:+UseG1GC", "--add-opens", "java.base/java.lang=ALL-UNNAMED"})
@State(Scope.Thread)
public class CallSpawnBenchmarks {
  static final int CALLS = 1_000;
  static final int SPAWNS = 1_000;
  private static final Proc.Body NOTHING = () -> {};

  record Get(From from) {}

  private Node node;
  private Driver driver;
  private Pid server;

  @Setup(Level.Trial)
  public void start() {
    node = Node.start();
    driver = new Driver(node);
    server = node.spawn(() -> {
      while (Proc.receive() instanceof Get(From from)) {
        from.reply("ok");
      }
    });
  }

  @TearDown(Level.Trial)
  public void stop() {
    driver.close();
    node.close();
  }

  @Benchmark
  @OperationsPerInvocation(CALLS)
  public void callFromProcess() {
    driver.run(() -> {
      Pid to = server;
      for (int i = 0; i < CALLS; i++) {
        Proc.call(to, Get::new, Proc.INFINITY);
      }
    });
  }

  @Benchmark
  public Object callFromThread() {
    return Proc.call(server, Get::new, Proc.INFINITY);
  }

  @Benchmark
  @OperationsPerInvocation(SPAWNS)
  public void spawnAndAwaitExit() {
    driver.run(() -> {
      Pid[] pids = new Pid[SPAWNS];
      for (int i = 0; i < SPAWNS; i++) {
        pids[i] = Proc.spawn(NOTHING);
      }
      for (Pid p : pids) {
        Proc.awaitExit(p, Proc.INFINITY);
      }
    });
  }
}
