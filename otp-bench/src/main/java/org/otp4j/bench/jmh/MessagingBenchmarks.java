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
import org.otp4j.core.Inbox;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;

/**
 * The message hot paths, each timed per message inside a process:
 * <ul>
 *   <li>{@code send}: a process appends to the mailbox of a receiver that is not waiting (no
 *       wake-up): the enqueue alone;</li>
 *   <li>{@code receive}: a process takes messages already in its mailbox: the fast path;</li>
 *   <li>{@code pingPong}: one round trip with another process, both waiting in receive: two sends,
 *       two receives and the wake-ups (or spins) between them.</li>
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-XX:+UseG1GC", "--add-opens", "java.base/java.lang=ALL-UNNAMED"})
public class MessagingBenchmarks {
  static final int BATCH = 10_000;
  static final int ROUND_TRIPS = 1_000;
  private static final Object MSG = "msg";
  private static final Object STOP = "stop";

  /** A node, the driver process, and an echo process that answers the driver. */
  @State(Scope.Thread)
  public static class Procs {
    Node node;
    Driver driver;
    Pid echo;

    @Setup(Level.Trial)
    public void start() {
      node = Node.start();
      driver = new Driver(node);
      Pid replyTo = driver.pid();
      echo = node.spawn(() -> {
        for (;;) {
          Object m = Proc.receive();
          if (m == STOP) {
            return;
          }
          Proc.send(replyTo, m);
        }
      });
    }

    @TearDown(Level.Trial)
    public void stop() {
      driver.close();
      node.close();
    }
  }

  // NOTE: JMH does not share a Scope.Thread state between a benchmark method and another state's
  // helper method (it makes two instances), so the per-invocation states extend Procs instead.

  /** Procs plus a receiver that never waits, so a send is the enqueue alone; renewed every invocation. */
  @State(Scope.Thread)
  public static class WithSink extends Procs {
    Inbox sink;
    volatile Pid sinkPid;

    @Setup(Level.Invocation)
    public void open() {
      sink = node.openInbox();
      sinkPid = sink.pid();
    }

    @TearDown(Level.Invocation)
    public void close() {
      sink.close(); // drops what was sent, so the heap does not fill up
    }
  }

  /** Procs with the driver's mailbox filled before every invocation. */
  @State(Scope.Thread)
  public static class Filled extends Procs {
    @Setup(Level.Invocation)
    public void fill() {
      Pid to = driver.pid();
      for (int i = 0; i < BATCH; i++) {
        Proc.send(to, MSG);
      }
    }
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void send(WithSink s) {
    s.driver.run(() -> {
      Pid to = s.sinkPid;
      for (int i = 0; i < BATCH; i++) {
        Proc.send(to, MSG);
      }
    });
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void receive(Filled s) {
    s.driver.run(() -> {
      for (int i = 0; i < BATCH; i++) {
        Proc.receive();
      }
    });
  }

  @Benchmark
  @OperationsPerInvocation(ROUND_TRIPS)
  public void pingPong(Procs s) {
    Pid to = s.echo;
    s.driver.run(() -> {
      for (int i = 0; i < ROUND_TRIPS; i++) {
        Proc.send(to, MSG);
        Proc.receive();
      }
    });
  }
}
