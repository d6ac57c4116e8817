package org.otp4j.behaviours.guide;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.otp4j.behaviours.guide.GuideTestKit.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.otp4j.behaviours.AppDescriptor;
import org.otp4j.behaviours.Application;
import org.otp4j.behaviours.ApplicationException;
import org.otp4j.behaviours.BehaviourTestKit.CaptureReports;
import org.otp4j.behaviours.BehaviourTestKit.Reports;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;

@DisplayName("Guide, chapter 7: applications")
@ExtendWith(CaptureReports.class)
class ApplicationsTest {

  private final List<String> journal = new CopyOnWriteArrayList<>();

  @AfterEach
  void reset() {
    Shop.journal = event -> { };
    System.clearProperty("otp.web.port");
  }

  @Test
  @DisplayName("ensureAllStarted starts the dependency first, then the application; a second call starts nothing")
  void startInDependencyOrder() {
    try (Node node = Node.start()) {
      node.run(() -> {
        assertThat(Shop.loadAndStart()).containsExactly("store", "web");
        assertThat(Application.running()).extracting(Application.Info::name).containsExactly("store", "web");
        assertThat(Listener.port()).isEqualTo(8080);
        assertThat(Proc.whereis(Shop.StoreApp.CATALOG)).isPresent();
        assertThat(Application.ensureAllStarted("web", Application.Type.PERMANENT)).isEmpty();
      });
    }
  }

  @Test
  @DisplayName("start refuses an application whose dependency is not running, and says what to do")
  void startChecksDependencies() {
    try (Node node = Node.start()) {
      node.run(() -> {
        Application.load(AppDescriptor.of("store", Shop.StoreApp::new));
        Application.load(AppDescriptor.of("web", Shop.WebApp::new).dependsOn("store").withEnv("port", 8080));
        assertThatThrownBy(() -> Application.start("web", Application.Type.TEMPORARY))
            .isInstanceOf(ApplicationException.class)
            .hasMessageContaining("needs 'store', which is not running")
            .hasMessageContaining("ensureAllStarted");
      });
    }
  }

  @Test
  @DisplayName("environment: default < configuration file < system property < setEnv; a reload calls configChange")
  void environmentPrecedence(@TempDir Path dir) throws IOException {
    Path config = dir.resolve("shop.properties");
    Files.writeString(config, "web.port=8081\n");
    try (Node node = Node.start()) {
      node.run(() -> {
        Shop.loadAndStart();
        assertThat(Application.getEnv("web", "port", 0)).isEqualTo(8080);
        Application.reloadConfig(config);
        assertThat(Application.getEnv("web", "port", 0)).isEqualTo(8081);
        System.setProperty("otp.web.port", "8082");
        Application.reloadConfig(config); // system properties are read again when the environment is
        assertThat(Application.getEnv("web", "port", 0)).isEqualTo(8082);
        await().until(() -> Listener.port() == 8082); // the reloads' configChange rebound the listener (a cast)
        Application.setEnv("web", "port", 8083);
        assertThat(Application.getEnv("web", "port", 0)).isEqualTo(8083);
        assertThat(Listener.port()).as("setEnv calls no configChange").isEqualTo(8082);
        Application.unsetEnv("web", "port");
        assertThat(Application.getEnv("web", "port", 0)).isEqualTo(8082);
      });
    }
  }

  @Test
  @DisplayName("a reload replaces what setEnv set and tells the running application")
  void reloadAfterSetEnv(@TempDir Path dir) throws IOException {
    Path config = dir.resolve("shop.properties");
    Files.writeString(config, "web.port=8081\n");
    try (Node node = Node.start()) {
      node.run(() -> {
        Shop.loadAndStart();
        Shop.moveTo(config);
        assertThat(Application.getEnv("web", "port", 0)).isEqualTo(8081);
        await().until(() -> Listener.port() == 8081); // configChange cast the new port to the listener
        assertThat(KvStore.get(Shop.StoreApp.CATALOG, "anything")).isEmpty();
      });
    }
  }

  @Test
  @DisplayName("a text value that does not fit the default's type is refused with the key and the value")
  void badConfiguration(@TempDir Path dir) throws IOException {
    Path config = dir.resolve("shop.properties");
    Files.writeString(config, "web.port=eighty\n");
    try (Node node = Node.start()) {
      node.run(() -> {
        Shop.loadAndStart();
        assertThatThrownBy(() -> Application.reloadConfig(config))
            .isInstanceOf(ApplicationException.class)
            .hasMessageContaining("web.port")
            .hasMessageContaining("'eighty'");
      });
    }
  }

  @Test
  @DisplayName("when the top supervisor of a permanent application dies, the node stops")
  void permanentStopsTheNode(Reports reports) {
    try (Node node = Node.start()) {
      node.run(() -> {
        Shop.loadAndStart();
        Pid top = Application.topSupervisor("web").orElseThrow();
        Proc.exit(top, ExitReason.KILL);
      });
      await().until(node::isStopped);
      assertThat(reports.withLabel("application_terminated")).singleElement()
          .satisfies(r -> assertThat(r.get("application")).isEqualTo("web"));
    }
  }

  @Test
  @DisplayName("when the top supervisor of a temporary application dies, it is only reported")
  void temporaryIsOnlyReported() {
    try (Node node = Node.start()) {
      node.run(() -> {
        Application.load(AppDescriptor.of("store", Shop.StoreApp::new));
        Application.load(AppDescriptor.of("web", Shop.WebApp::new).dependsOn("store").withEnv("port", 8080));
        Application.ensureAllStarted("web", Application.Type.TEMPORARY);
        Proc.exit(Application.topSupervisor("web").orElseThrow(), ExitReason.KILL);
        await().until(() -> Application.running().stream().noneMatch(i -> i.name().equals("web")));
        assertThat(node.isStopped()).isFalse();
        assertThat(Application.running()).extracting(Application.Info::name).containsExactly("store");
      });
    }
  }

  @Test
  @DisplayName("stopping the node stops the applications in reverse start order, prepStop before the tree")
  void nodeStopStopsApplications() {
    Shop.journal = journal::add;
    try (Node node = Node.start()) {
      node.run(Shop::loadAndStart);
      node.stop();
      assertThat(journal).containsExactly("web stopping", "web stopped", "store stopped");
    }
  }
}
