package org.otp4j.examples;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;
import org.otp4j.dist.Pg;

/**
 * Where a key (a device, a room) lives in a cluster, by rendezvous hashing: each node scores
 * {@code hash(key, node)} and the highest score wins. Every node computes the same owner from the
 * same members without asking anyone; when a node leaves, only its own keys move (each to the node
 * that scored second), and when one joins, it takes only the keys it now scores highest on.
 */
public final class Rendezvous {
  private Rendezvous() {}

  /**
   * The node of {@code nodes} where {@code key} lives: the highest score (the smaller name on a tie).
   *
   * @throws IllegalArgumentException if {@code nodes} is empty
   */
  public static String owner(String key, Collection<String> nodes) {
    String best = null;
    long bestScore = 0;
    for (String n : nodes) {
      long score = score(key, n);
      if (best == null || Long.compareUnsigned(score, bestScore) > 0
          || (score == bestScore && n.compareTo(best) < 0)) {
        best = n;
        bestScore = score;
      }
    }
    if (best == null) {
      throw new IllegalArgumentException("no node to place " + key + " on: the group has no member");
    }
    return best;
  }

  /**
   * The names of the nodes that have a process in {@code group} of the pg {@code scope} and that the
   * current node is connected to (a node seen down is left out before its group memberships are),
   * the current node included if it has one, sorted.
   */
  public static List<String> members(String scope, String group) {
    Node self = Node.current();
    Set<String> connected = Set.copyOf(self.connectedNodes());
    return Pg.members(scope, group).stream().map(Pid::nodeName)
        .filter(n -> n.equals(self.name()) || connected.contains(n)).distinct().sorted().toList();
  }

  /** FNV-1a over the key and the node's name, then a 64-bit finaliser so that near names spread. */
  private static long score(String key, String node) {
    long h = 0xcbf29ce484222325L;
    for (byte b : (key + '\u0000' + node).getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h;
  }
}
