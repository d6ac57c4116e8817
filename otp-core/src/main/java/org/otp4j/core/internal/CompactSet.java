package org.otp4j.core.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.List;
import java.util.function.Consumer;

/**
 * A set of identities stored in a single field, for the per-process link and monitor sets.
 *
 * <p>Most processes have no links or monitors, and most of the rest have one or two, while a
 * supervisor may have thousands. The field therefore holds {@code null} (empty), the element itself
 * (one element), or a {@code CompactSet} that keeps a small array and switches to a hash set above
 * {@value #ARRAY_LIMIT} elements. Elements are compared by identity and must never be
 * {@code CompactSet} instances. Not thread-safe: callers hold the owning process's lock.
 */
final class CompactSet {
  private static final int ARRAY_LIMIT = 8;

  private Object[] items = new Object[4];
  private int size;
  private Set<Object> big;

  private CompactSet() {}

  /** Returns the field value after adding {@code e} (no change if already present). */
  static Object add(Object field, Object e) {
    if (field == null) {
      return e;
    }
    if (field instanceof CompactSet set) {
      set.addElement(e);
      return set;
    }
    if (field == e) {
      return field;
    }
    CompactSet set = new CompactSet();
    set.items[0] = field;
    set.items[1] = e;
    set.size = 2;
    return set;
  }

  /** Returns the field value after removing {@code e} (no change if absent). */
  static Object remove(Object field, Object e) {
    if (field == null) {
      return null;
    }
    if (field instanceof CompactSet set) {
      set.removeElement(e);
      return set.isEmpty() ? null : set;
    }
    return field == e ? null : field;
  }

  static boolean contains(Object field, Object e) {
    if (field == null) {
      return false;
    }
    if (field instanceof CompactSet set) {
      return set.containsElement(e);
    }
    return field == e;
  }

  static int size(Object field) {
    if (field == null) {
      return 0;
    }
    if (field instanceof CompactSet set) {
      return set.big != null ? set.big.size() : set.size;
    }
    return 1;
  }

  /** A copy of the elements, for iteration outside the lock. */
  @SuppressWarnings("unchecked")
  static <T> List<T> toList(Object field) {
    if (field == null) {
      return List.of();
    }
    if (field instanceof CompactSet set) {
      if (set.big != null) {
        return (List<T>) new ArrayList<>(set.big);
      }
      return (List<T>) Arrays.asList(Arrays.copyOf(set.items, set.size));
    }
    return List.of((T) field);
  }

  @SuppressWarnings("unchecked")
  static <T> void forEach(Object field, Consumer<T> action) {
    for (Object o : toList(field)) {
      action.accept((T) o);
    }
  }

  private boolean isEmpty() {
    return big != null ? big.isEmpty() : size == 0;
  }

  private boolean containsElement(Object e) {
    if (big != null) {
      return big.contains(e);
    }
    for (int i = 0; i < size; i++) {
      if (items[i] == e) {
        return true;
      }
    }
    return false;
  }

  private void addElement(Object e) {
    if (big != null) {
      big.add(e);
      return;
    }
    if (containsElement(e)) {
      return;
    }
    if (size == ARRAY_LIMIT) {
      big = Collections.newSetFromMap(new IdentityHashMap<>());
      for (int i = 0; i < size; i++) {
        big.add(items[i]);
      }
      big.add(e);
      items = null;
      size = 0;
      return;
    }
    if (size == items.length) {
      items = Arrays.copyOf(items, size * 2);
    }
    items[size++] = e;
  }

  private void removeElement(Object e) {
    if (big != null) {
      big.remove(e);
      return;
    }
    for (int i = 0; i < size; i++) {
      if (items[i] == e) {
        items[i] = items[--size];
        items[size] = null;
        return;
      }
    }
  }

  @Override
  public String toString() {
    return toList(this).toString();
  }
}
