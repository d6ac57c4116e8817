package org.otp4j.core;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * A value per node, as a {@link ThreadLocal} is a value per thread: each {@link Node} gets its own,
 * made on first use, and it goes with the node. For libraries built on otp4j that keep node-wide
 * state (a table of configuration, a registry of services) and must keep the nodes of one JVM
 * apart.
 *
 * <!-- snippet: org.otp4j.core.JavadocExamplesTest#nodelocal -->
 * {@snippet :
 * NodeLocal<Map<String, Integer>> counts = NodeLocal.withInitial(ConcurrentHashMap::new);
 * counts.get(node).merge("hits", 1, Integer::sum);   // this node's map only
 * }
 *
 * @param <T> the type of the value
 */
public final class NodeLocal<T> {
  private final Supplier<? extends T> initial;

  private NodeLocal(Supplier<? extends T> initial) {
    this.initial = initial;
  }

  /** A node-local value made by {@code initial} on each node's first {@link #get}. */
  public static <T> NodeLocal<T> withInitial(Supplier<? extends T> initial) {
    return new NodeLocal<>(Objects.requireNonNull(initial, "initial"));
  }

  /**
   * This value on {@code node}, made now if it is the first use there.
   *
   * @throws NullPointerException if {@code node} is null, or the initial value is
   */
  @SuppressWarnings("unchecked")
  public T get(Node node) {
    return (T) Objects.requireNonNull(node, "node").runtime().local(this, initial);
  }

  /** This value on the {@link Node#current() current node}. */
  public T get() {
    return get(Node.current());
  }
}
