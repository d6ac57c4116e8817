package org.otp4j.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reloads under load lose no request: clients send without a pause while the configuration is
 * replaced again and again, through the admin API and through the watched file, moving the route
 * between pools, instances between pools, and pools in and out of existence. Every request gets a
 * 200 from an instance of the configuration it was routed by.
 */
class ReloadTest {
  static final int CLIENTS = 4;
  static final int RELOADS = 20;

  @TempDir
  Path dir;

  /** Two configurations that differ in every way a reload can differ. */
  static String config(int n, List<UpstreamProcess> ups) {
    boolean even = n % 2 == 0;
    return """
        {"routes": [{"id": "load-%d", "prefix": "/load/", "pool": "%s", "rewrite": "%s"}],
         "pools": [{"name": "%s", "balancer": "%s", "instances": ["%s", "%s"]}]}
        """.formatted(n, even ? "even" : "odd", even ? "/even/" : "/odd/", even ? "even" : "odd",
        even ? "round_robin" : "least_outstanding", ups.get(even ? 0 : 1).url(), ups.get(2).url());
  }

  /** Runs {@link #CLIENTS} clients against {@code gateway} while {@code reload} runs {@link #RELOADS} times. */
  static void underLoad(GatewayServer gateway, IntConsumer reload) throws Exception {
    AtomicBoolean done = new AtomicBoolean();
    AtomicInteger ok = new AtomicInteger();
    List<String> failures = new CopyOnWriteArrayList<>();
    Map<String, Integer> paths = new ConcurrentHashMap<>();
    List<Thread> clients = new java.util.ArrayList<>();
    for (int c = 0; c < CLIENTS; c++) {
      clients.add(Thread.ofVirtual().start(() -> {
        while (!done.get()) {
          HttpResponse<String> r = gateway.get("/load/x");
          if (r.statusCode() == 200) {
            ok.incrementAndGet();
            paths.merge(GatewayServer.json(r).path("path").asString(), 1, Integer::sum);
          } else {
            failures.add(r.statusCode() + " " + r.body());
          }
        }
      }));
    }
    try {
      for (int i = 1; i <= RELOADS; i++) {
        int before = ok.get();
        reload.accept(i);
        // let some requests through on each configuration before the next
        await().atMost(GatewayServer.WAIT).until(() -> ok.get() >= before + CLIENTS);
      }
    } finally {
      done.set(true);
      for (Thread t : clients) {
        t.join(GatewayServer.WAIT);
      }
    }
    assertThat(failures).isEmpty();
    assertThat(ok.get()).isGreaterThanOrEqualTo(RELOADS * CLIENTS);
    assertThat(paths.keySet()).containsExactlyInAnyOrder("/even/x", "/odd/x");
  }

  @Test
  void reloadsThroughTheAdminApiLoseNoRequest() throws Exception {
    GatewayServer gateway = Shared.gateway();
    List<UpstreamProcess> ups = List.of(Shared.upstream("a"), Shared.upstream("b"), Shared.upstream("c"));
    gateway.configure(config(0, ups));
    underLoad(gateway, i -> gateway.configure(config(i, ups)));
    assertThat(gateway.state().path("routes").get(0).path("id").asString()).isEqualTo("load-" + RELOADS);
  }

  @Test
  void reloadsOfTheWatchedFileLoseNoRequestAndABadFileChangesNothing() throws Exception {
    List<UpstreamProcess> ups = List.of(Shared.upstream("a"), Shared.upstream("b"), Shared.upstream("c"));
    Path file = dir.resolve("gateway.json");
    write(file, config(0, ups));
    try (GatewayServer gateway = GatewayServer.start(Map.of("configFile", file.toString(),
        "configPoll", Duration.ofMillis(50)))) {
      assertThat(gateway.get("/load/x").statusCode()).isEqualTo(200);
      underLoad(gateway, i -> {
        write(file, config(i, ups));
        gateway.awaitState(s -> s.path("routes").get(0).path("id").asString().equals("load-" + i));
      });
      try (Captured log = Captured.logger(ConfigWatcher.class.getName())) {
        write(file, "{\"routes\": [{\"id\": \"broken\"}]}");
        await().atMost(GatewayServer.WAIT).until(() -> gateway.on(ConfigWatcher::last).contains("has no \"prefix\""));
        log.await(kv -> String.valueOf(kv.get("message")).contains("was not applied, the gateway keeps its configuration"));
        assertThat(log.unclaimed()).isEmpty();
      }
      assertThat(gateway.state().path("routes").get(0).path("id").asString()).isEqualTo("load-" + RELOADS);
      assertThat(gateway.get("/load/x").statusCode()).isEqualTo(200);
    }
  }

  /** Replaces the file in one step, as an editor or a deployment does: the watcher never reads half of it. */
  static void write(Path file, String content) {
    try {
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.writeString(tmp, content);
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
