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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The bank test, after Jepsen's: concurrent clients move money between a few accounts with
 * idempotency keys while a chaos process inside the service kills a random account, workflow or
 * card hold process every 100 ms, and the test kills the whole service JVM with kill -9 (twice) and
 * starts it again on the same database. Besides transfers, the clients deposit, withdraw, and
 * authorize card holds that they then capture (in full or in part) or void. Every request carries
 * its client's idempotency key, and a client retries every request that got no definite answer (an
 * error, a timeout, a refused connection) with the same key and body, against whichever incarnation
 * serves.
 *
 * <p>At the end, read straight from the database: the money is all there, to the unit (what was
 * deposited less what was withdrawn, as the clients were told); every movement a client saw completed
 * is applied exactly once (one pair of entries, under the id it was told), every one it saw refused
 * not at all, and there is no movement or authorization that no client was told of (a retry applied
 * a second time would be one); every hold ended as its client was told; no balance is below its
 * limit; every workflow is terminal; and the auditor's checks all hold.
 */
class BankTest {
  static final int ACCOUNTS = 6;
  static final int CLIENTS = 32;
  static final long INITIAL = 10_000;
  static final long OVERDRAFT = 2_000;

  @TempDir
  Path dir;

  /**
   * What a client was told about one key: the id of the movement it made (0 if none), its outcome
   * ({@code COMPLETED} or {@code FAILED} for a movement, {@code active}, {@code declined} or
   * {@code voided} for a hold, or the status of the hold a capture or void found ended), and the
   * card hold it is about (0 if none).
   */
  record Ack(String key, String kind, long id, String outcome, long amount, long hold) {
    boolean completed() {
      return outcome.equals("COMPLETED");
    }
  }

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

  /** One client: its random source, the port of the service now serving, what it was told. */
  private record Client(int number, SplittableRandom random, AtomicInteger port, List<Ack> acks, List<String> wrong) {
    /** The client's {@code n}th request (with its follow-ups): which kind is fixed by {@code n}. */
    void request(int n) {
      String key = "c" + number + "-" + n;
      int from = random.nextInt(ACCOUNTS);
      int to = (from + 1 + random.nextInt(ACCOUNTS - 1)) % ACCOUNTS;
      switch ((n + number) % 10) {
        case 0 -> cash(key, "deposit", "acct" + from, 1 + random.nextInt(500), n);
        case 1 -> cash(key, "withdraw", "acct" + from, 1 + random.nextInt(500), n);
        case 2, 7 -> hold(key, "acct" + from, "acct" + to, 1 + random.nextInt(2_000), n);
        default -> transfer(key, "acct" + from, "acct" + to, 1 + random.nextInt(3_000), n);
      }
    }

    private void transfer(String key, String from, String to, long amount, int n) {
      String body = "{\"from\":\"" + from + "\",\"to\":\"" + to + "\",\"amount\":" + amount + "}";
      JsonNode answer = answered(port, key, "/transfers", body);
      JsonNode t = answer.has("transfer") ? answer.get("transfer") : answer;
      Ack ack = new Ack(key, "transfer", t.path("id").asLong(), t.path("state").asString(), amount, 0);
      acks.add(ack);
      if (n % 10 == 3) { // a replay: the same outcome, not a second transfer
        JsonNode again = answered(port, key, "/transfers", body);
        JsonNode t2 = again.has("transfer") ? again.get("transfer") : again;
        if (t2.path("id").asLong() != ack.id() || !t2.path("state").asString().equals(ack.outcome())) {
          wrong.add("replay of " + key + " answered " + again + " after " + ack);
        }
      }
    }

    private void cash(String key, String kind, String account, long amount, int n) {
      String path = "/accounts/" + account + "/" + kind;
      String body = "{\"amount\":" + amount + "}";
      JsonNode answer = answered(port, key, path, body);
      Ack ack = cashAck(key, kind, amount, answer);
      acks.add(ack);
      if (n % 3 == 0) { // a client that timed out asks again: the same movement, not a second one
        JsonNode again = answered(port, key, path, body);
        if (!cashAck(key, kind, amount, again).equals(ack)) {
          wrong.add("retry of " + kind + " " + key + " answered " + again + " after " + answer);
        }
      }
    }

    private static Ack cashAck(String key, String kind, long amount, JsonNode answer) {
      JsonNode t = answer.has("transfer") ? answer.get("transfer") : answer; // declined: 422 with the movement
      return new Ack(key, kind, t.path("id").asLong(), t.path("state").asString(), amount, 0);
    }

    private void hold(String key, String account, String merchant, long amount, int n) {
      int ttl = n % 3 == 0 ? 1 : 60; // some expire before their client captures them
      String body = "{\"account\":\"" + account + "\",\"merchant\":\"" + merchant + "\",\"amount\":" + amount
          + ",\"ttlSeconds\":" + ttl + "}";
      JsonNode h = answered(port, key + "-a", "/holds", body);
      if (h.has("error")) { // declined: 422 with the hold, which holds nothing
        acks.add(new Ack(key + "-a", "authorize", 0, h.path("hold").path("status").asString(), amount,
            h.path("hold").path("id").asLong()));
        return;
      }
      long id = h.path("id").asLong();
      acks.add(new Ack(key + "-a", "authorize", 0, "active", amount, id));
      switch ((n / 10 + number) % 3) {
        case 0 -> {
          JsonNode v = answered(port, key + "-v", "/holds/" + id + "/void", "", "hold_not_active");
          acks.add(new Ack(key + "-v", "void", 0, v.has("error") ? v.path("holdStatus").asString()
              : v.path("status").asString(), 0, id));
        }
        default -> {
          String take = (n / 10 + number) % 3 == 1 ? "{}" : "{\"amount\":" + (1 + random.nextLong(amount)) + "}";
          String path = "/holds/" + id + "/capture";
          JsonNode c = answered(port, key + "-c", path, take, "hold_not_active");
          if (c.has("error")) {
            acks.add(new Ack(key + "-c", "capture", 0, c.path("holdStatus").asString(), 0, id));
            return;
          }
          Ack ack = new Ack(key + "-c", "capture", c.path("id").asLong(), c.path("state").asString(),
              c.path("amount").asLong(), id);
          acks.add(ack);
          // asked again with its key: what it did; another capture of the hold: refused, naming its status
          JsonNode again = answered(port, key + "-c", path, take, "hold_not_active");
          if (again.path("id").asLong() != ack.id()) {
            wrong.add("retry of capture " + ack + " answered " + again);
          }
          JsonNode second = answered(port, key + "-c2", path, take, "hold_not_active");
          if (!second.path("error").asString("").equals("hold_not_active")
              || !second.path("holdStatus").asString("").equals("captured")) {
            wrong.add("a second capture of hold " + id + " after " + ack + " answered " + second);
          }
        }
      }
    }
  }

  void run(Map<String, String> storage, Db db) throws Exception {
    Map<String, String> settings = new java.util.HashMap<>(storage);
    settings.put("chaosInterval", "100ms");
    settings.put("recoverySweep", "500ms");
    settings.put("stepTimeout", "3s");
    Path log = dir.resolve("ledger.log");
    AtomicInteger port = new AtomicInteger();
    AtomicBoolean stop = new AtomicBoolean();
    List<String> wrong = new CopyOnWriteArrayList<>();
    LedgerProcess service = LedgerProcess.start(log, settings);
    port.set(service.port);
    try {
      List<Ack> acks = new CopyOnWriteArrayList<>();
      for (int i = 0; i < ACCOUNTS; i++) {
        String id = "acct" + i;
        answered(port, "open-" + id, "/accounts", "{\"id\":\"" + id + "\",\"currency\":\"EUR\",\"overdraft\":"
            + (i % 2 == 0 ? 0 : OVERDRAFT) + "}", "account_exists");
        JsonNode d = answered(port, "deposit-" + id, "/accounts/" + id + "/deposit", "{\"amount\":" + INITIAL + "}");
        acks.add(new Ack("deposit-" + id, "deposit", d.path("id").asLong(), d.path("state").asString(), INITIAL, 0));
      }

      List<Thread> clients = new ArrayList<>();
      for (int c = 0; c < CLIENTS; c++) {
        Client client = new Client(c, new SplittableRandom(42 + c), port, acks, wrong);
        String name = "bank-client-" + c;
        clients.add(Thread.ofVirtual().name(name).start(() -> {
          try {
            for (int n = 0; !stop.get(); n++) {
              client.request(n);
            }
          } catch (Throwable e) { // a client that gives up fails the test at once, with what it saw
            wrong.add(name + " gave up: " + e);
          }
        }));
      }

      // the same number of requests as with a few clients, shared by more: each client asks less often
      int setup = acks.size();
      await().atMost(Duration.ofSeconds(120)).failFast("a client failed", () -> !wrong.isEmpty())
          .until(() -> acks.size() >= setup + 60);
      service.kill9();
      service = LedgerProcess.start(log, settings);
      port.set(service.port);
      int before = acks.size();
      await().atMost(Duration.ofSeconds(120)).failFast("a client failed", () -> !wrong.isEmpty())
          .until(() -> acks.size() >= before + 60);
      service.kill9();
      service = LedgerProcess.start(log, settings);
      port.set(service.port);
      int before2 = acks.size();
      await().atMost(Duration.ofSeconds(120)).failFast("a client failed", () -> !wrong.isEmpty())
          .until(() -> acks.size() >= before2 + 30);
      stop.set(true);
      for (Thread t : clients) {
        assertThat(t.join(Duration.ofSeconds(120))).as("client %s ended", t.getName()).isTrue();
      }
      assertThat(wrong).isEmpty();
      // the workflows still under way finish (or are compensated) by themselves
      await().atMost(Duration.ofSeconds(60)).until(() -> answered(port, null, "/audit", null)
          .path("unfinished").asLong() == 0);
      service.close();

      try (Connection c = db.open()) {
        check(c, acks);
      }
    } catch (AssertionError | RuntimeException e) {
      throw new AssertionError(e.getMessage() + "\nwhat the clients saw: " + wrong + "\n"
          + org.otp4j.examples.ThreadDumps.write("bank-test") + "\n--- service output ---\n"
          + LedgerProcess.output(log), e);
    } finally {
      stop.set(true); // no client outlives the test, whatever ended it
      service.close();
    }
  }

  /** The final checks, on the database as the service left it. */
  private static void check(Connection c, List<Ack> acks) throws Exception {
    long deposited = acks.stream().filter(a -> a.kind().equals("deposit") && a.completed()).mapToLong(Ack::amount).sum();
    long withdrawn = acks.stream().filter(a -> a.kind().equals("withdraw") && a.completed()).mapToLong(Ack::amount).sum();
    assertThat(LedgerStore.queryOne(c, "SELECT SUM(balance) FROM accounts WHERE kind = 'customer'",
        rs -> rs.getLong(1)).orElseThrow()).as("money conserved: deposited less withdrawn").isEqualTo(deposited - withdrawn);
    assertThat(LedgerStore.queryList(c, "SELECT id FROM accounts WHERE kind = 'customer' AND balance < -overdraft",
        rs -> rs.getString(1))).as("balances below their limit").isEmpty();
    assertThat(LedgerStore.queryList(c, "SELECT id FROM transfers WHERE state NOT IN ('COMPLETED', 'FAILED')",
        rs -> rs.getLong(1))).as("unfinished workflows").isEmpty();

    Map<String, Ack> told = new HashMap<>();
    acks.forEach(a -> told.put(a.key(), a));
    record Movement(String key, long id, String kind, long entries, long amount) {}
    Map<String, Movement> movements = new HashMap<>();
    LedgerStore.queryList(c, "SELECT t.idem_key, t.id, t.kind, COUNT(e.account_id), COALESCE(MAX(e.amount), 0) "
        + "FROM transfers t LEFT JOIN entries e ON e.transfer_id = t.id GROUP BY t.idem_key, t.id, t.kind",
        rs -> new Movement(rs.getString(1), rs.getLong(2), rs.getString(3), rs.getLong(4), rs.getLong(5)))
        .forEach(m -> movements.put(m.key(), m));
    assertThat(movements.values()).as("every movement is one a client was told of, applied once or not at all")
        .allSatisfy(m -> {
          assertThat(told).as("a client sent %s", m).containsKey(m.key());
          assertThat(m.entries()).as("entries of %s", m).isIn(0L, 2L);
        });
    for (Ack ack : acks) {
      switch (ack.kind()) {
        case "transfer", "deposit", "withdraw", "capture" -> {
          Movement m = movements.get(ack.key());
          if (ack.completed()) {
            assertThat(m).as("completed %s is in the database", ack).isNotNull();
            assertThat(m.id()).as("id of %s", ack).isEqualTo(ack.id());
            assertThat(m.kind()).isEqualTo(ack.kind());
            assertThat(m.entries()).as("entries of completed %s", ack).isEqualTo(2);
            assertThat(m.amount()).as("amount of %s", ack).isEqualTo(ack.amount());
          } else if (ack.outcome().equals("FAILED")) {
            assertThat(m).as("refused %s is recorded as such", ack).isNotNull();
            assertThat(m.entries()).as("entries of refused %s", ack).isZero();
          } else {
            assertThat(m).as("refused %s wrote nothing", ack).isNull();
          }
        }
        default -> { } // holds: below
      }
    }

    record Card(long id, String key, String status, long captured) {}
    Map<Long, Card> cards = new HashMap<>();
    LedgerStore.queryList(c, "SELECT id, idem_key, status, captured FROM holds WHERE kind = 'card'",
        rs -> new Card(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getLong(4))).forEach(h -> cards.put(h.id(), h));
    assertThat(cards.values()).as("every authorization is one a client was told of, ended as it was told")
        .allSatisfy(h -> {
          assertThat(told.get(h.key())).as("the authorization of %s", h).isNotNull()
              .extracting(Ack::hold).isEqualTo(h.id());
          assertThat(h.status()).as("%s", h).isNotEqualTo("active");
        });
    for (Ack ack : acks) {
      Card h = cards.get(ack.hold());
      switch (ack.kind()) {
        case "authorize" -> {
          assertThat(h).as("the hold of %s", ack).isNotNull();
          assertThat(h.status().equals("declined")).as("%s", h).isEqualTo(ack.outcome().equals("declined"));
        }
        case "void" -> assertThat(h.status()).as("hold of %s", ack).isEqualTo(ack.outcome());
        case "capture" -> {
          assertThat(h.status()).as("hold of %s", ack).isEqualTo(ack.completed() ? "captured" : ack.outcome());
          if (ack.completed()) {
            assertThat(h.captured()).as("captured by %s", ack).isEqualTo(ack.amount());
          }
        }
        default -> { }
      }
    }
    Auditor.Verdict verdict = Auditor.check(c, 1);
    assertThat(verdict.violations()).as("the auditor's invariants").isEmpty();
    for (String kind : List.of("transfer", "deposit", "withdraw", "capture")) {
      assertThat(acks.stream().filter(a -> a.kind().equals(kind) && a.completed()).count()).as("completed %ss", kind)
          .isPositive();
    }
    assertThat(acks.stream().filter(a -> a.kind().equals("void")).count()).as("voids").isPositive();
  }

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /**
   * Sends until the service gives a definite answer (2xx, 422, or a 409 whose code is one of
   * {@code accepted}), retrying with the same key and body after errors, timeouts, refused
   * connections; returns it.
   */
  static JsonNode answered(AtomicInteger port, String key, String path, String body, String... accepted) {
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
        if (s == 200 || s == 201 || s == 422 || (s == 409 && List.of(accepted).contains(json.path("error").asString()))) {
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
