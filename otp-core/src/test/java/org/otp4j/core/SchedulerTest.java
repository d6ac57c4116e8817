package org.otp4j.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.otp4j.core.TestSupport.exitReason;
import static org.otp4j.core.TestSupport.next;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("Schedulers: the node's own scheduler, its setting and its fallback")
class SchedulerTest {

  // ---------------------------------------------------------------------------------------
  // the setting

  @Test
  @DisplayName("A node runs on the scheduler that the system property names (local unless it says jdk)")
  void defaultComesFromTheProperty() {
    try (Node node = Node.start()) {
      assertThat(node.scheduler()).isEqualTo(Scheduler.fromSystemProperty());
      assertThat(NodeConfig.defaults().scheduler()).isEqualTo(Scheduler.fromSystemProperty());
    }
  }

  @Test
  @DisplayName("withScheduler chooses the node's scheduler; a local one starts that many carrier threads")
  void settingChoosesTheScheduler() {
    try (Node jdk = Node.start(NodeConfig.defaults().withScheduler(Scheduler.jdk()));
        Node local = Node.start(NodeConfig.defaults().withScheduler(Scheduler.local(3)))) {
      assertThat(jdk.scheduler()).isEqualTo(Scheduler.jdk());
      assertThat(local.scheduler()).isEqualTo(Scheduler.local(3));
      assertThat(carrierThreads(local)).hasSize(3);
      assertThat(carrierThreads(jdk)).isEmpty();
      assertThat(Scheduler.local()).isEqualTo(Scheduler.local(Runtime.getRuntime().availableProcessors()));
    }
  }

  @Test
  @DisplayName("Bad settings are refused with what was expected")
  void badSettings() {
    assertThatThrownBy(() -> Scheduler.local(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a local scheduler needs 1 to 256 carrier threads, got 0");
    assertThatThrownBy(() -> NodeConfig.defaults().withScheduler(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("scheduler");
    String before = System.getProperty(Scheduler.PROPERTY);
    try {
      System.setProperty(Scheduler.PROPERTY, "fast");
      assertThatThrownBy(Scheduler::fromSystemProperty)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("the system property otp4j.scheduler must be \"local\" or \"jdk\", got \"fast\"");
      System.setProperty(Scheduler.PROPERTY, "jdk");
      assertThat(NodeConfig.defaults().scheduler()).isEqualTo(Scheduler.jdk());
      System.setProperty(Scheduler.PROPERTY, "local");
      assertThat(NodeConfig.defaults().scheduler()).isEqualTo(Scheduler.local());
    } finally {
      if (before == null) {
        System.clearProperty(Scheduler.PROPERTY);
      } else {
        System.setProperty(Scheduler.PROPERTY, before);
      }
    }
  }

  @Test
  @DisplayName("Without --add-opens, nodes fall back to the JDK's scheduler and one INFO line names the flag")
  void fallbackWithoutTheFlag() throws Exception {
    String without = runFallbackMain(List.of());
    assertThat(without).contains("node 1: jdk", "node 2: jdk", "both ran");
    assertThat(without.lines().filter(l -> l.contains("--add-opens java.base/java.lang=ALL-UNNAMED")))
        .singleElement()
        .asString()
        .contains("INFO", "JDK's virtual-thread scheduler", "-Dotp4j.scheduler=jdk");

    String with = runFallbackMain(List.of("--add-opens", "java.base/java.lang=ALL-UNNAMED"));
    assertThat(with).contains("node 1: local", "node 2: local", "both ran")
        .doesNotContain("--add-opens");
  }

  // ---------------------------------------------------------------------------------------
  // running under the local scheduler

  @ParameterizedTest(name = "woken by {0}")
  @ValueSource(strings = {"spawn", "send"})
  @DisplayName("A process that computes does not starve a process queued behind it on its carrier")
  void computingDoesNotStarveTheQueue(String how) {
    try (Node node = Node.start(NodeConfig.defaults().withScheduler(Scheduler.local(2)));
        Inbox inbox = node.openInbox()) {
      Pid me = inbox.pid();
      AtomicBoolean release = new AtomicBoolean();
      Pid sleeper = node.spawn(() -> {
        Proc.receive();
        Proc.send(me, "queued process ran");
      });
      Pid computer = node.spawn(() -> {
        // Queue a process on this carrier, then hold the carrier.
        if (how.equals("spawn")) {
          Proc.spawn(() -> Proc.send(me, "queued process ran"));
        } else {
          Proc.send(sleeper, "wake up");
        }
        Proc.send(me, "computing");
        long spins = 0;
        while (!release.get()) {
          spins++;
          Thread.onSpinWait();
        }
        Proc.send(me, spins);
      });
      try {
        assertThat(next(inbox, String.class)).isEqualTo("computing");
        assertThat(next(inbox, String.class)).isEqualTo("queued process ran");
      } finally {
        release.set(true);
      }
      next(inbox, Long.class);
      assertThat(exitReason(computer)).isEqualTo(ExitReason.NORMAL);
    }
  }

  @Test
  @DisplayName("Processes that yield let the others on their carrier run (one carrier)")
  void yieldingShares() {
    try (Node node = Node.start(NodeConfig.defaults().withScheduler(Scheduler.local(1)));
        Inbox inbox = node.openInbox()) {
      Pid me = inbox.pid();
      AtomicBoolean flag = new AtomicBoolean();
      node.spawn(() -> {
        Proc.spawn(() -> flag.set(true)); // queued behind this process on the only carrier
        while (!flag.get()) {
          Thread.yield();
        }
        Proc.send(me, "the other ran");
      });
      assertThat(next(inbox)).isEqualTo("the other ran");
    }
  }

  @ParameterizedTest(name = "{0} carrier(s)")
  @ValueSource(ints = {1, 2})
  @DisplayName("Receive timeouts, sleeps and timers fire on the node's own carriers")
  void timers(int carriers) {
    try (Node node = Node.start(NodeConfig.defaults().withScheduler(Scheduler.local(carriers)));
        Inbox inbox = node.openInbox()) {
      Pid me = inbox.pid();
      int processes = 200;
      for (int i = 0; i < processes; i++) {
        int id = i;
        node.spawn(() -> {
          long start = System.nanoTime();
          for (int round = 0; round < 3; round++) {
            if (Proc.receive(Duration.ofMillis(20)).isPresent()) {
              throw new AssertionError("nothing was sent");
            }
          }
          Thread.sleep(10);
          Proc.sendAfter(Duration.ofMillis(15), Proc.self(), "timer " + id);
          Object timer = Proc.receive(Duration.ofSeconds(5)).orElse("no timer");
          Proc.send(me, List.of(timer, (System.nanoTime() - start) / 1_000_000));
        });
      }
      Set<Object> timers = new java.util.HashSet<>();
      for (int i = 0; i < processes; i++) {
        List<?> report = next(inbox, List.class);
        timers.add(report.get(0));
        assertThat((Long) report.get(1)).as("elapsed ms").isGreaterThanOrEqualTo(3 * 20 + 10 + 15);
      }
      assertThat(timers).hasSize(processes).doesNotContain("no timer");
    }
  }

  /** Lets {@link PinsItsCarrier}'s initialiser end (not a field of that class: reading it would wait). */
  private static final CountDownLatch UNPIN = new CountDownLatch(1);

  /** Blocks in its class initialiser: a virtual thread that initialises it pins its carrier. */
  static final class PinsItsCarrier {
    static {
      try {
        UNPIN.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    static void touch() {}
  }

  @Test
  @DisplayName("A carrier pinned by a blocked virtual thread is stood in for by a spare carrier")
  void pinnedCarrierIsCompensated() {
    try (Node node = Node.start(NodeConfig.defaults().withScheduler(Scheduler.local(1)));
        Inbox inbox = node.openInbox()) {
      Pid me = inbox.pid();
      node.spawn(() -> {
        Proc.send(me, "pinning");
        PinsItsCarrier.touch();
        Proc.send(me, "unpinned");
      });
      assertThat(next(inbox)).isEqualTo("pinning");
      node.spawn(() -> Proc.send(me, "ran beside the pinned one"));
      try {
        assertThat(next(inbox)).isEqualTo("ran beside the pinned one");
        assertThat(carrierThreads(node)).as("the carrier and its spare").hasSize(2);
      } finally {
        UNPIN.countDown();
      }
      assertThat(next(inbox)).isEqualTo("unpinned");
    }
  }

  @Test
  @DisplayName("An idle node's carriers and monitor wait without a timeout: nothing ticks while nothing runs")
  void idleNodeDoesNotTick() {
    try (Node node = Node.start(NodeConfig.defaults().withScheduler(Scheduler.local(2)));
        Inbox inbox = node.openInbox()) {
      Pid me = inbox.pid();
      for (int i = 0; i < 100; i++) {
        node.spawn(() -> {
          Proc.send(me, "waiting");
          TestSupport.idle();
        });
      }
      for (int i = 0; i < 100; i++) {
        assertThat(next(inbox)).isEqualTo("waiting");
      }
      TestSupport.spinUntil(() -> schedulerThreads(node).stream().allMatch(t -> t.getState() == Thread.State.WAITING),
          () -> "every scheduler thread of the idle node to wait without a timeout: "
              + schedulerThreads(node).stream().map(t -> t.getName() + " " + t.getState()).toList());
    }
  }

  // ---------------------------------------------------------------------------------------
  // stopping

  @Test
  @DisplayName("A stopped node's carrier threads end once its process threads have ended")
  void stopEndsTheCarriers() throws InterruptedException {
    Node node = Node.start(NodeConfig.defaults().withScheduler(Scheduler.local(2)));
    AtomicBoolean release = new AtomicBoolean();
    CountDownLatch computing = new CountDownLatch(1);
    for (int i = 0; i < 50; i++) {
      node.spawn(() -> Proc.spawn(TestSupport::idle));
    }
    // A process that does not return to the runtime: killed, its thread goes on, and needs a carrier.
    node.spawn(() -> {
      computing.countDown();
      while (!release.get()) {
        Thread.onSpinWait();
      }
    });
    try {
      assertThat(computing.await(5, TimeUnit.SECONDS)).isTrue();
      // two carriers (or more: a spare stands in for a carrier that waits, in class loading say)
      assertThat(carrierThreads(node)).hasSizeGreaterThanOrEqualTo(2);
      assertThat(schedulerThreads(node)).anyMatch(t -> t.getName().startsWith("otp-scheduler-"));

      node.stop();
      assertThat(node.awaitTermination(Duration.ofMillis(50))).as("a process thread still runs").isFalse();
      assertThat(carrierThreads(node)).isNotEmpty();
    } finally {
      release.set(true);
    }
    assertThat(node.awaitTermination(Duration.ofSeconds(5))).isTrue();
    assertThat(schedulerThreads(node)).isEmpty();
  }

  @Test
  @DisplayName("A virtual thread that a process started outlives the node on the JDK's scheduler")
  void virtualThreadsOutliveTheirNode() throws InterruptedException {
    CountDownLatch release = new CountDownLatch(1);
    AtomicReference<Thread> started = new AtomicReference<>();
    AtomicReference<String> outcome = new AtomicReference<>();
    Node node = Node.start(NodeConfig.defaults().withScheduler(Scheduler.local(2)));
    try (Inbox inbox = node.openInbox()) {
      Pid me = inbox.pid();
      node.spawn(() -> {
        started.set(Thread.ofVirtual().start(() -> {
          try {
            release.await();
            outcome.set("finished");
          } catch (InterruptedException e) {
            outcome.set("interrupted");
          }
        }));
        Proc.send(me, "started");
      });
      assertThat(next(inbox)).isEqualTo("started");
    }
    node.close();
    assertThat(schedulerThreads(node)).isEmpty();

    release.countDown();
    assertThat(started.get().join(Duration.ofSeconds(5))).isTrue();
    assertThat(outcome.get()).isEqualTo("finished");
  }

  // ---------------------------------------------------------------------------------------
  // helpers

  /** The node's carriers and its scheduler's monitor. */
  private static List<Thread> schedulerThreads(Node node) {
    String monitor = "otp-scheduler-" + node.index();
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("otp-carrier-" + node.index() + "-") || t.getName().equals(monitor))
        .filter(Thread::isAlive)
        .toList();
  }

  private static List<Thread> carrierThreads(Node node) {
    return schedulerThreads(node).stream().filter(t -> t.getName().startsWith("otp-carrier-")).toList();
  }

  /**
   * Runs {@link SchedulerFallbackMain} in a JVM of its own on the class path, with {@code flags};
   * returns what it printed.
   */
  private static String runFallbackMain(List<String> flags) throws IOException, InterruptedException {
    Set<String> classPath = new LinkedHashSet<>();
    Path base = Path.of(System.getProperty("basedir", System.getProperty("user.dir")));
    classPath.add(base.resolve("target/test-classes").toString());
    classPath.add(base.resolve("target/classes").toString());
    for (String property : List.of("jdk.module.path", "java.class.path")) {
      String value = System.getProperty(property);
      if (value != null) {
        for (String entry : value.split(File.pathSeparator)) {
          if (!entry.isBlank()) {
            classPath.add(entry);
          }
        }
      }
    }
    Path logConfig = Files.createTempFile("fallback-logback", ".xml");
    Files.writeString(logConfig, """
        <configuration>
          <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
            <encoder><pattern>%level %logger - %msg%n</pattern></encoder>
          </appender>
          <root level="INFO"><appender-ref ref="OUT"/></root>
        </configuration>
        """);
    try {
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.addAll(flags);
      command.add("-Dlogback.configurationFile=" + logConfig);
      command.add("-D" + Scheduler.PROPERTY + "=local");
      command.add("-cp");
      command.add(String.join(File.pathSeparator, classPath));
      command.add(SchedulerFallbackMain.class.getName());
      Process fork = new ProcessBuilder(command).redirectErrorStream(true).start();
      byte[] out = fork.getInputStream().readAllBytes();
      assertThat(fork.waitFor(30, TimeUnit.SECONDS)).isTrue();
      String text = new String(out, StandardCharsets.UTF_8);
      assertThat(fork.exitValue()).as(text).isZero();
      return text;
    } finally {
      Files.deleteIfExists(logConfig);
    }
  }
}
