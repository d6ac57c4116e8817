package org.otp4j.dist;

import static org.assertj.core.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A {@link ChildNodeMain} in a JVM of its own, driven through its standard input: every line it
 * writes is kept (shown when a wait fails), and a command waits for its answer, bounded.
 */
final class ChildJvm implements AutoCloseable {
  private static final String EXITED = "\u0000exited";
  private static final List<String> ANSWERS = List.of("READY", "SERVICES", "UP ", "DOWN ", "REGISTERED ", "JOINED ",
      "GLOBAL ", "MEMBERS ", "TIMEOUT", "ERROR ", "UNKNOWN ");

  private final String name;
  private final Process process;
  private final Writer commands;
  private final LinkedBlockingQueue<String> answers = new LinkedBlockingQueue<>();
  private final StringBuilder output = new StringBuilder();

  private ChildJvm(String name, Process process) {
    this.name = name;
    this.process = process;
    this.commands = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    Thread.ofVirtual().start(this::read);
  }

  /** Starts the node {@code name} listening on {@code port}, which finds the cluster at {@code seedPort}. */
  static ChildJvm start(String name, String clusterName, String secret, int port, int seedPort) throws IOException {
    return new ChildJvm(name, MultiJvmTest.startChild(name, clusterName, secret, port, seedPort));
  }

  private void read() {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        synchronized (output) {
          output.append(line).append('\n');
        }
        String l = line;
        if (ANSWERS.stream().anyMatch(l::startsWith)) {
          answers.add(line);
        }
      }
    } catch (IOException e) {
      // the child was killed
    }
    answers.add(EXITED);
  }

  /** The node's name. */
  String name() {
    return name;
  }

  /** The OS process. */
  Process process() {
    return process;
  }

  /** Waits until the node sees the node it waits for, and says READY. */
  void awaitReady() throws InterruptedException {
    expect("READY", Duration.ofSeconds(30));
  }

  /** Sends {@code command} and returns its answer, which must start with {@code expected}. */
  String ask(String command, String expected) throws InterruptedException, IOException {
    commands.write(command + "\n");
    commands.flush();
    return expect(expected, Duration.ofSeconds(25)); // beyond the child's own patience of 20 s
  }

  private String expect(String expected, Duration patience) throws InterruptedException {
    String answer = answers.poll(patience.toMillis(), TimeUnit.MILLISECONDS);
    if (answer == null || !answer.startsWith(expected)) {
      fail("node " + name + " answered " + (answer == null ? "nothing within " + patience : answer.equals(EXITED)
          ? "nothing: it exited" : "'" + answer + "'") + " where '" + expected + "...' was expected; its output:\n"
          + output());
    }
    return answer;
  }

  /** Everything the child wrote so far. */
  String output() {
    synchronized (output) {
      return output.toString();
    }
  }

  /** Kills the JVM with SIGKILL and waits for it to be gone. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      fail("node " + name + " did not die of SIGKILL within 30 s");
    }
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }
}
