package org.otp4j.behaviours;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Describes an application, as OTP's {@code .app} file does: its name, version, the applications it
 * depends on, its environment defaults, and how to create its {@link Application} object.
 *
 * <!-- snippet: org.otp4j.behaviours.JavadocExamplesTest#descriptor -->
 * {@snippet :
 * AppDescriptor counters = AppDescriptor.of("counters", CounterApp::new)
 *     .withVersion("1.2.0")
 *     .withDescription("counters, supervised")
 *     .dependsOn("store")
 *     .withEnv("initial", 7);
 * }
 *
 * <p>An application without a start function is a library application: starting it only checks its
 * dependencies and makes its environment available.
 *
 * @param name a unique name, used to start and stop it and to find its environment
 * @param version its version
 * @param description a line for people
 * @param dependencies the applications that must be running before it starts, in start order
 * @param env environment defaults; a configuration file and system properties override them
 * @param start creates the application object; null for a library application
 */
public record AppDescriptor(String name, String version, String description, List<String> dependencies,
    Map<String, Object> env, Supplier<? extends Application> start) {

  public AppDescriptor {
    Objects.requireNonNull(name, "an application needs a name");
    if (name.isBlank() || name.contains(" ")) {
      throw new IllegalArgumentException("an application name must be a non-blank word, got '" + name + "'");
    }
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(description, "description");
    dependencies = List.copyOf(dependencies);
    env = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(env));
    if (dependencies.contains(name)) {
      throw new IllegalArgumentException("application '" + name + "' cannot depend on itself");
    }
  }

  /** An application created by {@code start}, version 0, no dependencies, no environment. */
  public static AppDescriptor of(String name, Supplier<? extends Application> start) {
    return new AppDescriptor(name, "0", "", List.of(), Map.of(), Objects.requireNonNull(start, "start"));
  }

  /**
   * An application whose object is created from a class name (a public class with a public no-arg
   * constructor that extends {@link Application}), as OTP's {@code {mod, {Module, Args}}}: for
   * descriptors built from configuration.
   *
   * @throws IllegalArgumentException if the class cannot be found, is not an {@link Application},
   *     or has no public no-argument constructor
   */
  public static AppDescriptor ofClass(String name, String className) {
    Objects.requireNonNull(className, "className");
    Class<?> type;
    try {
      type = Class.forName(className);
    } catch (ClassNotFoundException | LinkageError e) {
      throw new IllegalArgumentException("application '" + name + "': start class '" + className
          + "' was not found on the class path", e);
    }
    if (!Application.class.isAssignableFrom(type)) {
      throw new IllegalArgumentException("application '" + name + "': start class '" + className
          + "' does not extend " + Application.class.getName());
    }
    java.lang.reflect.Constructor<?> constructor;
    try {
      constructor = type.getConstructor();
    } catch (NoSuchMethodException e) {
      throw new IllegalArgumentException("application '" + name + "': start class '" + className
          + "' has no public no-argument constructor", e);
    }
    return of(name, () -> {
      try {
        return (Application) constructor.newInstance();
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("could not create " + className + ": " + e, e);
      }
    });
  }

  /** A library application: nothing to start, only dependencies and environment. */
  public static AppDescriptor library(String name) {
    return new AppDescriptor(name, "0", "", List.of(), Map.of(), null);
  }

  public AppDescriptor withVersion(String newVersion) {
    return new AppDescriptor(name, newVersion, description, dependencies, env, start);
  }

  public AppDescriptor withDescription(String newDescription) {
    return new AppDescriptor(name, version, newDescription, dependencies, env, start);
  }

  /** Adds dependencies: applications that must run before this one starts. */
  public AppDescriptor dependsOn(String... applications) {
    List<String> deps = new ArrayList<>(dependencies);
    for (String a : applications) {
      if (!deps.contains(Objects.requireNonNull(a, "dependency"))) {
        deps.add(a);
      }
    }
    return new AppDescriptor(name, version, description, deps, env, start);
  }

  /** Adds an environment default. */
  public AppDescriptor withEnv(String key, Object value) {
    Map<String, Object> e = new LinkedHashMap<>(env);
    e.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
    return new AppDescriptor(name, version, description, dependencies, e, start);
  }
}
