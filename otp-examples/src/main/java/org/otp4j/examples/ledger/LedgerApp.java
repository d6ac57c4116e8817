package org.otp4j.examples.ledger;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.otp4j.behaviours.AppDescriptor;
import org.otp4j.behaviours.Application;
import org.otp4j.behaviours.Supervisor;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;

/**
 * The ledger as an OTP application: its descriptor (name, version, environment defaults) and its
 * start, which builds the supervision tree of {@link LedgerSupervisor}.
 *
 * <h2>Configuration</h2>
 * Each key can be set in a configuration file ({@code ledger.port=9090}, loaded with
 * {@code -Dotp.config=FILE}) or as a system property ({@code -Dotp.ledger.port=9090}).
 * <table>
 *   <caption>The ledger application's environment</caption>
 *   <tr><th>key</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>host</td><td>localhost</td><td>interface to listen on</td></tr>
 *   <tr><td>port</td><td>8081</td><td>HTTP port (0: any free port)</td></tr>
 *   <tr><td>dataDir</td><td>data</td><td>folder of the SQLite database {@code ledger.db}</td></tr>
 *   <tr><td>jdbcUrl, jdbcUser, jdbcPassword</td><td>(empty)</td><td>use this database (PostgreSQL) instead</td></tr>
 *   <tr><td>synchronous</td><td>FULL</td><td>SQLite's sync level: FULL syncs the log at every commit</td></tr>
 *   <tr><td>readThreads</td><td>2</td><td>platform threads running reads</td></tr>
 *   <tr><td>batchWindow, batchSize</td><td>0ms, 256</td><td>group commit (one batch in flight, the next made of what
 *       arrives meanwhile): how long an idle writer waits for more (0: only what is in its mailbox), how many at most</td></tr>
 *   <tr><td>accountIdle</td><td>30s</td><td>an account process stops after this without requests</td></tr>
 *   <tr><td>stepTimeout</td><td>5s</td><td>a transfer stuck in validate or reserve this long is compensated</td></tr>
 *   <tr><td>holdTtl</td><td>10m</td><td>a card authorization's life when the request names none</td></tr>
 *   <tr><td>maxBodyBytes</td><td>16384</td><td>larger bodies get 413</td></tr>
 *   <tr><td>auditInterval</td><td>1s</td><td>how often the auditor checks</td></tr>
 *   <tr><td>recoverySweep</td><td>2s</td><td>how often unfinished work with no process is looked for</td></tr>
 *   <tr><td>chaosInterval</td><td>0ms (off)</td><td>kill a random account or workflow process this often</td></tr>
 * </table>
 */
public final class LedgerApp extends org.otp4j.behaviours.Application {

  /** The application's name, and the prefix of its system properties ({@code otp.ledger.*}). */
  public static final String NAME = "ledger";

  /** The descriptor with the default environment. */
  public static AppDescriptor descriptor() {
    return AppDescriptor.of(NAME, LedgerApp::new)
        .withVersion("1.0.0")
        .withDescription("a double-entry ledger: accounts, idempotent transfers, card holds, audit")
        .withEnv("host", "localhost")
        .withEnv("port", 8081)
        .withEnv("dataDir", "data")
        .withEnv("jdbcUrl", "")
        .withEnv("jdbcUser", "")
        .withEnv("jdbcPassword", "")
        .withEnv("synchronous", "FULL")
        .withEnv("readThreads", 2)
        .withEnv("batchWindow", Duration.ZERO)
        .withEnv("batchSize", 256)
        .withEnv("accountIdle", Duration.ofSeconds(30))
        .withEnv("stepTimeout", Duration.ofSeconds(5))
        .withEnv("holdTtl", Duration.ofMinutes(10))
        .withEnv("maxBodyBytes", 16_384)
        .withEnv("auditInterval", Duration.ofSeconds(1))
        .withEnv("recoverySweep", Duration.ofSeconds(2))
        .withEnv("chaosInterval", Duration.ZERO);
  }

  /** The running application's HTTP port (when configured as 0, the one picked). Call on its node. */
  public static int port() {
    return HttpEndpoint.port();
  }

  private static final Map<Node, Ledger> RUNNING = new ConcurrentHashMap<>();

  /** The context of the ledger running on {@code node}, if one does. */
  static Optional<Ledger> ledgerOn(Node node) {
    return Optional.ofNullable(RUNNING.get(node));
  }

  @Override
  protected Pid start(Type type) {
    Ledger ledger = Ledger.create(LedgerConfig.from(Application.getAllEnv(NAME)));
    RUNNING.put(Node.current(), ledger);
    return Supervisor.startLink(new LedgerSupervisor(ledger));
  }

  @Override
  protected void stop() {
    RUNNING.remove(Node.current());
  }
}
