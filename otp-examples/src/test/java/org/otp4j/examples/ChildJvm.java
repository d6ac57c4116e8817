package org.otp4j.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.otp4j.testkit.Ports;

/**
 * An example's node in a JVM of its own ({@code Main} with the example's name), for the tests that
 * run a cluster over TCP: keeps what it prints, and reads its port from the first line that matches
 * a pattern.
 */
public final class ChildJvm implements AutoCloseable {
  /** The node's name. */
  public final String name;
  /** The JVM. */
  public final Process process;
  private final StringBuilder output = new StringBuilder();
  private final CompletableFuture<Integer> port = new CompletableFuture<>();
  private final boolean stopsWhenInputCloses;

  private ChildJvm(String name, Process process, Pattern portLine, boolean stopsWhenInputCloses) {
    this.name = name;
    this.process = process;
    this.stopsWhenInputCloses = stopsWhenInputCloses;
    Thread.ofPlatform().daemon().name("child-" + name).start(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
          StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          synchronized (output) {
            output.append(line).append('\n');
          }
          Matcher m = portLine.matcher(line);
          if (m.find()) {
            port.complete(Integer.parseInt(m.group(1)));
          }
        }
      } catch (IOException e) {
        // killed
      }
      port.complete(-1);
    });
  }

  /**
   * Starts {@code Main example} with the JVM options the run profile gives it and {@code properties}
   * ({@code -Dkey=value}), its output and errors in one stream.
   *
   * @param name the node's name
   * @param example the example's name for {@code Main}
   * @param properties the system properties
   * @param portLine a pattern whose group 1 is the port, in the line that says the node runs
   * @param stopsWhenInputCloses whether the node stops when its standard input closes (else
   *     {@link #close} stops it as Ctrl-C would)
   */
  public static ChildJvm start(String name, String example, List<String> properties, Pattern portLine,
      boolean stopsWhenInputCloses) throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
        "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
        "--add-opens", "java.base/java.lang=ALL-UNNAMED", "-Djava.net.preferIPv4Stack=true",
        // several JVMs start on a machine that may have two cores: the quick compiler and one GC thread
        "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
    command.addAll(properties);
    command.addAll(List.of("org.otp4j.examples.Main", example));
    return new ChildJvm(name, new ProcessBuilder(command).redirectErrorStream(true).start(), portLine,
        stopsWhenInputCloses);
  }

  /** What it printed so far. */
  public String output() {
    synchronized (output) {
      return output.toString();
    }
  }

  /** Its port, once it says it runs; fails with its output if it ended before. */
  public int port(Duration wait) throws Exception {
    int p = port.get(wait.toSeconds(), TimeUnit.SECONDS);
    assertThat(p).as("node %s did not start; its output:%n%s", name, output()).isPositive();
    return p;
  }

  /** Stops it cleanly (closes its input, or as Ctrl-C), or kills it if it does not stop within 15 s. */
  @Override
  public void close() throws Exception {
    if (process.isAlive()) {
      if (stopsWhenInputCloses) {
        process.getOutputStream().close();
      } else {
        process.destroy();
      }
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  /**
   * Writes a logback configuration for child JVMs to {@code file}: warnings and errors, and the
   * informational lines of {@code infoLogger} (what a test waits for in their output).
   *
   * @return {@code file}
   */
  public static Path logback(Path file, String infoLogger) throws IOException {
    return Files.writeString(file, """
        <configuration>
          <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
            <encoder><pattern>%d{HH:mm:ss.SSS} %-5level %logger{24} - %msg%n</pattern></encoder>
          </appender>
          <logger name="LOGGER" level="INFO"/>
          <root level="WARN"><appender-ref ref="OUT"/></root>
        </configuration>
        """.replace("LOGGER", infoLogger));
  }

  /** A free loopback port for a server that binds it later: see {@link Ports#free()}. */
  public static int freePort() throws IOException {
    return Ports.free();
  }

}
