package org.otp4j.examples.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.otp4j.behaviours.Sys;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;

/**
 * The store: SQLite in WAL mode with synchronous=FULL, the writer's group commit (many requests,
 * one transaction), and a refused request in a batch rolling back alone.
 */
class StoreTest {
  @TempDir
  Path dir;

  @Test
  void sqliteRunsInWalModeAndSyncsEveryCommit() {
    try (LedgerServer s = LedgerServer.start(dir)) {
      LedgerStore store = s.ledger().store();
      java.util.Optional<String> mode = s.on(() -> store.db().read(c -> LedgerStore.queryOne(c, "PRAGMA journal_mode",
          rs -> rs.getString(1))));
      assertThat(mode).contains("wal");
      // 2 is FULL: a commit returns once the log is synced to disk
      java.util.Optional<Integer> sync = s.on(() -> store.db().read(c -> LedgerStore.queryOne(c, "PRAGMA synchronous",
          rs -> rs.getInt(1))));
      assertThat(sync).contains(2);
      assertThat(dir.resolve("ledger.db")).exists();
    }
  }

  @Test
  void concurrentRequestsAreCommittedInOneTransaction() throws Exception {
    try (LedgerServer s = LedgerServer.start(dir)) {
      CountDownLatch release = new CountDownLatch(1);
      Writer.Counts before = s.on(Writer::counts);
      Thread blocker = holdWriteThread(s, release);
      Pid writer = s.on(() -> Proc.whereis(Ledger.WRITER)).orElseThrow();
      List<Thread> clients = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        String id = "acct" + i;
        clients.add(Thread.ofVirtual().start(() -> s.on(() -> Writer.submit(LedgerStore.openAccount(id, "EUR", 0)))));
      }
      await().atMost(LedgerServer.WAIT).until(() -> waiting(s, writer) >= 40);
      release.countDown();
      blocker.join();
      for (Thread t : clients) {
        t.join();
      }
      Writer.Counts after = s.on(Writer::counts);
      assertThat(after.works() - before.works()).isEqualTo(41);
      // the blocking request's batch, then one batch for the forty that waited behind it
      assertThat(after.batches() - before.batches()).isEqualTo(2);
      for (int i = 0; i < 40; i++) {
        String id = "acct" + i;
        assertThat(s.on(() -> s.ledger().store().account(id))).isPresent();
      }
    }
  }

  @Test
  void aRefusedRequestRollsBackAloneAndTheRestOfItsBatchCommits() throws Exception {
    try (LedgerServer s = LedgerServer.start(dir)) {
      Writer.Counts before = s.on(Writer::counts);
      CountDownLatch release = new CountDownLatch(1);
      Thread blocker = holdWriteThread(s, release);
      Pid writer = s.on(() -> Proc.whereis(Ledger.WRITER)).orElseThrow();
      List<Object> results = java.util.Collections.synchronizedList(new ArrayList<>());
      Thread good1 = Thread.ofVirtual().start(() -> results.add(s.on(() -> Writer.submit(
          LedgerStore.openAccount("first", "EUR", 0)))));
      Thread bad = Thread.ofVirtual().start(() -> {
        try {
          s.on(() -> Writer.submit(tx -> {
            LedgerStore.openAccount("doomed", "EUR", 0).run(tx); // written, then refused: rolled back
            throw LedgerError.conflict("refused_on_purpose", "this request is refused after its first write");
          }));
        } catch (LedgerError e) {
          results.add(e.code());
        }
      });
      Thread good2 = Thread.ofVirtual().start(() -> results.add(s.on(() -> Writer.submit(
          LedgerStore.openAccount("second", "EUR", 0)))));
      await().atMost(LedgerServer.WAIT).until(() -> waiting(s, writer) >= 3);
      release.countDown();
      for (Thread t : List.of(blocker, good1, bad, good2)) {
        t.join();
      }
      assertThat(s.on(Writer::counts).batches() - before.batches()).as("blocker's batch, then one").isEqualTo(2);
      assertThat(results).contains("refused_on_purpose").hasSize(3);
      LedgerStore store = s.ledger().store();
      assertThat(s.on(() -> store.account("first"))).isPresent();
      assertThat(s.on(() -> store.account("second"))).isPresent();
      assertThat(s.on(() -> store.account("doomed"))).isEmpty();
    }
  }

  @Test
  void aRequestForAMissingAccountIsRefusedByTheWriterWithItsCode() {
    try (LedgerServer s = LedgerServer.start(dir)) {
      assertThatThrownBy(() -> s.on(() -> Writer.submit(LedgerStore.setStatus("nobody", Rows.FROZEN))))
          .isInstanceOfSatisfying(LedgerError.class, e -> {
            assertThat(e.code()).isEqualTo("unknown_account");
            assertThat(e.status()).isEqualTo(404);
          });
    }
  }

  /**
   * Submits a request that holds the write thread until {@code release}, and returns once it does:
   * everything submitted meanwhile waits for the writer's next batch.
   */
  private static Thread holdWriteThread(LedgerServer s, CountDownLatch release) {
    CountDownLatch holding = new CountDownLatch(1);
    Thread blocker = Thread.ofVirtual().start(() -> s.on(() -> Writer.submit(tx -> {
      holding.countDown();
      awaitQuietly(release);
      return null;
    })));
    awaitQuietly(holding);
    return blocker;
  }

  /** How many requests wait for the writer's next batch (the one in flight holds the write thread). */
  private static int waiting(LedgerServer s, Pid writer) {
    return s.on(() -> ((Writer.State) Sys.getState(writer)).pending.size());
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      if (!latch.await(60, TimeUnit.SECONDS)) {
        throw new AssertionError("the write thread was not released within 60 s; "
            + org.otp4j.examples.ThreadDumps.write("store-test"));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
