package org.otp4j.behaviours;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.otp4j.behaviours.BehaviourTestKit.CaptureReports;
import org.otp4j.behaviours.BehaviourTestKit.Reports;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;

@ExtendWith(CaptureReports.class)
class ApplicationSmokeTest {

  static final List<String> EVENTS = new CopyOnWriteArrayList<>();

  static final class App extends Application {
    private final String name;

    App(String name) {
      this.name = name;
    }

    @Override
    protected Pid start(Type type) {
      EVENTS.add("start " + name);
      return Supervisor.startLink(Supervisor.oneForOne(),
          ChildSpec.worker("w", () -> Proc.spawnLink(() -> Proc.receive(m -> false))));
    }

    @Override
    protected void stop() {
      EVENTS.add("stop " + name);
    }

    @Override
    protected void configChange(Map<String, Object> changed, Map<String, Object> added, Set<String> removed) {
      EVENTS.add("config " + name + " " + changed + added + removed);
    }
  }

  @Test
  void startsDependenciesFirstAndStopsInReverse() {
    EVENTS.clear();
    try (Node node = Node.start()) {
      node.run(() -> {
        Application.load(AppDescriptor.of("db", () -> new App("db")).withEnv("pool", 4));
        Application.load(AppDescriptor.of("web", () -> new App("web")).dependsOn("db"));
        assertThat(Application.ensureAllStarted("web")).containsExactly("db", "web");
        assertThat(Application.ensureAllStarted("web")).isEmpty();
        assertThat(Application.getEnv("db", "pool", 0)).isEqualTo(4);
        Application.setEnv("db", "pool", 8);
        assertThat(Application.getEnv("db", "pool", 0)).isEqualTo(8);
        assertThat(EVENTS).as("setEnv calls no configChange (OTP)").noneMatch(e -> e.startsWith("config"));
        Application.reloadConfig(); // as after an upgrade: the value set at run time goes, configChange says so
        assertThat(EVENTS).contains("config db {pool=4}{}[]");
        assertThatThrownBy(() -> Application.ensureAllStarted("nope"))
            .isInstanceOf(ApplicationException.class).hasMessageContaining("unknown application 'nope'");
      });
      node.stop();
      assertThat(node.awaitTermination(Duration.ofSeconds(5))).isTrue();
    }
    assertThat(EVENTS).containsSubsequence("start db", "start web", "stop web", "stop db");
  }

  @Test
  void aPermanentApplicationThatDiesStopsTheNode(Reports reports) {
    try (Node node = Node.start()) {
      node.run(() -> {
        Application.load(AppDescriptor.of("fragile", () -> new App("fragile")));
        Application.ensureAllStarted("fragile", Application.Type.PERMANENT);
        Pid top = Application.topSupervisor("fragile").orElseThrow();
        Proc.exit(top, ExitReason.KILL);
      });
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(node::isStopped);
      assertThat(reports.withLabel("application_terminated")).singleElement()
          .satisfies(r -> assertThat(r.get("application")).isEqualTo("fragile"));
    }
  }

  @Test
  void dependencyCycleIsReported() {
    try (Node node = Node.start()) {
      node.run(() -> {
        Application.load(AppDescriptor.library("a").dependsOn("b"));
        Application.load(AppDescriptor.library("b").dependsOn("a"));
        assertThatThrownBy(() -> Application.ensureAllStarted("a"))
            .isInstanceOf(ApplicationException.class).hasMessageContaining("dependency cycle: a -> b -> a");
      });
    }
  }
}
