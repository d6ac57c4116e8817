package org.otp4j.examples.ledger;

import org.otp4j.examples.QuietReports;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.otp4j.behaviours.Sys;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.examples.ledger.Rows.TransferState;

/**
 * Transfers: idempotency keys, the workflow's journal, a workflow killed in the middle, and recovery
 * of a transfer left in any step by a crash.
 */
class TransferTest {
  @TempDir
  Path dir;

  @Test
  void aRetryWithTheSameKeyReturnsTheOriginalOutcomeAndMovesNothingAgain() throws Exception {
    try (LedgerServer s = LedgerServer.start(dir)) {
      s.open("alice", "EUR", 0, 1000);
      s.open("bob", "EUR", 0, 0);
      LedgerServer.Reply first = s.transfer("pay-1", "alice", "bob", 300);
      assertThat(first.status()).isEqualTo(200);
      assertThat(first.body().path("state").asString()).isEqualTo("COMPLETED");
      // ten concurrent retries, all answered with the first outcome
      List<Thread> retries = new ArrayList<>();
      List<LedgerServer.Reply> replies = java.util.Collections.synchronizedList(new ArrayList<>());
      for (int i = 0; i < 10; i++) {
        retries.add(Thread.ofVirtual().start(() -> replies.add(s.transfer("pay-1", "alice", "bob", 300))));
      }
      for (Thread t : retries) {
        t.join();
      }
      assertThat(replies).hasSize(10).allSatisfy(r -> {
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body().path("id").asLong()).isEqualTo(first.body().path("id").asLong());
      });
      assertThat(s.balance("alice")).isEqualTo(700);
      assertThat(s.balance("bob")).isEqualTo(300);
      // a refusal is an outcome too: replayed as it was, even once the money is there
      LedgerServer.Reply refused = s.transfer("pay-2", "bob", "alice", 500);
      assertThat(refused.status()).isEqualTo(422);
      assertThat(refused.error()).isEqualTo("insufficient_funds");
      s.post("/accounts/bob/deposit", "{\"amount\":1000}", "top-up");
      LedgerServer.Reply again = s.transfer("pay-2", "bob", "alice", 500);
      assertThat(again.status()).isEqualTo(422);
      assertThat(again.body().path("transfer").path("id").asLong())
          .isEqualTo(refused.body().path("transfer").path("id").asLong());
      assertThat(s.balance("bob")).isEqualTo(1300);
      // the same key with another body: 409, nothing moved
      LedgerServer.Reply conflict = s.transfer("pay-1", "alice", "bob", 301);
      assertThat(conflict.status()).isEqualTo(409);
      assertThat(conflict.error()).isEqualTo("idempotency_conflict");
      assertThat(s.balance("alice")).isEqualTo(700);
    }
  }

  @Test
  void eachStepIsJournaledInOrder() {
    try (LedgerServer s = LedgerServer.start(dir)) {
      s.open("alice", "EUR", 0, 100);
      s.open("bob", "EUR", 0, 0);
      long done = s.transfer("ok", "alice", "bob", 60).body().path("id").asLong();
      long refused = s.transfer("too-much", "alice", "bob", 60).body().path("transfer").path("id").asLong();
      LedgerStore store = s.ledger().store();
      assertThat(s.on(() -> store.steps(done))).containsExactly("validate", "reserve", "post", "complete");
      assertThat(s.on(() -> store.steps(refused))).containsExactly("validate", "reserve", "compensate", "failed");
      assertThat(s.get("/transfers?account=bob&limit=1").body().path("transfers").get(0).path("id").asLong())
          .as("recent transfers, newest first").isEqualTo(refused);
    }
  }

  @Test
  void aWorkflowKilledWhileItWaitsForTheAccountIsRestartedAndCompletesOnce() throws Exception {
    try (LedgerServer s = LedgerServer.start(dir); QuietReports reports = new QuietReports()) {
      s.open("alice", "EUR", 0, 1000);
      s.open("bob", "EUR", 0, 0);
      Pid account = s.on(() -> Proc.whereis(s.ledger().accountName("alice"))).orElseThrow();
      s.on(() -> {
        Sys.suspend(account); // the reservation waits: the workflow sits in RESERVE
        return null;
      });
      // a transfer on the multi-commit path, accepted with its reservation still to do (the path of one
      // whose source cannot fund it at once); the client's request finds it by its key and drives it
      String hash = Amounts.hash("transfer", "alice", "bob", "400", "");
      s.on(() -> Writer.submit(LedgerStore.acceptTransfer("slow", hash, "alice", "bob", 400, "EUR")));
      AtomicReference<LedgerServer.Reply> answer = new AtomicReference<>();
      Thread client = Thread.ofVirtual().start(() -> answer.set(s.transfer("slow", "alice", "bob", 400)));
      LedgerStore store = s.ledger().store();
      await().atMost(LedgerServer.WAIT).until(() -> s.on(() -> store.transferByKey("slow"))
          .filter(t -> t.state() == TransferState.RESERVE).isPresent());
      long id = s.on(() -> store.transferByKey("slow")).orElseThrow().id();
      Pid workflow = s.on(() -> Proc.whereis(s.ledger().workflowName(id))).orElseThrow();
      reports.expectKill(workflow);
      s.on(() -> {
        Proc.exit(workflow, ExitReason.KILL);
        return null;
      });
      await().atMost(LedgerServer.WAIT).until(() -> reports.killed(workflow));
      await().atMost(LedgerServer.WAIT).until(() -> s.on(() -> Proc.whereis(s.ledger().workflowName(id)))
          .filter(p -> !p.equals(workflow)).isPresent());
      s.on(() -> {
        Sys.resume(account);
        return null;
      });
      client.join();
      assertThat(answer.get().status()).as("%s", answer.get()).isEqualTo(200);
      assertThat(answer.get().body().path("id").asLong()).isEqualTo(id);
      assertThat(s.balance("alice")).isEqualTo(600);
      assertThat(s.balance("bob")).isEqualTo(400);
      assertThat(s.on(() -> store.steps(id))).containsExactly("validate", "reserve", "post", "complete");
      assertThat(s.on(Auditor::now).violations()).isEmpty();
    }
  }

  /**
   * A crash left a transfer in {@code state}, as the journal shows it: in RESERVE and POST the hold
   * may or may not have been written before the crash (both are tried). Recovery at the next start
   * drives it to exactly one terminal outcome.
   */
  @ParameterizedTest
  @EnumSource(value = TransferState.class, names = {"VALIDATE", "RESERVE", "POST", "COMPENSATE"})
  void recoveryFinishesATransferLeftInAnyStep(TransferState state) throws Exception {
    for (boolean held : List.of(false, true)) {
      if (!held && state == TransferState.POST) {
        continue; // POST is journaled only after the hold is written
      }
      Path data = dir.resolve(state + "-" + held);
      try (LedgerServer s = LedgerServer.start(data)) {
        s.open("alice", "EUR", 0, 1000);
        s.open("bob", "EUR", 0, 0);
      }
      // what a crash in that step leaves behind
      try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + data.resolve("ledger.db"))) {
        long now = System.currentTimeMillis();
        LedgerStore.update(c, "INSERT INTO transfers (id, idem_key, request_hash, kind, from_acct, to_acct, amount, "
            + "currency, state, outcome, detail, created_at, updated_at) VALUES (100, 'crashed', 'h', 'transfer', "
            + "'alice', 'bob', 250, 'EUR', ?, ?, ?, ?, ?)", state.name(),
            state == TransferState.COMPENSATE ? "timeout" : null,
            state == TransferState.COMPENSATE ? "the reserve step did not finish" : null, now, now);
        LedgerStore.update(c, "INSERT INTO workflow_steps (transfer_id, seq, step, at) VALUES (100, 1, ?, ?)",
            state.name().toLowerCase(), now);
        if (held) {
          LedgerStore.update(c, "INSERT INTO holds (id, account_id, merchant, amount, kind, status, expires_at, "
              + "captured, created_at) VALUES (100, 'alice', NULL, 250, 'transfer', 'active', 0, 0, ?)", now);
          LedgerStore.update(c, "UPDATE accounts SET reserved = reserved + 250 WHERE id = 'alice'");
        }
      }
      try (LedgerServer s = LedgerServer.start(data)) {
        LedgerStore store = s.ledger().store();
        await().atMost(LedgerServer.WAIT).until(() -> s.on(() -> store.transfer(100)).orElseThrow().state().terminal());
        Rows.Transfer t = s.on(() -> store.transfer(100)).orElseThrow();
        long expectedBob = state == TransferState.COMPENSATE ? 0 : 250;
        assertThat(t.state()).as("%s, held %s", state, held)
            .isEqualTo(state == TransferState.COMPENSATE ? TransferState.FAILED : TransferState.COMPLETED);
        assertThat(s.balance("bob")).isEqualTo(expectedBob);
        assertThat(s.balance("alice")).isEqualTo(1000 - expectedBob);
        assertThat(s.get("/accounts/alice").body().path("reserved").asLong()).as("hold released or consumed").isZero();
        assertThat(s.on(Auditor::now).violations()).isEmpty();
        // and a client retrying the key gets that outcome
        Optional<Rows.Transfer> byKey = s.on(() -> store.transferByKey("crashed"));
        assertThat(byKey.map(Rows.Transfer::id)).contains(100L);
      }
    }
  }
}
