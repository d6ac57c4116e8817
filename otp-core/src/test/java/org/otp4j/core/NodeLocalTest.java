package org.otp4j.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("NodeLocal: a value per node")
class NodeLocalTest {

  // region: counts
  static final NodeLocal<Map<String, Integer>> COUNTS = NodeLocal.withInitial(ConcurrentHashMap::new);
  // endregion: counts

  @Test
  @DisplayName("each node gets its own value, made once, on first use")
  void onePerNode() throws Exception {
    AtomicInteger made = new AtomicInteger();
    NodeLocal<int[]> local = NodeLocal.withInitial(() -> {
      made.incrementAndGet();
      return new int[1];
    });
    try (Node a = Node.start(); Node b = Node.start()) {
      assertThat(made).hasValue(0);
      local.get(a)[0] = 1;
      local.get(b)[0] = 2;
      assertThat(local.get(a)[0]).isEqualTo(1);
      assertThat(local.get(b)[0]).isEqualTo(2);
      assertThat(made).hasValue(2);

      // inside a process, get() is the process's own node
      CountDownLatch done = new CountDownLatch(1);
      int[] seen = new int[1];
      a.spawn(() -> {
        seen[0] = local.get()[0];
        done.countDown();
      });
      done.await();
      assertThat(seen[0]).isEqualTo(1);
    }
  }

  @Test
  @DisplayName("the snippet of the Javadoc: a map per node")
  void snippet() {
    try (Node node = Node.start()) {
      // region: use
      COUNTS.get(node).merge("hits", 1, Integer::sum);   // this node's map only
      // endregion: use
      assertThat(COUNTS.get(node)).containsEntry("hits", 1);
    }
  }

  @Test
  @DisplayName("bad input: a null supplier, a null node, a null initial value are refused by name")
  void badInput() {
    assertThatThrownBy(() -> NodeLocal.withInitial(null)).hasMessageContaining("initial");
    assertThatThrownBy(() -> COUNTS.get(null)).hasMessageContaining("node");
    NodeLocal<Object> nothing = NodeLocal.withInitial(() -> null);
    try (Node node = Node.start()) {
      assertThatThrownBy(() -> nothing.get(node)).hasMessageContaining("initial value cannot be null");
    }
  }
}
