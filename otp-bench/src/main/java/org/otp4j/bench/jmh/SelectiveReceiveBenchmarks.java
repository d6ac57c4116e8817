package org.otp4j.bench.jmh;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.core.Ref;

/**
 * Selective receive of a reply while {@code backlog} unrelated messages wait in the mailbox, per
 * request/reply exchange:
 * <ul>
 *   <li>{@code withMarker}: {@code Proc.makeRef()} + {@code Proc.receiveAfter(ref, ...)}, which
 *       skips the backlog (OTP's receive marker);</li>
 *   <li>{@code scanningBacklog}: a plain {@code Proc.receive(filter)}, which tests every queued
 *       message first: what the marker saves.</li>
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-XX:+UseG1GC", "--add-opens", "java.base/java.lang=ALL-UNNAMED"})
@State(Scope.Thread)
public class SelectiveReceiveBenchmarks {
  static final int EXCHANGES = 1_000;
  static final int SCANS = 10;
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  record Request(Pid from, Ref ref) {}

  record Reply(Ref ref) {}

  @Param({"0", "10000", "500000"})
  public int backlog;

  private Node node;
  private Driver driver;
  private Pid echo;

  @Setup(Level.Trial)
  public void start() {
    node = Node.start();
    driver = new Driver(node);
    echo = node.spawn(() -> {
      while (Proc.receive() instanceof Request(Pid from, Ref ref)) {
        Proc.send(from, new Reply(ref));
      }
    });
    int n = backlog;
    driver.run(() -> {
      Pid self = Proc.self();
      for (int i = 0; i < n; i++) {
        Proc.send(self, "junk");
      }
    });
  }

  @TearDown(Level.Trial)
  public void stop() {
    driver.close();
    node.close();
  }

  @Benchmark
  @OperationsPerInvocation(EXCHANGES)
  public void withMarker() {
    driver.run(() -> {
      Pid self = Proc.self();
      for (int i = 0; i < EXCHANGES; i++) {
        Ref ref = Proc.makeRef();
        Proc.send(echo, new Request(self, ref));
        Proc.receiveAfter(ref, m -> m instanceof Reply r && r.ref() == ref, TIMEOUT).orElseThrow();
      }
    });
  }

  @Benchmark
  @OperationsPerInvocation(SCANS)
  public void scanningBacklog() {
    driver.run(() -> {
      Pid self = Proc.self();
      for (int i = 0; i < SCANS; i++) {
        Ref ref = Ref.make();
        Proc.send(echo, new Request(self, ref));
        Proc.receive(m -> m instanceof Reply r && r.ref() == ref, TIMEOUT).orElseThrow();
      }
    });
  }
}
