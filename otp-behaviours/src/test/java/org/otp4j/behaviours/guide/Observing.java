package org.otp4j.behaviours.guide;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import jdk.jfr.Recording;
import org.otp4j.behaviours.NodeSnapshot;
import org.otp4j.behaviours.Sys;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;
import org.otp4j.core.ServerRef;

/** Chapter 8: looking into a running system. */
final class Observing {
  private Observing() {}

  /** What the Sys tour found. */
  record SysFacts(Object before, KvStore.State after, Sys.Status status, Optional<Sys.Statistics> stats,
      List<Sys.Event> log) {}

  static SysFacts tour(ServerRef<KvStore.Msg> store) {
    // region: sys-state
    KvStore.put(store, "colour", "teal");
    Object before = Sys.getState(store);        // an Object: State[data={colour=teal}, waiting={}]
    KvStore.State after = Sys.replaceState(store, (KvStore.State s) -> s.put("colour", "red"));
    Sys.Status status = Sys.getStatus(store);   // pid, behaviour, class, parent, suspended, state
    // endregion: sys-state

    // region: sys-debug
    Sys.statistics(store, true); // count messages and time spent in callbacks from now on
    Sys.log(store, 20);          // keep the last 20 events in memory
    Sys.trace(store, true);      // and write each one to logger org.otp4j.behaviours.Sys

    KvStore.get(store, "colour");

    Optional<Sys.Statistics> stats = Sys.statistics(store); // messagesIn 1, messagesOut 1, handlerTime ...
    List<Sys.Event> log = Sys.getLog(store);                 // [In[GenCall...Get[key=colour]], Out[Optional[red]...]]
    Sys.trace(store, false);
    Sys.log(store, 0);
    Sys.statistics(store, false);
    // endregion: sys-debug
    return new SysFacts(before, after, status, stats, log);
  }

  static void suspendWhile(ServerRef<KvStore.Msg> store, Runnable work) {
    // region: suspend
    Sys.suspend(store); // from now on it answers only system messages; calls to it wait
    try {
      work.run();
    } finally {
      Sys.resume(store); // the calls that waited are served, in order
    }
    // endregion: suspend
  }

  static String render(Node node) {
    // region: snapshot
    NodeSnapshot snapshot = NodeSnapshot.of(node); // any node of this JVM
    String text = snapshot.render();
    // endregion: snapshot
    return text;
  }

  // region: install
  static List<String> watchChanges(ServerRef<TrafficLight.Msg> light) {
    List<String> changes = new CopyOnWriteArrayList<>(); // the sink runs on the light's own thread
    Sys.install(light, (pid, event) -> {
      if (event instanceof Sys.Event.StateChange(Object from, Object to)) {
        changes.add(from + " -> " + to);
      }
    });
    return changes;
  }
  // endregion: install

  // region: jfr
  static void record(Path file, Runnable work) throws IOException {
    try (Recording recording = new Recording()) {
      recording.enable("org.otp4j.ProcessSpawn");
      recording.enable("org.otp4j.ProcessExit");
      recording.enable("org.otp4j.ChildRestart");
      recording.enable("org.otp4j.SlowHandler").withThreshold(Duration.ofMillis(20));
      recording.start();
      work.run();
      recording.dump(file); // then: jfr print --events org.otp4j.ProcessExit <file>
    }
  }
  // endregion: jfr
}
