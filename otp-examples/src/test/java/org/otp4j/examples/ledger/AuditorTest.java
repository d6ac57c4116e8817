package org.otp4j.examples.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The auditor checks the invariants continuously and shows its verdict at /audit and on the page. */
class AuditorTest {
  @TempDir
  Path dir;

  @Test
  void aHealthyLedgerPassesAndABrokenOneIsCaughtAndShown() throws Exception {
    Logger log = (Logger) LoggerFactory.getLogger(Auditor.class);
    ListAppender<ILoggingEvent> errors = new ListAppender<>();
    errors.start();
    log.addAppender(errors);
    boolean additive = log.isAdditive();
    log.setAdditive(false); // its error is expected here: asserted, not printed
    try (LedgerServer s = LedgerServer.start(dir, Map.of("auditInterval", java.time.Duration.ofMillis(100)))) {
      s.open("alice", "EUR", 500, 1000);
      s.open("bob", "EUR", 0, 0);
      s.transfer("t1", "alice", "bob", 1400);
      long audits = s.get("/audit").body().path("audits").asLong();
      await().atMost(LedgerServer.WAIT).until(() -> s.get("/audit").body().path("audits").asLong() > audits + 1);
      LedgerServer.Reply ok = s.get("/audit");
      assertThat(ok.body().path("ok").asBoolean()).as("%s", ok.body()).isTrue();
      assertThat(ok.body().path("entries").asLong()).isEqualTo(4);
      assertThat(s.get("/").body().path("text").asString()).contains("all invariants hold");

      // money appears from nowhere, behind the ledger's back
      try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("ledger.db"))) {
        LedgerStore.update(c, "UPDATE accounts SET balance = balance + 1 WHERE id = 'bob'");
        LedgerStore.update(c, "UPDATE accounts SET balance = -600 WHERE id = 'alice'");
      }
      await().atMost(LedgerServer.WAIT).until(() -> !s.get("/audit").body().path("ok").asBoolean());
      String violations = s.get("/audit").body().path("violations").toString();
      assertThat(violations).contains("account bob shows balance 1401 but its entries add up to 1400")
          .contains("account alice has balance -600 with overdraft limit 500")
          .contains("the EUR balances add up to");
      assertThat(s.get("/").body().path("text").asString()).contains("VIOLATED").contains("account bob shows");
      await().atMost(LedgerServer.WAIT).until(() -> !errors.list.isEmpty());
      assertThat(errors.list.getFirst().getFormattedMessage()).contains("ledger audit failed");
    } finally {
      log.detachAppender(errors);
      log.setAdditive(additive);
    }
  }
}
