package org.otp4j.examples.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The bank test, after Jepsen's: concurrent clients move money between a few accounts with
 * idempotency keys while a chaos process inside the service kills a random account or workflow
 * process every 100 ms, and the test kills the whole service JVM with kill -9 (twice) and starts it
 * again on the same database. Clients retry every request that got no definite answer (an error, a
 * timeout, a refused connection) with the same key and body, against whichever incarnation serves.
 *
 * <p>At the end, read straight from the database: the money is all there, to the unit; every
 * transfer a client saw completed is applied exactly once (one pair of entries, under the id it was
 * told), every one it saw refused not at all, none twice; no balance is below its limit; every
 * workflow is terminal; and the auditor's checks all hold.
 */
class BankTest {
  static final int ACCOUNTS = 6;
  static final int CLIENTS = 6;
  static final long INITIAL = 10_000;
  static final long OVERDRAFT = 2_000;

  @TempDir
  Path dir;

  /** What a client was told about one key. */
  record Ack(String key, long id, String state, String from, String to, long amount) {}

  @Test
  void moneyIsConservedAndEveryAcknowledgedTransferAppliedOnceThroughChaosAndKillMinus9() throws Exception {
    run(Map.of("dataDir", dir.resolve("data").toString()),
        () -> DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("data/ledger.db")));
  }

  /** Opens a connection to the service's database, for the final checks. */
  @FunctionalInterface
  interface Db {
    Connection open() throws Exception;
  }

  void run(Map<String, String> storage, Db db) throws Exception {
    Map<String, String> settings = new java.util.HashMap<>(storage);
    settings.put("chaosInterval", "100ms");
    settings.put("recoverySweep", "500ms");
    settings.put("stepTimeout", "3s");
    Path log = dir.resolve("ledger.log");
    AtomicInteger port = new AtomicInteger();
    LedgerProcess service = LedgerProcess.start(log, settings);
    port.set(service.port);
    try {
      for (int i = 0; i < ACCOUNTS; i++) {
        String id = "acct" + i;
        answered(port, "open-" + id, "/accounts", "{\"id\":\"" + id + "\",\"currency\":\"EUR\",\"overdraft\":"
            + (i % 2 == 0 ? 0 : OVERDRAFT) + "}", true);
        answered(port, "deposit-" + id, "/accounts/" + id + "/deposit", "{\"amount\":" + INITIAL + "}", false);
      }

      List<Ack> acks = new CopyOnWriteArrayList<>();
      List<String> wrong = new CopyOnWriteArrayList<>();
      AtomicBoolean stop = new AtomicBoolean();
      List<Thread> clients = new ArrayList<>();
      for (int c = 0; c < CLIENTS; c++) {
        int client = c;
        clients.add(Thread.ofVirtual().name("bank-client-" + c).start(() -> {
          SplittableRandom random = new SplittableRandom(42 + client);
          for (int n = 0; !stop.get(); n++) {
            String key = "c" + client + "-" + n;
            int from = random.nextInt(ACCOUNTS);
            int to = (from + 1 + random.nextInt(ACCOUNTS - 1)) % ACCOUNTS;
            long amount = 1 + random.nextInt(3_000);
            String body = "{\"from\":\"acct" + from + "\",\"to\":\"acct" + to + "\",\"amount\":" + amount + "}";
            JsonNode answer = answered(port, key, "/transfers", body, false);
            JsonNode t = answer.has("transfer") ? answer.get("transfer") : answer;
            Ack ack = new Ack(key, t.path("id").asLong(), t.path("state").asString(), "acct" + from, "acct" + to,
                amount);
            acks.add(ack);
            if (n % 10 == 3) { // a replay: the same outcome, not a second transfer
              JsonNode again = answered(port, key, "/transfers", body, false);
              JsonNode t2 = again.has("transfer") ? again.get("transfer") : again;
              if (t2.path("id").asLong() != ack.id() || !t2.path("state").asString().equals(ack.state())) {
                wrong.add("replay of " + key + " answered " + again + " after " + ack);
              }
            }
          }
        }));
      }

      await().atMost(Duration.ofSeconds(60)).until(() -> acks.size() >= 60);
      service.kill9();
      service = LedgerProcess.start(log, settings);
      port.set(service.port);
      int before = acks.size();
      await().atMost(Duration.ofSeconds(60)).until(() -> acks.size() >= before + 60);
      service.kill9();
      service = LedgerProcess.start(log, settings);
      port.set(service.port);
      int before2 = acks.size();
      await().atMost(Duration.ofSeconds(60)).until(() -> acks.size() >= before2 + 30);
      stop.set(true);
      for (Thread t : clients) {
        assertThat(t.join(Duration.ofSeconds(120))).as("client %s ended", t.getName()).isTrue();
      }
      assertThat(wrong).isEmpty();
      // the workflows still under way finish (or are compensated) by themselves
      await().atMost(Duration.ofSeconds(60)).until(() -> answered(port, null, "/audit", null, false)
          .path("unfinished").asLong() == 0);
      service.close();

      try (Connection c = db.open()) {
        assertThat(LedgerStore.queryOne(c, "SELECT SUM(balance) FROM accounts WHERE kind = 'customer'",
            rs -> rs.getLong(1)).orElseThrow()).as("money conserved").isEqualTo(ACCOUNTS * INITIAL);
        assertThat(LedgerStore.queryList(c, "SELECT id FROM accounts WHERE kind = 'customer' AND balance < -overdraft", rs -> rs.getString(1)))
            .as("balances below their limit").isEmpty();
        assertThat(LedgerStore.queryList(c, "SELECT id FROM transfers WHERE state NOT IN ('COMPLETED', 'FAILED')",
            rs -> rs.getLong(1))).as("unfinished workflows").isEmpty();
        Map<String, long[]> applied = new ConcurrentHashMap<>(); // key -> id, entries, debit
        LedgerStore.queryList(c, "SELECT t.idem_key, t.id, COUNT(e.account_id), COALESCE(MIN(e.amount), 0), t.state "
            + "FROM transfers t LEFT JOIN entries e ON e.transfer_id = t.id WHERE t.kind = 'transfer' "
            + "GROUP BY t.idem_key, t.id, t.state", rs -> {
              applied.put(rs.getString(1), new long[] {rs.getLong(2), rs.getLong(3), -rs.getLong(4)});
              return null;
            });
        assertThat(acks).as("acknowledged transfers").hasSizeGreaterThan(150);
        for (Ack ack : acks) {
          long[] row = Optional.ofNullable(applied.get(ack.key())).orElseThrow(() -> new AssertionError(
              "acknowledged " + ack + " is not in the database"));
          assertThat(row[0]).as("id of %s", ack).isEqualTo(ack.id());
          if (ack.state().equals("COMPLETED")) {
            assertThat(row[1]).as("entries of completed %s", ack).isEqualTo(2);
            assertThat(row[2]).as("amount of %s", ack).isEqualTo(ack.amount());
          } else {
            assertThat(ack.state()).isEqualTo("FAILED");
            assertThat(row[1]).as("entries of refused %s", ack).isZero();
          }
        }
        assertThat(applied.values()).as("no transfer applied twice or by halves")
            .allSatisfy(row -> assertThat(row[1]).isIn(0L, 2L));
        Auditor.Verdict verdict = Auditor.check(c, 1);
        assertThat(verdict.violations()).as("the auditor's invariants").isEmpty();
        assertThat(acks.stream().filter(a -> a.state().equals("COMPLETED")).count()).as("completed transfers")
            .isPositive();
      }
    } catch (AssertionError | RuntimeException e) {
      throw new AssertionError(e.getMessage() + "\n--- service output ---\n" + LedgerProcess.output(log), e);
    } finally {
      service.close();
    }
  }

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /**
   * Sends until the service gives a definite answer (2xx, or 4xx other than a conflict on the key),
   * retrying with the same key and body after errors, timeouts, refused connections; returns it.
   */
  static JsonNode answered(AtomicInteger port, String key, String path, String body, boolean createdOrExists) {
    long deadline = System.nanoTime() + Duration.ofSeconds(150).toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      try {
        var request = body == null
            ? java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port.get() + path))
                .timeout(Duration.ofSeconds(20)).GET().build()
            : LedgerServer.postRequest(port.get(), path, body, key);
        HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        JsonNode json = LedgerServer.JSON.readTree(r.body());
        int s = r.statusCode();
        if (s == 200 || s == 201 || s == 422 || (createdOrExists && s == 409
            && json.path("error").asString().equals("account_exists"))) {
          return json;
        }
        if (s < 500) {
          throw new AssertionError(path + " " + body + " (key " + key + ") answered " + s + " " + r.body());
        }
        last = s + " " + r.body();
      } catch (IOException e) {
        last = e.toString(); // the service is down or restarting: the same request again
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
      LockSupport.parkNanos(Duration.ofMillis(20).toNanos()); // pace the retries
    }
    throw new AssertionError(path + " (key " + key + ") got no definite answer; last: " + last);
  }
}
