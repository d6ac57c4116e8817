package org.otp4j.examples.ledger;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The ledger's settings, read once from the application environment when it starts (see
 * {@link LedgerApp#descriptor()} for the keys and their defaults).
 *
 * @param host the interface the HTTP endpoint listens on
 * @param port the HTTP port; 0 picks a free one
 * @param dataDir where the embedded SQLite database {@code ledger.db} lives
 * @param jdbcUrl a JDBC URL (PostgreSQL) to use instead of SQLite; empty for SQLite
 * @param jdbcUser the database user for {@code jdbcUrl}, if it needs one
 * @param jdbcPassword the database password for {@code jdbcUrl}, if it needs one
 * @param synchronous SQLite's {@code synchronous} pragma: FULL (the default) syncs the WAL at every commit
 * @param readThreads platform threads that run reads, each with its own connection
 * @param batchWindow how long an idle writer collects requests before it commits them in one transaction
 *     (zero: it commits what its mailbox holds; while a batch commits, the next one collects anyway)
 * @param batchSize the most requests in one transaction
 * @param accountIdle an account process with no request for this long stops
 * @param stepTimeout how long a transfer may stay in its validate or reserve step before it is compensated
 * @param holdTtl how long a card authorization lives when the request names no {@code ttlSeconds}
 * @param maxBodyBytes larger request bodies are refused with 413
 * @param auditInterval how often the auditor checks the invariants
 * @param recoverySweep how often the recovery process looks for unfinished transfers nobody drives
 * @param chaosInterval when positive, a chaos process kills a random account or transfer process this often
 */
public record LedgerConfig(String host, int port, Path dataDir, String jdbcUrl, String jdbcUser, String jdbcPassword,
    String synchronous, int readThreads, Duration batchWindow, int batchSize, Duration accountIdle,
    Duration stepTimeout, Duration holdTtl, int maxBodyBytes, Duration auditInterval, Duration recoverySweep,
    Duration chaosInterval) {

  /**
   * Checks the settings that no type check catches.
   *
   * @throws IllegalArgumentException naming the setting and the accepted values
   */
  public LedgerConfig {
    if (!java.util.Set.of("FULL", "EXTRA", "NORMAL", "OFF").contains(synchronous)) {
      throw new IllegalArgumentException("ledger.synchronous is one of FULL (the default), EXTRA, NORMAL, OFF; got '"
          + synchronous + "'");
    }
    if (readThreads < 1 || batchSize < 1 || maxBodyBytes < 64) {
      throw new IllegalArgumentException("ledger.readThreads and ledger.batchSize must be at least 1, "
          + "ledger.maxBodyBytes at least 64; got " + readThreads + ", " + batchSize + ", " + maxBodyBytes);
    }
    for (Duration d : new Duration[] {accountIdle, stepTimeout, holdTtl, auditInterval, recoverySweep}) {
      if (!d.isPositive()) {
        throw new IllegalArgumentException("ledger durations (accountIdle, stepTimeout, holdTtl, auditInterval, "
            + "recoverySweep) must be positive; got " + d);
      }
    }
    if (batchWindow.isNegative() || chaosInterval.isNegative()) {
      throw new IllegalArgumentException("ledger.batchWindow and ledger.chaosInterval cannot be negative");
    }
  }

  /** Reads the settings from an application environment. */
  static LedgerConfig from(Map<String, Object> env) {
    return new LedgerConfig((String) env.get("host"), (Integer) env.get("port"), Path.of((String) env.get("dataDir")),
        ((String) env.get("jdbcUrl")).trim(), (String) env.get("jdbcUser"), (String) env.get("jdbcPassword"),
        ((String) env.get("synchronous")).trim().toUpperCase(java.util.Locale.ROOT), (Integer) env.get("readThreads"),
        (Duration) env.get("batchWindow"), (Integer) env.get("batchSize"), (Duration) env.get("accountIdle"),
        (Duration) env.get("stepTimeout"), (Duration) env.get("holdTtl"), (Integer) env.get("maxBodyBytes"),
        (Duration) env.get("auditInterval"), (Duration) env.get("recoverySweep"), (Duration) env.get("chaosInterval"));
  }

  /** Whether the store is the embedded SQLite file (no JDBC URL given). */
  public boolean embedded() {
    return jdbcUrl.isEmpty();
  }

  /** The JDBC URL actually used. */
  public String effectiveJdbcUrl() {
    return embedded() ? "jdbc:sqlite:" + dataDir.resolve("ledger.db").toAbsolutePath() : jdbcUrl;
  }

  /** Shows every setting but the database password. */
  @Override
  public String toString() {
    return "LedgerConfig[host=" + host + ", port=" + port + ", dataDir=" + dataDir + ", jdbcUrl=" + jdbcUrl
        + ", jdbcUser=" + jdbcUser + ", jdbcPassword=" + (jdbcPassword.isEmpty() ? "" : "(redacted)")
        + ", synchronous=" + synchronous + ", batchWindow=" + batchWindow + ", batchSize=" + batchSize + "]";
  }
}
