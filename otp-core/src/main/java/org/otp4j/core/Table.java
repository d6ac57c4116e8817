package org.otp4j.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.BiFunction;
import java.util.function.BiPredicate;
import java.util.function.Predicate;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.otp4j.core.internal.KeyedStore;
import org.otp4j.core.internal.NodeRuntime;
import org.otp4j.core.internal.ProcessImpl;
import org.otp4j.core.internal.TableEngine;
import org.otp4j.core.internal.TableStore;

/**
 * A shared table owned by a process, Erlang's ETS: any process or thread reads it directly, at the
 * speed of a concurrent map, without a message to its owner; it goes when its owner terminates.
 *
 * <!-- snippet: org.otp4j.core.TableTest#table-create -->
 * {@snippet :
 * // in the owner process
 * Table<String, Long> hits = Table.create(Table.Options.set().named("hits").withAccess(Table.Access.PUBLIC));
 * hits.insert("/", 0L);
 * }
 * <!-- snippet: org.otp4j.core.TableTest#table-use -->
 * {@snippet :
 * // anywhere: another process, or a plain thread
 * Table<String, Long> table = Table.named("hits");
 * long now = table.updateCounter("/", 1);             // atomic
 * Optional<Long> home = table.get("/");
 * }
 *
 * <h2>Kinds</h2>
 * A {@link Kind} is fixed when the table is created:
 * <ul>
 *   <li>{@link Kind#SET}: one value per key (a {@code ConcurrentHashMap}); keys compared with
 *       {@code equals}.</li>
 *   <li>{@link Kind#ORDERED_SET}: one value per key, in key order (a
 *       {@code ConcurrentSkipListMap}); keys are {@code Comparable}, or ordered by the comparator
 *       of {@link Options#orderedBy}, and two keys that compare equal are one key. Only an ordered
 *       set has {@link #first()}, {@link #next}, {@link #last()} and {@link #prev}.</li>
 *   <li>{@link Kind#BAG}: several values per key, each value once (compared with {@code equals}),
 *       in insertion order.</li>
 *   <li>{@link Kind#DUPLICATE_BAG}: several values per key, copies included.</li>
 * </ul>
 * {@link #get}, {@link #updateCounter} and {@link #next} are for one kind or another; used on a
 * table of the wrong kind they throw {@link UnsupportedOperationException}, naming the kind.
 *
 * <h2>Owner and access</h2>
 * A table is created by a process, its owner ({@link #create} from a plain thread throws
 * {@link NotAProcessException}). Its {@link Access} says who may do what: {@link Access#PUBLIC}
 * any process or thread reads and writes; {@link Access#PROTECTED} (the default) only the owner
 * writes, everyone reads; {@link Access#PRIVATE} only the owner reads or writes. A denied operation
 * throws {@link TableAccessException}.
 *
 * <p>When the owner terminates, the table is deleted, before the owner's exit and down signals go
 * out: a process that receives the owner's {@link Down} will not find the table, and can create
 * one of the same name at once. If the table has an heir ({@link Options#withHeir},
 * {@link #setHeir}) that is alive, the heir becomes the owner instead and receives a
 * {@link Transfer}; an heir inherits once. The owner can also hand the table over while it runs
 * ({@link #giveAway}). Deleted, a table throws {@link NoSuchTableException} at every use.
 *
 * <h2>Concurrency</h2>
 * Reads never lock and never wait for the owner; they allocate nothing but their result. Each
 * operation on one key is atomic and isolated: a reader sees an object before or after a write,
 * never half of it; {@link #updateCounter} is one atomic read-modify-write; a bag's list of values
 * under a key changes as a whole. {@link #deleteAllObjects()} and {@link #delete()} are atomic for
 * everyone. Traversals ({@link #iterator()}, {@link #select}, {@link #foldl}) are safe under
 * concurrent writes: they never fail, see each object at most once, see every object that is there
 * for the whole traversal, and may or may not see one added or removed meanwhile (ETS's
 * {@code safe_fixtable}, always on).
 *
 * <h2>Values are shared, not copied</h2>
 * ETS copies an object in and out; a table here holds references, as a message does. Store
 * immutable values (records, strings, immutable collections), never an object that someone will
 * change afterwards.
 *
 * <h2>Coming from Erlang</h2>
 * Objects are a key and a value, not tuples with a key position; a match pattern or a match
 * specification is a predicate; {@code '$end_of_table'} is an empty {@link Optional}. The other
 * differences are listed in {@code docs/differences.md}.
 *
 * @param <K> the keys
 * @param <V> the values
 */
public final class Table<K, V> implements Iterable<Table.Entry<K, V>> {

  /** How a table stores its objects (ETS's table type). */
  public enum Kind {
    /** One value per key, no order. */
    SET,
    /** One value per key, ordered by key. */
    ORDERED_SET,
    /** Several values per key, each value once. */
    BAG,
    /** Several values per key, copies included. */
    DUPLICATE_BAG
  }

  /** Who may read and write a table (ETS's access rights). */
  public enum Access {
    /** Any process or thread reads and writes. */
    PUBLIC,
    /** Only the owner writes; any process or thread reads. */
    PROTECTED,
    /** Only the owner reads and writes. */
    PRIVATE
  }

  /**
   * One object of a table: a key and one of its values.
   *
   * @param key the key
   * @param value the value
   * @param <K> the key type
   * @param <V> the value type
   */
  public record Entry<K, V>(K key, V value) {}

  /**
   * The heir of a table: the process that becomes its owner if the owner terminates, and the data
   * it is sent then in a {@link Transfer}.
   *
   * @param pid the heir, a process of the table's node
   * @param data sent to the heir in the {@link Transfer}; may be null
   */
  public record Heir(Pid pid, Object data) {
    /** Checks the heir. */
    public Heir {
      Objects.requireNonNull(pid, "an heir is a process: give its Pid, or no heir at all");
    }
  }

  /**
   * How a table is created: ETS's options. Start from {@link #set()}, {@link #orderedSet()},
   * {@link #bag()} or {@link #duplicateBag()} (protected, anonymous, no heir) and change what you
   * need.
   *
   * @param kind how objects are stored
   * @param access who may read and write
   * @param name the table's name on its node, or null for an anonymous table
   * @param heir who inherits the table when its owner terminates, or null for no one
   * @param order the order of an ordered set's keys, or null for their natural order
   */
  public record Options(Kind kind, Access access, String name, Heir heir, Comparator<?> order) {
    /** Checks the options. */
    public Options {
      Objects.requireNonNull(kind, "kind: choose Table.Kind.SET, ORDERED_SET, BAG or DUPLICATE_BAG");
      Objects.requireNonNull(access, "access: choose Table.Access.PUBLIC, PROTECTED or PRIVATE");
      if (name != null && name.isBlank()) {
        throw new IllegalArgumentException("a table name cannot be blank; use null (the default) for an anonymous "
            + "table");
      }
      if (order != null && kind != Kind.ORDERED_SET) {
        throw new IllegalArgumentException("only an ordered set orders its keys, but this table is a " + kind
            + "; use Table.Options.orderedSet().orderedBy(comparator)");
      }
    }

    /** A protected, anonymous set without heir (ETS's defaults). */
    public static Options set() {
      return new Options(Kind.SET, Access.PROTECTED, null, null, null);
    }

    /** A protected, anonymous ordered set without heir, keys in their natural order. */
    public static Options orderedSet() {
      return new Options(Kind.ORDERED_SET, Access.PROTECTED, null, null, null);
    }

    /** A protected, anonymous bag without heir. */
    public static Options bag() {
      return new Options(Kind.BAG, Access.PROTECTED, null, null, null);
    }

    /** A protected, anonymous duplicate bag without heir. */
    public static Options duplicateBag() {
      return new Options(Kind.DUPLICATE_BAG, Access.PROTECTED, null, null, null);
    }

    /** These options with {@code newAccess}. */
    public Options withAccess(Access newAccess) {
      return new Options(kind, newAccess, name, heir, order);
    }

    /** These options for a table named {@code newName} on its node (ETS's {@code named_table}). */
    public Options named(String newName) {
      return new Options(kind, access, Objects.requireNonNull(newName, "name"), heir, order);
    }

    /** These options with {@code pid} as heir, to be sent {@code data} when it inherits. */
    public Options withHeir(Pid pid, Object data) {
      return new Options(kind, access, name, new Heir(pid, data), order);
    }

    /** These options for an ordered set whose keys {@code comparator} orders. */
    public Options orderedBy(Comparator<?> comparator) {
      return new Options(kind, access, name, heir, Objects.requireNonNull(comparator, "comparator"));
    }
  }

  /**
   * The message a process receives when it becomes a table's owner, by {@link #giveAway} or as its
   * heir (ETS's {@code {'ETS-TRANSFER', Table, FromPid, Data}}).
   *
   * @param table the table, now owned by the receiver
   * @param from the previous owner
   * @param data the data given to {@link #giveAway} or with the heir
   */
  public record Transfer(Table<?, ?> table, Pid from, Object data) {
    /**
     * The table, typed as the receiver knows it to be: {@code Table<String, Long> t = transfer.typedTable();}.
     */
    @SuppressWarnings("unchecked")
    public <K, V> Table<K, V> typedTable() {
      return (Table<K, V>) table;
    }
  }

  /**
   * A table at one moment, ETS's {@code info/1}.
   *
   * @param name its name, if it has one
   * @param kind its kind
   * @param access its access rights
   * @param owner its owner
   * @param heir its heir, if it has one
   * @param size how many objects it holds
   * @param memory a rough estimate, in bytes, of what its structure takes, keys and values not
   *     counted (they are shared with their writers, not copied)
   */
  public record Info(Optional<String> name, Kind kind, Access access, Pid owner, Optional<Pid> heir, int size,
      long memory) {}

  /**
   * One chunk of a {@link #select(BiPredicate, int) select with a limit}: the objects found, and
   * the way to the next chunk (ETS's continuation). A chunk is a position in a traversal: its
   * {@link #next()} can be taken once.
   *
   * @param <K> the keys
   * @param <V> the values
   */
  public static final class Chunk<K, V> {
    private final List<Entry<K, V>> entries;
    private final Table<K, V> table;
    private final Iterator<Entry<K, V>> rest; // null when the traversal is over
    private final BiPredicate<? super K, ? super V> filter;
    private final int limit;
    private boolean taken;

    private Chunk(List<Entry<K, V>> entries, Table<K, V> table, Iterator<Entry<K, V>> rest,
        BiPredicate<? super K, ? super V> filter, int limit) {
      this.entries = entries;
      this.table = table;
      this.rest = rest;
      this.filter = filter;
      this.limit = limit;
    }

    /** The objects of this chunk, at most the limit; empty only if the whole selection is. */
    public List<Entry<K, V>> entries() {
      return entries;
    }

    /** Whether the table may hold more matching objects after this chunk. */
    public boolean hasMore() {
      return rest != null;
    }

    /**
     * The next chunk, from where this one stopped.
     *
     * @throws NoSuchElementException if there is none ({@link #hasMore()} is false)
     * @throws IllegalStateException if it was taken already
     * @throws NoSuchTableException if the table was deleted meanwhile
     */
    public Chunk<K, V> next() {
      if (rest == null) {
        throw new NoSuchElementException("the selection is over: check hasMore() before next()");
      }
      if (taken) {
        throw new IllegalStateException("this chunk's next() was taken already: a chunk is a position in a "
            + "traversal, and continues it once; keep the chunk next() returned");
      }
      taken = true;
      table.engine.reading("select");
      return table.fill(rest, filter, limit);
    }

    @Override
    public String toString() {
      return "Chunk" + entries + (rest == null ? "" : "...");
    }
  }

  private final TableEngine engine;
  private final boolean comparableKeys; // an ordered set in the keys' natural order

  private Table(TableEngine engine) {
    this.engine = engine;
    this.comparableKeys = engine.naturalOrder();
  }

  // =====================================================================================
  // creating and finding

  /**
   * Creates a table owned by the calling process (ETS's {@code new/2}).
   *
   * @throws NotAProcessException if called from a plain thread: a table needs an owner
   * @throws NameConflictException if the options name it and a table of that name exists on the node
   * @throws IllegalArgumentException if the heir is a process of another node
   */
  public static <K, V> Table<K, V> create(Options options) {
    Objects.requireNonNull(options, "options: start from Table.Options.set()");
    ProcessImpl self = Proc.current("Table.create");
    self.checkAlive();
    Heir heir = options.heir();
    TableEngine engine = TableEngine.create(self, options.kind(), options.access(), options.name(), options.order(),
        heir == null ? null : heir.pid(), heir == null ? null : heir.data());
    Table<K, V> table = new Table<>(engine);
    engine.face(table);
    return table;
  }

  /**
   * The table named {@code name} on the current node (the calling process's, or
   * {@link Node#current()} on a plain thread), if there is one (ETS's {@code whereis/1}). The types
   * are the caller's word, as with {@link ServerRef#of(Pid)}.
   */
  public static <K, V> Optional<Table<K, V>> whereis(String name) {
    ProcessImpl self = ProcessImpl.current();
    return whereis(self != null ? self.runtime() : Node.current().runtime(), name);
  }

  /** The table named {@code name} on {@code node}, if there is one. */
  public static <K, V> Optional<Table<K, V>> whereis(Node node, String name) {
    return whereis(Objects.requireNonNull(node, "node").runtime(), name);
  }

  /**
   * The table named {@code name} on the current node.
   *
   * @throws NoSuchTableException if there is none
   */
  public static <K, V> Table<K, V> named(String name) {
    Optional<Table<K, V>> found = whereis(name);
    return found.orElseThrow(() -> new NoSuchTableException("Table.named: no table is named '" + name
        + "' on this node; create it with Table.Options.set().named(\"" + name + "\"), or check the name"));
  }

  @SuppressWarnings("unchecked")
  private static <K, V> Optional<Table<K, V>> whereis(NodeRuntime runtime, String name) {
    TableEngine engine = TableEngine.named(runtime, Objects.requireNonNull(name, "name"));
    return engine == null ? Optional.empty() : Optional.of((Table<K, V>) engine.face());
  }

  // =====================================================================================
  // writing

  /**
   * Stores {@code value} under {@code key}: a set replaces the value there; a bag adds it unless the
   * key has it already; a duplicate bag adds it.
   *
   * @throws TableAccessException if the caller may not write
   */
  public void insert(K key, V value) {
    store("insert").insert(requireKey(key), requireValue(value));
  }

  /**
   * Stores {@code value} under {@code key} only if nothing is stored under the key (in any kind);
   * true if stored.
   */
  public boolean insertNew(K key, V value) {
    return store("insertNew").insertNew(requireKey(key), requireValue(value));
  }

  /** Removes everything stored under {@code key}, if anything. */
  public void delete(K key) {
    store("delete").delete(requireKey(key));
  }

  /**
   * Removes the object {@code key}, {@code value} and leaves the other values under the key: in a
   * set, the value is removed only if it equals {@code value}; in a duplicate bag every copy goes.
   */
  public void deleteObject(K key, V value) {
    store("deleteObject").deleteObject(requireKey(key), requireValue(value));
  }

  /** Removes and returns what is stored under {@code key} (ETS's {@code take/2}). */
  public List<V> take(K key) {
    return store("take").take(requireKey(key));
  }

  /** Removes every object, atomically: a reader sees the table full or empty. */
  public void deleteAllObjects() {
    engine.clear();
  }

  /**
   * Removes every object that {@code filter} accepts (ETS's {@code select_delete/2}); returns how
   * many. Each removal is atomic; the whole is not.
   */
  public int selectDelete(BiPredicate<? super K, ? super V> filter) {
    requireFilter(filter);
    TableStore<K, V> s = store("selectDelete");
    int removed = 0;
    for (Iterator<Entry<K, V>> it = s.iterator(); it.hasNext(); ) {
      Entry<K, V> e = it.next();
      if (filter.test(e.key(), e.value())) {
        removed += s.deleteObject(e.key(), e.value());
      }
    }
    return removed;
  }

  /**
   * Adds {@code increment} to the counter under {@code key}, atomically, and returns the new value
   * (ETS's {@code update_counter/3}). A counter is a {@code Long} value in a set or an ordered set.
   *
   * @throws NoSuchElementException if nothing is stored under {@code key} (give an initial value to
   *     start a counter: {@link #updateCounter(Object, long, long)})
   * @throws IllegalArgumentException if the value under {@code key} is not a {@code Long}
   * @throws ArithmeticException if the result overflows a {@code long}
   * @throws UnsupportedOperationException in a bag
   */
  public long updateCounter(K key, long increment) {
    return counter(key, Increment.by(increment), null);
  }

  /**
   * As {@link #updateCounter(Object, long)}, but a missing counter starts at {@code initial} (ETS's
   * {@code update_counter/4} with a default object): the first call returns {@code initial + increment}.
   * The table's values must be {@code Long}s.
   */
  public long updateCounter(K key, long increment, long initial) {
    return counter(key, Increment.by(increment), initial);
  }

  /**
   * Updates the counter under {@code key} as {@code op} says (an increment, perhaps with a threshold),
   * atomically, and returns the new value.
   */
  public long updateCounter(K key, Increment op) {
    return counter(key, Objects.requireNonNull(op, "op: use Table.Increment.by(n)"), null);
  }

  /** As {@link #updateCounter(Object, Increment)}, a missing counter starting at {@code initial}. */
  public long updateCounter(K key, Increment op, long initial) {
    return counter(key, Objects.requireNonNull(op, "op: use Table.Increment.by(n)"), initial);
  }

  /**
   * An update of a counter, ETS's {@code {Pos, Incr}} and {@code {Pos, Incr, Threshold, SetValue}}
   * without the position (a value here is one counter): add {@code by}; with a threshold, a result
   * above {@code threshold} (for {@code by >= 0}) or below it (for {@code by < 0}) becomes
   * {@code setValue}.
   *
   * @param by what to add (may be negative)
   * @param hasThreshold whether {@code threshold} and {@code setValue} apply
   * @param threshold the bound the result may not pass
   * @param setValue what a result past the bound becomes
   */
  public record Increment(long by, boolean hasThreshold, long threshold, long setValue) {
    /** Add {@code by}. */
    public static Increment by(long by) {
      return new Increment(by, false, 0, 0);
    }

    /** This increment, with a result past {@code threshold} becoming {@code setValue}: a wrapping counter. */
    public Increment withThreshold(long threshold, long setValue) {
      return new Increment(by, true, threshold, setValue);
    }
  }

  private long counter(K key, Increment op, Long initial) {
    requireKey(key);
    if (!(store("updateCounter") instanceof KeyedStore<K, V> keyed)) {
      throw wrongKind("updateCounter", "a set or an ordered set", "keep counters in a set");
    }
    return keyed.updateCounter(key, op.by(), op.hasThreshold(), op.threshold(), op.setValue(), initial,
        new KeyedStore.Counters() {
          @Override
          public RuntimeException missing(Object k) {
            return new NoSuchElementException("updateCounter: " + engine + " has no counter under key " + k
                + "; pass an initial value, updateCounter(key, increment, initial), to start one");
          }

          @Override
          public RuntimeException notALong(Object k, Object value) {
            return new IllegalArgumentException("updateCounter: the value under key " + k + " in " + engine
                + " is a " + value.getClass().getName() + " (" + value + "), not a Long; a counter is a Long");
          }
        });
  }

  // =====================================================================================
  // reading

  /**
   * The value under {@code key} in a set or an ordered set, if any: the lean read.
   *
   * @throws UnsupportedOperationException in a bag (use {@link #lookup})
   */
  public Optional<V> get(K key) {
    if (!(read("get") instanceof KeyedStore<K, V> keyed)) {
      throw wrongKind("get", "a set or an ordered set", "use lookup(key), which returns every value under the key");
    }
    return Optional.ofNullable(keyed.get(requireKey(key)));
  }

  /**
   * The values under {@code key}, in insertion order: none or one in a set, any number in a bag
   * (ETS's {@code lookup/2}). The list is immutable.
   */
  public List<V> lookup(K key) {
    return read("lookup").lookup(requireKey(key));
  }

  /** Whether anything is stored under {@code key}. */
  public boolean member(K key) {
    return read("member").member(requireKey(key));
  }

  /**
   * The values under {@code key} that {@code filter} accepts, in the order of {@link #lookup}: ETS's
   * {@code match_object/2} with the key bound, its pattern written as a predicate. One lookup, no
   * traversal.
   */
  public List<V> match(K key, Predicate<? super V> filter) {
    Objects.requireNonNull(filter, "filter: to take every value, use lookup(key)");
    List<V> out = new ArrayList<>();
    for (V v : read("match").lookup(requireKey(key))) {
      if (filter.test(v)) {
        out.add(v);
      }
    }
    return Collections.unmodifiableList(out);
  }

  /**
   * Every object that {@code filter} accepts (ETS's {@code select/2}, the match specification
   * written as a predicate; reshape the result with a stream). In key order for an ordered set.
   * Traverses the whole table, safely under concurrent writes (see the class notes).
   */
  public List<Entry<K, V>> select(BiPredicate<? super K, ? super V> filter) {
    requireFilter(filter);
    List<Entry<K, V>> out = new ArrayList<>();
    for (Iterator<Entry<K, V>> it = read("select").iterator(); it.hasNext(); ) {
      Entry<K, V> e = it.next();
      if (filter.test(e.key(), e.value())) {
        out.add(e);
      }
    }
    return Collections.unmodifiableList(out);
  }

  /**
   * The first {@code limit} objects that {@code filter} accepts, and the way to the next ones (ETS's
   * {@code select/3} and {@code select/1}):
   *
   * <!-- snippet: org.otp4j.core.TableTest#table-chunks -->
   * {@snippet :
   * Table.Chunk<Integer, String> chunk = table.select((k, v) -> k % 2 == 0, 10);
   * while (true) {
   *   seen.addAll(chunk.entries());
   *   if (!chunk.hasMore()) {
   *     break;
   *   }
   *   chunk = chunk.next();
   * }
   * }
   *
   * @throws IllegalArgumentException if {@code limit} is less than 1
   */
  public Chunk<K, V> select(BiPredicate<? super K, ? super V> filter, int limit) {
    requireFilter(filter);
    if (limit < 1) {
      throw new IllegalArgumentException("select: a limit is at least 1, got " + limit
          + "; use select(filter) for every match at once");
    }
    return fill(read("select").iterator(), filter, limit);
  }

  private Chunk<K, V> fill(Iterator<Entry<K, V>> it, BiPredicate<? super K, ? super V> filter, int limit) {
    List<Entry<K, V>> out = new ArrayList<>(Math.min(limit, 64));
    while (out.size() < limit && it.hasNext()) {
      Entry<K, V> e = it.next();
      if (filter.test(e.key(), e.value())) {
        out.add(e);
      }
    }
    return new Chunk<>(Collections.unmodifiableList(out), this, it.hasNext() ? it : null, filter, limit);
  }

  /** How many objects {@code filter} accepts (ETS's {@code select_count/2}). */
  public int selectCount(BiPredicate<? super K, ? super V> filter) {
    requireFilter(filter);
    int n = 0;
    for (Iterator<Entry<K, V>> it = read("selectCount").iterator(); it.hasNext(); ) {
      Entry<K, V> e = it.next();
      if (filter.test(e.key(), e.value())) {
        n++;
      }
    }
    return n;
  }

  /**
   * Folds {@code function} over every object, from {@code initial} (ETS's {@code foldl/3}, with the
   * accumulator first as in {@code Stream.reduce}); in key order for an ordered set.
   */
  public <A> A foldl(A initial, BiFunction<? super A, ? super Entry<K, V>, ? extends A> function) {
    return fold(read("foldl").iterator(), initial, function);
  }

  /** As {@link #foldl}, last key first for an ordered set (ETS's {@code foldr/3}). */
  public <A> A foldr(A initial, BiFunction<? super A, ? super Entry<K, V>, ? extends A> function) {
    return fold(read("foldr").descendingIterator(), initial, function);
  }

  private static <K, V, A> A fold(Iterator<Entry<K, V>> it, A initial,
      BiFunction<? super A, ? super Entry<K, V>, ? extends A> function) {
    Objects.requireNonNull(function, "function");
    A acc = initial;
    while (it.hasNext()) {
      acc = function.apply(acc, it.next());
    }
    return acc;
  }

  /**
   * Every object, safely under concurrent writes (see the class notes); in key order for an ordered
   * set. The iterator does not remove.
   */
  @Override
  public Iterator<Entry<K, V>> iterator() {
    return read("iterator").iterator();
  }

  /** Every object, as {@link #iterator()} gives them. */
  public Stream<Entry<K, V>> stream() {
    return StreamSupport.stream(Spliterators.spliteratorUnknownSize(iterator(), Spliterator.NONNULL), false);
  }

  /**
   * The first key of an ordered set, or empty if it is empty.
   *
   * @throws UnsupportedOperationException for another kind (use {@link #iterator()})
   */
  public Optional<K> first() {
    return Optional.ofNullable(ordered("first").firstKey());
  }

  /**
   * The key after {@code key} in an ordered set, or empty at the end; {@code key} need not be in the
   * table, so a traversal survives the removal of the key it stands on.
   *
   * @throws UnsupportedOperationException for another kind (use {@link #iterator()})
   */
  public Optional<K> next(K key) {
    return Optional.ofNullable(ordered("next").higherKey(requireKey(key)));
  }

  /** The last key of an ordered set, or empty if it is empty. */
  public Optional<K> last() {
    return Optional.ofNullable(ordered("last").lastKey());
  }

  /** The key before {@code key} in an ordered set, or empty at the start. */
  public Optional<K> prev(K key) {
    return Optional.ofNullable(ordered("prev").lowerKey(requireKey(key)));
  }

  private KeyedStore<K, V> ordered(String operation) {
    if (read(operation) instanceof KeyedStore<K, V> keyed && keyed.isOrdered()) {
      return keyed;
    }
    throw wrongKind(operation, "an ordered set", "a " + engine.kind()
        + " has no key order: traverse it with iterator(), select or foldl, which are safe under concurrent writes");
  }

  /** How many objects the table holds (ETS's {@code info(T, size)}). */
  public int size() {
    return read("size").size();
  }

  /** The table's name, if it has one. */
  public Optional<String> name() {
    return engine.name();
  }

  /** The table's kind. */
  public Kind kind() {
    return engine.kind();
  }

  /** The table's access rights. */
  public Access access() {
    return engine.access();
  }

  /** The table's owner. */
  public Pid owner() {
    return engine.owner();
  }

  /** Whether the table still exists (it has not been deleted, and its owner or an heir holds it). */
  public boolean exists() {
    return engine.exists();
  }

  /**
   * The table's name, kind, access, owner, heir, size and memory estimate (ETS's {@code info/1}).
   *
   * @throws NoSuchTableException if it was deleted
   */
  public Info info() {
    TableStore<K, V> s = read("info");
    return new Info(engine.name(), engine.kind(), engine.access(), engine.owner(), engine.heir(), s.size(),
        s.memory());
  }

  // =====================================================================================
  // ownership

  /**
   * Makes {@code to} the owner and sends it a {@link Transfer} with {@code data} (ETS's
   * {@code give_away/3}); the heir is unchanged. Only the owner may give a table away.
   *
   * @throws TableAccessException if the caller is not the owner
   * @throws NoProcException if {@code to} is not alive
   * @throws IllegalArgumentException if {@code to} is the owner already, or a process of another node
   */
  public void giveAway(Pid to, Object data) {
    engine.giveAway(Objects.requireNonNull(to, "to: the process to give the table to"), data);
  }

  /**
   * Makes {@code heir} the heir, to be sent {@code data} when it inherits (ETS's
   * {@code setopts(T, {heir, Pid, Data})}). Only the owner may set it. An heir that is not alive
   * when the owner terminates inherits nothing: the table is deleted.
   */
  public void setHeir(Pid heir, Object data) {
    engine.setHeir(Objects.requireNonNull(heir, "heir: use removeHeir() for no heir"), data);
  }

  /** Removes the heir (ETS's {@code setopts(T, {heir, none})}). Only the owner may. */
  public void removeHeir() {
    engine.setHeir(null, null);
  }

  /** The heir, if there is one. */
  public Optional<Pid> heir() {
    return engine.heir();
  }

  /**
   * Deletes the table (ETS's {@code delete/1}): its name is free at once, and every later use
   * throws {@link NoSuchTableException}. Needs write access: the owner for a protected or private
   * table, anyone for a public one. Deleting a deleted table throws.
   */
  public void delete() {
    engine.delete();
  }

  @Override
  public String toString() {
    return "Table[" + engine.name().orElse("#" + engine.id()) + "," + engine.kind() + "," + engine.access() + "]";
  }

  // =====================================================================================

  @SuppressWarnings("unchecked")
  private TableStore<K, V> read(String operation) {
    return (TableStore<K, V>) engine.reading(operation);
  }

  @SuppressWarnings("unchecked")
  private TableStore<K, V> store(String operation) {
    return (TableStore<K, V>) engine.writing(operation);
  }

  private K requireKey(K key) {
    if (key == null) {
      throw new NullPointerException(engine + ": a key cannot be null; use any other object (a String, a record...)");
    }
    if (comparableKeys && !(key instanceof Comparable)) {
      throw new IllegalArgumentException(engine + " is an ordered set in the keys' natural order, but key " + key
          + " is a " + key.getClass().getName() + ", which is not Comparable; make the key Comparable, or create "
          + "the table with Table.Options.orderedSet().orderedBy(comparator)");
    }
    return key;
  }

  private V requireValue(V value) {
    if (value == null) {
      throw new NullPointerException(engine + ": a value cannot be null; to remove a key, use delete(key)");
    }
    return value;
  }

  private static void requireFilter(BiPredicate<?, ?> filter) {
    Objects.requireNonNull(filter, "filter: to accept every object, pass (k, v) -> true");
  }

  private UnsupportedOperationException wrongKind(String operation, String needs, String fix) {
    return new UnsupportedOperationException(operation + " needs " + needs + ", but " + engine + " is a "
        + engine.kind() + "; " + fix);
  }
}
