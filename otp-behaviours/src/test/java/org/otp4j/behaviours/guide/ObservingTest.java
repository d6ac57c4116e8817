package org.otp4j.behaviours.guide;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.otp4j.behaviours.guide.GuideTestKit.await;
import static org.otp4j.behaviours.guide.GuideTestKit.exitReason;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.otp4j.behaviours.BehaviourTestKit.CaptureReports;
import org.otp4j.behaviours.BehaviourTestKit.Reports;
import org.otp4j.behaviours.ChildSpec;
import org.otp4j.behaviours.GenServer;
import org.otp4j.behaviours.GenStatem;
import org.otp4j.behaviours.Supervisor;
import org.otp4j.behaviours.Sys;
import org.otp4j.core.CallException;
import org.otp4j.core.ExitReason;
import org.otp4j.core.From;
import org.otp4j.core.Inbox;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.core.ServerRef;
import org.slf4j.LoggerFactory;

@DisplayName("Guide, chapter 8: observing")
@ExtendWith(CaptureReports.class)
class ObservingTest {

  private static void onNode(Consumer<Inbox> test) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> test.accept(inbox));
    }
  }

  @Test
  @DisplayName("Sys reads and replaces the state, reads the status, counts, logs and traces")
  void sysTour(Reports reports) {
    onNode(inbox -> {
      ServerRef<KvStore.Msg> store = KvStore.startLink();
      Observing.SysFacts facts = Observing.tour(store);
      assertThat(facts.before()).isInstanceOfSatisfying(KvStore.State.class,
          before -> assertThat(before.data()).containsExactly(Map.entry("colour", "teal")));
      assertThat(facts.after().data()).containsExactly(Map.entry("colour", "red"));
      assertThat(facts.status().behaviour()).isEqualTo("GenServer");
      assertThat(facts.status().module()).isEqualTo(KvStore.class.getName());
      assertThat(facts.status().suspended()).isFalse();
      assertThat(facts.stats()).hasValueSatisfying(s -> {
        assertThat(s.messagesIn()).isEqualTo(1);
        assertThat(s.messagesOut()).isEqualTo(1);
      });
      assertThat(facts.log()).hasSize(2);
      assertThat(facts.log().get(0)).isInstanceOf(Sys.Event.In.class);
      assertThat(facts.log().get(1)).isInstanceOfSatisfying(Sys.Event.Out.class,
          out -> assertThat(out.reply()).isEqualTo(java.util.Optional.of("red")));
      assertThat(reports.events(Reports.SYS)).hasSize(2).map(Reports::keyValues).allSatisfy(kv -> {
        assertThat(kv.get("pid")).isEqualTo(store.pid());
        assertThat(kv.get("@level")).isEqualTo("INFO");
      });
      assertThat(KvStore.get(store, "colour")).contains("red");
    });
  }

  @Test
  @DisplayName("while suspended, a server answers system messages only; a short call times out")
  void suspendResume() {
    onNode(inbox -> {
      ServerRef<KvStore.Msg> store = KvStore.startLink();
      KvStore.put(store, "k", "v");
      Observing.suspendWhile(store, () -> {
        assertThat(Sys.getStatus(store).suspended()).isTrue();
        assertThatThrownBy(() -> GenServer.call(store, new KvStore.Msg.Get("k"), Duration.ofMillis(50)))
            .isInstanceOfSatisfying(CallException.class, e -> assertThat(e.reason()).isEqualTo(ExitReason.TIMEOUT));
      });
      assertThat(Sys.getStatus(store).suspended()).isFalse();
      assertThat(KvStore.get(store, "k")).contains("v");
    });
  }

  @Test
  @DisplayName("a call to a suspended server times out; after resume it is served")
  void suspendedCallWaits() {
    onNode(inbox -> {
      ServerRef<KvStore.Msg> store = KvStore.startLink();
      Sys.suspend(store);
      CompletableFuture<Object> waiting = GuideTestKit.async(() -> KvStore.get(store, "k"));
      await().until(() -> Proc.info(store.pid()).orElseThrow().mailboxLength() == 1);
      assertThat(waiting).isNotDone();
      Sys.resume(store);
      assertThat(waiting.join()).isEqualTo(java.util.Optional.empty());
    });
  }

  @Test
  @DisplayName("a sink installed on the traffic light sees its state changes")
  void install() {
    onNode(inbox -> {
      ServerRef<TrafficLight.Msg> light = TrafficLight.startLink(new TrafficLight.Timings(
          Duration.ofMillis(30), Duration.ofMillis(30), Duration.ofMillis(30)));
      // The light changes every 30 ms from its start: hold it while the sink goes in, so that the
      // changes the sink sees start from a colour the test knows (red, unless this thread was slow).
      Sys.suspend(light);
      TrafficLight.Color now = (TrafficLight.Color) ((GenStatem.StateAndData) Sys.getState(light)).state();
      List<String> changes = Observing.watchChanges(light);
      Sys.resume(light);
      await().until(() -> changes.size() >= 3);
      TrafficLight.Color next = after(now);
      assertThat(changes.subList(0, 3)).containsExactly(now + " -> " + next, next + " -> " + after(next),
          after(next) + " -> " + now);
      GenStatem.stop(light);
    });
  }

  /** The colour a traffic light shows after {@code color}. */
  static TrafficLight.Color after(TrafficLight.Color color) {
    return switch (color) {
      case RED -> TrafficLight.Color.GREEN;
      case GREEN -> TrafficLight.Color.YELLOW;
      case YELLOW -> TrafficLight.Color.RED;
    };
  }

  /** A server that crashes when cast to. */
  static final class Fragile extends GenServer<String, String> {
    @Override
    protected Init<String> init() {
      return Init.ok("quiet");
    }

    @Override
    protected CastResult<String> handleCast(String request, String state) {
      throw new IllegalStateException("asked to fail: " + request);
    }

    @Override
    protected CallResult<String> handleCall(String request, From from, String state) {
      long busyUntil = System.nanoTime() + 50_000_000L; // a slow callback for the flight recorder: 50 ms of work
      while (System.nanoTime() < busyUntil) {
        Thread.onSpinWait();
      }
      return reply(state, state);
    }
  }

  @Test
  @DisplayName("a crash gives one gen_server_terminate report and one supervisor_report, with their fields")
  void reports(Reports reports) {
    onNode(inbox -> {
      Pid sup = Supervisor.startLink(Supervisor.oneForOne(),
          ChildSpec.worker("fragile", () -> GenServer.startLink(new Fragile())));
      Pid child = Supervisor.whichChildren(sup).getFirst().pid();
      GenServer.cast(child, "now");
      exitReason(child);
      await().until(() -> reports.withLabel("progress").size() == 2); // the start and the restart
      List<Map<String, Object>> crash = reports.withLabel("gen_server_terminate");
      assertThat(crash).singleElement().satisfies(kv -> {
        assertThat(kv.get("server")).isEqualTo(child.toString());
        assertThat(kv.get("lastMessage").toString()).contains("now");
        assertThat(kv.get("state")).isEqualTo("quiet");
        assertThat(kv.get("reason").toString()).contains("asked to fail: now");
      });
      assertThat(reports.withLabel("supervisor_report")).singleElement().satisfies(kv -> {
        assertThat(kv.get("errorContext")).isEqualTo("child_terminated");
        assertThat(kv.get("childId")).isEqualTo("fragile");
        assertThat(kv.get("pid")).isEqualTo(child);
      });
      assertThat(reports.events(Reports.NODE)).as("no second crash log from the runtime").isEmpty();
      Supervisor.stop(sup);
    });
  }

  @Test
  @DisplayName("logback's %kvp shows a report's label and fields on one line")
  void kvpPattern() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    PatternLayout layout = new PatternLayout();
    layout.setContext(context);
    layout.setPattern("%level %logger %kvp %msg");
    layout.start();
    LoggingEvent event = new LoggingEvent();
    event.setLevel(ch.qos.logback.classic.Level.ERROR);
    event.setLoggerName("org.otp4j.behaviours.Reports");
    event.setMessage("Supervisor <1.2.0> report");
    event.addKeyValuePair(new org.slf4j.event.KeyValuePair("label", "supervisor_report"));
    event.addKeyValuePair(new org.slf4j.event.KeyValuePair("errorContext", "child_terminated"));
    assertThat(layout.doLayout(event)).isEqualTo(
        "ERROR org.otp4j.behaviours.Reports label=\"supervisor_report\" errorContext=\"child_terminated\" "
            + "Supervisor <1.2.0> report");
  }

  @Test
  @DisplayName("the flight recorder events: spawn, exit, child restart, slow handler")
  void flightRecorder(@TempDir Path dir, Reports reports) throws IOException {
    Path file = dir.resolve("otp4j.jfr");
    try (Node node = Node.start()) {
      Pid[] crashed = new Pid[1];
      Observing.record(file, () -> {
        node.run(() -> {
          Pid sup = Supervisor.startLink(Supervisor.oneForOne(),
              ChildSpec.worker("fragile", () -> GenServer.startLink(new Fragile())));
          Pid child = Supervisor.whichChildren(sup).getFirst().pid();
          GenServer.call(child, "slow");
          GenServer.cast(child, "now");
          crashed[0] = child;
          exitReason(child);
          await().until(() -> !Supervisor.whichChildren(sup).getFirst().pid().equals(child));
          Supervisor.stop(sup);
          assertThat(reports.withLabel("gen_server_terminate")).singleElement()
              .satisfies(r -> assertThat(r.get("server")).isEqualTo(child.toString()));
          assertThat(reports.supervisorReports("child_terminated")).singleElement()
              .satisfies(r -> assertThat(r.get("pid")).isEqualTo(child));
        });
        // The crashed child records its exit event on its own thread, after the exit signals that
        // the test waited for: let every process thread end before the recording is dumped.
        node.stop();
        assertThat(node.awaitTermination(GuideTestKit.WAIT)).isTrue();
      });
      List<RecordedEvent> events = RecordingFile.readAllEvents(file);
      String pid = crashed[0].toString();
      assertThat(events).anySatisfy(e -> {
        assertThat(e.getEventType().getName()).isEqualTo("org.otp4j.ProcessSpawn");
        assertThat(e.getString("pid")).isEqualTo(pid);
      });
      assertThat(events).anySatisfy(e -> {
        assertThat(e.getEventType().getName()).isEqualTo("org.otp4j.ProcessExit");
        assertThat(e.getString("pid")).isEqualTo(pid);
        assertThat(e.getString("reason")).contains("asked to fail: now");
        assertThat(e.getBoolean("abnormal")).isTrue();
      });
      assertThat(events).anySatisfy(e -> {
        assertThat(e.getEventType().getName()).isEqualTo("org.otp4j.ChildRestart");
        assertThat(e.getString("childId")).isEqualTo("fragile");
        assertThat(e.getString("reason")).contains("asked to fail: now");
      });
      assertThat(events).anySatisfy(e -> {
        assertThat(e.getEventType().getName()).isEqualTo("org.otp4j.SlowHandler");
        assertThat(e.getString("process")).isEqualTo(pid);
        assertThat(e.getString("behaviour")).isEqualTo("GenServer");
        assertThat(e.getDuration()).isGreaterThanOrEqualTo(Duration.ofMillis(20));
      });
    }
  }

  @Test
  @DisplayName("the mailbox high-water mark is recorded once a mailbox holds a thousand messages")
  void mailboxHighWater(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("mailbox.jfr");
    try (Node node = Node.start(); jdk.jfr.Recording recording = new jdk.jfr.Recording()) {
      recording.enable("org.otp4j.MailboxHighWater");
      recording.start();
      node.run(() -> {
        Pid slow = Proc.spawn(() -> Proc.receive(m -> false));
        for (int i = 0; i < 1_500; i++) {
          Proc.send(slow, i);
        }
        await().until(() -> {
          recording.dump(file);
          return RecordingFile.readAllEvents(file).stream().anyMatch(e ->
              e.getEventType().getName().equals("org.otp4j.MailboxHighWater")
                  && e.getString("pid").equals(slow.toString()) && e.getInt("length") >= 1_000);
        });
      });
    }
  }

  @Test
  @DisplayName("the observer snapshot shows the applications' trees with names and child ids")
  void observer() {
    try (Node node = Node.start()) {
      node.run(Shop::loadAndStart);
      String text = Observing.render(node);
      assertThat(text).contains("applications:", "store 1.4.0 (permanent)",
          "web 2.0.1 (permanent) - the shop's web front", " catalog name=catalog ", " listener name=listener ",
          "[supervisor]", "other processes:", "name=application_controller");
    }
  }

  @Test
  @DisplayName("the thread of a process is named after its pid")
  void threadNames() {
    onNode(inbox -> {
      Pid p = Proc.spawn(() -> Proc.send(inbox.pid(), Thread.currentThread().getName()));
      assertThat(GuideTestKit.next(inbox)).isEqualTo(p.toString());
      assertThat(exitReason(p)).isEqualTo(ExitReason.NORMAL);
    });
  }
}
