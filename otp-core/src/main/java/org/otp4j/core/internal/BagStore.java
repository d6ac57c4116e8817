package org.otp4j.core.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.ConcurrentHashMap;
import org.otp4j.core.Table;

/**
 * The store of a bag or a duplicate bag: a {@link ConcurrentHashMap} from each key to the
 * immutable list of its values, in insertion order, replaced copy-on-write inside {@code compute}
 * (atomic per key; a reader gets the whole list before or after a write). A bag keeps one copy of
 * each value under a key (values compared with {@code equals}); a duplicate bag keeps every copy.
 * See {@link TableStore} for the notes.
 */
public final class BagStore<K, V> extends TableStore<K, V> {
  private static final long KEY_ENTRY = 40 + 16; // the map's node and the list's header
  private static final long VALUE_SLOT = 8;
  private static final long BASE = 64;

  private final boolean duplicates;
  private final ConcurrentHashMap<K, List<V>> map = new ConcurrentHashMap<>();

  BagStore(boolean duplicates) {
    this.duplicates = duplicates;
  }

  @Override
  public void insert(K key, V value) {
    map.compute(key, (k, list) -> {
      if (list == null) {
        size.increment();
        return List.of(value);
      }
      if (!duplicates && list.contains(value)) {
        return list;
      }
      size.increment();
      return appended(list, value);
    });
  }

  @Override
  public boolean insertNew(K key, V value) {
    if (map.putIfAbsent(key, List.of(value)) == null) {
      size.increment();
      return true;
    }
    return false;
  }

  @Override
  public List<V> lookup(K key) {
    List<V> list = map.get(key);
    return list == null ? List.of() : list;
  }

  @Override
  public boolean member(K key) {
    return map.containsKey(key);
  }

  @Override
  public int delete(K key) {
    List<V> removed = map.remove(key);
    if (removed == null) {
      return 0;
    }
    size.add(-removed.size());
    return removed.size();
  }

  @Override
  public int deleteObject(K key, V value) {
    int[] removed = {0};
    map.computeIfPresent(key, (k, list) -> {
      List<V> kept = new ArrayList<>(list.size());
      for (V v : list) {
        if (v.equals(value)) {
          removed[0]++;
        } else {
          kept.add(v);
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

  @Override
  public List<V> take(K key) {
    List<V> removed = map.remove(key);
    if (removed == null) {
      return List.of();
    }
    size.add(-removed.size());
    return removed;
  }

  @Override
  public Iterator<Table.Entry<K, V>> iterator() {
    Iterator<Map.Entry<K, List<V>>> keys = map.entrySet().iterator();
    return new Iterator<>() {
      private K key;
      private Iterator<V> values = Collections.emptyIterator();

      @Override
      public boolean hasNext() {
        while (!values.hasNext()) {
          if (!keys.hasNext()) {
            return false;
          }
          Map.Entry<K, List<V>> e = keys.next();
          key = e.getKey();
          values = e.getValue().iterator();
        }
        return true;
      }

      @Override
      public Table.Entry<K, V> next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return new Table.Entry<>(key, values.next());
      }
    };
  }

  @Override
  public long memory() {
    return BASE + map.mappingCount() * KEY_ENTRY + size.sum() * VALUE_SLOT;
  }

  @SuppressWarnings("unchecked")
  private static <V> List<V> appended(List<V> list, V value) {
    Object[] grown = Arrays.copyOf(list.toArray(), list.size() + 1);
    grown[list.size()] = value;
    return (List<V>) List.of(grown);
  }
}
