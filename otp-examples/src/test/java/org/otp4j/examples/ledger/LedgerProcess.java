package org.otp4j.examples.ledger;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.otp4j.examples.Main;

/**
 * The ledger as a separate OS process, started as a user would ({@code Main ledger}) with the
 * test's java and class path, so that a test can kill it with SIGKILL (kill -9) and start it again
 * on the same data. Its output goes to a log file, shown when a test fails.
 */
final class LedgerProcess implements AutoCloseable {
  private static final Pattern RUNNING = Pattern.compile("ledger running: http://127\\.0\\.0\\.1:(\\d+)/");

  private final Process process;
  private final Path log;
  final int port;

  private LedgerProcess(Process process, Path log, int port) {
    this.process = process;
    this.log = log;
    this.port = port;
  }

  /** Starts the ledger with {@code settings} (keys of {@link LedgerApp}) and waits until it serves. */
  static LedgerProcess start(Path log, Map<String, String> settings) throws IOException, InterruptedException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>(List.of(java, "-Xmx384m", "--enable-native-access=ALL-UNNAMED",
        "--add-opens", "java.base/java.lang=ALL-UNNAMED", "-Dotp.ledger.host=127.0.0.1", "-Dotp.ledger.port=0"));
    settings.forEach((k, v) -> cmd.add("-Dotp.ledger." + k + "=" + v));
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "ledger"));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    CompletableFuture<Integer> port = new CompletableFuture<>();
    Thread.ofPlatform().daemon().name("ledger-process-output").start(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          Files.writeString(log, line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
          Matcher m = RUNNING.matcher(line);
          if (m.find()) {
            port.complete(Integer.parseInt(m.group(1)));
          }
        }
      } catch (IOException e) {
        port.completeExceptionally(e);
      }
      port.completeExceptionally(new IllegalStateException("the ledger process ended before it served"));
    });
    try {
      return new LedgerProcess(p, log, port.get(120, TimeUnit.SECONDS));
    } catch (ExecutionException | TimeoutException e) {
      p.destroyForcibly();
      throw new AssertionError("the ledger process did not start: " + e + "\n" + output(log), e);
    }
  }

  /** kill -9: the JVM ends at once, wherever it is, with no shutdown hook. */
  void kill9() throws InterruptedException {
    process.destroyForcibly(); // SIGKILL on Linux
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      throw new AssertionError("the ledger process survived SIGKILL");
    }
    if (process.exitValue() != 137) {
      throw new AssertionError("the ledger process did not die of SIGKILL (exit " + process.exitValue() + ")\n"
          + output(log));
    }
  }

  /** Stops it as Ctrl-C would, and waits. */
  @Override
  public void close() {
    try {
      if (process.isAlive()) {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          process.waitFor(60, TimeUnit.SECONDS);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }

  static String output(Path log) {
    try {
      return Files.exists(log) ? Files.readString(log) : "(no output)";
    } catch (IOException e) {
      return "(output unreadable: " + e + ")";
    }
  }
}
