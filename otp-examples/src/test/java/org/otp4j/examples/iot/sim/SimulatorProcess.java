package org.otp4j.examples.iot.sim;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The simulator as a separate OS process, started as a user would, with the test's java and class
 * path: a test can end it with SIGKILL, SIGTERM or the end of its input. Its output goes to a log
 * file, shown when a test fails.
 */
final class SimulatorProcess implements AutoCloseable {
  private final Process process;
  private final Path log;
  private final CompletableFuture<Void> started = new CompletableFuture<>();
  private final CompletableFuture<Void> ended = new CompletableFuture<>();

  private SimulatorProcess(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  /** Launches {@code Simulator} with {@code args}; does not wait for it. */
  static SimulatorProcess launch(Path log, String... args) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:TieredStopAtLevel=1",
        "--sun-misc-unsafe-memory-access=allow", "-cp", System.getProperty("java.class.path"),
        Simulator.class.getName()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    SimulatorProcess sp = new SimulatorProcess(p, log);
    Thread.ofPlatform().daemon().name("simulator-process-output").start(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          Files.writeString(log, line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
          if (line.startsWith("iot-sim started")) {
            sp.started.complete(null);
          }
        }
      } catch (IOException e) {
        // the process is gone
      }
      sp.ended.complete(null);
    });
    return sp;
  }

  /** Waits until it printed that it started. */
  void awaitStarted() throws Exception {
    CompletableFuture.anyOf(started, ended).get(Platform.WAIT.toSeconds(), TimeUnit.SECONDS);
    if (!started.isDone()) {
      throw new AssertionError("the simulator ended before it started:\n" + output());
    }
  }

  /** Waits until it exited and its whole output is in the log; returns its exit status. */
  int awaitExit() throws Exception {
    if (!process.waitFor(Platform.WAIT.toSeconds(), TimeUnit.SECONDS)) {
      throw new AssertionError("the simulator did not exit:\n" + output());
    }
    ended.get(Platform.WAIT.toSeconds(), TimeUnit.SECONDS);
    return process.exitValue();
  }

  void kill9() {
    process.destroyForcibly(); // SIGKILL on Linux
  }

  void terminate() {
    process.destroy(); // SIGTERM on Linux
  }

  void closeInput() throws IOException {
    process.getOutputStream().close();
  }

  String output() {
    try {
      return Files.exists(log) ? Files.readString(log) : "(no output)";
    } catch (IOException e) {
      return "(output unreadable: " + e + ")";
    }
  }

  @Override
  public void close() throws Exception {
    if (process.isAlive()) {
      process.destroyForcibly();
      process.waitFor(Platform.WAIT.toSeconds(), TimeUnit.SECONDS);
    }
  }
}
