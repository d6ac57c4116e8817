package org.otp4j.examples.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Card-style holds: authorize, then capture (full or partial) or void, or expiry by a state timeout. */
class HoldTest {
  @TempDir
  Path dir;

  private static long authorize(LedgerServer s, long amount, int ttlSeconds) {
    LedgerServer.Reply r = s.post("/holds", "{\"account\":\"alice\",\"merchant\":\"shop\",\"amount\":" + amount
        + ",\"ttlSeconds\":" + ttlSeconds + "}");
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
      assertThat(s.post("/accounts/alice/withdraw", "{\"amount\":101}").error()).isEqualTo("insufficient_funds");
      LedgerServer.Reply tooMuch = s.post("/holds/" + hold + "/capture", "{\"amount\":901}");
      assertThat(tooMuch.status()).isEqualTo(400);
      assertThat(tooMuch.error()).isEqualTo("amount_exceeds_hold");
      LedgerServer.Reply capture = s.post("/holds/" + hold + "/capture", "{\"amount\":700}");
      assertThat(capture.status()).as("%s", capture).isEqualTo(200);
      assertThat(capture.body().path("kind").asString()).isEqualTo("capture");
      assertThat(s.balance("alice")).isEqualTo(300);
      assertThat(s.balance("shop")).isEqualTo(700);
      assertThat(s.get("/accounts/alice").body().path("reserved").asLong()).isZero();
      assertThat(s.get("/holds/" + hold).body().path("status").asString()).isEqualTo("captured");
      // asked again, the capture answers with what it did, once
      assertThat(s.post("/holds/" + hold + "/capture", "{\"amount\":700}").body().path("id").asLong())
          .isEqualTo(capture.body().path("id").asLong());
      assertThat(s.balance("shop")).isEqualTo(700);
      assertThat(s.post("/holds/" + hold + "/void", "").error()).isEqualTo("hold_not_active");
      assertThat(s.on(Auditor::now).violations()).isEmpty();
    }
  }

  @Test
  void aVoidReleasesEverythingAndAFullCaptureIsTheDefault() {
    try (LedgerServer s = LedgerServer.start(dir)) {
      s.open("alice", "EUR", 0, 1000);
      s.open("shop", "EUR", 0, 0);
      long voided = authorize(s, 400, 600);
      assertThat(s.post("/holds/" + voided + "/void", "").body().path("status").asString()).isEqualTo("voided");
      assertThat(s.post("/holds/" + voided + "/capture", "{}").error()).isEqualTo("hold_not_active");
      assertThat(s.get("/accounts/alice").body().path("available").asLong()).isEqualTo(1000);
      long full = authorize(s, 250, 600);
      assertThat(s.post("/holds/" + full + "/capture", "").body().path("amount").asLong()).isEqualTo(250);
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
      assertThat(s.post("/holds/" + hold + "/capture", "{\"amount\":1}").error()).isEqualTo("hold_not_active");
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
