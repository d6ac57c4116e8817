package org.otp4j.core.internal;

import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import org.otp4j.core.Table;

/**
 * The store of a set (a {@link ConcurrentHashMap}) or an ordered set (a
 * {@link ConcurrentSkipListMap}): one value per key. See {@link TableStore} for the notes.
 *
 * <p>Counters are updated with {@code compute}; the function is pure (the old value in, the new one
 * out), so a skip list that applies it more than once under contention still makes one atomic
 * change.
 */
public final class KeyedStore<K, V> extends TableStore<K, V> {
  // rough sizes, in bytes, of a map's own node per entry (compressed oops)
  private static final long HASH_ENTRY = 40;
  private static final long SKIP_ENTRY = 48;
  private static final long BASE = 64;

  private final ConcurrentMap<K, V> map;
  private final ConcurrentNavigableMap<K, V> ordered; // the same map, for an ordered set; else null

  private KeyedStore(ConcurrentMap<K, V> map, ConcurrentNavigableMap<K, V> ordered) {
    this.map = map;
    this.ordered = ordered;
  }

  static <K, V> KeyedStore<K, V> hashed() {
    return new KeyedStore<>(new ConcurrentHashMap<>(), null);
  }

  @SuppressWarnings("unchecked")
  static <K, V> KeyedStore<K, V> ordered(Comparator<?> order) {
    ConcurrentSkipListMap<K, V> m = new ConcurrentSkipListMap<>((Comparator<? super K>) order);
    return new KeyedStore<>(m, m);
  }

  /** Whether this is an ordered set's store. */
  public boolean isOrdered() {
    return ordered != null;
  }

  @Override
  public void insert(K key, V value) {
    if (map.put(key, value) == null) {
      size.increment();
    }
  }

  @Override
  public boolean insertNew(K key, V value) {
    if (map.putIfAbsent(key, value) == null) {
      size.increment();
      return true;
    }
    return false;
  }

  /** The value under {@code key}, or null: the lean read. */
  public V get(K key) {
    return map.get(key);
  }

  @Override
  public List<V> lookup(K key) {
    V v = map.get(key);
    return v == null ? List.of() : List.of(v);
  }

  @Override
  public boolean member(K key) {
    return map.containsKey(key);
  }

  @Override
  public int delete(K key) {
    if (map.remove(key) != null) {
      size.decrement();
      return 1;
    }
    return 0;
  }

  @Override
  public int deleteObject(K key, V value) {
    if (map.remove(key, value)) {
      size.decrement();
      return 1;
    }
    return 0;
  }

  @Override
  public List<V> take(K key) {
    V v = map.remove(key);
    if (v == null) {
      return List.of();
    }
    size.decrement();
    return List.of(v);
  }

  /**
   * Adds {@code increment} to the {@code Long} under {@code key}, atomically, as ETS's
   * {@code update_counter}: with a threshold, a result past it (above for a non-negative increment,
   * below for a negative one) becomes {@code setValue}. Without a value under the key,
   * {@code initial} is stored first and updated; if it is null, the key must be there.
   *
   * @return the new value
   */
  @SuppressWarnings("unchecked")
  public long updateCounter(K key, long increment, boolean threshold, long limit, long setValue, Long initial,
      Counters errors) {
    long[] result = new long[2]; // the new value; 1 if the key was added
    map.compute(key, (k, old) -> {
      long base;
      result[1] = old == null ? 1 : 0; // NOTE: a skip list may apply this more than once: the last call counts
      if (old == null) {
        if (initial == null) {
          throw errors.missing(k);
        }
        base = initial;
      } else if (old instanceof Long n) {
        base = n;
      } else {
        throw errors.notALong(k, old);
      }
      long next = Math.addExact(base, increment);
      if (threshold && (increment >= 0 ? next > limit : next < limit)) {
        next = setValue;
      }
      result[0] = next;
      return (V) Long.valueOf(next);
    });
    if (result[1] == 1) {
      size.increment();
    }
    return result[0];
  }

  /** The errors of a counter update, as the table's face words them. */
  public interface Counters {
    RuntimeException missing(Object key);

    RuntimeException notALong(Object key, Object value);
  }

  @Override
  public Iterator<Table.Entry<K, V>> iterator() {
    return entries(map.entrySet().iterator());
  }

  @Override
  public Iterator<Table.Entry<K, V>> descendingIterator() {
    return ordered == null ? iterator() : entries(ordered.descendingMap().entrySet().iterator());
  }

  private static <K, V> Iterator<Table.Entry<K, V>> entries(Iterator<Map.Entry<K, V>> it) {
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return it.hasNext();
      }

      @Override
      public Table.Entry<K, V> next() {
        Map.Entry<K, V> e = it.next();
        return new Table.Entry<>(e.getKey(), e.getValue());
      }
    };
  }

  // ---- ordered sets only

  /** The first key, or null if the store is empty. */
  public K firstKey() {
    try {
      return ordered.firstKey();
    } catch (NoSuchElementException empty) {
      return null;
    }
  }

  /** The last key, or null if the store is empty. */
  public K lastKey() {
    try {
      return ordered.lastKey();
    } catch (NoSuchElementException empty) {
      return null;
    }
  }

  /** The first key after {@code key} (which need not be in the store), or null. */
  public K higherKey(K key) {
    return ordered.higherKey(key);
  }

  /** The last key before {@code key} (which need not be in the store), or null. */
  public K lowerKey(K key) {
    return ordered.lowerKey(key);
  }

  @Override
  public long memory() {
    return BASE + (long) size() * (ordered == null ? HASH_ENTRY : SKIP_ENTRY);
  }
}
