package org.otp4j.core.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The node's local name registry (Erlang's {@code register/2}). A process holds at most one local
 * name, recorded both here and in the process; the process's lock orders registration against its
 * termination, which releases the name before any exit or down signal goes out.
 */
final class Names {
  private final ConcurrentHashMap<String, ProcessImpl> byName = new ConcurrentHashMap<>();

  /** Called under the process's lock; returns the current holder if the name is taken by a live process. */
  ProcessImpl putIfAbsent(String name, ProcessImpl p) {
    for (;;) {
      ProcessImpl holder = byName.putIfAbsent(name, p);
      if (holder == null) {
        return null;
      }
      if (holder.isAlive()) {
        return holder;
      }
      // The holder is exiting and has not released the name yet: it is free by OTP's rules.
      // (Its own release later is a no-op: remove(name, holder) no longer matches.)
      if (byName.replace(name, holder, p)) {
        return null;
      }
    }
  }

  void releaseName(String name, ProcessImpl p) {
    byName.remove(name, p);
  }

  ProcessImpl whereis(String name) {
    ProcessImpl p = byName.get(name);
    return p != null && p.isAlive() ? p : null;
  }

  /** Removes the name; false if it was not registered. */
  boolean unregister(String name) {
    ProcessImpl p = byName.get(name);
    if (p == null) {
      return false;
    }
    if (byName.remove(name, p)) {
      p.clearName(name);
      return p.isAlive();
    }
    return false;
  }

  List<String> registered() {
    List<String> out = new ArrayList<>();
    byName.forEach((name, p) -> {
      if (p.isAlive()) {
        out.add(name);
      }
    });
    return out;
  }
}
