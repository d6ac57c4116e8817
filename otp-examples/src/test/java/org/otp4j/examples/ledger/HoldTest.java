package org.otp4j.examples.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Card-style holds: authorize, then capture (full or partial) or void, or expiry by a state timeout. */
class HoldTest {
  @TempDir
  Path dir;

  private static int keys;

  /** A new idempotency key. */
  private static String key() {
    return "k" + ++keys;
  }

  private static long authorize(LedgerServer s, long amount, int ttlSeconds) {
    LedgerServer.Reply r = s.post("/holds", "{\"account\":\"alice\",\"merchant\":\"shop\",\"amount\":" + amount
        + ",\"ttlSeconds\":" + ttlSeconds + "}", key());
    assertThat(r.status()).as("%s", r).isEqualTo(201);
    assertThat(r.body().path("status").asString()).isEqualTo("active");
    return r.body().path("id").asLong();
  }

  @Test
  void aPartialCaptureMovesTheAmountAndReleasesTheRest() {
    try (LedgerServer s = LedgerServer.start(dir)) {
      s.open("alice", "EUR", 0, 1000);
      s.open("shop", "EUR", 0, 0);
      long hold = authorize(s, 900, 600);
      assertThat(s.get("/accounts/alice").body().path("available").asLong()).isEqualTo(100);
      // more than what is held cannot be spent meanwhile
      assertThat(s.post("/accounts/alice/withdraw", "{\"amount\":101}", key()).error()).isEqualTo("insufficient_funds");
      LedgerServer.Reply tooMuch = s.post("/holds/" + hold + "/capture", "{\"amount\":901}", "too-much");
      assertThat(tooMuch.status()).isEqualTo(400);
      assertThat(tooMuch.error()).isEqualTo("amount_exceeds_hold");
      assertThat(s.get("/holds/" + hold).body().path("status").asString()).as("still authorized").isEqualTo("active");
      LedgerServer.Reply capture = s.post("/holds/" + hold + "/capture", "{\"amount\":700}", "capture-1");
      assertThat(capture.status()).as("%s", capture).isEqualTo(200);
      assertThat(capture.body().path("kind").asString()).isEqualTo("capture");
      assertThat(s.balance("alice")).isEqualTo(300);
      assertThat(s.balance("shop")).isEqualTo(700);
      assertThat(s.get("/accounts/alice").body().path("reserved").asLong()).isZero();
      assertThat(s.get("/holds/" + hold).body().path("status").asString()).isEqualTo("captured");
      // retried with its key, the capture answers with what it did, once
      LedgerServer.Reply replay = s.post("/holds/" + hold + "/capture", "{\"amount\":700}", "capture-1");
      assertThat(replay.status()).isEqualTo(200);
      assertThat(replay.body().path("id").asLong()).isEqualTo(capture.body().path("id").asLong());
      assertThat(replay.body().path("amount").asLong()).isEqualTo(700);
      // the same key with another body is another request
      assertThat(s.post("/holds/" + hold + "/capture", "{\"amount\":100}", "capture-1").error())
          .isEqualTo("idempotency_conflict");
      // the rest was released with the capture: neither a second capture nor a void takes it
      for (String second : List.of("{\"amount\":100}", "{\"amount\":700}", "{}")) {
        LedgerServer.Reply again = s.post("/holds/" + hold + "/capture", second, key());
        assertThat(again.status()).as("%s", again).isEqualTo(409);
        assertThat(again.error()).isEqualTo("hold_not_active");
        assertThat(again.body().path("holdStatus").asString()).isEqualTo("captured");
        assertThat(again.body().path("message").asString()).contains("captured");
      }
      LedgerServer.Reply voided = s.post("/holds/" + hold + "/void", "", key());
      assertThat(voided.status()).isEqualTo(409);
      assertThat(voided.body().path("holdStatus").asString()).isEqualTo("captured");
      assertThat(s.balance("shop")).isEqualTo(700);
      assertThat(s.balance("alice")).isEqualTo(300);
      assertThat(s.on(Auditor::now).violations()).isEmpty();
    }
  }

  @Test
  void aVoidReleasesEverythingAndAFullCaptureIsTheDefault() {
    try (LedgerServer s = LedgerServer.start(dir)) {
      s.open("alice", "EUR", 0, 1000);
      s.open("shop", "EUR", 0, 0);
      long voided = authorize(s, 400, 600);
      LedgerServer.Reply v = s.post("/holds/" + voided + "/void", "", "void-1");
      assertThat(v.body().path("status").asString()).isEqualTo("voided");
      assertThat(s.post("/holds/" + voided + "/void", "", "void-1").body()).as("a retry of the void").isEqualTo(v.body());
      LedgerServer.Reply late = s.post("/holds/" + voided + "/capture", "{}", key());
      assertThat(late.status()).isEqualTo(409);
      assertThat(late.error()).isEqualTo("hold_not_active");
      assertThat(late.body().path("holdStatus").asString()).isEqualTo("voided");
      assertThat(s.post("/holds/" + voided + "/void", "", key()).body().path("holdStatus").asString())
          .as("a second void").isEqualTo("voided");
      assertThat(s.get("/accounts/alice").body().path("available").asLong()).isEqualTo(1000);
      long full = authorize(s, 250, 600);
      LedgerServer.Reply captured = s.post("/holds/" + full + "/capture", "", "full-1");
      assertThat(captured.body().path("amount").asLong()).isEqualTo(250);
      assertThat(s.post("/holds/" + full + "/capture", "", "full-1").body().path("id").asLong())
          .isEqualTo(captured.body().path("id").asLong());
      assertThat(s.post("/holds/" + full + "/capture", "{\"amount\":250}", "full-1").error())
          .as("all, and an amount, are two bodies").isEqualTo("idempotency_conflict");
      assertThat(s.balance("shop")).isEqualTo(250);
      assertThat(s.on(Auditor::now).violations()).isEmpty();
    }
  }

  @Test
  void anAuthorizationExpiresByItselfEvenAcrossARestart() {
    try (LedgerServer s = LedgerServer.start(dir)) {
      s.open("alice", "EUR", 0, 1000);
      s.open("shop", "EUR", 0, 0);
      long hold = authorize(s, 300, 1);
      await().atMost(LedgerServer.WAIT).until(() -> s.get("/holds/" + hold).body().path("status").asString()
          .equals("expired"));
      assertThat(s.get("/accounts/alice").body().path("available").asLong()).isEqualTo(1000);
      LedgerServer.Reply late = s.post("/holds/" + hold + "/capture", "{\"amount\":1}", key());
      assertThat(late.error()).isEqualTo("hold_not_active");
      assertThat(late.body().path("holdStatus").asString()).isEqualTo("expired");
      assertThat(s.post("/holds/" + hold + "/void", "", key()).body().path("holdStatus").asString()).isEqualTo("expired");
      authorize(s, 200, 2);
    }
    // stopped before the second one expired: the recovery starts its process again, which expires it
    try (LedgerServer s = LedgerServer.start(dir)) {
      await().atMost(LedgerServer.WAIT).until(() -> s.get("/accounts/alice").body().path("reserved").asLong() == 0);
      assertThat(s.get("/transfers?account=alice").body().path("transfers").size()).as("only the deposit").isEqualTo(1);
      assertThat(s.on(Auditor::now).violations()).isEmpty();
    }
  }
}
