package org.otp4j.behaviours;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.otp4j.behaviours.BehaviourTestKit.CaptureReports;
import org.otp4j.behaviours.BehaviourTestKit.Reports;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;

@DisplayName("Applications (A1-A9)")
@ExtendWith(CaptureReports.class)
class ApplicationTest {

  private static final AtomicInteger NAMES = new AtomicInteger();

  /** A fresh application name per test, so that system properties cannot leak between tests. */
  private static String fresh(String base) {
    return base + NAMES.incrementAndGet();
  }

  /** An application whose top supervisor runs one idle worker; it records its callbacks. */
  static final class Recording extends Application {
    final String name;
    final List<String> events;

    Recording(String name, List<String> events) {
      this.name = name;
      this.events = events;
    }

    @Override
    protected Pid start(Type type) {
      events.add("start " + name + " " + type);
      return Supervisor.startLink(Supervisor.oneForOne(),
          ChildSpec.worker("worker", () -> Proc.spawnLink(() -> Proc.receive(m -> false))));
    }

    @Override
    protected void prepStop() {
      events.add("prepStop " + name);
    }

    @Override
    protected void stop() {
      events.add("stop " + name);
    }

    @Override
    protected void configChange(Map<String, Object> changed, Map<String, Object> added, Set<String> removed) {
      events.add("configChange " + name + " changed=" + changed + " added=" + added + " removed=" + removed);
    }
  }

  /** Asserts that the only application_terminated report is {@code app}'s, with reason killed. */
  static void assertTerminatedReported(Reports reports, String app) {
    assertThat(reports.withLabel("application_terminated")).singleElement().satisfies(r -> {
      assertThat(r.get("application")).isEqualTo(app);
      assertThat(r.get("reason")).isEqualTo(ExitReason.KILLED);
    });
  }

  /** A public application class for {@link AppDescriptor#ofClass}. */
  public static final class ByClassName extends Application {
    public ByClassName() {}

    @Override
    protected Pid start(Type type) {
      return Supervisor.startLink(Supervisor.oneForOne());
    }
  }

  private static AppDescriptor app(String name, List<String> events) {
    return AppDescriptor.of(name, () -> new Recording(name, events));
  }

  @Test
  @DisplayName("A2: start needs the application loaded and its dependencies running; twice is an error")
  void startChecks() {
    List<String> events = new CopyOnWriteArrayList<>();
    try (Node node = Node.start()) {
      node.run(() -> {
        String db = fresh("db");
        String web = fresh("web");
        assertThatThrownBy(() -> Application.start(web, Application.Type.TEMPORARY))
            .isInstanceOf(ApplicationException.class)
            .hasMessageContaining("unknown application '" + web + "'");
        Application.load(app(db, events));
        Application.load(app(web, events).dependsOn(db));
        assertThatThrownBy(() -> Application.start(web, Application.Type.TEMPORARY))
            .isInstanceOf(ApplicationException.class)
            .hasMessageContaining("needs '" + db + "', which is not running")
            .hasMessageContaining("ensureAllStarted");
        Application.start(db, Application.Type.TEMPORARY);
        Application.start(web, Application.Type.TEMPORARY);
        assertThatThrownBy(() -> Application.start(web, Application.Type.TEMPORARY))
            .isInstanceOf(ApplicationException.class)
            .hasMessageContaining("already started")
            .satisfies(e -> assertThat(((ApplicationException) e).application()).isEqualTo(web));
        assertThatThrownBy(() -> Application.load(app(web, events)))
            .isInstanceOf(ApplicationException.class).hasMessageContaining("already loaded");
      });
    }
  }

  @Test
  @DisplayName("A3: ensureAllStarted starts dependencies first, returns what it started, and undoes a failed start")
  void ensureAllStarted() {
    List<String> events = new CopyOnWriteArrayList<>();
    try (Node node = Node.start()) {
      node.run(() -> {
        String a = fresh("a");
        String b = fresh("b");
        String c = fresh("c");
        Application.load(app(a, events));
        Application.load(app(b, events).dependsOn(a));
        Application.load(app(c, events).dependsOn(a, b));
        assertThat(Application.ensureAllStarted(c)).containsExactly(a, b, c);
        assertThat(Application.ensureAllStarted(c)).isEmpty();
        assertThat(Application.running()).extracting(Application.Info::name).containsExactly(a, b, c);

        String base = fresh("base");
        String broken = fresh("broken");
        Application.load(app(base, events));
        Application.load(AppDescriptor.of(broken, () -> new Application() {
          @Override
          protected Pid start(Type type) {
            throw new IllegalStateException("no database");
          }
        }).dependsOn(base));
        assertThatThrownBy(() -> Application.ensureAllStarted(broken))
            .isInstanceOf(ApplicationException.class)
            .hasMessageContaining("application '" + broken + "' failed to start: no database")
            .hasRootCauseInstanceOf(IllegalStateException.class);
        assertThat(Application.running()).extracting(Application.Info::name).doesNotContain(base, broken);
        assertThat(events).contains("stop " + base);
      });
    }
  }

  @Test
  @DisplayName("A3: a dependency cycle and an unknown dependency are reported by name")
  void badDependencies() {
    try (Node node = Node.start()) {
      node.run(() -> {
        String x = fresh("x");
        String y = fresh("y");
        String z = fresh("z");
        Application.load(AppDescriptor.library(x).dependsOn(y));
        Application.load(AppDescriptor.library(y).dependsOn(z));
        Application.load(AppDescriptor.library(z).dependsOn(x));
        assertThatThrownBy(() -> Application.ensureAllStarted(x))
            .isInstanceOf(ApplicationException.class)
            .hasMessageContaining("dependency cycle: " + x + " -> " + y + " -> " + z + " -> " + x);
        String lonely = fresh("lonely");
        Application.load(AppDescriptor.library(lonely).dependsOn("nowhere"));
        assertThatThrownBy(() -> Application.ensureAllStarted(lonely))
            .isInstanceOf(ApplicationException.class)
            .hasMessageContaining("unknown application 'nowhere' (needed by '" + lonely + "')");
      });
    }
  }

  @Test
  @DisplayName("A1: an application object made from a class name; a missing start class is a clear error")
  void startClassByName() {
    assertThatThrownBy(() -> AppDescriptor.ofClass("shop", "org.example.NoSuchApp"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("start class 'org.example.NoSuchApp' was not found");
    assertThatThrownBy(() -> AppDescriptor.ofClass("shop", String.class.getName()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("does not extend");
    try (Node node = Node.start()) {
      node.run(() -> {
        String name = fresh("byclass");
        Application.load(AppDescriptor.ofClass(name, ByClassName.class.getName()));
        assertThat(Application.ensureAllStarted(name)).containsExactly(name);
        assertThat(Application.topSupervisor(name)).isPresent();
      });
    }
  }

  @Test
  @DisplayName("A5: stop runs prepStop, stops the tree, runs stop; others are not affected; it stays loaded")
  void stopOne() {
    List<String> events = new CopyOnWriteArrayList<>();
    try (Node node = Node.start()) {
      node.run(() -> {
        String keep = fresh("keep");
        String go = fresh("go");
        Application.load(app(keep, events));
        Application.load(app(go, events));
        Application.ensureAllStarted(keep);
        Application.ensureAllStarted(go);
        Pid top = Application.topSupervisor(go).orElseThrow();
        Application.stop(go);
        assertThat(Proc.isAlive(top)).isFalse();
        assertThat(events).containsSubsequence("prepStop " + go, "stop " + go);
        assertThat(Application.running()).extracting(Application.Info::name).containsExactly(keep);
        assertThat(Application.loaded()).extracting(Application.Info::name).contains(go);
        assertThatThrownBy(() -> Application.stop(go))
            .isInstanceOf(ApplicationException.class).hasMessageContaining("is not running");
        Application.ensureAllStarted(go); // it can start again
      });
    }
  }

  @Test
  @DisplayName("A4/A9: a temporary application whose tree dies is only reported; the node carries on")
  void temporaryExit(Reports reports) {
    List<String> events = new CopyOnWriteArrayList<>();
    try (Node node = Node.start()) {
      node.run(() -> {
        String temp = fresh("temp");
        String other = fresh("other");
        Application.load(app(temp, events));
        Application.load(app(other, new CopyOnWriteArrayList<>()));
        Application.ensureAllStarted(other, Application.Type.PERMANENT);
        Application.ensureAllStarted(temp, Application.Type.TEMPORARY);
        Pid top = Application.topSupervisor(temp).orElseThrow();
        Proc.exit(top, ExitReason.KILL);
        await().atMost(Duration.ofSeconds(5)).until(() ->
            Application.running().stream().noneMatch(i -> i.name().equals(temp)));
        assertThat(node.isStopped()).isFalse();
        assertThat(Application.running()).extracting(Application.Info::name).containsExactly(other);
        assertThat(reports.withLabel("application_terminated")).isEmpty();
        // its callbacks ran although its tree died by itself, as when it is stopped (A9)
        assertThat(events).containsExactly("start " + temp + " TEMPORARY", "prepStop " + temp, "stop " + temp);
      });
    }
  }

  @Test
  @DisplayName("A4: a transient application that exits normal is only reported; an abnormal exit stops the node")
  void transientExits(Reports reports) {
    try (Node node = Node.start()) {
      node.run(() -> {
        String calm = fresh("calm");
        Application.load(app(calm, new CopyOnWriteArrayList<>()));
        Application.ensureAllStarted(calm, Application.Type.TRANSIENT);
        Supervisor.stop(Application.topSupervisor(calm).orElseThrow()); // exits normal
        await().atMost(Duration.ofSeconds(5)).until(() ->
            Application.running().stream().noneMatch(i -> i.name().equals(calm)));
        assertThat(node.isStopped()).isFalse();
        assertThat(reports.withLabel("application_terminated")).isEmpty();
      });
    }
    String wild = fresh("wild");
    try (Node node = Node.start()) {
      node.run(() -> {
        Application.load(app(wild, new CopyOnWriteArrayList<>()));
        Application.ensureAllStarted(wild, Application.Type.TRANSIENT);
        Proc.exit(Application.topSupervisor(wild).orElseThrow(), ExitReason.KILL);
      });
      await().atMost(Duration.ofSeconds(5)).until(node::isStopped);
      assertTerminatedReported(reports, wild);
    }
  }

  @Test
  @DisplayName("A4/A9: a permanent application whose tree dies stops every application, in reverse order, and the node")
  void permanentExit(Reports reports) {
    List<String> events = new CopyOnWriteArrayList<>();
    try (Node node = Node.start()) {
      String first = fresh("first");
      String second = fresh("second");
      String vital = fresh("vital");
      node.run(() -> {
        Application.load(app(first, events));
        Application.load(app(second, events));
        Application.load(app(vital, events));
        Application.ensureAllStarted(first);
        Application.ensureAllStarted(second);
        Application.ensureAllStarted(vital, Application.Type.PERMANENT);
        Proc.exit(Application.topSupervisor(vital).orElseThrow(), ExitReason.KILL);
      });
      await().atMost(Duration.ofSeconds(5)).until(node::isStopped);
      assertThat(node.awaitTermination(Duration.ofSeconds(5))).isTrue();
      // the dead tree's application is told first (A9), then the others stop in reverse order
      assertThat(events).containsSubsequence("prepStop " + vital, "stop " + vital, "stop " + second, "stop " + first);
      assertThat(events).containsOnlyOnce("stop " + vital);
      assertTerminatedReported(reports, vital);
    }
  }

  @Test
  @DisplayName("A9: stopping the node stops the running applications in reverse start order")
  void nodeStop() {
    List<String> events = new CopyOnWriteArrayList<>();
    Node node = Node.start();
    String a = fresh("na");
    String b = fresh("nb");
    node.run(() -> {
      Application.load(app(a, events));
      Application.load(app(b, events).dependsOn(a));
      Application.ensureAllStarted(b);
    });
    node.stop();
    assertThat(node.awaitTermination(Duration.ofSeconds(5))).isTrue();
    assertThat(events).containsExactly("start " + a + " TEMPORARY", "start " + b + " TEMPORARY",
        "prepStop " + b, "stop " + b, "prepStop " + a, "stop " + a);
  }

  @Test
  @DisplayName("A6: environment precedence: descriptor < configuration file < system property < setEnv")
  void environmentPrecedence(@TempDir Path dir) throws IOException {
    String app = fresh("envapp");
    Path config = dir.resolve("app.properties");
    Files.writeString(config, app + ".port=9090\n" + app + ".timeout=250ms\n" + app + ".debug=true\n"
        + app + ".extra=from-file\n");
    System.setProperty("otp." + app + ".port", "7070");
    try (Node node = Node.start()) {
      node.run(() -> {
        Application.load(AppDescriptor.library(app).withEnv("port", 8080).withEnv("timeout", Duration.ofSeconds(5))
            .withEnv("debug", false).withEnv("name", "default"));
        assertThat(Application.getEnv(app, "port", 0)).isEqualTo(7070); // system property over default
        Application.reloadConfig(config);
        assertThat(Application.getEnv(app, "port", 0)).isEqualTo(7070); // system property over file
        assertThat(Application.getEnv(app, "timeout", Duration.ZERO)).isEqualTo(Duration.ofMillis(250));
        assertThat(Application.getEnv(app, "debug", false)).isTrue();
        assertThat(Application.getEnv(app, "name", "")).isEqualTo("default");
        assertThat(Application.getEnv(app, "extra")).contains("from-file");
        Application.setEnv(app, "port", 6060);
        assertThat(Application.getEnv(app, "port", 0)).isEqualTo(6060); // setEnv over everything
        Application.unsetEnv(app, "port");
        assertThat(Application.getEnv(app, "port", 0)).isEqualTo(7070);
        assertThat(Application.getAllEnv(app)).containsKeys("port", "timeout", "debug", "name", "extra");
        assertThat(Application.getEnv(app, "missing")).isEmpty();
        assertThat(Application.getEnv("never-loaded", "x")).isEmpty();
      });
    } finally {
      System.clearProperty("otp." + app + ".port");
    }
  }

  @Test
  @DisplayName("A6: a configured value that does not fit its key's type is a clear error")
  void badConfiguration(@TempDir Path dir) throws IOException {
    String app = fresh("typed");
    Path config = dir.resolve("bad.properties");
    Files.writeString(config, app + ".port=eighty\n");
    try (Node node = Node.start()) {
      node.run(() -> {
        Application.load(AppDescriptor.library(app).withEnv("port", 8080));
        assertThatThrownBy(() -> Application.reloadConfig(config))
            .isInstanceOf(ApplicationException.class)
            .hasMessageContaining("bad configuration for " + app + ".port: expected an integer like the default (8080), got 'eighty'");
        assertThatThrownBy(() -> Application.reloadConfig(dir.resolve("absent.properties")))
            .isInstanceOf(ApplicationException.class)
            .hasMessageContaining("cannot read configuration file");
      });
    }
  }

  @Test
  @DisplayName("A6: setEnv calls no configChange; a configuration reload tells a running application what "
      + "changed, appeared and went (OTP's config_change/3 after a release upgrade), and drops runtime values")
  void configChange(@TempDir Path dir) throws IOException {
    List<String> events = new CopyOnWriteArrayList<>();
    String app = fresh("cfg");
    Path config = dir.resolve("c.properties");
    Files.writeString(config, app + ".size=30\n" + app + ".mode=fast\n");
    try (Node node = Node.start()) {
      node.run(() -> {
        Application.load(app(app, events).withEnv("size", 10).withEnv("level", "info"));
        Application.ensureAllStarted(app);
        Application.setEnv(app, "size", 20);
        Application.setEnv(app, "extra", "runtime");
        assertThat(Application.getEnv(app, "size", 0)).isEqualTo(20);
        assertThat(events).as("set_env does not call config_change (OTP)").noneMatch(e -> e.startsWith("configChange"));

        Application.reloadConfig(config);
        assertThat(Application.getEnv(app, "size", 0)).isEqualTo(30);
        assertThat(Application.getEnv(app, "extra")).as("a reload drops values set at run time").isEmpty();

        Application.reloadConfig(config); // nothing changed: no callback
      });
      Files.writeString(config, app + ".mode=slow\n");
      node.run(() -> Application.reloadConfig(config));
    }
    assertThat(events.stream().filter(e -> e.startsWith("configChange")).toList()).containsExactly(
        "configChange " + app + " changed={size=30} added={mode=fast} removed=[extra]",
        "configChange " + app + " changed={size=10, mode=slow} added={} removed=[]");
  }
}
