package org.otp4j.examples.ledger;

import org.otp4j.examples.Observed;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.otp4j.behaviours.Application;
import org.otp4j.core.Node;

/**
 * The ledger as a program: starts the application on a node of its own, prints its address, and
 * runs until Ctrl-C (exit status 0) or until the application stops on its own (1); 2 if it did
 * not start (one line says why).
 */
public final class LedgerRun {
  private LedgerRun() {}

  /**
   * Runs the ledger until Ctrl-C; returns the exit status for {@code System.exit}.
   *
   * @return 0 after Ctrl-C, 1 if the application failed, 2 if it did not start
   * @throws InterruptedException if interrupted while it runs
   */
  public static int run() throws InterruptedException {
    Node node = Node.start(Observed.nodeConfig("ledger"));
    AtomicBoolean requested = new AtomicBoolean();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      if (node.isStopped()) {
        return;
      }
      requested.set(true);
      System.out.println("stopping the ledger...");
      node.stop();
      node.awaitTermination(Duration.ofSeconds(10));
      System.out.println("ledger stopped");
    }, "ledger-shutdown"));
    CountDownLatch stopped = new CountDownLatch(1);
    node.addStopHook(stopped::countDown);
    AtomicReference<String> where = new AtomicReference<>();
    try {
      node.run(() -> {
        Application.load(LedgerApp.descriptor());
        Application.ensureAllStarted(LedgerApp.NAME, Application.Type.PERMANENT);
        String host = Application.getEnv(LedgerApp.NAME, "host", "localhost");
        where.set("http://" + (host.equals("0.0.0.0") ? "localhost" : host) + ":" + LedgerApp.port() + "/");
      });
    } catch (RuntimeException e) {
      System.out.println("the ledger did not start: " + e.getMessage()
          + " (a port in use? choose another with -Dotp.ledger.port=9091, or 0 for any free port)");
      node.stop();
      return 2;
    }
    System.out.println("ledger running: " + where.get() + " (audit page; JSON API: /accounts, /transfers, /holds, "
        + "/audit)");
    Observed.serve(node, System.out);
    System.out.println("Ctrl-C stops it.");
    stopped.await();
    if (requested.get()) {
      return 0;
    }
    System.out.println("the ledger application stopped on its own (the report above says why); exit status 1");
    return 1;
  }
}
