package org.otp4j.core.internal;

import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.otp4j.core.Table;

/**
 * The objects of one shared table (see {@link TableEngine}), stored as its kind needs:
 * {@link KeyedStore} for set and ordered_set, {@link BagStore} for bag and duplicate_bag.
 *
 * <h2>Implementation notes</h2>
 * <ul>
 *   <li><b>Reads never lock.</b> Every structure is a {@code ConcurrentHashMap} or a
 *       {@code ConcurrentSkipListMap}; a read is one {@code get} of the map, and allocates nothing
 *       but its result.</li>
 *   <li><b>Writes are atomic per key</b>: a set's write is one map operation; a bag keeps an
 *       immutable list per key and replaces it inside {@code compute}, so a reader sees the list
 *       before or after a write, never half of it.</li>
 *   <li><b>Size</b> is a {@link LongAdder} changed by the operation that adds or removes objects,
 *       so it is constant-time for every kind (a skip list's own {@code size()} walks it).</li>
 *   <li>A store is never emptied in place: clearing the table replaces its store (see
 *       {@link TableEngine}), so that clearing is atomic for readers.</li>
 * </ul>
 *
 * @param <K> the keys
 * @param <V> the values
 */
public abstract sealed class TableStore<K, V> permits KeyedStore, BagStore {

  /** How many objects the store holds; changed inside the operations that add or remove them. */
  final LongAdder size = new LongAdder();

  /** A new, empty store for a table of {@code kind}; {@code order} is used by ordered sets only. */
  public static <K, V> TableStore<K, V> create(Table.Kind kind, Comparator<?> order) {
    return switch (kind) {
      case SET -> KeyedStore.hashed();
      case ORDERED_SET -> KeyedStore.ordered(order);
      case BAG -> new BagStore<>(false);
      case DUPLICATE_BAG -> new BagStore<>(true);
    };
  }

  /** Adds an object: a set replaces the one under its key, a bag adds it unless it is there already. */
  public abstract void insert(K key, V value);

  /** Adds an object only if nothing is stored under its key; true if it was added. */
  public abstract boolean insertNew(K key, V value);

  /** The values under {@code key}, in insertion order; an immutable list, empty if there is none. */
  public abstract List<V> lookup(K key);

  /** Whether anything is stored under {@code key}. */
  public abstract boolean member(K key);

  /** Removes everything under {@code key}; how many objects were removed. */
  public abstract int delete(K key);

  /** Removes the object {@code key}, {@code value} (every copy of it in a duplicate bag); how many were removed. */
  public abstract int deleteObject(K key, V value);

  /** Removes and returns the values under {@code key}. */
  public abstract List<V> take(K key);

  /**
   * Every object, weakly consistent: each at most once, all those present for the whole traversal
   * certainly, those added or removed meanwhile perhaps; never a {@code ConcurrentModificationException}.
   * Ordered sets go in key order.
   */
  public abstract Iterator<Table.Entry<K, V>> iterator();

  /** As {@link #iterator()}, last key first for an ordered set. */
  public Iterator<Table.Entry<K, V>> descendingIterator() {
    return iterator();
  }

  /** How many objects are stored. */
  public final int size() {
    // NOTE: LongAdder.sum() is not a snapshot: during changes it can read a removal and miss the
    // addition it undoes, so it may dip below the truth, even below zero.
    long n = size.sum();
    return (int) Math.max(0, Math.min(Integer.MAX_VALUE, n));
  }

  /** A rough estimate, in bytes, of what the structure itself takes, keys and values not counted. */
  public abstract long memory();
}
