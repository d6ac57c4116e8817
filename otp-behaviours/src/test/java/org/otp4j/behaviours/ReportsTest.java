package org.otp4j.behaviours;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.otp4j.behaviours.BehaviourTestKit.CaptureReports;
import org.otp4j.behaviours.BehaviourTestKit.Reports;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;

/**
 * The structured reports the behaviours and the application controller emit (Y6, Y8, U23, A4),
 * checked on their key-value pairs. GenServer and supervisor reports have their own tests
 * ({@code GenServerReportTest}, {@code SupervisorApiTest}); these cover the others.
 */
@DisplayName("Reports as structured SLF4J events")
@ExtendWith(CaptureReports.class)
class ReportsTest {

  @Test
  @DisplayName("Y8: a state machine that crashes reports its state, data, last event and reason")
  void stateMachineTerminating(Reports reports) {
    try (Node node = Node.start()) {
      node.run(() -> {
        Pid machine = GenStatem.start(new GenStatem<String, Integer, Object>() {
          @Override
          protected Init<String, Integer> init() {
            return Init.ok("idle", 7);
          }

          @Override
          protected Result<String, Integer> handleEvent(Event<Object> event, String state, Integer data) {
            throw new IllegalStateException("jammed");
          }
        }, StartOptions.defaults()).pid();
        GenStatem.cast(machine, "kick");
        assertThat(Proc.awaitExit(machine, Duration.ofSeconds(5))).get().isInstanceOf(ExitReason.Crash.class);
      });
      await().atMost(Duration.ofSeconds(5)).until(() -> !reports.withLabel("gen_statem_terminate").isEmpty());
      Map<String, Object> r = reports.withLabel("gen_statem_terminate").getFirst();
      assertThat(r.get("state")).isEqualTo("idle");
      assertThat(r.get("data")).isEqualTo(7);
      assertThat(r.get("lastEvent")).isEqualTo(new GenStatem.Event.Cast("kick"));
      assertThat(String.valueOf(r.get("reason"))).contains("jammed");
      assertThat(r.get("callbackMode")).isEqualTo(GenStatem.CallbackMode.HANDLE_EVENT_FUNCTION);
      assertThat(r.get("@level")).isEqualTo("ERROR");
    }
  }

  @Test
  @DisplayName("E5: a crashing event handler is reported with its manager, handler and reason")
  void eventHandlerCrash(Reports reports) {
    try (Node node = Node.start()) {
      EventHandler<Object, Object> fragile = new EventHandler<>() {
        @Override
        protected InitResult<Object> init() {
          return InitResult.ok("s");
        }

        @Override
        protected EventResult<Object> handleEvent(Object event, Object state) {
          throw new IllegalArgumentException("bad event " + event);
        }
      };
      node.run(() -> {
        Pid manager = GenEvent.start(StartOptions.defaults()).pid();
        GenEvent.addHandler(manager, fragile);
        GenEvent.syncNotify(manager, "e1");
        Map<String, Object> r = reports.withLabel("gen_event_handler_crash").getFirst();
        assertThat(r.get("manager")).isEqualTo(manager);
        assertThat(r.get("handler")).isSameAs(fragile);
        assertThat(String.valueOf(r.get("reason"))).contains("bad event e1");
      });
    }
  }

  @Test
  @DisplayName("A4: applications report their start and exit as progress; a permanent one's death as application_terminated")
  void applicationReports(Reports reports) {
    try (Node node = Node.start()) {
      node.run(() -> {
        Application.load(AppDescriptor.of("reported", () -> new Application() {
          @Override
          protected Pid start(Type type) {
            return Supervisor.startLink(Supervisor.oneForOne());
          }
        }));
        Application.ensureAllStarted("reported", Application.Type.PERMANENT);
        Map<String, Object> started = reports.withLabel("progress", "application", "reported").getFirst();
        assertThat(started.get("event")).isEqualTo("started");
        assertThat(started.get("type")).isEqualTo(Application.Type.PERMANENT);
        Proc.exit(Application.topSupervisor("reported").orElseThrow(), ExitReason.KILL);
      });
      await().atMost(Duration.ofSeconds(5)).until(() -> !reports.withLabel("application_terminated").isEmpty());
      Map<String, Object> terminated = reports.withLabel("application_terminated").getFirst();
      assertThat(terminated.get("application")).isEqualTo("reported");
      assertThat(terminated.get("reason")).isEqualTo(ExitReason.KILLED);
      assertThat(reports.withLabel("progress", "application", "reported"))
          .anySatisfy(kv -> assertThat(kv.get("event")).isEqualTo("exited"));
    }
  }
}
