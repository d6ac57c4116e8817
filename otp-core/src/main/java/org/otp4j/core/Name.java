package org.otp4j.core;

import java.util.Objects;

/**
 * A name a process can be registered and reached under.
 *
 * <ul>
 *   <li>{@link #local(String)}: the node's own registry, Erlang's {@code register/2} and
 *       {@code {local, Name}}. A process has at most one local name; it is released when the process
 *       terminates, before its exit and down signals go out.</li>
 *   <li>{@link #via(NameRegistry, Object)}: a pluggable registry, Erlang's {@code {via, Module, Key}}, for
 *       example a unique {@link Registry}.</li>
 *   <li>{@link #remote(String, String)}: a name in the local registry of another node, Erlang's
 *       {@code {Name, Node}}; a send to it never fails, and is dropped if the node is not connected or
 *       nothing is registered under the name there.</li>
 * </ul>
 */
public sealed interface Name extends Address permits Name.Local, Name.Via, Name.Remote {

  /**
   * A name in the node's local registry.
   *
   * @throws IllegalArgumentException if {@code name} is blank
   */
  static Local local(String name) {
    return new Local(name);
  }

  /**
   * A name registered on the node named {@code node} ({@code {Name, Node}}).
   *
   * @throws IllegalArgumentException if {@code name} or {@code node} is blank
   */
  static Remote remote(String name, String node) {
    return new Remote(name, node);
  }

  /** A name held by a pluggable registry, such as a unique {@link Registry}. */
  static Via via(NameRegistry registry, Object key) {
    return new Via(registry, key);
  }

  /**
   * A name in the node's local registry.
   *
   * @param name the name; not blank
   */
  record Local(String name) implements Name {
    public Local {
      Objects.requireNonNull(name, "a local name cannot be null");
      if (name.isBlank()) {
        throw new IllegalArgumentException("a local name cannot be blank: give a name such as \"counter\"");
      }
    }

    @Override
    public String toString() {
      return name;
    }
  }

  /**
   * A name in the local registry of a node, possibly another one ({@code {Name, Node}}).
   *
   * @param name the registered name; not blank
   * @param node the node's name; not blank
   */
  record Remote(String name, String node) implements Name {
    public Remote {
      Objects.requireNonNull(name, "a name cannot be null");
      Objects.requireNonNull(node, "a node name cannot be null");
      if (name.isBlank() || node.isBlank()) {
        throw new IllegalArgumentException("a remote name needs a name and a node, such as "
            + "Name.remote(\"billing\", \"billing@host\"); got name '" + name + "', node '" + node + "'");
      }
    }

    @Override
    public String toString() {
      return "{" + name + "," + node + "}";
    }
  }

  /**
   * A name held by a pluggable registry.
   *
   * @param registry the registry that resolves the name
   * @param key the key within that registry
   */
  record Via(NameRegistry registry, Object key) implements Name {
    public Via {
      Objects.requireNonNull(registry, "registry");
      Objects.requireNonNull(key, "key");
    }

    @Override
    public String toString() {
      return "{via," + registry + "," + key + "}";
    }
  }
}
