package org.otp4j.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.DoubleSupplier;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.otp4j.behaviours.ChildSpec;
import org.otp4j.behaviours.GenServer;
import org.otp4j.behaviours.Supervisor;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Inbox;
import org.otp4j.core.Name;
import org.otp4j.core.Node;
import org.otp4j.core.NodeConfig;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.core.dist.Dispatcher;
import org.otp4j.core.dist.Signal;
import org.otp4j.core.dist.Transport;
import org.otp4j.core.dist.TransportFactory;
import org.otp4j.testkit.OtpExtension;
import org.otp4j.testkit.Reports;

/** OtpMetrics on a SimpleMeterRegistry: each meter moves when the thing it counts happens. */
@DisplayName("OtpMetrics: a node's figures as Micrometer meters")
@ExtendWith(OtpExtension.class)
class OtpMetricsTest {
  static final Duration WAIT = Duration.ofSeconds(10);

  private Node node;
  private MeterRegistry registry;

  @BeforeEach
  void bindMeters(Node node) {
    this.node = node;
    registry = new SimpleMeterRegistry();
    OtpMetrics.of(node, List.of(Tag.of("app", "test"))).bindTo(registry);
  }

  static ConditionFactory await() {
    return Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(5)).pollDelay(Duration.ZERO);
  }

  double gauge(String name) {
    return registry.get(name).tag("node", node.name()).tag("app", "test").gauge().value();
  }

  double counter(String name) {
    return registry.get(name).tag("node", node.name()).tag("app", "test").functionCounter().count();
  }

  double restarts(String supervisor) {
    return registry.get(OtpMetrics.RESTARTS).tag("supervisor", supervisor).functionCounter().count();
  }

  static void awaitValue(DoubleSupplier value, double expected) {
    await().until(() -> value.getAsDouble() == expected);
  }

  @Test
  @DisplayName("binding: one line, and the processes gauge reads the node")
  void bind() {
    // region: bind
    MeterRegistry registry = new SimpleMeterRegistry();
    OtpMetrics.of(node).bindTo(registry);
    double alive = registry.get("otp.processes").gauge().value();
    // endregion: bind
    assertThat(alive).isEqualTo(node.processCount());
    assertThat(registry.get(OtpMetrics.PROCESSES).tag("node", node.name()).gauge()).isNotNull();
  }

  @Test
  @DisplayName("spawned and processes move on spawns from a plain thread and from a process")
  void spawns() {
    double before = counter(OtpMetrics.SPAWNED);
    Pid idle = node.spawn(Proc::receive);
    assertThat(counter(OtpMetrics.SPAWNED)).isEqualTo(before + 1);
    assertThat(gauge(OtpMetrics.PROCESSES)).isEqualTo(1);

    Pid parent = node.spawn(() -> {
      Pid first = Proc.spawn(Proc::receive);
      Pid second = Proc.spawn(Proc::receive);
      Proc.receive();
      Proc.send(first, "stop");
      Proc.send(second, "stop");
    });
    awaitValue(() -> counter(OtpMetrics.SPAWNED), before + 4);
    awaitValue(() -> gauge(OtpMetrics.PROCESSES), 4);

    Proc.exit(idle, ExitReason.KILL);
    awaitValue(() -> gauge(OtpMetrics.PROCESSES), 3);
    assertThat(counter(OtpMetrics.SPAWNED)).as("a counter never goes back").isEqualTo(before + 4);

    Proc.send(parent, "stop"); // it stops its two children on its way out
    awaitValue(() -> gauge(OtpMetrics.PROCESSES), 0);
  }

  @Test
  @DisplayName("crashed counts uncaught exceptions; exited.abnormally counts those and kills, not normal ends")
  void crashes(Reports reports) {
    IllegalStateException boom = new IllegalStateException("metered crash");
    Pid ok = node.spawn(() -> {});
    assertThat(Proc.awaitExit(ok, WAIT)).contains(ExitReason.NORMAL);
    assertThat(counter(OtpMetrics.CRASHED)).isZero();
    assertThat(counter(OtpMetrics.EXITED_ABNORMALLY)).isZero();

    Pid crasher = node.spawn(() -> {
      throw boom;
    });
    assertThat(Proc.awaitExit(crasher, WAIT)).isPresent();
    assertThat(counter(OtpMetrics.CRASHED)).isEqualTo(1);
    assertThat(counter(OtpMetrics.EXITED_ABNORMALLY)).isEqualTo(1);

    // from a process: a kill is abnormal, not a crash
    node.spawn(() -> {
      Pid victim = Proc.spawn(Proc::receive);
      Proc.exit(victim, ExitReason.KILL);
    });
    awaitValue(() -> counter(OtpMetrics.EXITED_ABNORMALLY), 2);
    assertThat(counter(OtpMetrics.CRASHED)).isEqualTo(1);
    reports.expectCrash(crasher);
    assertThat(reports.all()).singleElement().satisfies(r -> {
      assertThat(r.label()).isEqualTo("process_crash");
      assertThat(r.cause()).contains(boom);
    });
  }

  @Test
  @DisplayName("messages.received moves when processes take messages")
  void messages() throws Exception {
    double before = counter(OtpMetrics.MESSAGES);
    try (Inbox inbox = node.openInbox()) {
      Pid echo = node.spawn(() -> {
        for (int i = 0; i < 3; i++) {
          Proc.send(inbox.pid(), Proc.receive());
        }
      });
      for (int i = 0; i < 3; i++) {
        Proc.send(echo, i);
        assertThat(inbox.receive(WAIT)).contains(i);
      }
      assertThat(Proc.awaitExit(echo, WAIT)).contains(ExitReason.NORMAL);
    }
    // three taken by the echo, three by the inbox
    assertThat(counter(OtpMetrics.MESSAGES)).isGreaterThanOrEqualTo(before + 6);
  }

  @Test
  @DisplayName("mailbox.max is the longest mailbox now, mailbox.queued all of them; no pid in the tags")
  void mailboxes() {
    Pid sleeper = node.spawn(() -> Proc.receive(m -> m.equals("wake"), Proc.INFINITY));
    Pid other = node.spawn(() -> Proc.receive(m -> m.equals("wake"), Proc.INFINITY));
    for (int i = 0; i < 7; i++) {
      Proc.send(sleeper, i);
    }
    Proc.send(other, "a");
    Proc.send(other, "b");
    awaitValue(() -> gauge(OtpMetrics.MAILBOX_MAX), 7);
    awaitValue(() -> gauge(OtpMetrics.MAILBOX_QUEUED), 9);
    assertThat(registry.get(OtpMetrics.MAILBOX_MAX).gauge().getId().getTags())
        .extracting(Tag::getKey).containsExactlyInAnyOrder("node", "app");

    Proc.send(sleeper, "wake");
    assertThat(Proc.awaitExit(sleeper, WAIT)).contains(ExitReason.NORMAL);
    awaitValue(() -> gauge(OtpMetrics.MAILBOX_MAX), 2);

    Proc.send(other, "wake");
    assertThat(Proc.awaitExit(other, WAIT)).contains(ExitReason.NORMAL);
  }

  @Test
  @DisplayName("processes.running counts a process on a carrier; carriers names the scheduler")
  void running() {
    AtomicBoolean stop = new AtomicBoolean();
    Pid spinner = node.spawn(() -> {
      while (!stop.get()) {
        Thread.onSpinWait();
      }
    });
    try {
      await().until(() -> gauge(OtpMetrics.RUNNING) >= 1);
    } finally {
      stop.set(true);
    }
    assertThat(Proc.awaitExit(spinner, WAIT)).contains(ExitReason.NORMAL);
    String scheduler = node.scheduler() instanceof org.otp4j.core.Scheduler.Local ? "local" : "jdk";
    assertThat(registry.get(OtpMetrics.CARRIERS).tag("scheduler", scheduler).gauge().value()).isGreaterThanOrEqualTo(1);
  }

  @Test
  @DisplayName("supervisor.restarts: a counter per named supervisor, unnamed ones together")
  void restarts(Reports reports) {
    assertThat(restarts(Supervisor.UNNAMED)).isZero();
    Pid named = Supervisor.startLink(Name.local("cache_sup"),
        Supervisor.oneForOne().withIntensity(10, Duration.ofSeconds(5)), idle("a"));
    Pid unnamed = Supervisor.startLink(Supervisor.oneForOne(), idle("b"));
    killAndAwaitRestart(named, "a");
    killAndAwaitRestart(unnamed, "b");
    assertThat(restarts(Supervisor.UNNAMED)).isEqualTo(1);
    gauge(OtpMetrics.PROCESSES); // a scrape: the new supervisor's counter is bound on the way
    assertThat(restarts("cache_sup")).isEqualTo(1);
    killAndAwaitRestart(node.whereis("cache_sup").orElseThrow(), "a");
    assertThat(restarts("cache_sup")).isEqualTo(2);
    assertThat(registry.find(OtpMetrics.RESTARTS).functionCounters()).hasSize(2);
    assertThat(reports.withLabel("supervisor_report")).hasSize(3)
        .allSatisfy(r -> assertThat(r.field("errorContext")).isEqualTo("child_terminated"));
    // the children were killed on purpose: the supervisors' reports of it are expected
    reports.allow(r -> r.label().equals("supervisor_report") && "child_terminated".equals(r.field("errorContext")));

    Supervisor.stop(named);
    Supervisor.stop(unnamed);
  }

  @Test
  @DisplayName("dist: nodes connected, signals sent and applied, read from the node; zero without distribution")
  void distribution() throws Exception {
    assertThat(gauge(OtpMetrics.DIST_NODES)).isZero();
    assertThat(counter(OtpMetrics.DIST_SENT)).isZero();
    // Two nodes of their own: they need the names the remote send addresses and a transport that
    // joins them, which the extension's node does not have.
    Pair pair = new Pair();
    try (Node a = Node.start("a@metrics", NodeConfig.defaults().withTransport(pair));
        Node b = Node.start("b@metrics", NodeConfig.defaults().withTransport(pair));
        Inbox sink = b.openInbox()) {
      MeterRegistry meters = new SimpleMeterRegistry();
      OtpMetrics.of(a).bindTo(meters);
      MeterRegistry metersB = new SimpleMeterRegistry();
      OtpMetrics.of(b).bindTo(metersB);
      b.run(() -> Proc.register("sink", sink.pid()));
      assertThat(meters.get(OtpMetrics.DIST_NODES).gauge().value()).isEqualTo(1);
      for (int i = 0; i < 3; i++) {
        a.run(() -> Proc.send(Name.remote("sink", "b@metrics"), "hello"));
      }
      for (int i = 0; i < 3; i++) {
        assertThat(sink.receive(Duration.ofSeconds(10))).contains("hello");
      }
      assertThat(meters.get(OtpMetrics.DIST_SENT).functionCounter().count()).isEqualTo(3);
      assertThat(metersB.get(OtpMetrics.DIST_RECEIVED).functionCounter().count()).isEqualTo(3);
      assertThat(metersB.get(OtpMetrics.DIST_SENT).functionCounter().count()).isZero();
      assertThat(meters.get(OtpMetrics.DIST_DROPPED).functionCounter().count()).isZero();
    }
  }

  /** Two nodes in this JVM, each signal applied on the sending thread (enough for named sends of strings). */
  static final class Pair implements TransportFactory {
    private final Map<String, Dispatcher> members = new ConcurrentHashMap<>();

    @Override
    public synchronized Transport open(Dispatcher joining) {
      members.values().forEach(m -> {
        m.nodeUp(joining.nodeName(), joining.creation());
        joining.nodeUp(m.nodeName(), m.creation());
      });
      members.put(joining.nodeName(), joining);
      return new Transport() {
        @Override
        public void send(String node, Signal signal) {
          Dispatcher to = members.get(node);
          if (to != null && signal instanceof Signal.NamedSend(Pid from, String name, Object message)) {
            to.receive(joining.nodeName(), new Signal.NamedSend(to.pid(from.nodeName(), from.creation(),
                from.serial()), name, message));
          }
        }

        @Override
        public void close() {
          members.remove(joining.nodeName());
        }
      };
    }
  }

  @Test
  @DisplayName("the meters keep answering when nobody keeps the binder")
  void bindersAreKept() {
    MeterRegistry registry = new SimpleMeterRegistry();
    OtpMetrics.of(node).bindTo(registry);
    System.gc();
    node.spawn(() -> {});
    assertThat(registry.get(OtpMetrics.SPAWNED).functionCounter().count()).isGreaterThanOrEqualTo(1);
    assertThat(registry.get(OtpMetrics.PROCESSES).gauge().value()).isNotNaN();
  }

  @Test
  @DisplayName("bad input: a node tag of the caller's, nulls")
  void badInput() {
    assertThatThrownBy(() -> OtpMetrics.of(node, List.of(Tag.of("node", "x"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("extraTags must not hold a \"node\" tag");
    assertThatThrownBy(() -> OtpMetrics.of(null)).isInstanceOf(NullPointerException.class).hasMessage("node");
    assertThatThrownBy(() -> OtpMetrics.of(node).bindTo(null)).isInstanceOf(NullPointerException.class)
        .hasMessage("registry");
  }

  /** A worker that waits for ever. */
  static final class Idle extends GenServer<String, String> {
    @Override
    protected Init<String> init() {
      return Init.ok("idle");
    }
  }

  static ChildSpec idle(String id) {
    return ChildSpec.worker(id, () -> GenServer.startLink(new Idle()));
  }

  static void killAndAwaitRestart(Pid sup, Object id) {
    Pid old = child(sup, id);
    Proc.exit(old, ExitReason.KILL);
    await().until(() -> {
      Pid now = child(sup, id);
      return now != null && !now.equals(old);
    });
  }

  static Pid child(Pid sup, Object id) {
    return Supervisor.whichChildren(sup).stream().filter(c -> c.id().equals(id)).map(Supervisor.Child::pid)
        .findFirst().orElse(null);
  }
}
