package org.otp4j.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The run profile starts the examples from a copy of their class path: a second build that
 * rewrites {@code target} while an example runs changes nothing under it.
 */
class StagedTest {
  @TempDir
  Path dir;

  @Test
  void aStagedClassPathIsACopyThatARebuildDoesNotTouch() throws Exception {
    Path classes = Files.createDirectories(dir.resolve("target/classes/org/example"));
    Files.writeString(classes.resolve("A.class"), "first build");
    Path jar = dir.resolve("target/lib.jar");
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
      out.putNextEntry(new JarEntry("b.txt"));
      out.write("first build".getBytes(StandardCharsets.UTF_8));
    }
    Path stage = Files.createDirectories(dir.resolve("stage"));
    List<String> staged = Staged.stage(List.of(dir.resolve("target/classes"), jar, dir.resolve("missing.jar")), stage);

    assertThat(staged).hasSize(2);
    assertThat(staged).allMatch(p -> p.startsWith(stage.toString()));
    // the second build rewrites target
    Files.writeString(classes.resolve("A.class"), "second build");
    Files.delete(jar);
    assertThat(Files.readString(Path.of(staged.get(0), "org/example/A.class"))).isEqualTo("first build");
    assertThat(Path.of(staged.get(1))).exists();
  }

  @Test
  void aStagedProgramRunsWithItsArgumentsAndItsExitStatusIsPassedOn() throws Exception {
    String java = ProcessHandle.current().info().command().orElseThrow();
    Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Staged.class.getName(),
        Main.class.getName(), "no-such-example").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("output: %s", out).isEqualTo(2);
    assertThat(out).contains("unknown example 'no-such-example'; expected one of: chat (the default), tour");
  }
}
