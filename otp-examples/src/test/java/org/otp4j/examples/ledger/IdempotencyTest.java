package org.otp4j.examples.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.ToLongFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every request that moves or holds money carries its client's idempotency key: without one it is
 * refused before anything is written; retried with the same key and body (one after the other, or
 * many at once, or after a restart) it is applied once and answered with the original outcome; the
 * same key with another body is 409.
 */
class IdempotencyTest {
  @TempDir
  Path dir;

  /** Where a money-moving request shows: alice's balance plus what is held on her account. */
  private static long aliceTotal(LedgerServer s) {
    var a = s.get("/accounts/alice").body();
    return a.path("balance").asLong() * 1_000_000 + a.path("reserved").asLong();
  }

  static Stream<Arguments> operations() {
    ToLongFunction<LedgerServer> total = IdempotencyTest::aliceTotal;
    return Stream.of(
        Arguments.of("deposit", "/accounts/alice/deposit", "{\"amount\":250}", "{\"amount\":251}", 200,
            250L * 1_000_000, total),
        Arguments.of("withdrawal", "/accounts/alice/withdraw", "{\"amount\":250}", "{\"amount\":251}", 200,
            -250L * 1_000_000, total),
        Arguments.of("card authorization", "/holds", "{\"account\":\"alice\",\"merchant\":\"bob\",\"amount\":250}",
            "{\"account\":\"alice\",\"merchant\":\"bob\",\"amount\":251}", 201, 250L, total));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("operations")
  void aRetriedRequestIsAppliedOnceAndAnsweredAsAtFirst(String operation, String path, String body, String other,
      int status, long effect, ToLongFunction<LedgerServer> measure) throws Exception {
    Path data = dir.resolve("data");
    LedgerServer.Reply first;
    long before;
    try (LedgerServer s = LedgerServer.start(data)) {
      s.open("alice", "EUR", 0, 1000);
      s.open("bob", "EUR", 0, 0);
      before = measure.applyAsLong(s);
      LedgerServer.Reply missing = s.post(path, body);
      assertThat(missing.status()).as("%s", missing).isEqualTo(400);
      assertThat(missing.error()).isEqualTo("missing_idempotency_key");
      assertThat(missing.body().path("message").asString()).contains("Idempotency-Key").contains(operation);
      assertThat(measure.applyAsLong(s)).as("nothing written").isEqualTo(before);

      first = s.post(path, body, "once");
      assertThat(first.status()).as("%s", first).isEqualTo(status);
      // a client that timed out sends it again, ten times at once
      List<LedgerServer.Reply> retries = Collections.synchronizedList(new ArrayList<>());
      List<Thread> threads = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        threads.add(Thread.ofVirtual().start(() -> retries.add(s.post(path, body, "once"))));
      }
      for (Thread t : threads) {
        t.join();
      }
      assertThat(retries).hasSize(10).allSatisfy(r -> {
        assertThat(r.status()).as("%s", r).isEqualTo(status);
        assertThat(r.body().path("id").asLong()).isEqualTo(first.body().path("id").asLong());
      });
      assertThat(measure.applyAsLong(s)).as("applied once").isEqualTo(before + effect);
      LedgerServer.Reply conflict = s.post(path, other, "once");
      assertThat(conflict.status()).isEqualTo(409);
      assertThat(conflict.error()).isEqualTo("idempotency_conflict");
      assertThat(measure.applyAsLong(s)).isEqualTo(before + effect);
    }
    // and after a restart on the same database
    try (LedgerServer s = LedgerServer.start(data)) {
      LedgerServer.Reply again = s.post(path, body, "once");
      assertThat(again.status()).isEqualTo(status);
      assertThat(again.body().path("id").asLong()).isEqualTo(first.body().path("id").asLong());
      assertThat(measure.applyAsLong(s)).isEqualTo(before + effect);
      assertThat(s.post(path, other, "once").error()).isEqualTo("idempotency_conflict");
      assertThat(s.on(Auditor::now).violations()).isEmpty();
    }
  }

  @Test
  void aDeclinedWithdrawalOrAuthorizationIsDeclinedAgainWhenRetried() {
    try (LedgerServer s = LedgerServer.start(dir)) {
      s.open("alice", "EUR", 0, 100);
      s.open("bob", "EUR", 0, 0);
      LedgerServer.Reply withdrawal = s.post("/accounts/alice/withdraw", "{\"amount\":150}", "w");
      assertThat(withdrawal.status()).as("%s", withdrawal).isEqualTo(422);
      assertThat(withdrawal.error()).isEqualTo("insufficient_funds");
      assertThat(withdrawal.body().path("transfer").path("state").asString()).isEqualTo("FAILED");
      String authorization = "{\"account\":\"alice\",\"merchant\":\"bob\",\"amount\":150}";
      LedgerServer.Reply hold = s.post("/holds", authorization, "h");
      assertThat(hold.status()).as("%s", hold).isEqualTo(422);
      assertThat(hold.error()).isEqualTo("insufficient_funds");
      assertThat(hold.body().path("hold").path("status").asString()).isEqualTo("declined");
      long declined = hold.body().path("hold").path("id").asLong();
      LedgerServer.Reply capture = s.post("/holds/" + declined + "/capture", "{}", "c");
      assertThat(capture.body().path("holdStatus").asString()).isEqualTo("declined");
      // the money is there now, but the retries are the requests that were declined
      assertThat(s.post("/accounts/alice/deposit", "{\"amount\":1000}", "d").status()).isEqualTo(200);
      LedgerServer.Reply again = s.post("/accounts/alice/withdraw", "{\"amount\":150}", "w");
      assertThat(again.status()).isEqualTo(422);
      assertThat(again.body().path("transfer").path("id").asLong())
          .isEqualTo(withdrawal.body().path("transfer").path("id").asLong());
      LedgerServer.Reply holdAgain = s.post("/holds", authorization, "h");
      assertThat(holdAgain.status()).isEqualTo(422);
      assertThat(holdAgain.body().path("hold").path("id").asLong()).isEqualTo(declined);
      var alice = s.get("/accounts/alice").body();
      assertThat(alice.path("balance").asLong()).isEqualTo(1100);
      assertThat(alice.path("reserved").asLong()).isZero();
      // new keys are new requests
      assertThat(s.post("/accounts/alice/withdraw", "{\"amount\":150}", "w2").status()).isEqualTo(200);
      assertThat(s.post("/holds", authorization, "h2").status()).isEqualTo(201);
      assertThat(s.on(Auditor::now).violations()).isEmpty();
    }
  }

  @Test
  void oneKeyNamesOneRequestWhateverItsKind() {
    try (LedgerServer s = LedgerServer.start(dir)) {
      s.open("alice", "EUR", 0, 1000);
      s.open("bob", "EUR", 0, 0);
      assertThat(s.post("/accounts/alice/deposit", "{\"amount\":5}", "shared").status()).isEqualTo(200);
      long before = aliceTotal(s);
      assertThat(s.post("/accounts/alice/withdraw", "{\"amount\":5}", "shared").error()).isEqualTo("idempotency_conflict");
      assertThat(s.post("/holds", "{\"account\":\"alice\",\"merchant\":\"bob\",\"amount\":5}", "shared").error())
          .isEqualTo("idempotency_conflict");
      assertThat(s.transfer("shared", "alice", "bob", 5).error()).isEqualTo("idempotency_conflict");
      long hold = s.post("/holds", "{\"account\":\"alice\",\"merchant\":\"bob\",\"amount\":5}", "h").body().path("id")
          .asLong();
      assertThat(s.post("/holds/" + hold + "/capture", "{}", "shared").error()).isEqualTo("idempotency_conflict");
      assertThat(s.post("/holds/" + hold + "/void", "", "shared").error()).isEqualTo("idempotency_conflict");
      assertThat(s.get("/holds/" + hold).body().path("status").asString()).isEqualTo("active");
      assertThat(aliceTotal(s)).isEqualTo(before + 5);
    }
  }

  @Test
  void theJavaRequestsRefuseAMissingKeyBeforeAnythingIsWritten() {
    try (LedgerServer s = LedgerServer.start(dir)) {
      s.open("alice", "EUR", 0, 1000);
      s.open("bob", "EUR", 0, 0);
      Ledger ledger = s.ledger();
      long before = aliceTotal(s);
      for (String key : new String[] {null, "", "  "}) {
        assertThatThrownBy(() -> s.on(() -> Account.ask(ledger, "alice", new Account.Request.Cash(false, key, "h", 5))))
            .isInstanceOfSatisfying(LedgerError.class, e -> {
              assertThat(e.status()).isEqualTo(400);
              assertThat(e.code()).isEqualTo("missing_idempotency_key");
              assertThat(e.getMessage()).contains("Idempotency-Key").contains("deposit");
            });
        assertThatThrownBy(() -> new Account.Request.Cash(true, key, "h", 5)).isInstanceOf(LedgerError.class)
            .hasMessageContaining("withdrawal");
        assertThatThrownBy(() -> new Account.Request.Authorize(key, "h", "bob", 5, Long.MAX_VALUE))
            .isInstanceOf(LedgerError.class).hasMessageContaining("authorization");
        assertThatThrownBy(() -> new CardHold.Msg.Capture(key, "h", OptionalLong.empty()))
            .isInstanceOf(LedgerError.class).hasMessageContaining("capture");
        assertThatThrownBy(() -> new CardHold.Msg.Void(key, "h")).isInstanceOf(LedgerError.class)
            .hasMessageContaining("void");
        assertThatThrownBy(() -> LedgerStore.cash("deposit", key, "h", "alice", 5))
            .isInstanceOf(LedgerError.class);
      }
      assertThat(aliceTotal(s)).isEqualTo(before);
      // with a key, the same request through the Java API is applied once
      Rows.Transfer t = s.on(() -> Account.ask(ledger, "alice", new Account.Request.Cash(true, "java-1", "h", 5)));
      Rows.Transfer again = s.on(() -> Account.ask(ledger, "alice", new Account.Request.Cash(true, "java-1", "h", 5)));
      assertThat(again.id()).isEqualTo(t.id());
      assertThat(aliceTotal(s)).isEqualTo(before - 5 * 1_000_000);
    }
  }
}
