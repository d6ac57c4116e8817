package org.otp4j.behaviours;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import org.otp4j.core.CallException;
import org.otp4j.core.Down;
import org.otp4j.core.ExitMessage;
import org.otp4j.core.ExitReason;
import org.otp4j.core.From;
import org.otp4j.core.Name;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.core.ProcessExit;
import org.otp4j.core.ProcessTerminated;
import org.otp4j.core.Ref;

/**
 * The application controller of one node, a {@link GenServer} registered as
 * {@code application_controller}: OTP's {@code application_controller} and application masters in
 * one process. It is linked to every top supervisor it starts and traps exits, so it sees them
 * exit; the running applications are kept in start order, and stopped in reverse.
 *
 * <p>Environments are kept outside the process too, in a table per node ({@link AppEnv}), so that
 * {@link Application#getEnv} does not need a call; only the controller writes them.
 */
final class ApplicationController extends GenServer<ApplicationController.State, ApplicationController.Request> {

  static final Name.Local NAME = Name.local("application_controller");

  sealed interface Request {
    record Load(AppDescriptor descriptor) implements Request {}

    record Unload(String name) implements Request {}

    record Start(String name, Application.Type type) implements Request {}

    record EnsureAllStarted(String name, Application.Type type) implements Request {}

    record Stop(String name) implements Request {}

    record StopAll() implements Request {}

    record Loaded() implements Request {}

    record SetEnv(String app, String key, Object value) implements Request {}

    /** Reload the configuration (from {@code file}, or from the file named by {@code otp.config} if null). */
    record ReloadConfig(Path file) implements Request {}
  }

  /** The reply of a request that failed; the caller throws an {@link ApplicationException}. */
  record Failure(String application, String message, Throwable cause) {}

  private static final class Running {
    final String name;
    final Application.Type type;
    final Application app;
    final Pid top;

    Running(String name, Application.Type type, Application app, Pid top) {
      this.name = name;
      this.type = type;
      this.app = app;
      this.top = top;
    }
  }

  static final class State {
    final Map<String, AppDescriptor> loaded = new LinkedHashMap<>();
    final List<Running> running = new ArrayList<>();
    final Properties fileConfig = new Properties();
    final Map<String, Map<String, Object>> runtimeSets = new HashMap<>();
  }

  // ---------------------------------------------------------------------------------------
  // client side

  /** Calls the controller of the current node, starting it if needed; throws on a failure reply. */
  @SuppressWarnings("unchecked")
  static <R> R call(Request request) {
    Pid controller = controller(Node.current());
    Object reply;
    try {
      reply = GenServer.call(controller, request, Proc.INFINITY);
    } catch (CallException e) {
      throw new ApplicationException(null, "the application controller failed: " + e.getMessage(), e);
    }
    if (reply instanceof Failure f) {
      throw new ApplicationException(f.application(), f.message(), f.cause());
    }
    return (R) reply;
  }

  private static Pid controller(Node node) {
    Optional<Pid> existing = node.whereis(NAME.name());
    if (existing.isPresent()) {
      return existing.get();
    }
    StartResult result = Gen.start("ApplicationController", StartOptions.defaults().withName(NAME), Gen.Tie.NONE,
        starter -> new GenServerEngine<>(new ApplicationController(node), NAME).run(starter)).result();
    return switch (result) {
      case StartResult.Started s -> {
        node.addStopHook(() -> stopAllOnNodeStop(s.pid()));
        yield s.pid();
      }
      case StartResult.AlreadyStarted a -> a.pid();
      default -> throw new ApplicationException(null, "the application controller did not start: " + result);
    };
  }

  private static void stopAllOnNodeStop(Pid controller) {
    try {
      GenServer.call(controller, new Request.StopAll(), Proc.INFINITY);
    } catch (CallException e) {
      // the controller is gone already: nothing to stop
    }
  }

  // ---------------------------------------------------------------------------------------
  // server side

  private final Node node;
  private final AppEnv envs;

  ApplicationController(Node node) {
    this.node = node;
    this.envs = AppEnv.of(node);
  }

  @Override
  protected Init<State> init() {
    Proc.trapExits(true);
    State state = new State();
    String configFile = System.getProperty(AppEnv.CONFIG_PROPERTY);
    if (configFile != null) {
      Failure f = readConfig(state, Path.of(configFile));
      if (f != null) {
        return Init.stop(ExitReason.of(f.message()));
      }
    }
    return Init.ok(state);
  }

  @Override
  protected CallResult<State> handleCall(Request request, From from, State state) {
    Object result;
    try {
      result = switch (request) {
        case Request.Load r -> load(state, r.descriptor());
        case Request.Unload r -> unload(state, r.name());
        case Request.Start r -> start(state, r.name(), r.type());
        case Request.EnsureAllStarted r -> ensureAllStarted(state, r.name(), r.type());
        case Request.Stop r -> stop(state, r.name());
        case Request.StopAll r -> stopAll(state);
        case Request.Loaded r -> infos(state);
        case Request.SetEnv r -> setEnv(state, r.app(), r.key(), r.value());
        case Request.ReloadConfig r -> reloadConfig(state, r.file());
      };
    } catch (AppFailure e) {
      result = e.failure;
    }
    return reply(result, state);
  }

  /** Carries a failure out of nested helpers. */
  private static final class AppFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final transient Failure failure;

    AppFailure(String app, String message, Throwable cause) {
      super(message, cause, false, false);
      this.failure = new Failure(app, message, cause);
    }
  }

  private Object load(State state, AppDescriptor d) {
    if (state.loaded.containsKey(d.name())) {
      throw new AppFailure(d.name(), "application '" + d.name() + "' is already loaded", null);
    }
    state.loaded.put(d.name(), d);
    Failure f = refreshEnv(state, d.name());
    if (f != null) {
      state.loaded.remove(d.name());
      envs.remove(d.name());
      throw new AppFailure(f.application(), f.message(), f.cause());
    }
    return "ok";
  }

  private Object unload(State state, String name) {
    if (!state.loaded.containsKey(name)) {
      throw new AppFailure(name, "application '" + name + "' is not loaded", null);
    }
    if (running(state, name) != null) {
      throw new AppFailure(name, "application '" + name + "' is running; stop it before unloading it", null);
    }
    state.loaded.remove(name);
    envs.remove(name);
    return "ok";
  }

  private Object start(State state, String name, Application.Type type) {
    AppDescriptor d = descriptor(state, name, null);
    if (running(state, name) != null) {
      throw new AppFailure(name, "application '" + name + "' is already started", null);
    }
    for (String dep : d.dependencies()) {
      if (running(state, dep) == null) {
        throw new AppFailure(name, "application '" + name + "' needs '" + dep + "', which is not running: start it "
            + "first, or use Application.ensureAllStarted(\"" + name + "\")", null);
      }
    }
    doStart(state, d, type);
    return "ok";
  }

  private List<String> ensureAllStarted(State state, String name, Application.Type type) {
    List<String> order = new ArrayList<>();
    resolve(state, name, null, new ArrayDeque<>(), new HashSet<>(), order);
    List<String> started = new ArrayList<>();
    for (String app : order) {
      try {
        doStart(state, state.loaded.get(app), type);
        started.add(app);
      } catch (AppFailure e) {
        for (String s : started.reversed()) {
          stopApp(state, running(state, s));
        }
        throw e;
      }
    }
    return started;
  }

  /** Depth-first: the applications to start before {@code name}, then {@code name}; detects cycles. */
  private void resolve(State state, String name, String neededBy, Deque<String> path, Set<String> done,
      List<String> order) {
    if (done.contains(name) || running(state, name) != null) {
      return;
    }
    if (path.contains(name)) {
      List<String> cycle = new ArrayList<>(path.reversed());
      cycle.add(name);
      throw new AppFailure(name, "dependency cycle: " + String.join(" -> ", cycle.subList(cycle.indexOf(name),
          cycle.size())), null);
    }
    AppDescriptor d = descriptor(state, name, neededBy);
    path.push(name);
    for (String dep : d.dependencies()) {
      resolve(state, dep, name, path, done, order);
    }
    path.pop();
    done.add(name);
    order.add(name);
  }

  private AppDescriptor descriptor(State state, String name, String neededBy) {
    AppDescriptor d = state.loaded.get(name);
    if (d == null) {
      throw new AppFailure(name, "unknown application '" + name + "'" + (neededBy == null ? "" : " (needed by '"
          + neededBy + "')") + ": load its descriptor first with Application.load(...)", null);
    }
    return d;
  }

  private void doStart(State state, AppDescriptor d, Application.Type type) {
    if (d.start() == null) {
      state.running.add(new Running(d.name(), type, null, null));
      report(d.name(), "started", null, type);
      return;
    }
    Application app;
    try {
      app = Objects.requireNonNull(d.start().get(), "the start function returned null");
    } catch (ProcessExit | ProcessTerminated e) {
      throw e;
    } catch (RuntimeException | Error e) {
      throw new AppFailure(d.name(), "could not create application '" + d.name() + "': " + e, e);
    }
    Pid top;
    try {
      top = app.start(type);
    } catch (ProcessExit | ProcessTerminated e) {
      throw e;
    } catch (Exception e) {
      throw new AppFailure(d.name(), "application '" + d.name() + "' failed to start: " + e.getMessage(), e);
    }
    if (top == null) {
      throw new AppFailure(d.name(), "application '" + d.name() + "' returned no top supervisor from start(type)",
          null);
    }
    try {
      Proc.link(top);
    } catch (RuntimeException e) {
      throw new AppFailure(d.name(), "the top supervisor of application '" + d.name() + "' died at once", e);
    }
    state.running.add(new Running(d.name(), type, app, top));
    report(d.name(), "started", null, type);
  }

  private Object stop(State state, String name) {
    Running r = running(state, name);
    if (r == null) {
      throw new AppFailure(name, "application '" + name + "' is not running", null);
    }
    stopApp(state, r);
    return "ok";
  }

  private Object stopAll(State state) {
    for (Running r : new ArrayList<>(state.running).reversed()) {
      stopApp(state, r);
    }
    return "ok";
  }

  /** prepStop, the tree (shutdown, waited for), stop; the application stays loaded. */
  private void stopApp(State state, Running r) {
    state.running.remove(r);
    if (r.app == null) {
      report(r.name, "exited", ExitReason.of("stopped"), r.type);
      return;
    }
    callback("prepStop", r, r.app::prepStop);
    Ref ref = Proc.monitor(r.top);
    Proc.unlink(r.top);
    Proc.flush(m -> m instanceof ExitMessage e && e.from().equals(r.top));
    Proc.exit(r.top, ExitReason.SHUTDOWN);
    Proc.receive(m -> m instanceof Down d && d.ref() == ref);
    callback("stop", r, r.app::stop);
    report(r.name, "exited", ExitReason.of("stopped"), r.type);
  }

  /** One of an application's stop callbacks; a failure is reported, and the stop goes on. */
  private static void callback(String which, Running r, Callback callback) {
    try {
      callback.run();
    } catch (Exception e) {
      Reports.log(new Reports.Report.CallbackFailed(Reports.Report.CallbackFailed.Logged.REPORTS,
          which + " of application", r.name, e));
    }
  }

  /** {@link Application#prepStop} or {@link Application#stop}. */
  @FunctionalInterface
  private interface Callback {
    void run() throws Exception;
  }

  @Override
  protected CastResult<State> handleInfo(Object message, State state) {
    if (message instanceof ExitMessage exit) {
      for (Running r : state.running) {
        if (exit.from().equals(r.top)) {
          state.running.remove(r);
          // Its tree is gone already; the callbacks run all the same (A9: OTP's application master
          // calls prep_stop and stop when its top process exits), before the node may stop.
          if (r.app != null) {
            callback("prepStop", r, r.app::prepStop);
            callback("stop", r, r.app::stop);
          }
          report(r.name, "exited", exit.reason(), r.type);
          boolean stopNode = r.type == Application.Type.PERMANENT
              || (r.type == Application.Type.TRANSIENT && !exit.reason().isNormal());
          if (stopNode) {
            Reports.log(new Reports.Report.ApplicationTerminated(r.name, Proc.self(), exit.reason(), r.type,
                node.name()));
            Thread.ofPlatform().name("otp-node-stop").start(node::stop);
          }
          break;
        }
      }
    }
    return noReply(state);
  }

  @Override
  protected void terminate(ExitReason reason, State state) {
    if (state != null) {
      stopAll(state);
    }
  }

  private List<Application.Info> infos(State state) {
    List<Application.Info> out = new ArrayList<>();
    for (AppDescriptor d : state.loaded.values()) {
      Running r = running(state, d.name());
      out.add(new Application.Info(d.name(), d.version(), d.description(), r != null, r == null ? null : r.type,
          r == null ? null : r.top, r == null ? -1 : state.running.indexOf(r)));
    }
    return out;
  }

  private static Running running(State state, String name) {
    for (Running r : state.running) {
      if (r.name.equals(name)) {
        return r;
      }
    }
    return null;
  }

  // ---------------------------------------------------------------------------------------
  // environment

  private Object setEnv(State state, String app, String key, Object value) {
    Map<String, Object> sets = state.runtimeSets.computeIfAbsent(app, a -> new HashMap<>());
    if (value == null) {
      sets.remove(key);
    } else {
      sets.put(key, value);
    }
    Failure f = refreshEnv(state, app);
    if (f != null) {
      throw new AppFailure(f.application(), f.message(), f.cause());
    }
    return "ok";
  }

  private Failure readConfig(State state, Path file) {
    Properties p;
    try {
      p = AppEnv.readFile(file);
    } catch (IOException e) {
      return new Failure(null, "cannot read configuration file " + file + ": " + e.getMessage(), e);
    }
    state.fileConfig.clear();
    state.fileConfig.putAll(p);
    return null;
  }

  /** Recomputes an application's environment from its sources (no configChange: OTP calls it only on a reload). */
  private Failure refreshEnv(State state, String app) {
    AppDescriptor d = state.loaded.get(app);
    try {
      envs.put(app, AppEnv.compute(app, d == null ? Map.of() : d.env(), state.fileConfig,
          state.runtimeSets.getOrDefault(app, Map.of())));
      return null;
    } catch (AppEnv.BadValue e) {
      return new Failure(app, e.getMessage(), e.getCause());
    }
  }

  /**
   * OTP's configuration reload (what the release handler does after an upgrade): reads the
   * configuration file again, drops the values set at run time (as OTP drops non-persistent
   * {@code set_env} values), recomputes every loaded application's environment, and then calls
   * {@link Application#configChange} on each running application whose environment changed, with
   * what changed, appeared and went. Nothing is changed if the file or a value is bad.
   */
  private Object reloadConfig(State state, Path file) {
    Properties config = new Properties();
    Path source = file != null ? file
        : System.getProperty(AppEnv.CONFIG_PROPERTY) != null ? Path.of(System.getProperty(AppEnv.CONFIG_PROPERTY))
        : null;
    if (source != null) {
      try {
        config = AppEnv.readFile(source);
      } catch (IOException e) {
        return new Failure(null, "cannot read configuration file " + source + ": " + e.getMessage(), e);
      }
    }
    Map<String, Map<String, Object>> fresh = new LinkedHashMap<>();
    for (AppDescriptor d : state.loaded.values()) {
      try {
        fresh.put(d.name(), AppEnv.compute(d.name(), d.env(), config, Map.of()));
      } catch (AppEnv.BadValue e) {
        return new Failure(d.name(), e.getMessage(), e.getCause());
      }
    }
    state.fileConfig.clear();
    state.fileConfig.putAll(config);
    state.runtimeSets.clear();
    Map<String, Map<String, Object>> before = new LinkedHashMap<>();
    for (Map.Entry<String, Map<String, Object>> e : fresh.entrySet()) {
      Map<String, Object> old = envs.put(e.getKey(), e.getValue());
      before.put(e.getKey(), old == null ? Map.of() : old);
    }
    for (Running r : state.running) {
      Map<String, Object> now = fresh.get(r.name);
      if (r.app == null || now == null || before.get(r.name).equals(now)) {
        continue;
      }
      AppEnv.Diff diff = AppEnv.Diff.between(before.get(r.name), now);
      try {
        r.app.configChange(diff.changed(), diff.added(), diff.removed());
      } catch (RuntimeException e) {
        Reports.log(new Reports.Report.CallbackFailed(Reports.Report.CallbackFailed.Logged.REPORTS,
            "configChange of application", r.name, e));
      }
    }
    return "ok";
  }

  private static void report(String app, String what, ExitReason reason, Application.Type type) {
    Reports.log(new Reports.Report.ApplicationEvent(app, Proc.self(), what, reason, type));
  }

  @Override
  String behaviourName() {
    return "ApplicationController";
  }
}
