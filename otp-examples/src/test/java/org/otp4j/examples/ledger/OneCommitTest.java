package org.otp4j.examples.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.otp4j.examples.ledger.LedgerStore.Outcome;
import org.otp4j.examples.ledger.LedgerStore.Work;
import org.otp4j.examples.ledger.Rows.Transfer;
import org.otp4j.examples.ledger.Rows.TransferState;

/**
 * A transfer the source can fund is one request to the writer, so one commit: its journaled steps
 * and their effects are in the same transaction, so whatever stops the service (a failing statement,
 * a kill -9) leaves all of them or none.
 */
class OneCommitTest {
  @TempDir
  Path dir;

  @Test
  void concurrentTransfersThatCanCompleteTakeOneWriterRequestEach() throws Exception {
    int accounts = 8;
    int n = 160;
    try (LedgerServer s = LedgerServer.start(dir)) {
      for (int i = 0; i < accounts; i++) {
        s.open("a" + i, "EUR", 0, 10_000);
      }
      Writer.Counts before = s.on(Writer::counts);
      List<LedgerServer.Reply> replies = Collections.synchronizedList(new ArrayList<>());
      List<Thread> clients = new ArrayList<>();
      for (int c = 0; c < n; c++) {
        int k = c;
        clients.add(Thread.ofVirtual().start(() -> replies.add(s.transfer("t" + k, "a" + (k % accounts),
            "a" + other(k % accounts, k / accounts, accounts), 1 + k % 50))));
      }
      for (Thread t : clients) {
        t.join();
      }
      Writer.Counts after = s.on(Writer::counts);
      assertThat(replies).hasSize(n).allSatisfy(r -> {
        assertThat(r.status()).as("%s", r).isEqualTo(200);
        assertThat(r.body().path("state").asString()).isEqualTo("COMPLETED");
      });
      assertThat(after.works() - before.works()).as("writer requests: one per transfer, none by a workflow")
          .isEqualTo(n);
      assertThat(after.batches() - before.batches()).as("commits").isBetween(1L, (long) n);
      long total = 0;
      for (int i = 0; i < accounts; i++) {
        total += s.balance("a" + i);
      }
      assertThat(total).isEqualTo(accounts * 10_000L);
      long id = replies.getFirst().body().path("id").asLong();
      LedgerStore store = s.ledger().store();
      assertThat(s.on(() -> store.steps(id))).containsExactly("validate", "reserve", "post", "complete");
      assertThat(s.on(() -> store.hold(id)).orElseThrow().status()).isEqualTo("consumed");
      assertThat(s.on(Auditor::now).violations()).isEmpty();
    }
  }

  @Test
  void eachTransferOfABatchIsCheckedAgainstTheWritesBeforeItInTheSameBatch() {
    try (LedgerServer s = LedgerServer.start(dir)) {
      s.open("alice", "EUR", 0, 100);
      s.open("bob", "EUR", 0, 0);
      LedgerStore store = s.ledger().store();
      List<Work<?>> works = List.of(
          transfer("k1", "alice", "bob", 70),
          transfer("k1", "alice", "bob", 70), // its retry, before the first is flushed
          transfer("k1", "alice", "bob", 71), // the key with another request
          transfer("k2", "alice", "bob", 70), // alice has 30 left: not at once
          LedgerStore.cash("deposit", "k3", Amounts.hash("deposit", "bob", "5"), "bob", 5), // a work of its own SQL
          transfer("k4", "bob", "alice", 75), // bob has 70 + 5
          transfer("k5", "alice", "nobody", 1));
      List<Outcome> out = s.on(() -> store.db().commit(works));

      Transfer first = done(out.get(0));
      assertThat(first.state()).isEqualTo(TransferState.COMPLETED);
      assertThat(done(out.get(1)).id()).isEqualTo(first.id());
      assertThat(out.get(2)).isInstanceOfSatisfying(Outcome.Refused.class,
          r -> assertThat(r.error().code()).isEqualTo("idempotency_conflict"));
      Transfer second = done(out.get(3));
      assertThat(second.state()).isEqualTo(TransferState.RESERVE);
      assertThat(done(out.get(4)).state()).isEqualTo(TransferState.COMPLETED);
      assertThat(done(out.get(5)).state()).isEqualTo(TransferState.COMPLETED);
      assertThat(out.get(6)).isInstanceOfSatisfying(Outcome.Refused.class,
          r -> assertThat(r.error().code()).isEqualTo("unknown_account"));
      assertThat(s.on(() -> store.steps(first.id()))).containsExactly("validate", "reserve", "post", "complete");
      assertThat(s.on(() -> store.steps(second.id()))).containsExactly("validate", "reserve");
      assertThat(s.on(() -> store.transferByKey("k5"))).isEmpty();

      // the one that could not complete at once goes on through its workflow (alice has 105 by now)
      Transfer end = s.on(() -> TransferWorkflow.awaitOutcome(s.ledger(), second.id(), LedgerServer.WAIT));
      assertThat(end.state()).isEqualTo(TransferState.COMPLETED);
      assertThat(s.balance("alice")).isEqualTo(100 - 70 - 70 + 75);
      assertThat(s.balance("bob")).isEqualTo(70 + 5 - 75 + 70);
      assertThat(s.on(Auditor::now).violations()).isEmpty();
    }
  }

  @Test
  void aStatementThatFailsInABatchFailsOnlyTheTransferItBelongsTo() {
    try (LedgerServer s = LedgerServer.start(dir)) {
      s.open("alice", "EUR", 0, 100);
      s.open("bob", "EUR", 0, 0);
      LedgerStore store = s.ledger().store();
      // takes id x, and writes an entry of alice under id x + 3: the third transfer after it gets that id,
      // and its own entry of alice fails on the key (transfer_id, account_id)
      Work<Long> squat = tx -> {
        long x = tx.nextId();
        LedgerStore.update(tx.c, "INSERT INTO entries (transfer_id, account_id, amount, kind, created_at) "
            + "VALUES (?, 'alice', 0, 'squat', 0)", x + 3);
        return x;
      };
      List<Work<?>> works = List.of(squat, transfer("a", "alice", "bob", 10), transfer("b", "alice", "bob", 20),
          transfer("c", "alice", "bob", 30));
      List<Outcome> out = s.on(() -> store.db().commit(works));

      long x = (Long) ((Outcome.Done) out.get(0)).value();
      assertThat(done(out.get(1)).id()).isEqualTo(x + 1);
      assertThat(done(out.get(2)).id()).isEqualTo(x + 2);
      assertThat(out.get(3)).isInstanceOf(Outcome.Failed.class);
      assertThat(s.on(() -> store.transferByKey("a")).map(Transfer::state)).contains(TransferState.COMPLETED);
      assertThat(s.on(() -> store.transferByKey("b")).map(Transfer::state)).contains(TransferState.COMPLETED);
      assertThat(s.on(() -> store.transferByKey("c"))).as("nothing of the failed one").isEmpty();
      assertThat(s.on(() -> store.steps(x + 3))).isEmpty();
      assertThat(s.balance("alice")).isEqualTo(70);
      assertThat(s.balance("bob")).isEqualTo(30);
    }
  }

  @Test
  void aKillMinus9AmongBatchesLeavesEachTransferWhollyCommittedOrAbsent() throws Exception {
    int accounts = 4;
    long initial = 1_000_000;
    Path data = dir.resolve("data");
    Path log = dir.resolve("ledger.log");
    List<String> acked = Collections.synchronizedList(new ArrayList<>());
    AtomicBoolean stop = new AtomicBoolean();
    List<Thread> clients = new ArrayList<>();
    try (LedgerProcess service = LedgerProcess.start(log, Map.of("dataDir", data.toString()))) {
      for (int i = 0; i < accounts; i++) {
        String body = "{\"id\":\"k" + i + "\",\"currency\":\"EUR\",\"overdraft\":0}";
        assertThat(LedgerServer.send(LedgerServer.postRequest(service.port, "/accounts", body, null)).status())
            .isEqualTo(201);
        assertThat(LedgerServer.send(LedgerServer.postRequest(service.port, "/accounts/k" + i + "/deposit",
            "{\"amount\":" + initial + "}", "open-k" + i)).status()).isEqualTo(200);
      }
      for (int c = 0; c < 16; c++) {
        int client = c;
        clients.add(Thread.ofVirtual().start(() -> {
          for (int n = 0; !stop.get(); n++) {
            String key = "c" + client + "-" + n;
            String body = "{\"from\":\"k" + (n % accounts) + "\",\"to\":\"k" + other(n % accounts, n + client, accounts)
                + "\",\"amount\":" + (1 + n % 90) + "}";
            try {
              LedgerServer.Reply r = LedgerServer.send(LedgerServer.postRequest(service.port, "/transfers", body, key));
              if (r.status() == 200) {
                acked.add(key);
              }
            } catch (UncheckedIOException e) {
              return; // the service is gone
            }
          }
        }));
      }
      await().atMost(Duration.ofSeconds(120)).until(() -> acked.size() >= 300);
      service.kill9();
    } finally {
      stop.set(true);
      for (Thread t : clients) {
        t.join(Duration.ofSeconds(60));
      }
    }

    // the file as the kill left it
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + data.resolve("ledger.db"))) {
      List<String> wrong = LedgerStore.queryList(c, "SELECT t.id || ' ' || t.state || ' steps ' || "
          + "(SELECT COUNT(*) FROM workflow_steps s WHERE s.transfer_id = t.id) || ' entries ' || "
          + "(SELECT COUNT(*) FROM entries e WHERE e.transfer_id = t.id) || ' sum ' || "
          + "(SELECT COALESCE(SUM(amount), 0) FROM entries e WHERE e.transfer_id = t.id) || ' holds ' || "
          + "(SELECT COUNT(*) FROM holds h WHERE h.id = t.id AND h.status = 'consumed') || ' keys ' || "
          + "(SELECT COUNT(*) FROM idempotency_keys k WHERE k.ref_id = t.id) FROM transfers t WHERE t.kind = 'transfer'",
          rs -> rs.getString(1)).stream().filter(row -> !row.endsWith(" COMPLETED steps 4 entries 2 sum 0 holds 1 keys 1"))
          .toList();
      assertThat(wrong).as("transfers not wholly there").isEmpty();
      List<String> keys = LedgerStore.queryList(c, "SELECT idem_key FROM transfers WHERE kind = 'transfer'",
          rs -> rs.getString(1));
      assertThat(keys).as("every acknowledged transfer").containsAll(new ArrayList<>(acked));
      assertThat(LedgerStore.queryList(c, "SELECT a.id FROM accounts a WHERE a.balance <> (SELECT COALESCE(SUM(amount), 0) "
          + "FROM entries e WHERE e.account_id = a.id)", rs -> rs.getString(1))).as("balances = entries").isEmpty();
      assertThat(LedgerStore.queryOne(c, "SELECT SUM(balance) FROM accounts WHERE kind = 'customer'",
          rs -> rs.getLong(1)).orElseThrow()).isEqualTo(accounts * initial);
    }
  }

  private static Work<Transfer> transfer(String key, String from, String to, long amount) {
    return LedgerStore.transferNow(key, Amounts.hash("transfer", from, to, Long.toString(amount), ""), from, to, amount,
        null);
  }

  /** An account other than {@code from}, of {@code accounts}, picked by {@code n}. */
  private static int other(int from, int n, int accounts) {
    return (from + 1 + n % (accounts - 1)) % accounts;
  }

  private static Transfer done(Outcome o) {
    assertThat(o).isInstanceOf(Outcome.Done.class);
    return (Transfer) ((Outcome.Done) o).value();
  }
}
