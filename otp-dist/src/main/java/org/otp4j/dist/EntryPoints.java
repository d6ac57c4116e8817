package org.otp4j.dist;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What other nodes may run on this one, by name: the entry points of {@link Rpc#call}, {@link Rpc#cast}
 * and {@link Rpc#spawn}. No code travels between nodes: a request names an entry point and carries its
 * arguments, and the node runs only what its own {@code EntryPoints} list.
 *
 * <!-- snippet: org.otp4j.dist.RpcTest#entries -->
 * {@snippet :
 * EntryPoints entries = EntryPoints.builder()
 *     .function("add", args -> (Integer) args.get(0) + (Integer) args.get(1))
 *     .staticMethods(MathEntries.class)     // "org.otp4j.dist.RpcTest$MathEntries::square", ...
 *     .build();
 * Rpc.serve(b, entries);
 * }
 *
 * <p>An entry point is either a {@link Entry function} registered under a name, or a public static
 * method of a class given to {@link Builder#staticMethods}, named {@code ClassName::methodName}
 * ({@link Class#getName()}, so a nested class is {@code Outer$Inner::method}) and chosen by the number
 * of arguments. Only the classes listed are reachable: a request cannot name an arbitrary method.
 */
public final class EntryPoints {

  /**
   * A function other nodes may run by name.
   */
  @FunctionalInterface
  public interface Entry {
    /**
     * Runs the entry point; what it throws travels back to the caller as an
     * {@link RpcException.RemoteError} (or, in a spawned process, is its exit reason).
     *
     * @param args the arguments, as the codec decoded them
     * @return the result, sent back to the caller (it must be encodable); may be null
     * @throws Exception anything: it is the call's remote error
     */
    Object apply(List<Object> args) throws Exception;
  }

  private final Map<String, Entry> functions;
  // ClassName::method -> by arity
  private final Map<String, Map<Integer, Method>> methods;

  private EntryPoints(Map<String, Entry> functions, Map<String, Map<Integer, Method>> methods) {
    this.functions = Collections.unmodifiableMap(new TreeMap<>(functions));
    this.methods = Collections.unmodifiableMap(new TreeMap<>(methods));
  }

  /** A builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** Collects functions and classes. */
  public static final class Builder {
    private final Map<String, Entry> functions = new TreeMap<>();
    private final Map<String, Map<Integer, Method>> methods = new TreeMap<>();

    private Builder() {}

    /**
     * Registers {@code entry} under {@code name}.
     *
     * @throws IllegalArgumentException if {@code name} is blank, contains {@code ::}, or is already taken
     */
    public Builder function(String name, Entry entry) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(entry, "entry");
      if (name.isBlank() || name.contains("::")) {
        throw new IllegalArgumentException("an entry point's name must not be blank nor contain '::' (kept for "
            + "static methods, ClassName::method); got '" + name + "'");
      }
      if (functions.putIfAbsent(name, entry) != null) {
        throw new IllegalArgumentException("the entry point '" + name + "' is already registered");
      }
      return this;
    }

    /**
     * Lets other nodes run every public static method of {@code type}, as {@code type.getName() +
     * "::" + methodName}, chosen by the number of arguments.
     *
     * @throws IllegalArgumentException if {@code type} is not public in a package its module exports to
     *     {@code org.otp4j.dist}, has no public static method, or has two with the same name and number
     *     of parameters (the call could not choose)
     */
    public Builder staticMethods(Class<?> type) {
      Objects.requireNonNull(type, "type");
      int found = 0;
      for (Method m : type.getMethods()) {
        if (!Modifier.isStatic(m.getModifiers()) || m.getDeclaringClass() != type) {
          continue;
        }
        if (!m.canAccess(null)) {
          throw new IllegalArgumentException(type.getName() + "::" + m.getName() + " cannot be run by "
              + "org.otp4j.dist: make " + type.getName() + " public, in a package its module exports to "
              + "org.otp4j.dist");
        }
        String name = type.getName() + "::" + m.getName();
        Method previous = methods.computeIfAbsent(name, k -> new TreeMap<>()).putIfAbsent(m.getParameterCount(), m);
        if (previous != null) {
          throw new IllegalArgumentException(name + " is overloaded with " + m.getParameterCount() + " parameters: "
              + "an entry point is chosen by its name and number of arguments; rename one of them");
        }
        found++;
      }
      if (found == 0) {
        throw new IllegalArgumentException(type.getName() + " has no public static method to offer");
      }
      return this;
    }

    /** The entry points. */
    public EntryPoints build() {
      return new EntryPoints(functions, methods);
    }
  }

  /** The names of the entry points, with the arities of the static methods ({@code name/2}). */
  public List<String> names() {
    List<String> out = new ArrayList<>(functions.keySet());
    methods.forEach((name, byArity) -> byArity.keySet().forEach(n -> out.add(name + "/" + n)));
    return out;
  }

  /**
   * The entry point {@code name} that takes {@code arity} arguments, or null if there is none: a
   * function takes any number.
   */
  Entry find(String name, int arity) {
    Entry f = functions.get(name);
    if (f != null) {
      return f;
    }
    Map<Integer, Method> byArity = methods.get(name);
    Method m = byArity == null ? null : byArity.get(arity);
    return m == null ? null : args -> invoke(m, args);
  }

  private static Object invoke(Method m, List<Object> args) throws Exception {
    try {
      return m.invoke(null, args.toArray());
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause();
      if (cause instanceof Exception ex) {
        throw ex;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw e;
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("the arguments " + types(args) + " do not fit "
          + m.getDeclaringClass().getName() + "::" + m.getName() + List.of(m.getParameterTypes()).stream()
              .map(Class::getSimpleName).toList(), e);
    }
  }

  private static List<String> types(List<Object> args) {
    return args.stream().map(a -> a == null ? "null" : a.getClass().getSimpleName()).toList();
  }
}
