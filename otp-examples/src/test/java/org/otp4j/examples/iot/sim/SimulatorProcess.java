package org.otp4j.examples.iot.sim;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The simulator as a separate OS process, started as a user would, with the test's java and class
 * path: a test can end it with SIGKILL, SIGTERM or the end of its input. Its output goes to a log
 * file, shown when a test fails.
 */
final class SimulatorProcess implements AutoCloseable {
  private final Process process;
  private final Path log;

  private SimulatorProcess(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  /** Launches {@code Simulator} with {@code args}, its output going to {@code log}; does not wait for it. */
  static SimulatorProcess launch(Path log, String... args) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:TieredStopAtLevel=1",
        "--sun-misc-unsafe-memory-access=allow", "-cp", System.getProperty("java.class.path"),
        Simulator.class.getName()));
    cmd.addAll(List.of(args));
    // straight to a file: a pipe read by this JVM may lose its last lines when the process exits
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    return new SimulatorProcess(p, log);
  }

  /** Waits until it printed that it started. */
  void awaitStarted() {
    await("the simulator's start line").atMost(Platform.WAIT)
        .until(() -> output().contains("iot-sim started") || !process.isAlive());
    if (!output().contains("iot-sim started")) {
      throw new AssertionError("the simulator ended before it started:\n" + output());
    }
  }

  /** Waits until it exited; returns its exit status. */
  int awaitExit() throws Exception {
    if (!process.waitFor(Platform.WAIT.toSeconds(), TimeUnit.SECONDS)) {
      throw new AssertionError("the simulator did not exit:\n" + output());
    }
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
