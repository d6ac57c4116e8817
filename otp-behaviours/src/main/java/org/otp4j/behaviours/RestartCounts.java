package org.otp4j.behaviours;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.otp4j.core.Node;
import org.otp4j.core.NodeLocal;
import org.otp4j.core.Proc;
import org.otp4j.core.ProcessInfo;

/**
 * The children restarted on each node, counted by the supervisor's locally registered name, with
 * every unnamed supervisor counted under {@link Supervisor#UNNAMED}: one counter per named supervisor,
 * so the set stays as small as the node's naming (a metrics tag must not grow with the pids).
 *
 * <p>Counted in the supervisor process, after a restarted child has started; a restart costs a start
 * and a report anyway, so looking up the supervisor's own name there is free in comparison.
 */
final class RestartCounts {
  private RestartCounts() {}

  private static final NodeLocal<ConcurrentHashMap<String, LongAdder>> COUNTS =
      NodeLocal.withInitial(ConcurrentHashMap::new);

  /** Counts one child restarted by the calling supervisor process. */
  static void restarted() {
    String name = Proc.info(Proc.self()).flatMap(ProcessInfo::registeredName).orElse(Supervisor.UNNAMED);
    COUNTS.get().computeIfAbsent(name, n -> new LongAdder()).increment();
  }

  /** The counts on {@code node}, by supervisor name, sorted. */
  static Map<String, Long> of(Node node) {
    Map<String, Long> out = new TreeMap<>();
    COUNTS.get(node).forEach((name, count) -> out.put(name, count.sum()));
    return out;
  }
}
