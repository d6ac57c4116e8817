package org.otp4j.examples.ledger;

import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.otp4j.examples.PostgresCluster;

/**
 * The bank test against PostgreSQL: the same service and the same code, only the JDBC URL changes.
 * Skipped where PostgreSQL's server binaries are not installed.
 */
class PostgresBankTest {
  @TempDir
  Path dir;

  @Test
  void moneyIsConservedOnPostgresqlThroughChaosAndKillMinus9() throws Exception {
    try (PostgresCluster postgres = PostgresCluster.start(dir)) {
      BankTest bank = new BankTest();
      bank.dir = dir;
      bank.run(Map.of("jdbcUrl", postgres.jdbcUrl(), "jdbcUser", "postgres"),
          () -> DriverManager.getConnection(postgres.jdbcUrl(), "postgres", ""));
    }
  }
}
