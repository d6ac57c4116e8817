package org.otp4j.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.otp4j.core.internal.Kernel;
import org.otp4j.core.internal.ProcessImpl;
import org.otp4j.core.internal.RegistryTable;

/**
 * A key-value process registry in the style of Elixir's {@code Registry}: processes register
 * themselves under keys, others look them up or dispatch to them. Used for per-room or per-device
 * lookup and for local pub/sub.
 *
 * <ul>
 *   <li>{@link #unique(String)}: a key maps to at most one process. Also a {@link NameRegistry}, so a
 *       server can be started and called under {@code Name.via(registry, key)}.</li>
 *   <li>{@link #duplicate(String)}: a key maps to any number of entries, even several from one
 *       process: the subscribers of a topic.</li>
 * </ul>
 *
 * <pre>{@code
 * Registry topics = Registry.duplicate("topics");
 * // in each subscriber process:
 * topics.register("room:lobby", "member");
 * // anywhere:
 * topics.dispatch("room:lobby", entries -> entries.forEach(e -> Proc.send(e.pid(), message)));
 * }</pre>
 *
 * <p>A process's entries are removed when it terminates, before its exit and down signals go out
 * (Elixir removes them asynchronously; here a lookup never returns a process whose {@code Down} has
 * already been delivered). A registry is a concurrent data structure, not a process: it needs no
 * supervision, and all its operations work from any thread except {@link #register} and
 * {@link #unregister}, which act for the calling process.
 */
public final class Registry implements NameRegistry {

  /** One registration: the process and the value it registered with. */
  public record Entry(Pid pid, Object value) {}

  private final RegistryTable table;

  private Registry(String name, boolean unique) {
    this.table = new RegistryTable(name, unique);
  }

  /** A registry where each key belongs to at most one process. */
  public static Registry unique(String name) {
    return new Registry(name, true);
  }

  /** A registry where a key can have any number of entries. */
  public static Registry duplicate(String name) {
    return new Registry(name, false);
  }

  /** Whether keys are unique. */
  public boolean isUnique() {
    return table.isUnique();
  }

  // ---------------------------------------------------------------------------------------
  // registering the calling process

  /**
   * Registers the calling process under {@code key} with {@code value}.
   *
   * @throws NameConflictException in a unique registry, if another live process holds the key
   * @throws NotAProcessException if called from a plain thread
   */
  public void register(Object key, Object value) {
    Optional<Pid> holder = registerIfAbsent(key, value);
    if (holder.isPresent()) {
      throw new NameConflictException("cannot register key " + key + " in registry '" + table.name()
          + "': it is already registered to " + holder.get());
    }
  }

  /**
   * Registers the calling process under {@code key}, unless (in a unique registry) another live
   * process holds it.
   *
   * @return empty if registered, else the process that holds the key
   */
  public Optional<Pid> registerIfAbsent(Object key, Object value) {
    ProcessImpl holder = table.add(Proc.current("Registry.register"), key, value);
    return holder == null ? Optional.empty() : Optional.of(holder.pid());
  }

  /** Removes every entry of the calling process under {@code key}. */
  public void unregister(Object key) {
    table.remove(Proc.current("Registry.unregister"), Objects.requireNonNull(key, "key"));
  }

  // ---------------------------------------------------------------------------------------
  // queries, from any thread

  /** The entries under {@code key}, in registration order (live processes only). */
  public List<Entry> lookup(Object key) {
    List<RegistryTable.Registration> found = table.lookup(key);
    List<Entry> out = new ArrayList<>(found.size());
    for (RegistryTable.Registration r : found) {
      out.add(new Entry(r.process().pid(), r.value()));
    }
    return out;
  }

  /**
   * Calls {@code action} with the entries under {@code key}, if there are any (Elixir's
   * {@code Registry.dispatch/3}).
   */
  public void dispatch(Object key, Consumer<List<Entry>> action) {
    Objects.requireNonNull(action, "action");
    List<Entry> entries = lookup(key);
    if (!entries.isEmpty()) {
      action.accept(entries);
    }
  }

  /** Sends {@code message} to every process registered under {@code key}; returns how many. */
  public int sendAll(Object key, Object message) {
    List<Entry> entries = lookup(key);
    for (Entry e : entries) {
      Proc.send(e.pid(), message);
    }
    return entries.size();
  }

  /** The keys {@code pid} is registered under in this registry. */
  public List<Object> keys(Pid pid) {
    return table.keys(Kernel.process(pid));
  }

  /** How many entries the registry holds. */
  public int count() {
    return table.count();
  }

  // ---------------------------------------------------------------------------------------
  // NameRegistry (via names): unique registries only

  @Override
  public boolean registerName(Object key, Pid pid) {
    requireUnique("registerName");
    return table.add(Kernel.process(pid), key, null) == null;
  }

  @Override
  public void unregisterName(Object key) {
    requireUnique("unregisterName");
    for (RegistryTable.Registration r : table.lookup(Objects.requireNonNull(key, "key"))) {
      table.remove(r.process(), key);
    }
  }

  @Override
  public Optional<Pid> whereisName(Object key) {
    requireUnique("whereisName");
    List<RegistryTable.Registration> found = table.lookup(key);
    return found.isEmpty() ? Optional.empty() : Optional.of(found.getFirst().process().pid());
  }

  @Override
  public String toString() {
    return table.toString();
  }

  private void requireUnique(String operation) {
    if (!table.isUnique()) {
      throw new UnsupportedOperationException(operation + ": registry '" + table.name()
          + "' has duplicate keys; only a unique registry can name processes (Registry.unique(...))");
    }
  }
}
