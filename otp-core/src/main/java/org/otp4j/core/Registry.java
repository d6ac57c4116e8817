package org.otp4j.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.otp4j.core.internal.ExitHook;
import org.otp4j.core.internal.Kernel;
import org.otp4j.core.internal.ProcessImpl;

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

  private final String name;
  private final boolean unique;
  /** key -> Entry (unique) or key -> List<Entry> (duplicate, copy-on-write). */
  private final ConcurrentHashMap<Object, Object> byKey = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<ProcessImpl, Owner> owners = new ConcurrentHashMap<>();

  private Registry(String name, boolean unique) {
    this.name = Objects.requireNonNull(name, "name");
    this.unique = unique;
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
    return unique;
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
      throw new NameConflictException("cannot register key " + key + " in registry '" + name
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
    return add(Proc.current("Registry.register"), key, value);
  }

  /** Removes every entry of the calling process under {@code key}. */
  public void unregister(Object key) {
    remove(Proc.current("Registry.unregister"), Objects.requireNonNull(key, "key"));
  }

  // ---------------------------------------------------------------------------------------
  // queries, from any thread

  /** The entries under {@code key}, in registration order (live processes only). */
  public List<Entry> lookup(Object key) {
    Object v = byKey.get(Objects.requireNonNull(key, "key"));
    List<Entry> out = new ArrayList<>();
    if (v instanceof Entry e) {
      addIfAlive(out, e);
    } else if (v instanceof List<?> list) {
      for (Object o : list) {
        addIfAlive(out, (Entry) o);
      }
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
    Owner owner = owners.get(Kernel.process(pid));
    return owner == null ? List.of() : owner.keys();
  }

  /** How many entries the registry holds. */
  public int count() {
    int n = 0;
    for (Object v : byKey.values()) {
      n += v instanceof List<?> list ? list.size() : 1;
    }
    return n;
  }

  // ---------------------------------------------------------------------------------------
  // NameRegistry (via names): unique registries only

  @Override
  public boolean registerName(Object key, Pid pid) {
    requireUnique("registerName");
    return add(Kernel.process(pid), key, null).isEmpty();
  }

  @Override
  public void unregisterName(Object key) {
    requireUnique("unregisterName");
    Object v = byKey.get(Objects.requireNonNull(key, "key"));
    if (v instanceof Entry e) {
      remove(Kernel.process(e.pid()), key);
    }
  }

  @Override
  public Optional<Pid> whereisName(Object key) {
    requireUnique("whereisName");
    List<Entry> entries = lookup(key);
    return entries.isEmpty() ? Optional.empty() : Optional.of(entries.getFirst().pid());
  }

  @Override
  public String toString() {
    return "Registry[" + name + (unique ? ",unique" : ",duplicate") + "]";
  }

  // ---------------------------------------------------------------------------------------
  // internals

  private void requireUnique(String operation) {
    if (!unique) {
      throw new UnsupportedOperationException(operation + ": registry '" + name
          + "' has duplicate keys; only a unique registry can name processes (Registry.unique(...))");
    }
  }

  private Optional<Pid> add(ProcessImpl p, Object key, Object value) {
    Objects.requireNonNull(key, "key");
    Entry mine = new Entry(p.pid(), value);
    if (unique) {
      Object result = byKey.compute(key, (k, existing) ->
          existing instanceof Entry e && Kernel.process(e.pid()).isAlive() ? existing : mine);
      if (result != mine) {
        return Optional.of(((Entry) result).pid());
      }
    } else {
      byKey.compute(key, (k, existing) -> {
        List<Object> list = existing == null ? new ArrayList<>() : new ArrayList<>((List<?>) existing);
        list.add(mine);
        return List.copyOf(list);
      });
    }
    Owner owner = owners.computeIfAbsent(p, Owner::new);
    owner.addKey(key);
    if (!owner.installed(p)) {
      // The process terminated meanwhile, possibly before its hook could see this entry.
      removeAll(p);
    }
    return Optional.empty();
  }

  private void remove(ProcessImpl p, Object key) {
    Pid pid = p.pid();
    byKey.computeIfPresent(key, (k, existing) -> {
      if (existing instanceof Entry e) {
        return e.pid() == pid ? null : existing;
      }
      List<Object> kept = new ArrayList<>();
      for (Object o : (List<?>) existing) {
        if (((Entry) o).pid() != pid) {
          kept.add(o);
        }
      }
      return kept.isEmpty() ? null : List.copyOf(kept);
    });
    Owner owner = owners.get(p);
    if (owner != null) {
      owner.removeKey(key);
    }
  }

  private void removeAll(ProcessImpl p) {
    Owner owner = owners.remove(p);
    if (owner != null) {
      for (Object key : owner.keys()) {
        remove(p, key);
      }
    }
  }

  private static void addIfAlive(List<Entry> out, Entry e) {
    if (Kernel.process(e.pid()).isAlive()) {
      out.add(e);
    }
  }

  /** The keys one process holds here, and the exit hook that removes them. */
  private final class Owner implements ExitHook {
    private final Set<Object> keys = ConcurrentHashMap.newKeySet();
    private volatile boolean hooked;

    Owner(ProcessImpl p) {}

    void addKey(Object key) {
      keys.add(key);
    }

    void removeKey(Object key) {
      keys.remove(key);
    }

    List<Object> keys() {
      return List.copyOf(keys);
    }

    /** Installs the exit hook once; false if the process is no longer alive. */
    synchronized boolean installed(ProcessImpl p) {
      if (!hooked) {
        hooked = p.addExitHook(this);
        return hooked;
      }
      return p.isAlive();
    }

    @Override
    public void processExited(ProcessImpl process) {
      removeAll(process);
    }
  }
}
