package org.otp4j.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.otp4j.core.TestSupport.exitReason;
import static org.otp4j.core.TestSupport.next;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Race hammers around a registry: a process killed while it registers and unregisters. */
@Tag("stress")
@DisplayName("Stress: a registry's entries and notices when their process is killed mid-change (R3, R6)")
class RegistryRaceStressTest {
  private static final int ROUNDS = 300; // a round drains up to some 10,000 notices
  private static final int MAX_JITTER_NANOS = 50_000;

  private static void jitter(Random random) {
    long until = System.nanoTime() + random.nextInt(MAX_JITTER_NANOS);
    while (System.nanoTime() < until) {
      Thread.onSpinWait();
    }
  }

  @Test
  @DisplayName("R3, R6: killed while churning, a process leaves no entry, and its listener's notices add up: "
      + "no Unregistered without a Registered before it, and every key unregistered by the time of the Down")
  void killedWhileChurning() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid me = inbox.pid();
      Random random = new Random(5);
      for (int round = 0; round < ROUNDS; round++) {
        Registry.Options options = Registry.Options.defaults().withListeners(me).withPartitions(1 + round % 3);
        Registry topics = Registry.duplicate("topics", options);
        Registry rooms = Registry.unique("rooms", options);
        Pid churner = node.spawn(() -> {
          for (int i = 0; ; i++) {
            if (i == 1) {
              Proc.send(me, "churning");
            }
            topics.register("t" + i % 3, i);
            rooms.registerIfAbsent("r" + i % 2, i);
            if (i % 2 == 0) {
              topics.unregister("t" + (i + 1) % 3);
              rooms.unregister("r" + (i + 1) % 2);
            } else {
              topics.unregisterMatch("t" + i % 3, v -> (Integer) v % 4 == 1);
            }
          }
        });
        Ref ref = inbox.monitor(churner);
        assertThat(inbox.receive("churning"::equals, TestSupport.WAIT)).isPresent();
        jitter(random);

        Proc.exit(churner, ExitReason.KILL);

        Map<Object, Integer> held = new HashMap<>();
        Object m;
        while (!((m = next(inbox)) instanceof Down)) {
          switch ((Registry.Event) m) {
            case Registry.Registered r -> held.merge(r.registry().name() + "/" + r.key(), 1, Integer::sum);
            case Registry.Unregistered u -> assertThat(held.remove(u.registry().name() + "/" + u.key()))
                .as("round %d: %s unregistered without a registration before it", round, u.key()).isNotNull();
          }
        }
        assertThat(((Down) m).ref()).isSameAs(ref);
        assertThat(held).as("round %d: keys still registered when the Down came", round).isEmpty();
        assertThat(exitReason(churner)).isEqualTo(ExitReason.KILLED);
        assertThat(topics.count()).as("round %d", round).isZero();
        assertThat(rooms.count()).as("round %d", round).isZero();
        assertThat(topics.select(r -> true)).isEmpty();
        assertThat(rooms.select(r -> true)).isEmpty();
      }
    }
  }
}
