package org.otp4j.examples.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every kind of bad request gets a typed 4xx JSON error naming what was wrong, and writes nothing:
 * no movement, entry, hold, journal step or account, and no balance changes.
 */
class BadInputTest {
  @TempDir
  static Path dir;
  static LedgerServer server;
  static long hold;

  @BeforeAll
  static void start() {
    server = LedgerServer.start(dir);
    server.open("alice", "EUR", 100, 1000);
    server.open("bob", "EUR", 0, 0);
    server.open("carol", "USD", 0, 500);
    server.open("frozen", "EUR", 0, 50);
    server.open("closed", "EUR", 0, 0);
    assertThat(server.post("/accounts/frozen/freeze", "").status()).isEqualTo(200);
    assertThat(server.post("/accounts/closed/close", "").status()).isEqualTo(200);
    assertThat(server.transfer("used-key", "alice", "bob", 10).status()).isEqualTo(200);
    LedgerServer.Reply h = server.post("/holds", "{\"account\":\"alice\",\"merchant\":\"bob\",\"amount\":5}", "a-hold");
    assertThat(h.status()).isEqualTo(201);
    hold = h.body().path("id").asLong();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  /** What the database holds, in numbers: unchanged by a refused request. */
  static List<Long> footprint(LedgerServer s) {
    return s.on(() -> s.ledger().store().snapshot(c -> Stream.of(
        "SELECT COUNT(*) FROM transfers", "SELECT COUNT(*) FROM entries", "SELECT COUNT(*) FROM holds",
        "SELECT COUNT(*) FROM workflow_steps", "SELECT COUNT(*) FROM accounts",
        "SELECT COALESCE(SUM(balance), 0) FROM accounts", "SELECT COALESCE(SUM(reserved), 0) FROM accounts",
        "SELECT COUNT(*) FROM accounts WHERE status = 'open'", "SELECT COUNT(*) FROM idempotency_keys",
        "SELECT COUNT(*) FROM holds WHERE status = 'active'").map(sql -> {
          try {
            return LedgerStore.queryOne(c, sql, rs -> rs.getLong(1)).orElse(0L);
          } catch (java.sql.SQLException e) {
            throw new AssertionError(e);
          }
        }).toList()));
  }

  static Stream<Arguments> badRequests() {
    String big = "{\"from\":\"alice\",\"to\":\"bob\",\"amount\":1,\"currency\":\"" + "X".repeat(20_000) + "\"}";
    return Stream.of(
        // path, body, idempotency key, status, code
        Arguments.of("/transfers", "{\"from\":\"alice\",\"to\":\"bob\",\"amount\":0}", "k-zero", 400, "invalid_amount"),
        Arguments.of("/transfers", "{\"from\":\"alice\",\"to\":\"bob\",\"amount\":-5}", "k-neg", 400, "invalid_amount"),
        Arguments.of("/transfers", "{\"from\":\"alice\",\"to\":\"bob\",\"amount\":1.5}", "k-frac", 400, "invalid_amount"),
        Arguments.of("/transfers", "{\"from\":\"alice\",\"to\":\"bob\",\"amount\":\"100\"}", "k-str", 400,
            "invalid_amount"),
        Arguments.of("/transfers", "{\"from\":\"alice\",\"to\":\"bob\",\"amount\":99999999999999999999999}", "k-huge",
            400, "invalid_amount"),
        Arguments.of("/transfers", "{\"from\":\"alice\",\"to\":\"bob\",\"amount\":9223372036854775807}", "k-max", 400,
            "invalid_amount"),
        Arguments.of("/transfers", "{\"from\":\"alice\",\"to\":\"bob\"}", "k-missing", 400, "invalid_amount"),
        Arguments.of("/transfers", "{\"from\":\"alice\",\"to\":", "k-broken", 400, "malformed_json"),
        Arguments.of("/transfers", "[1, 2]", "k-array", 400, "malformed_json"),
        Arguments.of("/transfers", "{\"from\":\"alice\",\"to\":\"bob\",\"amount\":1} trailing", "k-trail", 400,
            "malformed_json"),
        Arguments.of("/transfers", "{\"from\":\"alice\",\"to\":\"bob\",\"amount\":1,\"ammount\":2}", "k-field", 400,
            "unknown_field"),
        Arguments.of("/transfers", "{\"from\":\"alice\",\"to\":\"nobody\",\"amount\":1}", "k-unknown", 404,
            "unknown_account"),
        Arguments.of("/transfers", "{\"from\":\"alice\",\"to\":\"closed\",\"amount\":1}", "k-closed", 409,
            "account_closed"),
        Arguments.of("/transfers", "{\"from\":\"frozen\",\"to\":\"bob\",\"amount\":1}", "k-frozen", 409,
            "account_frozen"),
        Arguments.of("/transfers", "{\"from\":\"alice\",\"to\":\"alice\",\"amount\":1}", "k-self", 400, "same_account"),
        Arguments.of("/transfers", "{\"from\":\"alice\",\"to\":\"carol\",\"amount\":1}", "k-cur", 400,
            "currency_mismatch"),
        Arguments.of("/transfers", "{\"from\":\"alice\",\"to\":\"bob\",\"amount\":1,\"currency\":\"USD\"}", "k-cur2",
            400, "currency_mismatch"),
        Arguments.of("/transfers", "{\"from\":\"alice\",\"to\":\"bob\",\"amount\":11}", "used-key", 409,
            "idempotency_conflict"),
        Arguments.of("/transfers", "{\"from\":\"alice\",\"to\":\"bob\",\"amount\":1}", null, 400,
            "missing_idempotency_key"),
        Arguments.of("/transfers", big, "k-big", 413, "too_large"),
        Arguments.of("/transfers", "{\"from\":\"al ice\",\"to\":\"bob\",\"amount\":1}", "k-id", 400,
            "invalid_account_id"),
        Arguments.of("/accounts/alice/deposit", "{\"amount\":-1}", "k-d1", 400, "invalid_amount"),
        Arguments.of("/accounts/closed/deposit", "{\"amount\":1}", "k-d2", 409, "account_closed"),
        Arguments.of("/accounts/frozen/withdraw", "{\"amount\":1}", "k-w2", 409, "account_frozen"),
        Arguments.of("/accounts/nobody/deposit", "{\"amount\":1}", "k-d3", 404, "unknown_account"),
        Arguments.of("/accounts/alice/deposit", "{\"amount\":1}", "used-key", 409, "idempotency_conflict"),
        Arguments.of("/accounts/alice/deposit", "{\"amount\":1}", null, 400, "missing_idempotency_key"),
        Arguments.of("/accounts/alice/deposit", "{\"amount\":1}", "", 400, "missing_idempotency_key"),
        Arguments.of("/accounts/alice/withdraw", "{\"amount\":1}", null, 400, "missing_idempotency_key"),
        Arguments.of("/accounts/alice/deposit", "{\"amount\":1}", "a key", 400, "invalid_idempotency_key"),
        Arguments.of("/accounts", "{\"id\":\"alice\",\"currency\":\"EUR\"}", null, 409, "account_exists"),
        Arguments.of("/accounts", "{\"id\":\"dave\",\"currency\":\"euro\"}", null, 400, "invalid_currency"),
        Arguments.of("/accounts", "{\"id\":\"dave\",\"currency\":\"EUR\",\"overdraft\":-1}", null, 400,
            "invalid_overdraft"),
        Arguments.of("/accounts/alice/close", "", null, 409, "account_not_empty"),
        Arguments.of("/accounts/closed/unfreeze", "", null, 409, "account_closed"),
        Arguments.of("/holds", "{\"account\":\"alice\",\"merchant\":\"carol\",\"amount\":5}", "k-h2", 400,
            "currency_mismatch"),
        Arguments.of("/holds", "{\"account\":\"alice\",\"merchant\":\"alice\",\"amount\":5}", "k-h3", 400,
            "same_account"),
        Arguments.of("/holds", "{\"account\":\"alice\",\"merchant\":\"bob\",\"amount\":5,\"ttlSeconds\":0}", "k-h4",
            400, "invalid_ttl"),
        Arguments.of("/holds", "{\"account\":\"alice\",\"merchant\":\"bob\",\"amount\":5}", null, 400,
            "missing_idempotency_key"),
        Arguments.of("/holds", "{\"account\":\"alice\",\"merchant\":\"bob\",\"amount\":5}", "used-key", 409,
            "idempotency_conflict"),
        Arguments.of("/holds/999/capture", "{\"amount\":1}", "k-c1", 404, "unknown_hold"),
        Arguments.of("/holds/" + hold + "/capture", "{\"amount\":1}", null, 400, "missing_idempotency_key"),
        Arguments.of("/holds/" + hold + "/capture", "{}", "", 400, "missing_idempotency_key"),
        Arguments.of("/holds/" + hold + "/capture", "{\"amount\":6}", "k-c2", 400, "amount_exceeds_hold"),
        Arguments.of("/holds/" + hold + "/capture", "{\"amount\":1}", "used-key", 409, "idempotency_conflict"),
        Arguments.of("/holds/" + hold + "/void", "", null, 400, "missing_idempotency_key"),
        Arguments.of("/holds/" + hold + "/void", "", "a-hold", 409, "idempotency_conflict"),
        Arguments.of("/nowhere", "{}", null, 404, "not_found"));
  }

  @Test
  void aRefusedBodyIsReadThroughAndTheConnectionServesTheNextRequest() throws Exception {
    String big = "{\"from\":\"alice\",\"to\":\"bob\",\"amount\":1,\"currency\":\"" + "X".repeat(20_000) + "\"}";
    HttpClient client = HttpClient.newHttpClient();
    // Answered before the client had sent the whole body, and the connection then closed on unread
    // data, the client lost the answer itself now and then ("header parser received no bytes"), or
    // the next request on the same connection.
    for (int i = 0; i < 30; i++) {
      HttpResponse<String> refused = client.send(LedgerServer.postRequest(server.port, "/transfers", big, "k-big-" + i),
          HttpResponse.BodyHandlers.ofString());
      assertThat(refused.statusCode()).isEqualTo(413);
      assertThat(refused.body()).contains("too_large");
      assertThat(refused.headers().firstValue("Connection")).as("kept open: the body was read through").isEmpty();
      HttpResponse<String> next = client.send(LedgerServer.postRequest(server.port, "/accounts/nobody/deposit",
          "{\"amount\":1}", "k-next-" + i), HttpResponse.BodyHandlers.ofString());
      assertThat(next.statusCode()).isEqualTo(404);
    }
  }

  @ParameterizedTest(name = "{0} {1} -> {3} {4}")
  @MethodSource("badRequests")
  void isRefusedWithATypedErrorAndWritesNothing(String path, String body, String key, int status, String code) {
    List<Long> before = footprint(server);
    LedgerServer.Reply r = server.post(path, body, key);
    assertThat(r.status()).as("%s", r.body()).isEqualTo(status);
    assertThat(r.error()).isEqualTo(code);
    assertThat(r.body().path("message").asString()).as("a message saying what was wrong").isNotBlank();
    if (code.endsWith("idempotency_key")) {
      assertThat(r.body().path("message").asString()).as("names the header").contains("Idempotency-Key");
    }
    assertThat(footprint(server)).as("nothing written").isEqualTo(before);
  }

  @Test
  void aWrongMethodIsRefusedToo() {
    LedgerServer.Reply r = server.get("/transfers/abc");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.error()).isEqualTo("invalid_id");
    assertThat(server.get("/accounts/alice/deposit").error()).isEqualTo("method_not_allowed");
  }
}
