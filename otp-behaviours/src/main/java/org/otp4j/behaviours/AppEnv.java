package org.otp4j.behaviours;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.otp4j.core.Node;
import org.otp4j.core.NodeLocal;

/**
 * Applications' environments: where each value comes from, and the table of one node's
 * environments that {@link Application#getEnv} reads from any thread without a call (only the
 * {@link ApplicationController} writes it).
 *
 * <p>An application's environment is, from weakest to strongest: its descriptor's defaults, the
 * configuration file ({@code -Dotp.config=FILE}, lines {@code app.key=value}), system properties
 * ({@code -Dotp.app.key=value}), and values set at runtime. A text from a file or a property takes
 * the type of the key's default value (integer, long, double, boolean, duration, or text).
 */
final class AppEnv {
  /** The system property that names a configuration file. */
  static final String CONFIG_PROPERTY = "otp.config";
  private static final String SYSTEM_PREFIX = "otp.";

  private static final NodeLocal<AppEnv> PER_NODE = NodeLocal.withInitial(AppEnv::new);

  private final ConcurrentHashMap<String, Map<String, Object>> byApp = new ConcurrentHashMap<>();

  private AppEnv() {}

  /** The environments of {@code node}. */
  static AppEnv of(Node node) {
    return PER_NODE.get(node);
  }

  Optional<Object> get(String app, String key) {
    Map<String, Object> env = byApp.get(app);
    return env == null ? Optional.empty() : Optional.ofNullable(env.get(key));
  }

  Map<String, Object> all(String app) {
    return byApp.getOrDefault(app, Map.of());
  }

  /** Sets an application's environment; returns the one it replaces, or null. */
  Map<String, Object> put(String app, Map<String, Object> env) {
    return byApp.put(app, Collections.unmodifiableMap(env));
  }

  void remove(String app) {
    byApp.remove(app);
  }

  // ---------------------------------------------------------------------------------------
  // sources

  /** A configured value that does not fit its key's type. */
  static final class BadValue extends Exception {
    private static final long serialVersionUID = 1L;

    BadValue(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** Reads a configuration file of {@code app.key=value} lines. */
  static Properties readFile(Path file) throws IOException {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file)) {
      p.load(r);
    } catch (IllegalArgumentException e) {
      throw new IOException(e.getMessage(), e);
    }
    return p;
  }

  /** The environment of {@code app} from its sources, weakest first (see the class notes). */
  static Map<String, Object> compute(String app, Map<String, Object> defaults, Properties file,
      Map<String, Object> runtimeSets) throws BadValue {
    Map<String, Object> env = new LinkedHashMap<>(defaults);
    String prefix = app + ".";
    for (String k : file.stringPropertyNames()) {
      if (k.startsWith(prefix)) {
        String key = k.substring(prefix.length());
        env.put(key, convert(app, key, env.get(key), file.getProperty(k)));
      }
    }
    String sysPrefix = SYSTEM_PREFIX + app + ".";
    for (String k : System.getProperties().stringPropertyNames()) {
      if (k.startsWith(sysPrefix)) {
        String key = k.substring(sysPrefix.length());
        env.put(key, convert(app, key, env.get(key), System.getProperty(k)));
      }
    }
    env.putAll(runtimeSets);
    return env;
  }

  /** What changed between two environments, as {@link Application#configChange} is told. */
  record Diff(Map<String, Object> changed, Map<String, Object> added, Set<String> removed) {
    static Diff between(Map<String, Object> old, Map<String, Object> now) {
      Map<String, Object> changed = new LinkedHashMap<>();
      Map<String, Object> added = new LinkedHashMap<>();
      for (Map.Entry<String, Object> e : now.entrySet()) {
        if (!old.containsKey(e.getKey())) {
          added.put(e.getKey(), e.getValue());
        } else if (!Objects.equals(old.get(e.getKey()), e.getValue())) {
          changed.put(e.getKey(), e.getValue());
        }
      }
      Set<String> removed = new HashSet<>(old.keySet());
      removed.removeAll(now.keySet());
      return new Diff(changed, added, removed);
    }
  }

  /** Converts a configured text to the type of the key's default value. */
  private static Object convert(String app, String key, Object defaultValue, String text) throws BadValue {
    String t = text.trim();
    try {
      return switch (defaultValue) {
        case null -> t;
        case Integer i -> Integer.parseInt(t);
        case Long l -> Long.parseLong(t);
        case Double d -> Double.parseDouble(t);
        case Boolean b -> {
          if (!t.equalsIgnoreCase("true") && !t.equalsIgnoreCase("false")) {
            throw new IllegalArgumentException("not a boolean");
          }
          yield Boolean.parseBoolean(t);
        }
        case Duration d -> parseDuration(t);
        default -> t;
      };
    } catch (RuntimeException e) {
      String type = defaultValue.getClass().getSimpleName().toLowerCase(Locale.ROOT);
      String article = "aeiou".indexOf(type.charAt(0)) >= 0 ? "an " : "a ";
      throw new BadValue("bad configuration for " + app + "." + key + ": expected " + article + type
          + " like the default (" + defaultValue + "), got '" + text + "'", e);
    }
  }

  /** {@code PT5S}, {@code 500ms}, {@code 5s}, {@code 2m}, or milliseconds. */
  private static Duration parseDuration(String t) {
    if (t.startsWith("P") || t.startsWith("p")) {
      return Duration.parse(t);
    }
    if (t.endsWith("ms")) {
      return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2).trim()));
    }
    if (t.endsWith("s")) {
      return Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1).trim()));
    }
    if (t.endsWith("m")) {
      return Duration.ofMinutes(Long.parseLong(t.substring(0, t.length() - 1).trim()));
    }
    return Duration.ofMillis(Long.parseLong(t));
  }
}
