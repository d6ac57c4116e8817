package org.otp4j.behaviours;

import static org.assertj.core.api.Assertions.assertThat;
import static org.otp4j.behaviours.BehaviourTestKit.awaitDown;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.otp4j.behaviours.BehaviourTestKit.CaptureReports;
import org.otp4j.behaviours.BehaviourTestKit.Reports;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Inbox;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.core.Ref;

/**
 * Chaos on a three-level supervision tree of 10,000 workers: 1 root, 10 mid supervisors, 10 leaf
 * supervisors each, 100 workers per leaf. OTP-SEMANTICS U13-U15 at scale.
 *
 * <p>The intensity model: leaves allow {@value #LEAF_INTENSITY} restarts per hour, mids 1, the root
 * 0. Every kill hits a worker the leaf believes is running, so each kill is exactly one restart of
 * that leaf. 2,000 random kills spread over 100 leaves (about 20 each) never reach a leaf's
 * intensity, so nothing escalates. Then one chosen leaf gets exactly enough further kills to make
 * {@value #LEAF_INTENSITY} + 1 restarts: it gives up at the last kill and no earlier, its mid
 * restarts it (its first restart, within its intensity 1), and nothing else in the tree changes.
 */
@Tag("stress")
@ExtendWith(CaptureReports.class)
class SupervisionTreeChaosStressTest {

  static final int MIDS = 10;
  static final int LEAVES_PER_MID = 10;
  static final int WORKERS_PER_LEAF = 100;
  static final int LEAVES = MIDS * LEAVES_PER_MID;
  static final int KILLS = 2_000;
  static final int LEAF_INTENSITY = 60;
  static final Duration PERIOD = Duration.ofHours(1);
  static final Duration LONG_WAIT = Duration.ofSeconds(30);

  /** A worker: a GenServer that does nothing (and does not trap exits). */
  static final class Worker extends GenServer<Integer, Object> {
    @Override
    protected Init<Integer> init() {
      return Init.ok(0);
    }
  }

  static Pid leafSupervisor() {
    ChildSpec[] workers = new ChildSpec[WORKERS_PER_LEAF];
    for (int w = 0; w < WORKERS_PER_LEAF; w++) {
      workers[w] = ChildSpec.worker(w, () -> GenServer.startLink(new Worker()));
    }
    return Supervisor.startLink(Supervisor.oneForOne().withIntensity(LEAF_INTENSITY, PERIOD), workers);
  }

  static Pid midSupervisor() {
    ChildSpec[] leaves = new ChildSpec[LEAVES_PER_MID];
    for (int l = 0; l < LEAVES_PER_MID; l++) {
      leaves[l] = ChildSpec.supervisor(l, SupervisionTreeChaosStressTest::leafSupervisor);
    }
    return Supervisor.startLink(Supervisor.oneForOne().withIntensity(1, PERIOD), leaves);
  }

  /** The pids of a supervisor's children, by id. */
  static Map<Object, Pid> children(Pid sup) {
    Map<Object, Pid> out = new HashMap<>();
    for (Supervisor.Child c : Supervisor.whichChildren(sup)) {
      out.put(c.id(), c.pid());
    }
    return out;
  }

  /** Waits until child {@code id} of {@code sup} runs with a pid other than {@code old}; returns it. */
  static Pid awaitReplaced(Pid sup, Object id, Pid old) {
    Pid[] now = new Pid[1];
    Awaitility.await().atMost(LONG_WAIT).pollInterval(Duration.ofMillis(2)).until(() -> {
      now[0] = children(sup).get(id);
      return now[0] != null && !now[0].equals(old);
    });
    return now[0];
  }

  @Test
  @DisplayName("U13-U15: 10,000 workers, 2,000 random kills: all running again, escalation exactly as modelled, nothing left after stop")
  void chaos(Reports reports) {
    long seed = Long.getLong("chaos.seed", System.nanoTime());
    System.out.println("SupervisionTreeChaosStressTest seed = " + seed + " (rerun with -Dchaos.seed=" + seed + ")");
    Random random = new Random(seed);
    reports.errorsOnly(); // not the 12,000 progress reports
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        int baseline = node.processCount();
        ChildSpec[] mids = new ChildSpec[MIDS];
        for (int m = 0; m < MIDS; m++) {
          mids[m] = ChildSpec.supervisor(m, SupervisionTreeChaosStressTest::midSupervisor);
        }
        Pid root = Supervisor.startLink(Supervisor.oneForOne().withIntensity(0, PERIOD), mids);
        Ref rootRef = inbox.monitor(root);
        assertThat(node.processCount() - baseline).isEqualTo(1 + MIDS + LEAVES + LEAVES * WORKERS_PER_LEAF);

        // The tree: mid pids, leaf pids (leaf index = mid * 10 + l), worker pids per leaf.
        Map<Object, Pid> midPids = children(root);
        Pid[] leafPids = new Pid[LEAVES];
        Pid[][] workers = new Pid[LEAVES][WORKERS_PER_LEAF];
        for (int m = 0; m < MIDS; m++) {
          Map<Object, Pid> leaves = children(midPids.get(m));
          for (int l = 0; l < LEAVES_PER_MID; l++) {
            int leaf = m * LEAVES_PER_MID + l;
            leafPids[leaf] = leaves.get(l);
            Map<Object, Pid> ws = children(leafPids[leaf]);
            for (int w = 0; w < WORKERS_PER_LEAF; w++) {
              workers[leaf][w] = ws.get(w);
            }
          }
        }

        // Phase 1: random kills, each on a worker its leaf believes is running.
        int[] kills = new int[LEAVES];
        boolean[][] killed = new boolean[LEAVES][WORKERS_PER_LEAF];
        int refreshes = 0;
        for (int k = 0; k < KILLS; k++) {
          int leaf = random.nextInt(LEAVES);
          int w = random.nextInt(WORKERS_PER_LEAF);
          if (killed[leaf][w]) {
            workers[leaf][w] = awaitReplaced(leafPids[leaf], w, workers[leaf][w]);
            killed[leaf][w] = false;
            refreshes++;
          }
          Proc.exit(workers[leaf][w], ExitReason.KILL);
          killed[leaf][w] = true;
          kills[leaf]++;
        }
        int maxKills = java.util.Arrays.stream(kills).max().orElseThrow();
        System.out.println("chaos: " + KILLS + " kills, " + refreshes + " repeated targets, most kills on one leaf: "
            + maxKills);
        assertThat(maxKills).as("the model: no leaf reaches its intensity (seed %d)", seed).isLessThanOrEqualTo(LEAF_INTENSITY);

        // Every worker that should run runs again, with a new pid if it was killed.
        for (int leaf = 0; leaf < LEAVES; leaf++) {
          Pid sup = leafPids[leaf];
          Awaitility.await().atMost(LONG_WAIT).pollInterval(Duration.ofMillis(5))
              .until(() -> Supervisor.countChildren(sup).active() == WORKERS_PER_LEAF);
          Map<Object, Pid> now = children(sup);
          for (int w = 0; w < WORKERS_PER_LEAF; w++) {
            Pid p = now.get(w);
            assertThat(Proc.isAlive(p)).isTrue();
            if (killed[leaf][w]) {
              assertThat(p).as("worker %d of leaf %d was killed", w, leaf).isNotEqualTo(workers[leaf][w]);
            } else {
              assertThat(p).as("worker %d of leaf %d was not killed since last seen", w, leaf).isEqualTo(workers[leaf][w]);
            }
            workers[leaf][w] = p;
            killed[leaf][w] = false;
          }
        }
        // Exactly one restart per kill, in the leaf that was hit; no escalation anywhere.
        Map<String, Integer> restartsBySupervisor = new HashMap<>();
        for (Map<String, Object> r : reports.supervisorReports("child_terminated")) {
          restartsBySupervisor.merge((String) r.get("supervisor"), 1, Integer::sum);
        }
        for (int leaf = 0; leaf < LEAVES; leaf++) {
          assertThat(restartsBySupervisor.getOrDefault(leafPids[leaf].toString(), 0))
              .as("restarts of leaf %d", leaf).isEqualTo(kills[leaf]);
        }
        assertThat(restartsBySupervisor.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(KILLS);
        assertThat(reports.supervisorReports("shutdown")).isEmpty();
        assertThat(children(root)).isEqualTo(midPids);
        for (int m = 0; m < MIDS; m++) {
          Map<Object, Pid> leaves = children(midPids.get(m));
          for (int l = 0; l < LEAVES_PER_MID; l++) {
            assertThat(leaves.get(l)).as("leaf %d of mid %d", l, m).isEqualTo(leafPids[m * LEAVES_PER_MID + l]);
          }
        }

        // Phase 2: push one leaf to exactly LEAF_INTENSITY + 1 restarts.
        int target = random.nextInt(LEAVES);
        Pid targetSup = leafPids[target];
        Pid targetMid = midPids.get(target / LEAVES_PER_MID);
        int needed = LEAF_INTENSITY + 1 - kills[target];
        System.out.println("chaos: leaf " + target + " had " + kills[target] + " restarts; " + needed
            + " more kills make it give up");
        Ref targetRef = inbox.monitor(targetSup);
        for (int w = 0; w < needed - 1; w++) {
          Proc.exit(workers[target][w], ExitReason.KILL);
        }
        for (int w = 0; w < needed - 1; w++) {
          workers[target][w] = awaitReplaced(targetSup, w, workers[target][w]);
        }
        assertThat(Proc.isAlive(targetSup)).as("leaf %d after %d restarts", target, LEAF_INTENSITY).isTrue();
        assertThat(inbox.receive(Duration.ZERO)).isEmpty();
        Proc.exit(workers[target][needed - 1], ExitReason.KILL);
        assertThat(awaitDown(inbox, targetRef)).isEqualTo(ExitReason.SHUTDOWN);
        Pid newLeaf = awaitReplaced(targetMid, target % LEAVES_PER_MID, targetSup);
        Awaitility.await().atMost(LONG_WAIT)
            .until(() -> Supervisor.countChildren(newLeaf).active() == WORKERS_PER_LEAF);
        // Only that leaf changed: the root, the mids, every other leaf and its workers are as before.
        assertThat(Proc.isAlive(root)).isTrue();
        assertThat(children(root)).isEqualTo(midPids);
        List<String> gaveUp = reports.supervisorReports("shutdown").stream()
            .map(r -> (String) r.get("supervisor")).toList();
        assertThat(gaveUp).containsExactly(targetSup.toString());
        // The leaf reported every kill, LEAF_INTENSITY + 1 in all; its mid reported the leaf's end.
        List<Map<String, Object>> terminated = reports.supervisorReports("child_terminated");
        assertThat(terminated).filteredOn(r -> r.get("supervisor").equals(targetSup.toString()))
            .hasSize(LEAF_INTENSITY + 1);
        assertThat(terminated).filteredOn(r -> r.get("supervisor").equals(targetMid.toString())).singleElement()
            .satisfies(r -> {
              assertThat(r.get("pid")).isEqualTo(targetSup);
              assertThat(r.get("reason")).isEqualTo(ExitReason.SHUTDOWN);
            });
        assertThat(terminated).hasSize(KILLS + needed + 1);
        for (int leaf = 0; leaf < LEAVES; leaf++) {
          int m = leaf / LEAVES_PER_MID;
          Pid nowLeaf = children(midPids.get(m)).get(leaf % LEAVES_PER_MID);
          if (leaf == target) {
            assertThat(nowLeaf).isEqualTo(newLeaf).isNotEqualTo(targetSup);
            continue;
          }
          assertThat(nowLeaf).as("leaf %d", leaf).isEqualTo(leafPids[leaf]);
          Map<Object, Pid> now = children(nowLeaf);
          List<Integer> changed = new ArrayList<>();
          for (int w = 0; w < WORKERS_PER_LEAF; w++) {
            if (!now.get(w).equals(workers[leaf][w])) {
              changed.add(w);
            }
          }
          assertThat(changed).as("workers of untouched leaf %d that changed", leaf).isEmpty();
        }

        // Stop: nothing is left.
        Supervisor.stop(root);
        assertThat(awaitDown(inbox, rootRef)).isEqualTo(ExitReason.NORMAL);
        Awaitility.await().atMost(LONG_WAIT).pollInterval(Duration.ofMillis(10))
            .untilAsserted(() -> assertThat(node.processCount()).as("processes after the tree stopped").isEqualTo(baseline));
      });
    }
  }
}
