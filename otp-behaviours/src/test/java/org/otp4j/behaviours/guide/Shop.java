package org.otp4j.behaviours.guide;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.otp4j.behaviours.AppDescriptor;
import org.otp4j.behaviours.Application;
import org.otp4j.behaviours.ChildSpec;
import org.otp4j.behaviours.Supervisor;
import org.otp4j.core.Pid;
import org.otp4j.core.ServerRef;

/** Chapter 7: two applications, one depending on the other. */
final class Shop {
  private Shop() {}

  /** Where the applications say what they do, for the tests: "web stop", "store prepStop"... */
  static volatile Consumer<String> journal = event -> { };

  // region: store-app
  /** The store: its top supervisor, with the catalog under it. */
  static final class StoreApp extends Application {
    static final ServerRef<KvStore.Msg> CATALOG = ServerRef.local("catalog");

    @Override
    protected Pid start(Type type) {
      return Supervisor.startLink(Supervisor.oneForOne(),
          ChildSpec.worker("catalog", () -> KvStore.startLink(CATALOG)));
    }

    @Override
    protected void stop() {
      journal.accept("store stopped");
    }
  }
  // endregion: store-app

  // region: web-app
  /** The web front: reads its port from its environment, and follows changes to it. */
  static final class WebApp extends Application {
    @Override
    protected Pid start(Type type) {
      int port = Application.getEnv("web", "port", 8080);
      return Supervisor.startLink(Supervisor.oneForOne(),
          ChildSpec.worker("listener", () -> Listener.startLink(port)));
    }

    @Override
    protected void configChange(Map<String, Object> changed, Map<String, Object> added, Set<String> removed) {
      if (changed.get("port") instanceof Integer port) {
        Listener.rebind(port);
      }
    }

    @Override
    protected void prepStop() {
      journal.accept("web stopping"); // its tree still runs: stop taking requests, drain
    }

    @Override
    protected void stop() {
      journal.accept("web stopped"); // its tree is gone
    }
  }
  // endregion: web-app

  static void moveTo(Path config) {
    // region: reload
    Application.setEnv("web", "port", 9090); // getEnv says 9090 at once, but configChange does not run
    Application.reloadConfig(config);        // reads the file again, drops setEnv's values, runs configChange
    // endregion: reload
  }

  static List<String> loadAndStart() {
    // region: start
    Application.load(AppDescriptor.of("store", StoreApp::new).withVersion("1.4.0"));
    Application.load(AppDescriptor.of("web", WebApp::new)
        .withVersion("2.0.1")
        .withDescription("the shop's web front")
        .dependsOn("store")
        .withEnv("port", 8080));

    List<String> started = Application.ensureAllStarted("web", Application.Type.PERMANENT); // [store, web]
    // endregion: start
    return started;
  }
}
