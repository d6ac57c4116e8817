package org.otp4j.core.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.otp4j.core.Address;
import org.otp4j.core.Pid;

/**
 * The engine of an Elixir-style registry ({@code org.otp4j.core.Registry} is its face): keys mapped
 * to the processes registered under them, each with a value; registry-wide metadata; listeners told
 * of every registration and unregistration.
 *
 * <h2>Implementation notes</h2>
 * <ul>
 *   <li><b>Partitions.</b> The key table is split into {@code partitions} maps, as Elixir splits its
 *       ETS tables: a unique registry places a key by the key's hash, a duplicate registry places an
 *       entry by its process, so one process's entries under a key are all in one partition and the
 *       entries under a key are spread over all of them. A lookup in a duplicate registry reads every
 *       partition. Each map goes from a key to an immutable list of {@link Registration}s (one at
 *       most in a unique registry), replaced copy-on-write under {@link ConcurrentHashMap#compute},
 *       so a reader never locks and never sees a half-made list. Partitions only pay in a
 *       duplicate registry whose hot keys have many entries: each write copies and locks a list of
 *       about {@code n / partitions} entries instead of {@code n}. A {@code ConcurrentHashMap} already
 *       stripes its locks by key, so partitioning a unique registry changes nothing measurable.</li>
 *   <li><b>Owners.</b> {@code owners} maps each registered process to an {@link Owner}: the keys it
 *       holds, once per entry, in registration order, and the exit hook that removes them. Every
 *       change to a process's entries happens under its owner's lock, together with the notices it
 *       sends to the listeners ({@link RegistryListeners}), whichever thread makes it: the process
 *       itself, another thread registering or unregistering a via name for it, or its termination.
 *       So the notices about one process reach a listener in the order of the changes, and the
 *       ones a termination sends come last. The lock is held only for map updates and mailbox
 *       deliveries, never while blocking, and never while taking a process lock other than inside
 *       {@link ProcessImpl#addExitHook} and a listener's mailbox.</li>
 *   <li><b>Termination.</b> The exit hook is installed, under the owner lock, before the process's
 *       first entry is added; installing fails if the process is no longer alive, and then nothing is
 *       added (as if the process had registered and been cleaned up at once). A process that
 *       terminates later has its hook run before its exit and down signals go out; the hook waits
 *       for any change in progress, removes every entry and sends an unregistration notice for each
 *       key. Lookups skip the entries of processes that are exiting but whose hook has not run yet,
 *       and a unique key held by such a process can be taken over.</li>
 *   <li><b>User code</b> (value predicates, update functions, a via name's registry when a listener
 *       is a via name) never runs under a lock: it runs on a snapshot, and the change that follows
 *       applies to the exact entries it chose, by identity.</li>
 *   <li><b>Count.</b> {@code size} is adjusted inside the {@code compute} that adds or removes the
 *       entries, so {@link #count()} is constant-time.</li>
 * </ul>
 */
public final class RegistryTable {

  /** One entry: a process and the value it registered with. */
  public record Registration(ProcessImpl process, Object value) {}

  /** What an update of a value did: the new value and the one it replaced. */
  public record Updated(Object newValue, Object oldValue) {}

  /** How the face spells the notices its listeners receive. */
  public interface Notices {
    Object registered(Object key, Pid pid, Object value);

    Object unregistered(Object key, Pid pid);
  }

  private static final Predicate<Registration> ALL = r -> true;

  private final String name;
  private final boolean unique;
  private final List<ConcurrentHashMap<Object, List<Registration>>> partitions;
  private final ConcurrentHashMap<ProcessImpl, Owner> owners = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Object, Object> meta = new ConcurrentHashMap<>();
  private final LongAdder size = new LongAdder();
  private final RegistryListeners listeners;

  public RegistryTable(String name, boolean unique, int partitions, List<Address> listeners, Notices notices) {
    this.name = Objects.requireNonNull(name, "name");
    this.unique = unique;
    List<ConcurrentHashMap<Object, List<Registration>>> maps = new ArrayList<>(partitions);
    for (int i = 0; i < partitions; i++) {
      maps.add(new ConcurrentHashMap<>());
    }
    this.partitions = List.copyOf(maps);
    this.listeners = new RegistryListeners(listeners, notices);
  }

  public String name() {
    return name;
  }

  public boolean isUnique() {
    return unique;
  }

  public int partitions() {
    return partitions.size();
  }

  // ---------------------------------------------------------------------------------------
  // changes

  /**
   * Registers {@code p} under {@code key} with {@code value}.
   *
   * @return null if registered (or if {@code p} is no longer alive, which comes to the same: its
   *     entries would be removed at once); else (unique keys only) the live process that holds the key
   */
  public ProcessImpl add(ProcessImpl p, Object key, Object value) {
    RegistryListeners.Delivery out = listeners.about(p);
    Owner owner = owners.computeIfAbsent(p, Owner::new);
    ProcessImpl holder;
    synchronized (owner) {
      if (!owner.open()) {
        return null;
      }
      holder = insert(key, new Registration(p, value));
      if (holder == null) {
        owner.keys.add(key);
        out.registered(key, p.pid(), value);
      }
    }
    out.finish();
    return holder;
  }

  /** Removes every entry of {@code p} under {@code key}. */
  public void remove(ProcessImpl p, Object key) {
    Owner owner = owners.get(p);
    if (owner == null) {
      return;
    }
    RegistryListeners.Delivery out = listeners.about(p);
    synchronized (owner) {
      if (owner.state == Owner.State.CLOSED) {
        return;
      }
      removeEntries(p, key, ALL);
      if (owner.keys.removeIf(key::equals)) {
        out.unregistered(key, p.pid());
      }
    }
    out.finish();
  }

  /** Removes the entries of {@code p} under {@code key} whose value {@code matches} accepts. */
  public void removeMatching(ProcessImpl p, Object key, Predicate<Object> matches) {
    Set<Registration> chosen = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Registration r : partitionOf(key, p).getOrDefault(key, List.of())) {
      if (r.process() == p && matches.test(r.value())) { // user code: on a snapshot, unlocked
        chosen.add(r);
      }
    }
    Owner owner = owners.get(p);
    if (chosen.isEmpty() || owner == null) {
      return;
    }
    RegistryListeners.Delivery out = listeners.about(p);
    synchronized (owner) {
      if (owner.state == Owner.State.CLOSED) {
        return;
      }
      int removed = removeEntries(p, key, chosen::contains);
      for (int i = 0; i < removed; i++) {
        owner.keys.remove(key);
      }
      if (removed > 0 && !owner.keys.contains(key)) {
        out.unregistered(key, p.pid());
      }
    }
    out.finish();
  }

  /** Removes whichever process holds {@code key} (unique keys), from any thread. */
  public void removeKey(Object key) {
    for (Registration r : partitionOf(key, null).getOrDefault(key, List.of())) {
      ProcessImpl p = r.process();
      Owner owner = owners.get(p);
      if (owner == null) {
        continue; // its exit hook is removing it
      }
      RegistryListeners.Delivery out = listeners.about(p);
      synchronized (owner) {
        if (owner.state == Owner.State.CLOSED || removeEntries(p, key, entry -> entry == r) == 0) {
          continue;
        }
        owner.keys.remove(key);
        out.unregistered(key, p.pid());
      }
      out.finish();
    }
  }

  /**
   * Replaces the value of {@code p} under {@code key} (unique keys) with what {@code update} makes of
   * it.
   *
   * @return the new and old value, or null if {@code p} does not hold {@code key}
   */
  public Updated update(ProcessImpl p, Object key, UnaryOperator<Object> update) {
    ConcurrentHashMap<Object, List<Registration>> partition = partitionOf(key, p);
    List<Registration> current = partition.get(key);
    if (current == null || current.getFirst().process() != p) {
      return null;
    }
    Registration old = current.getFirst();
    Registration mine = new Registration(p, update.apply(old.value())); // user code: unlocked
    boolean[] replaced = {false};
    partition.computeIfPresent(key, (k, list) -> {
      if (list.getFirst() != old) {
        return list; // removed meanwhile (the process terminated, or its via name was unregistered)
      }
      replaced[0] = true;
      return List.of(mine);
    });
    return replaced[0] ? new Updated(mine.value(), old.value()) : null;
  }

  // ---------------------------------------------------------------------------------------
  // queries

  /** The entries under {@code key} of live processes: in registration order in each partition. */
  public List<Registration> lookup(Object key) {
    List<Registration> out = new ArrayList<>();
    for (ConcurrentHashMap<Object, List<Registration>> partition : partitionsOf(key)) {
      addLive(out, partition.get(key));
    }
    return out;
  }

  /** As {@link #lookup}, one list per partition that has entries under {@code key}. */
  public List<List<Registration>> lookupByPartition(Object key) {
    List<List<Registration>> out = new ArrayList<>();
    for (ConcurrentHashMap<Object, List<Registration>> partition : partitionsOf(key)) {
      List<Registration> live = new ArrayList<>();
      addLive(live, partition.get(key));
      if (!live.isEmpty()) {
        out.add(live);
      }
    }
    return out;
  }

  /** Calls {@code action} with every entry of a live process, partition after partition. */
  public void forEach(BiConsumer<Object, Registration> action) {
    for (ConcurrentHashMap<Object, List<Registration>> partition : partitions) {
      partition.forEach((key, list) -> {
        for (Registration r : list) {
          if (r.process().isAlive()) {
            action.accept(key, r);
          }
        }
      });
    }
  }

  /** The keys {@code p} is registered under, once per entry, in registration order. */
  public List<Object> keys(ProcessImpl p) {
    Owner owner = owners.get(p);
    if (owner == null || !p.isAlive()) {
      return List.of();
    }
    synchronized (owner) {
      return List.copyOf(owner.keys);
    }
  }

  /** The values {@code p} registered under {@code key}, in registration order. */
  public List<Object> values(ProcessImpl p, Object key) {
    List<Object> out = new ArrayList<>();
    if (p.isAlive()) {
      for (Registration r : partitionOf(key, p).getOrDefault(key, List.of())) {
        if (r.process() == p) {
          out.add(r.value());
        }
      }
    }
    return out;
  }

  /**
   * How many entries the registry holds. A process that is exiting counts until its entries are
   * removed, which happens before its exit and down signals go out.
   */
  public int count() {
    // NOTE: LongAdder.sum() is not a snapshot: it can read an entry's removal and miss its
    // addition, made earlier through another cell, so a sum taken during changes may dip below
    // the truth, even below zero.
    return (int) Math.max(0, size.sum());
  }

  // ---------------------------------------------------------------------------------------
  // metadata

  public Optional<Object> meta(Object key) {
    return Optional.ofNullable(meta.get(key));
  }

  public void putMeta(Object key, Object value) {
    meta.put(key, value);
  }

  public void deleteMeta(Object key) {
    meta.remove(key);
  }

  // ---------------------------------------------------------------------------------------
  // the key table

  /** The partition that holds {@code key} (unique keys) or {@code p}'s entries (duplicate keys). */
  private ConcurrentHashMap<Object, List<Registration>> partitionOf(Object key, ProcessImpl p) {
    int n = partitions.size();
    if (n == 1) {
      return partitions.getFirst();
    }
    int h = unique ? key.hashCode() : Long.hashCode(p.serial());
    return partitions.get(Math.floorMod(h ^ (h >>> 16), n));
  }

  /** The partitions that may hold entries under {@code key}. */
  private List<ConcurrentHashMap<Object, List<Registration>>> partitionsOf(Object key) {
    return unique ? List.of(partitionOf(key, null)) : partitions;
  }

  /**
   * Adds {@code mine} under {@code key}; returns null, or (unique keys) the live process that holds
   * the key.
   */
  private ProcessImpl insert(Object key, Registration mine) {
    ConcurrentHashMap<Object, List<Registration>> partition = partitionOf(key, mine.process());
    if (!unique) {
      partition.compute(key, (k, list) -> {
        List<Registration> grown = new ArrayList<>(list == null ? 1 : list.size() + 1);
        if (list != null) {
          grown.addAll(list);
        }
        grown.add(mine);
        size.increment();
        return List.copyOf(grown);
      });
      return null;
    }
    List<Registration> result = partition.compute(key, (k, list) -> {
      if (list != null && list.getFirst().process().isAlive()) {
        return list;
      }
      if (list == null) {
        size.increment();
      } // else: the entry of a process that is exiting is taken over; its exit hook finds it gone
      return List.of(mine);
    });
    Registration holder = result.getFirst();
    return holder == mine ? null : holder.process();
  }

  /**
   * Removes the entries of {@code p} under {@code key} that {@code which} accepts (the engine's own
   * predicates only: this runs under the map's lock); returns how many.
   */
  private int removeEntries(ProcessImpl p, Object key, Predicate<Registration> which) {
    int[] removed = {0};
    partitionOf(key, p).computeIfPresent(key, (k, list) -> {
      List<Registration> kept = new ArrayList<>(list.size());
      for (Registration r : list) {
        if (r.process() == p && which.test(r)) {
          removed[0]++;
        } else {
          kept.add(r);
        }
      }
      if (removed[0] == 0) {
        return list;
      }
      size.add(-removed[0]);
      return kept.isEmpty() ? null : List.copyOf(kept);
    });
    return removed[0];
  }

  private static void addLive(List<Registration> out, List<Registration> entries) {
    if (entries != null) {
      for (Registration r : entries) {
        if (r.process().isAlive()) {
          out.add(r);
        }
      }
    }
  }

  @Override
  public String toString() {
    return "Registry[" + name + (unique ? ",unique" : ",duplicate")
        + (partitions.size() > 1 ? ",partitions=" + partitions.size() : "") + "]";
  }

  /**
   * The keys one process holds here, once per entry, and the exit hook that removes them. Its lock
   * guards its fields and every change to the process's entries (see the class notes).
   *
   * <pre>
   *   state    event                                               next state
   *   NEW      first registration: exit hook installed             HOOKED
   *   NEW      first registration: the process is not alive        CLOSED (nothing registered)
   *   HOOKED   the process terminates: the hook removes everything CLOSED
   * </pre>
   * A CLOSED owner is out of {@code owners}; a registration that still finds it registers nothing.
   */
  private final class Owner implements ExitHook {
    enum State { NEW, HOOKED, CLOSED }

    private final ProcessImpl process;
    State state = State.NEW;
    final List<Object> keys = new ArrayList<>(2);

    Owner(ProcessImpl process) {
      this.process = process;
    }

    /** Installs the exit hook on first use; false if the owner is, or now becomes, closed. */
    boolean open() {
      if (state == State.NEW) {
        if (process.addExitHook(this)) {
          state = State.HOOKED;
        } else {
          close();
        }
      }
      return state == State.HOOKED;
    }

    private void close() {
      state = State.CLOSED;
      owners.remove(process, this);
    }

    @Override
    public void processExited(ProcessImpl p) {
      RegistryListeners.Delivery out = listeners.about(p);
      synchronized (this) {
        close();
        for (Object key : new LinkedHashSet<>(keys)) {
          removeEntries(p, key, ALL);
          out.unregistered(key, p.pid());
        }
        keys.clear();
      }
      out.finishInHook();
    }
  }
}
