package org.otp4j.behaviours.guide;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.otp4j.behaviours.ChildSpec;
import org.otp4j.behaviours.StartOptions;
import org.otp4j.behaviours.StartResult;
import org.otp4j.behaviours.Supervisor;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Name;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.core.ServerRef;

/** Chapter 4: supervisors. */
final class Supervision {
  private Supervision() {}

  // region: tree
  /** The store's name, typed: callers that use it follow the store across restarts. */
  static final ServerRef<KvStore.Msg> STORE = ServerRef.local("store");

  static Pid startTree() {
    return Supervisor.startLink(Supervisor.oneForOne(),
        ChildSpec.worker("store", () -> KvStore.startLink(STORE)),
        ChildSpec.supervisor("rooms", Rooms::startLink));
  }
  // endregion: tree

  static List<ChildSpec> specs(Pid audit, boolean coldStart) {
    // region: specs
    List<ChildSpec> children = List.of(
        // permanent: always restarted; stopped with shutdown, killed after 5 s
        ChildSpec.worker("store", () -> KvStore.startLink(STORE)),
        // transient: restarted only after an abnormal exit; an idle session ends for good
        ChildSpec.worker("session", () -> Session.startLink("ada", "t0ken", Duration.ofMinutes(30), audit))
            .withRestart(ChildSpec.Restart.TRANSIENT)
            .withShutdown(ChildSpec.Shutdown.timeout(Duration.ofSeconds(1))),
        // temporary: never restarted; killed outright on shutdown; on a warm start, nothing to start
        ChildSpec.worker("warm-up", () -> coldStart ? Proc.spawnLink(Supervision::warmCaches) : StartResult.ignore())
            .withRestart(ChildSpec.Restart.TEMPORARY)
            .withShutdown(ChildSpec.Shutdown.brutalKill()),
        // a supervisor child: permanent, and waited for as long as its own children take to stop
        ChildSpec.supervisor("rooms", Rooms::startLink));
    // endregion: specs
    return children;
  }

  static void warmCaches() {
    Proc.sleep(Duration.ofMillis(1));
  }

  // region: job
  /** One import job: a supervisor that ends when its import ends normally. */
  static Pid startImportJob(Runnable work) {
    return Supervisor.startLink(
        Supervisor.oneForAll().withAutoShutdown(Supervisor.AutoShutdown.ANY_SIGNIFICANT),
        ChildSpec.worker("progress", KvStore::startLink),
        ChildSpec.worker("import", () -> Proc.spawnLink(work::run))
            .withRestart(ChildSpec.Restart.TRANSIENT)
            .withSignificant(true));
  }
  // endregion: job

  static List<Object> api(Pid sup) {
    List<Object> results = new ArrayList<>();
    // region: api
    ChildSpec cache = ChildSpec.worker("cache", KvStore::startLink);
    results.add(Supervisor.startChild(sup, cache));           // Started[pid=<5.9.0>]
    results.add(Supervisor.startChild(sup, cache));           // AlreadyStarted[pid=<5.9.0>]
    results.add(Supervisor.terminateChild(sup, "cache"));     // Terminated[]: stopped, its spec kept
    results.add(Supervisor.restartChild(sup, "cache"));       // Started[pid=<5.10.0>]
    results.add(Supervisor.countChildren(sup));               // Counts[specs=2, active=2, supervisors=1, workers=1]
    results.add(Supervisor.terminateChild(sup, "cache"));     // Terminated[]
    results.add(Supervisor.deleteChild(sup, "cache"));        // Deleted[]: the spec is gone too
    results.add(Supervisor.whichChildren(sup));               // [Child[id=rooms, pid=<5.3.0>, state=RUNNING, ...]]
    // endregion: api
    return results;
  }

  // region: ensure-running
  /** Starts child {@code id} again if it is not running, and says what happened. */
  static String ensureRunning(Pid sup, Object id) {
    return switch (Supervisor.restartChild(sup, id)) {
      case StartResult.Started(Pid pid) -> "restarted as " + pid;
      case StartResult.Ignored() -> "its start function ignored it";
      case StartResult.Failed(ExitReason reason) -> "it failed to start: " + reason;
      case Supervisor.Running() -> "it is running";
      case Supervisor.Restarting() -> "the supervisor is restarting it";
      case Supervisor.NotFound() -> "no child " + id;
      case Supervisor.SimpleOneForOne() -> "a dynamic supervisor: its children have no ids";
    };
  }
  // endregion: ensure-running

  static StartResult tryStartChat() {
    // region: of
    Supervisor chat = Supervisor.of(Supervisor.restForOne(),   // a fixed spec, without a subclass
        ChildSpec.worker("store", () -> KvStore.startLink(STORE)),
        ChildSpec.supervisor("rooms", Rooms::startLink));
    StartResult started = Supervisor.tryStartLink(chat, StartOptions.defaults().withName(Name.local("chat")));
    // endregion: of
    return started;
  }

  // region: app-supervisor
  /** The top of a chat server: the store first, since the rooms use it. */
  static final class ChatSupervisor extends Supervisor {
    @Override
    protected Spec init() {
      return Spec.of(Supervisor.restForOne().withIntensity(3, Duration.ofSeconds(10)),
          ChildSpec.worker("store", () -> KvStore.startLink(STORE)),
          ChildSpec.supervisor("rooms", Rooms::startLink));
    }
  }
  // endregion: app-supervisor
}
