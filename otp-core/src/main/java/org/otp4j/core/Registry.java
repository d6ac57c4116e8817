package org.otp4j.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.otp4j.core.internal.Kernel;
import org.otp4j.core.internal.ProcessImpl;
import org.otp4j.core.internal.RegistryTable;

/**
 * A key-value process registry in the style of Elixir's {@code Registry}: processes register
 * themselves under keys, with a value; others look them up, dispatch to them, or query them. Used
 * for per-room or per-device lookup and for local pub/sub.
 *
 * <!-- snippet: org.otp4j.core.RegistryTest#registry-new -->
 * {@snippet :
 * Registry topics = Registry.duplicate("topics");
 * }
 * <!-- snippet: org.otp4j.core.RegistryTest#registry-subscribe -->
 * {@snippet :
 * // in each subscriber process: subscribe, then receive what is published
 * topics.register("prices", "eur");
 * }
 * <!-- snippet: org.otp4j.core.RegistryTest#registry-publish -->
 * {@snippet :
 * // anywhere: publish to every subscriber
 * topics.dispatch("prices", entries -> entries.forEach(e -> Proc.send(e.pid(), "EUR 1.08")));
 * }
 *
 * <h2>Unique and duplicate keys</h2>
 * <ul>
 *   <li>{@link #unique(String)}: a key maps to at most one process; a second process that registers
 *       it gets {@link NameConflictException} ({@link #registerIfAbsent} returns the holder
 *       instead). A unique registry is also a {@link NameRegistry}, so a server can be started,
 *       called and monitored under {@code Name.via(registry, key)}.</li>
 *   <li>{@link #duplicate(String)}: a key maps to any number of entries, even several from one
 *       process: the subscribers of a topic.</li>
 * </ul>
 * Different keys can name the same process in both. Keys are compared with {@code equals}; a key
 * is any non-null object, a value any object or null.
 *
 * <h2>Registrations and termination</h2>
 * {@link #register}, {@link #unregister}, {@link #unregisterMatch} and {@link #updateValue} act for
 * the calling process, so they must be called inside one (else {@link NotAProcessException}); a
 * process that has been killed unwinds at them with {@link ProcessTerminated}, as at any runtime
 * call. A process's entries are removed when it terminates, <em>before</em> its exit and down
 * signals go out: a lookup never returns a process whose {@link Down} has already been delivered,
 * and a supervisor can register a restarted process under the same unique key at once. Queries
 * also skip processes that are exiting but not yet cleaned up.
 *
 * <h2>Queries</h2>
 * Every query works from any thread, plain or process, and never blocks. Elixir's match patterns and
 * match specifications are Java predicates: {@link #match(Object, Predicate)} and
 * {@link #countMatch(Object, Predicate)} test the values under one key;
 * {@link #select(Predicate)} and {@link #countSelect(Predicate)} test every entry as a
 * {@link Registration} of key, pid and value. Predicates run in the calling thread, on a snapshot,
 * with no lock held; what they throw reaches the caller.
 * <!-- snippet: org.otp4j.core.RegistryQueryTest#registry-match -->
 * {@snippet :
 * List<Registry.Entry> adults = people.match("members", v -> v instanceof Integer age && age >= 18);
 * }
 * <!-- snippet: org.otp4j.core.RegistryQueryTest#registry-select -->
 * {@snippet :
 * List<Object> busyRooms = rooms.select(r -> r.value() instanceof Integer n && n > 10)
 *     .stream().map(Registry.Registration::key).toList();
 * }
 *
 * <h2>Values and metadata</h2>
 * The value of an entry is set when registering; in a unique registry its owner can change it with
 * {@link #updateValue}. A registry also holds metadata, a map any thread can read and write
 * ({@link #meta}, {@link #putMeta}, {@link #deleteMeta}).
 *
 * <h2>Listeners</h2>
 * A registry created with {@link Options#withListeners} sends each listener a {@link Registered}
 * for every registration and an {@link Unregistered} when a process stops holding a key: it
 * unregistered it, its last entry under the key was removed by {@link #unregisterMatch}, its via name
 * was unregistered, or it terminated. The notices about one process arrive in the order of the
 * changes, and those sent because it terminated arrive before its exit and down signals. A listener
 * is a {@link Pid} or a {@link Name}, resolved at each notice, so a restarted listener that
 * registers its name again keeps receiving them; a notice to a dead listener, or to a name nobody
 * holds, is dropped, and never fails the registration.
 * <!-- snippet: org.otp4j.core.RegistryListenersTest#registry-listener -->
 * {@snippet :
 * Pid audit = node.spawn(() -> {
 *   while (true) {
 *     switch (Proc.receive()) {
 *       case Registry.Registered(var registry, var key, var pid, var value) -> Proc.send(me, key + " logged in");
 *       case Registry.Unregistered(var registry, var key, var pid) -> Proc.send(me, key + " left");
 *       default -> {}
 *     }
 *   }
 * });
 * Proc.register("audit", audit);
 * Registry sessions = Registry.unique("sessions", Registry.Options.defaults().withListeners(Name.local("audit")));
 * }
 *
 * <h2>Partitions</h2>
 * {@link Options#withPartitions} splits the registry's table as Elixir does: a unique registry by
 * key, a duplicate registry by process. Lookups, dispatch, queries and counts still see every entry.
 * On the JVM the effect is narrower than in Elixir, where each partition is a process with its own
 * tables: every read here is lock-free already, and a unique registry's keys are already spread
 * over the locks of a {@code ConcurrentHashMap}, so partitioning a unique registry changes nothing
 * measurable. What partitions buy is cheaper writes to hot keys of a duplicate registry: a topic
 * with {@code n} subscribers is stored as {@code partitions} lists of about {@code n / partitions}
 * entries, each copied and locked on its own when a subscriber comes or goes. The price is that a
 * lookup reads every partition, and {@link #dispatch} calls its action once per partition.
 *
 * <h2>Not a process</h2>
 * A registry is a concurrent data structure, not a process: it needs no supervision, is ready when
 * created, and lives as long as it is referenced.
 *
 * <h2>Coming from Elixir</h2>
 * <ul>
 *   <li>Entries go when their process terminates, before its signals, not asynchronously; and
 *       listeners are told of it ({@link Unregistered} for each key), where Elixir's listeners must
 *       monitor the process.</li>
 *   <li>{@link Unregistered} means the process no longer holds the key: it is not sent when nothing
 *       was removed (Elixir's {@code unregister/2} sends one regardless).</li>
 *   <li>Listeners can be pids as well as names; a name nobody holds drops the notice, where Elixir's
 *       {@code register/3} raises after registering.</li>
 *   <li>Patterns, guards and match specifications are predicates; {@code select} returns
 *       {@link Registration}s to reshape with a stream.</li>
 *   <li>Lookups return entries in registration order (per partition) rather than in no particular
 *       order. {@code dispatch} has no {@code parallel} option: the action runs in the caller.</li>
 *   <li>Not here: {@code lock/3}, the {@code compressed} and {@code meta} start options (call
 *       {@link #putMeta} after creating the registry), {@code {:duplicate, :key}} partitioning (a
 *       {@code ConcurrentHashMap} is keyed by key already), and via names that carry a value.</li>
 * </ul>
 */
public final class Registry implements NameRegistry {

  /** One entry under a key: the process and the value it registered with. */
  public record Entry(Pid pid, Object value) {}

  /** One entry with its key, as {@link #select} and {@link #countSelect} see it. */
  public record Registration(Object key, Pid pid, Object value) {}

  /** What {@link #updateValue} did: the value now registered, and the one it replaced. */
  public record Update(Object newValue, Object oldValue) {}

  /** A notice a registry sends its listeners (Elixir's {@code listener_message}). */
  public sealed interface Event permits Registered, Unregistered {
    /** The registry that changed. */
    Registry registry();

    /** The key that was registered or unregistered. */
    Object key();

    /** The process the change is about. */
    Pid pid();
  }

  /** {@code pid} registered under {@code key} with {@code value} (one notice per entry). */
  public record Registered(Registry registry, Object key, Pid pid, Object value) implements Event {}

  /** {@code pid} no longer holds {@code key}: it unregistered it, or terminated. */
  public record Unregistered(Registry registry, Object key, Pid pid) implements Event {}

  /**
   * How a registry is built: how many partitions its table has, and which processes hear of its
   * registrations (see the class documentation).
   *
   * @param partitions at least 1
   * @param listeners processes or names sent a {@link Registered} or {@link Unregistered} for every
   *     change
   */
  public record Options(int partitions, List<Address> listeners) {

    public Options {
      if (partitions < 1) {
        throw new IllegalArgumentException("a registry needs at least 1 partition, but partitions was "
            + partitions + ": use 1 (the default) for an unpartitioned table, or the number of cores to spread "
            + "the writes to a duplicate registry's hot keys");
      }
      Objects.requireNonNull(listeners, "listeners: give an empty list for a registry without listeners");
      for (int i = 0; i < listeners.size(); i++) {
        if (listeners.get(i) == null) {
          throw new NullPointerException("listeners[" + i + "] is null: a listener is a Pid or a Name");
        }
      }
      listeners = List.copyOf(listeners);
    }

    /** One partition, no listeners. */
    public static Options defaults() {
      return new Options(1, List.of());
    }

    /** These options with {@code partitions} partitions. */
    public Options withPartitions(int partitions) {
      return new Options(partitions, listeners);
    }

    /** These options with {@code listeners} as the listeners (replacing any given before). */
    public Options withListeners(Address... listeners) {
      return new Options(partitions,
          Arrays.asList(Objects.requireNonNull(listeners, "listeners: give none for a registry without listeners")));
    }
  }

  private static final String NAMING = "only a unique registry can name processes (Registry.unique(...))";

  private final RegistryTable table;

  private Registry(String name, boolean unique, Options options) {
    Objects.requireNonNull(name, "name: a registry needs a name, used in its error messages");
    Objects.requireNonNull(options, "options: use Registry.Options.defaults()");
    this.table = new RegistryTable(name, unique, options.partitions(), options.listeners(), new Notices(this));
  }

  /** A registry where each key belongs to at most one process. */
  public static Registry unique(String name) {
    return new Registry(name, true, Options.defaults());
  }

  /** A registry where each key belongs to at most one process, built with {@code options}. */
  public static Registry unique(String name, Options options) {
    return new Registry(name, true, options);
  }

  /** A registry where a key can have any number of entries. */
  public static Registry duplicate(String name) {
    return new Registry(name, false, Options.defaults());
  }

  /** A registry where a key can have any number of entries, built with {@code options}. */
  public static Registry duplicate(String name, Options options) {
    return new Registry(name, false, options);
  }

  /** The name given at creation. */
  public String name() {
    return table.name();
  }

  /** Whether keys are unique. */
  public boolean isUnique() {
    return table.isUnique();
  }

  // ---------------------------------------------------------------------------------------
  // the calling process's entries

  /**
   * Registers the calling process under {@code key} with {@code value}, and tells the listeners.
   *
   * @throws NameConflictException in a unique registry, if a live process holds the key (the
   *     calling process included)
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
   * Registers the calling process under {@code key}, unless (in a unique registry) a live process
   * holds it.
   *
   * @return empty if registered, else the process that holds the key
   * @throws NotAProcessException if called from a plain thread
   */
  public Optional<Pid> registerIfAbsent(Object key, Object value) {
    ProcessImpl self = caller("Registry.register");
    ProcessImpl holder = table.add(self, requireKey(key), value);
    return holder == null ? Optional.empty() : Optional.of(holder.pid());
  }

  /**
   * Removes every entry of the calling process under {@code key}, and tells the listeners if there
   * was one.
   *
   * @throws NotAProcessException if called from a plain thread
   */
  public void unregister(Object key) {
    table.remove(caller("Registry.unregister"), requireKey(key));
  }

  /**
   * Removes the calling process's entries under {@code key} whose value {@code valuePredicate}
   * accepts; the listeners are told if none is left under the key.
   *
   * @throws NotAProcessException if called from a plain thread
   */
  public void unregisterMatch(Object key, Predicate<Object> valuePredicate) {
    ProcessImpl self = caller("Registry.unregisterMatch");
    table.removeMatching(self, requireKey(key), requirePredicate(valuePredicate, "valuePredicate"));
  }

  /**
   * In a unique registry, replaces the calling process's value under {@code key} with what
   * {@code update} makes of it. {@code update} runs in the calling process with no lock held; the
   * listeners are not told.
   *
   * @return the new and the old value, or empty if the calling process does not hold {@code key}
   * @throws UnsupportedOperationException in a duplicate registry
   * @throws NotAProcessException if called from a plain thread
   */
  public Optional<Update> updateValue(Object key, UnaryOperator<Object> update) {
    requireUnique("updateValue", "to change a value in a duplicate registry, unregisterMatch the old entry and "
        + "register the new value");
    ProcessImpl self = caller("Registry.updateValue");
    Objects.requireNonNull(update, "update: give the function that makes the new value from the old one");
    RegistryTable.Updated updated = table.update(self, requireKey(key), update);
    return updated == null ? Optional.empty() : Optional.of(new Update(updated.newValue(), updated.oldValue()));
  }

  // ---------------------------------------------------------------------------------------
  // queries, from any thread

  /**
   * The entries under {@code key}, of live processes, in registration order (with partitions: in
   * registration order within each partition, one partition after another).
   */
  public List<Entry> lookup(Object key) {
    return entries(table.lookup(requireKey(key)));
  }

  /**
   * Calls {@code action} with the entries under {@code key}, if there are any (Elixir's
   * {@code Registry.dispatch/3}): once, or in a partitioned duplicate registry once per partition
   * that has entries under the key. The action runs in the calling thread.
   */
  public void dispatch(Object key, Consumer<List<Entry>> action) {
    Objects.requireNonNull(action, "action: give the function to call with the entries");
    for (List<RegistryTable.Registration> partition : table.lookupByPartition(requireKey(key))) {
      action.accept(entries(partition));
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

  /**
   * The entries under {@code key} whose value {@code valuePredicate} accepts (Elixir's
   * {@code match/4}, its pattern and guards written as a predicate), in the order of
   * {@link #lookup}.
   */
  public List<Entry> match(Object key, Predicate<Object> valuePredicate) {
    Predicate<Object> accepts = requirePredicate(valuePredicate, "valuePredicate");
    List<Entry> out = new ArrayList<>();
    for (RegistryTable.Registration r : table.lookup(requireKey(key))) {
      if (accepts.test(r.value())) {
        out.add(new Entry(r.process().pid(), r.value()));
      }
    }
    return Collections.unmodifiableList(out);
  }

  /** How many entries under {@code key} have a value that {@code valuePredicate} accepts. */
  public int countMatch(Object key, Predicate<Object> valuePredicate) {
    return match(key, valuePredicate).size();
  }

  /**
   * Every entry of the registry that {@code predicate} accepts, with its key (Elixir's
   * {@code select/2}, its match specification written as a predicate; reshape the result with a
   * stream). Reads the whole registry.
   */
  public List<Registration> select(Predicate<? super Registration> predicate) {
    Predicate<? super Registration> accepts = requirePredicate(predicate, "predicate");
    List<Registration> out = new ArrayList<>();
    table.forEach((key, r) -> {
      Registration row = new Registration(key, r.process().pid(), r.value());
      if (accepts.test(row)) {
        out.add(row);
      }
    });
    return Collections.unmodifiableList(out);
  }

  /** How many entries of the registry {@code predicate} accepts. Reads the whole registry. */
  public int countSelect(Predicate<? super Registration> predicate) {
    return select(predicate).size();
  }

  /**
   * The keys {@code pid} is registered under, once per entry (so a key it registered twice in a
   * duplicate registry comes twice), in registration order; empty if it is not alive.
   */
  public List<Object> keys(Pid pid) {
    return table.keys(Kernel.process(pid));
  }

  /** The values {@code pid} registered under {@code key}, in registration order. */
  public List<Object> values(Object key, Pid pid) {
    return Collections.unmodifiableList(table.values(Kernel.process(pid), requireKey(key)));
  }

  /** How many entries the registry holds; constant-time. */
  public int count() {
    return table.count();
  }

  // ---------------------------------------------------------------------------------------
  // metadata, from any thread

  /** The metadata stored under {@code key}, if any. */
  public Optional<Object> meta(Object key) {
    return table.meta(requireMetaKey(key));
  }

  /** Stores {@code value} as the metadata under {@code key}, replacing any. */
  public void putMeta(Object key, Object value) {
    Objects.requireNonNull(value, "the metadata value cannot be null: use deleteMeta(key) to remove a key");
    table.putMeta(requireMetaKey(key), value);
  }

  /** Removes the metadata under {@code key}, if any. */
  public void deleteMeta(Object key) {
    table.deleteMeta(requireMetaKey(key));
  }

  // ---------------------------------------------------------------------------------------
  // NameRegistry (via names): unique registries only

  /**
   * Registers {@code pid} under {@code key} with the value null, from any thread; this is what
   * {@link Proc#register(Name, Pid)} calls for {@code Name.via(registry, key)}.
   */
  @Override
  public boolean registerName(Object key, Pid pid) {
    requireUnique("registerName", NAMING);
    return table.add(Kernel.process(pid), requireKey(key), null) == null;
  }

  /** Removes whichever process holds {@code key}, from any thread, and tells the listeners. */
  @Override
  public void unregisterName(Object key) {
    requireUnique("unregisterName", NAMING);
    table.removeKey(requireKey(key));
  }

  @Override
  public Optional<Pid> whereisName(Object key) {
    requireUnique("whereisName", NAMING);
    List<RegistryTable.Registration> found = table.lookup(requireKey(key));
    return found.isEmpty() ? Optional.empty() : Optional.of(found.getFirst().process().pid());
  }

  @Override
  public String toString() {
    return table.toString();
  }

  // ---------------------------------------------------------------------------------------

  private static List<Entry> entries(List<RegistryTable.Registration> found) {
    List<Entry> out = new ArrayList<>(found.size());
    for (RegistryTable.Registration r : found) {
      out.add(new Entry(r.process().pid(), r.value()));
    }
    return out;
  }

  /**
   * The calling process, for an operation that acts for it; a process that has been killed unwinds
   * here, as at any runtime call.
   */
  private static ProcessImpl caller(String operation) {
    ProcessImpl self = Proc.current(operation);
    self.checkAlive();
    return self;
  }

  private Object requireKey(Object key) {
    return Objects.requireNonNull(key, () -> "registry '" + table.name()
        + "': a key cannot be null; use any other object (a String, a record...)");
  }

  private Object requireMetaKey(Object key) {
    return Objects.requireNonNull(key, () -> "registry '" + table.name()
        + "': a metadata key cannot be null; use any other object (a String, a record...)");
  }

  private static <T> Predicate<T> requirePredicate(Predicate<T> predicate, String what) {
    return Objects.requireNonNull(predicate, () -> what + " cannot be null: to accept every entry, pass v -> true");
  }

  private void requireUnique(String operation, String fix) {
    if (!table.isUnique()) {
      throw new UnsupportedOperationException(operation + ": registry '" + table.name() + "' has duplicate keys; "
          + fix);
    }
  }

  /** The notices of this registry, as its engine builds them. */
  private record Notices(Registry registry) implements RegistryTable.Notices {
    @Override
    public Object registered(Object key, Pid pid, Object value) {
      return new Registered(registry, key, pid, value);
    }

    @Override
    public Object unregistered(Object key, Pid pid) {
      return new Unregistered(registry, key, pid);
    }
  }
}
