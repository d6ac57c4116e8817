package org.otp4j.behaviours;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.otp4j.behaviours.BehaviourTestKit.CaptureReports;
import org.otp4j.behaviours.BehaviourTestKit.Reports;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;

@ExtendWith(CaptureReports.class)
class FlightRecorderTest {

  @Test
  void aRecordingContainsSpawnExitRestartAndSlowHandlerEvents(Reports reports) throws Exception {
    Path file = Files.createTempFile("otp4j", ".jfr");
    try (Recording recording = new Recording(); Node node = Node.start()) {
      recording.enable("org.otp4j.ProcessSpawn");
      recording.enable("org.otp4j.ProcessExit");
      recording.enable("org.otp4j.ChildRestart");
      recording.enable("org.otp4j.SlowHandler").withThreshold(Duration.ofMillis(20));
      recording.start();
      node.run(() -> {
        Pid sup = Supervisor.start(Supervisor.of(Supervisor.oneForOne(),
            ChildSpec.worker("w", () -> Proc.spawnLink(() -> Proc.receive(m -> false)))), StartOptions.defaults());
        Pid first = Supervisor.whichChildren(sup).getFirst().pid();
        Proc.exit(first, ExitReason.of("boom"));
        await().atMost(Duration.ofSeconds(5)).until(() -> {
          Pid now = Supervisor.whichChildren(sup).getFirst().pid();
          return now != null && !now.equals(first);
        });
        Pid slow = GenServer.start(new GenServer<String, String>() {
          @Override
          protected Init<String> init() {
            return Init.ok("s");
          }

          @Override
          protected CallResult<String> handleCall(String request, org.otp4j.core.From from, String state) {
            long until = System.nanoTime() + 50_000_000L;
            while (System.nanoTime() < until) {
              Thread.onSpinWait(); // a callback that takes 50 ms
            }
            return reply("done", state);
          }
        }, StartOptions.defaults()).pid();
        GenServer.call(slow, "work");
        assertThat(reports.supervisorReports("child_terminated")).singleElement()
            .satisfies(r -> assertThat(r.get("pid")).isEqualTo(first));
      });
      recording.stop();
      recording.dump(file);
    }
    List<RecordedEvent> events = RecordingFile.readAllEvents(file);
    Files.deleteIfExists(file);
    assertThat(events).extracting(e -> e.getEventType().getName())
        .contains("org.otp4j.ProcessSpawn", "org.otp4j.ProcessExit", "org.otp4j.ChildRestart", "org.otp4j.SlowHandler");
    assertThat(events).filteredOn(e -> e.getEventType().getName().equals("org.otp4j.ProcessExit"))
        .anySatisfy(e -> {
          assertThat(e.getString("reason")).isEqualTo("boom");
          assertThat(e.getBoolean("abnormal")).isTrue();
        });
    assertThat(events).filteredOn(e -> e.getEventType().getName().equals("org.otp4j.ChildRestart"))
        .anySatisfy(e -> {
          assertThat(e.getString("childId")).isEqualTo("w");
          assertThat(e.getString("reason")).isEqualTo("boom");
        });
  }
}
