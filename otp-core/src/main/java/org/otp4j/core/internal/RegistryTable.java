package org.otp4j.core.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The engine of an Elixir-style registry ({@code org.otp4j.core.Registry} is its face): keys mapped
 * to the processes registered under them, each with a value.
 *
 * <h2>Implementation notes</h2>
 * <ul>
 *   <li>{@code byKey} maps a key to one {@link Registration} (unique keys) or to an immutable list of
 *       them (duplicate keys, replaced copy-on-write under {@link ConcurrentHashMap#compute}), so a
 *       lookup never locks and never sees a half-made list.</li>
 *   <li>{@code owners} maps each registered process to the keys it holds, and is that process's
 *       exit hook: the process's entries are removed while it terminates, before its exit and down
 *       signals go out, so a lookup never returns a process whose {@code Down} was delivered.</li>
 *   <li>A registration and the process's termination race: the entry is added first, then the hook
 *       is installed; if the process is no longer alive by then, its hook may have run already, so
 *       the registration removes every entry of the process itself.</li>
 *   <li>Lookups filter out processes that are exiting but whose hook has not run yet.</li>
 * </ul>
 */
public final class RegistryTable {

  /** One registration: a process and the value it registered with. */
  public record Registration(ProcessImpl process, Object value) {}

  private final String name;
  private final boolean unique;
  /** key -> Registration (unique) or key -> List<Registration> (duplicate, copy-on-write). */
  private final ConcurrentHashMap<Object, Object> byKey = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<ProcessImpl, Owner> owners = new ConcurrentHashMap<>();

  public RegistryTable(String name, boolean unique) {
    this.name = Objects.requireNonNull(name, "name");
    this.unique = unique;
  }

  public String name() {
    return name;
  }

  public boolean isUnique() {
    return unique;
  }

  /**
   * Registers {@code p} under {@code key} with {@code value}.
   *
   * @return null if registered; else (unique keys only) the live process that holds the key
   */
  public ProcessImpl add(ProcessImpl p, Object key, Object value) {
    Objects.requireNonNull(key, "key");
    Registration mine = new Registration(p, value);
    if (unique) {
      Object result = byKey.compute(key, (k, existing) ->
          existing instanceof Registration r && r.process().isAlive() ? existing : mine);
      if (result != mine) {
        return ((Registration) result).process();
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
    return null;
  }

  /** Removes every entry of {@code p} under {@code key}. */
  public void remove(ProcessImpl p, Object key) {
    byKey.computeIfPresent(key, (k, existing) -> {
      if (existing instanceof Registration r) {
        return r.process() == p ? null : existing;
      }
      List<Object> kept = new ArrayList<>();
      for (Object o : (List<?>) existing) {
        if (((Registration) o).process() != p) {
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

  /** The registrations under {@code key}, in registration order, of live processes only. */
  public List<Registration> lookup(Object key) {
    Object v = byKey.get(Objects.requireNonNull(key, "key"));
    List<Registration> out = new ArrayList<>();
    if (v instanceof Registration r) {
      addIfAlive(out, r);
    } else if (v instanceof List<?> list) {
      for (Object o : list) {
        addIfAlive(out, (Registration) o);
      }
    }
    return out;
  }

  /** The keys {@code p} is registered under. */
  public List<Object> keys(ProcessImpl p) {
    Owner owner = owners.get(p);
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

  private void removeAll(ProcessImpl p) {
    Owner owner = owners.remove(p);
    if (owner != null) {
      for (Object key : owner.keys()) {
        remove(p, key);
      }
    }
  }

  private static void addIfAlive(List<Registration> out, Registration r) {
    if (r.process().isAlive()) {
      out.add(r);
    }
  }

  @Override
  public String toString() {
    return "Registry[" + name + (unique ? ",unique" : ",duplicate") + "]";
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
