package org.otp4j.behaviours;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;

/**
 * An application: a component that starts as a whole, with its dependencies, its own supervision
 * tree and its configuration, OTP's {@code application}.
 *
 * <!-- snippet: org.otp4j.behaviours.JavadocExamplesTest#app -->
 * {@snippet :
 * public static final class CounterApp extends Application {
 *   @Override protected Pid start(Type type) {
 *     int initial = Application.getEnv("counters", "initial", 0);
 *     return Supervisor.startLink(Supervisor.oneForOne(),   // the top supervisor
 *         ChildSpec.worker("counter", () -> Counter.startLink(initial)));
 *   }
 * }
 * }
 *
 * <p>Loaded with its descriptor, and started with what it depends on:
 *
 * <!-- snippet: org.otp4j.behaviours.JavadocExamplesTest#load -->
 * {@snippet :
 * Application.load(counters);
 * Application.load(AppDescriptor.library("store"));
 * List<String> started = Application.ensureAllStarted("counters", Application.Type.TEMPORARY); // [store, counters]
 * }
 *
 * <h2>The controller</h2>
 * Each node has one application controller, a process started on first use. It starts
 * applications in dependency order ({@link #ensureAllStarted}), stops them in reverse order
 * ({@link #stop}, and all of them when the node stops), and watches each application's top
 * supervisor. When a top supervisor exits on its own, the application's {@link Type} decides: a
 * {@link Type#TEMPORARY temporary} one is only reported; a {@link Type#PERMANENT permanent} one
 * stops every application and the node; a {@link Type#TRANSIENT transient} one does too, unless the
 * reason was {@code normal}.
 *
 * <h2>Environment</h2>
 * Each application has an environment of key-value pairs: the defaults of its descriptor,
 * overridden by a configuration file ({@link #reloadConfig(Path)}, or the file named by the system property
 * {@code otp.config}, lines {@code app.key=value}), overridden by system properties
 * ({@code -Dotp.app.key=value}), overridden by {@link #setEnv} at run time. Text values are
 * converted to the type of the descriptor's default (integer, long, double, boolean, duration such
 * as {@code 5s}, {@code 250ms} or {@code PT1M}).
 *
 * <p>As in OTP, {@link #setEnv} only sets a value; a running application hears of configuration
 * changes through {@link #configChange} when the configuration is reloaded
 * ({@link #reloadConfig()}, what OTP's release handler does after an upgrade).
 */
public abstract class Application {

  /** What happens to the node when the application's top supervisor exits on its own. */
  public enum Type {
    /** Every other application and the node are stopped. */
    PERMANENT,
    /** As permanent, unless the top supervisor exited with reason {@code normal}. */
    TRANSIENT,
    /** Only reported (OTP's default). */
    TEMPORARY
  }

  protected Application() {}

  // =====================================================================================
  // callbacks

  /**
   * Starts the application: builds and returns its top supervisor, linked to the caller (use
   * {@code Supervisor.startLink}). Runs in the node's application controller.
   */
  protected abstract Pid start(Type type) throws Exception;

  /** Runs before the application's supervision tree is stopped. */
  protected void prepStop() throws Exception {}

  /** Runs after the application's supervision tree has stopped. */
  protected void stop() throws Exception {}

  /**
   * Runs when a configuration reload ({@link #reloadConfig()}) changed the environment of the
   * running application: values that changed, keys that appeared, keys that went (OTP's
   * {@code config_change/3}). Not called by {@link #setEnv}, as in OTP.
   */
  protected void configChange(Map<String, Object> changed, Map<String, Object> added, Set<String> removed) {}

  // =====================================================================================
  // the controller API (on the current node)

  /**
   * Loads a descriptor: the application becomes known, and its environment readable.
   *
   * @throws ApplicationException if an application of that name is loaded already
   */
  public static void load(AppDescriptor descriptor) {
    ApplicationController.call(new ApplicationController.Request.Load(Objects.requireNonNull(descriptor, "descriptor")));
  }

  /** Forgets a loaded application that is not running. */
  public static void unload(String name) {
    ApplicationController.call(new ApplicationController.Request.Unload(name));
  }

  /**
   * Starts one application whose dependencies are all running.
   *
   * @throws ApplicationException if it is not loaded, a dependency is not running, it is running
   *     already, or its start failed
   */
  public static void start(String name, Type type) {
    ApplicationController.call(new ApplicationController.Request.Start(Objects.requireNonNull(name, "name"),
        Objects.requireNonNull(type, "type")));
  }

  /**
   * Starts an application and, first, every dependency that is not running yet, in dependency
   * order, all with {@code type}. If one fails, those started by this call are stopped again.
   *
   * @return the applications started by this call, in start order (empty if all were running)
   * @throws ApplicationException naming the application that failed and why (unknown application,
   *     dependency cycle, start failure)
   */
  public static List<String> ensureAllStarted(String name, Type type) {
    return ApplicationController.call(new ApplicationController.Request.EnsureAllStarted(
        Objects.requireNonNull(name, "name"), Objects.requireNonNull(type, "type")));
  }

  /** {@link #ensureAllStarted(String, Type)} with {@link Type#TEMPORARY}. */
  public static List<String> ensureAllStarted(String name) {
    return ensureAllStarted(name, Type.TEMPORARY);
  }

  /**
   * Stops a running application: {@code prepStop}, its supervision tree (reverse start order),
   * then {@code stop}. Other applications are not affected. It stays loaded.
   *
   * @throws ApplicationException if it is not running
   */
  public static void stop(String name) {
    ApplicationController.call(new ApplicationController.Request.Stop(Objects.requireNonNull(name, "name")));
  }

  /** The loaded applications, running or not. */
  public static List<Info> loaded() {
    return ApplicationController.call(new ApplicationController.Request.Loaded());
  }

  /** The running applications, in start order. */
  public static List<Info> running() {
    return loaded().stream().filter(Info::running).sorted((a, b) -> Integer.compare(a.order(), b.order())).toList();
  }

  /** The top supervisor of a running application. */
  public static Optional<Pid> topSupervisor(String name) {
    return loaded().stream().filter(i -> i.name().equals(name) && i.running())
        .map(Info::topSupervisor).filter(Objects::nonNull).findFirst();
  }

  /**
   * An application as the controller knows it.
   *
   * @param name its name
   * @param version its version
   * @param description its description
   * @param running whether it runs
   * @param type its type, when running
   * @param topSupervisor its top supervisor, when running (null for a library application)
   * @param order its position in the start order, when running
   */
  public record Info(String name, String version, String description, boolean running, Type type, Pid topSupervisor,
      int order) {}

  // =====================================================================================
  // environment

  /** A value of an application's environment (readable once the application is loaded). */
  public static Optional<Object> getEnv(String app, String key) {
    return AppEnv.of(Node.current()).get(app, key);
  }

  /** A value of an application's environment, or {@code defaultValue}. */
  @SuppressWarnings("unchecked")
  public static <T> T getEnv(String app, String key, T defaultValue) {
    return (T) getEnv(app, key).orElse(defaultValue);
  }

  /** The whole environment of an application. */
  public static Map<String, Object> getAllEnv(String app) {
    return AppEnv.of(Node.current()).all(app);
  }

  /**
   * Sets a value at run time (OTP's {@code set_env}). {@link #configChange} does not run; a
   * configuration reload drops the value again, as OTP drops non-persistent {@code set_env} values.
   */
  public static void setEnv(String app, String key, Object value) {
    ApplicationController.call(new ApplicationController.Request.SetEnv(app, Objects.requireNonNull(key, "key"),
        Objects.requireNonNull(value, "value")));
  }

  /** Removes a value set at run time (the configured value, if any, applies again). */
  public static void unsetEnv(String app, String key) {
    ApplicationController.call(new ApplicationController.Request.SetEnv(app, Objects.requireNonNull(key, "key"), null));
  }

  /**
   * Reloads the configuration, as OTP's release handler does after an upgrade: reads again the file
   * named by the system property {@code otp.config} (if any) and the {@code otp.app.key} system
   * properties, drops the values set at run time with {@link #setEnv}, recomputes every loaded
   * application's environment, and calls {@link #configChange} on each running application whose
   * environment changed.
   *
   * @throws ApplicationException if the file cannot be read, or a value does not fit its key's type
   *     (nothing is changed then)
   */
  public static void reloadConfig() {
    ApplicationController.call(new ApplicationController.Request.ReloadConfig(null));
  }

  /**
   * {@link #reloadConfig()} with {@code file} as the configuration file: lines {@code app.key=value}
   * (Java properties) that override the descriptors' defaults.
   */
  public static void reloadConfig(Path file) {
    ApplicationController.call(new ApplicationController.Request.ReloadConfig(Objects.requireNonNull(file, "file")));
  }
}
