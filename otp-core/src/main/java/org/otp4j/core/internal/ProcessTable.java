package org.otp4j.core.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * Every live process of a node, for snapshots, the watchdog and node shutdown.
 *
 * <p>Striped intrusive doubly linked lists: a process is its own list node (two fields), so the
 * table costs no allocation per process, and spawns and exits on different stripes do not contend.
 */
final class ProcessTable {
  private static final int STRIPES = 64;

  private final Stripe[] stripes = new Stripe[STRIPES];
  // by serial number, only on a distributed node (signals from other nodes name processes by serial)
  private final java.util.concurrent.ConcurrentHashMap<Long, ProcessImpl> bySerial;

  ProcessTable(boolean indexed) {
    bySerial = indexed ? new java.util.concurrent.ConcurrentHashMap<>() : null;
    for (int i = 0; i < STRIPES; i++) {
      stripes[i] = new Stripe();
    }
  }

  private static final class Stripe {
    ProcessImpl first;
    int size;
  }

  private Stripe stripe(ProcessImpl p) {
    return stripes[(int) (p.serial() & (STRIPES - 1))];
  }

  void add(ProcessImpl p) {
    if (bySerial != null) {
      bySerial.put(p.serial(), p);
    }
    Stripe s = stripe(p);
    synchronized (s) {
      p.tablePrev = null;
      p.tableNext = s.first;
      if (s.first != null) {
        s.first.tablePrev = p;
      }
      s.first = p;
      s.size++;
    }
  }

  void remove(ProcessImpl p) {
    if (bySerial != null && p.kind != ProcessCore.REMOTE) {
      bySerial.remove(p.serial(), p);
    }
    Stripe s = stripe(p);
    synchronized (s) {
      if (p.tablePrev == null && s.first != p) {
        return; // not in the table (already removed)
      }
      if (p.tablePrev != null) {
        p.tablePrev.tableNext = p.tableNext;
      } else {
        s.first = p.tableNext;
      }
      if (p.tableNext != null) {
        p.tableNext.tablePrev = p.tablePrev;
      }
      p.tablePrev = null;
      p.tableNext = null;
      s.size--;
    }
  }

  /** The live process with serial number {@code serial}; only on an indexed table, else null. */
  ProcessImpl find(long serial) {
    return bySerial == null ? null : bySerial.get(serial);
  }

  int size() {
    int n = 0;
    for (Stripe s : stripes) {
      synchronized (s) {
        n += s.size;
      }
    }
    return n;
  }

  /**
   * The live processes that {@code keep} selects, in no particular order. The test runs under a
   * stripe's lock, so it must be quick and must not block.
   */
  List<ProcessImpl> select(java.util.function.Predicate<ProcessImpl> keep) {
    List<ProcessImpl> out = new ArrayList<>();
    for (Stripe s : stripes) {
      synchronized (s) {
        for (ProcessImpl p = s.first; p != null; p = p.tableNext) {
          if (keep.test(p)) {
            out.add(p);
          }
        }
      }
    }
    return out;
  }

  /** A copy of the live processes, in no particular order. */
  List<ProcessImpl> snapshot() {
    List<ProcessImpl> out = new ArrayList<>();
    for (Stripe s : stripes) {
      synchronized (s) {
        for (ProcessImpl p = s.first; p != null; p = p.tableNext) {
          out.add(p);
        }
      }
    }
    return out;
  }
}
