package org.otp4j.examples.iot;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.otp4j.examples.PostgresCluster;
import org.otp4j.examples.iot.DeviceMessage.Status;
import org.otp4j.examples.iot.DeviceMessage.Telemetry;
import org.otp4j.examples.iot.IotStore.Window;

/**
 * The store written by several nodes at once: each node's storage stage writes batches that touch
 * the same rows (the devices, a group's windows) in whatever order its messages came. Every batch
 * must commit (PostgreSQL ends one of two transactions that wait for each other's row locks as a
 * deadlock) and every reading count once in its windows.
 */
@DisplayName("IoT store: batches of several writers at once, on SQLite and PostgreSQL")
@Timeout(180)
class StoreConcurrencyTest {
  private static final int WRITERS = 4;
  private static final int BATCHES = 25;
  private static final int DEVICES = 40;
  private static final List<String> GROUPS = List.of("g-1", "g-2", "g-3");
  private static final long MINUTE = 29_000_000L;

  @Test
  @DisplayName("SQLite: four writers' overlapping batches all commit, each reading counted once")
  void sqlite(@TempDir Path dir) throws Exception {
    check(config(dir, ""));
  }

  @Test
  @DisplayName("PostgreSQL: four writers' overlapping batches, in different orders, all commit (no deadlock)")
  void postgres(@TempDir Path dir) throws Exception {
    try (PostgresCluster pg = PostgresCluster.start(dir)) {
      check(config(dir, pg.jdbcUrl()));
    }
  }

  private static IotConfig config(Path dir, String jdbcUrl) {
    Map<String, Object> env = new HashMap<>(IotApp.descriptor().env());
    env.put("dataDir", dir.resolve("data").toString());
    env.put("jdbcUrl", jdbcUrl);
    env.put("jdbcUser", jdbcUrl.isEmpty() ? "" : "postgres");
    return IotConfig.from(env);
  }

  /**
   * Each writer (a store of its own, as each node has) stores the readings of every device, one per
   * device per batch, its batch in an order of its own (shuffled), with their windows and a status
   * each; then the counts are checked.
   */
  private static void check(IotConfig config) throws Exception {
    List<IotStore> stores = new ArrayList<>();
    try {
      for (int w = 0; w < WRITERS; w++) {
        stores.add(IotStore.open(config)); // the first makes the tables
      }
      IotStore store = stores.getFirst();
      CyclicBarrier start = new CyclicBarrier(WRITERS);
      ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
      try {
        List<Future<Integer>> done = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
          int writer = w;
          IotStore own = stores.get(w);
          done.add(pool.submit(() -> {
            Random random = new Random(writer);
            start.await();
            int inserted = 0;
            for (int b = 0; b < BATCHES; b++) {
              List<Telemetry> readings = new ArrayList<>();
              List<Window> windows = new ArrayList<>();
              List<Status> statuses = new ArrayList<>();
              for (int d = 0; d < DEVICES; d++) {
                String device = "d-" + d;
                String group = GROUPS.get(d % GROUPS.size());
                long ts = MINUTE * 60_000L + b * 1_000L + writer; // one minute for all
                Telemetry t = new Telemetry(device, group, writer * 1_000L + b, ts, 20.0, 90.0, 0, 0, null);
                readings.add(t);
                windows.add(new Window("device", device, MINUTE, 1, 20.0, 20.0, 20.0));
                windows.add(new Window("group", group, MINUTE, 1, 20.0, 20.0, 20.0));
                statuses.add(new Status(device, true, ts));
              }
              Collections.shuffle(readings, random);
              Collections.shuffle(windows, random);
              Collections.shuffle(statuses, random);
              inserted += own.writeBatch(readings, statuses, windows);
            }
            return inserted;
          }));
        }
        int inserted = 0;
        for (Future<Integer> f : done) {
          inserted += f.get(150, TimeUnit.SECONDS); // a batch ended as a deadlock fails here
        }
        int expected = WRITERS * BATCHES * DEVICES;
        assertThat(inserted).isEqualTo(expected);
        assertThat(store.windows("device", "d-0").getFirst().n()).isEqualTo(WRITERS * BATCHES);
        long perGroup = 0;
        for (String g : GROUPS) {
          List<Window> w = store.windows("group", g);
          assertThat(w).hasSize(1);
          perGroup += w.getFirst().n();
        }
        assertThat(perGroup).isEqualTo(expected);
        assertThat(store.deviceCounts()).containsExactly(DEVICES, DEVICES);
      } finally {
        pool.shutdownNow();
      }
    } finally {
      for (IotStore s : stores) {
        s.close();
      }
    }
  }
}
