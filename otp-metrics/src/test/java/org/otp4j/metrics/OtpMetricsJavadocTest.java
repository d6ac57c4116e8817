package org.otp4j.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.spi.ToolProvider;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The Javadoc of otp-metrics builds with every check but missing comments on, as that of the other
 * library modules does (their check is in otp-behaviours, which has no Micrometer to build this one
 * with; the snippets of this module are checked there with the others').
 */
class OtpMetricsJavadocTest {

  @Test
  @DisplayName("the Javadoc of otp-metrics builds without an error or a warning")
  void javadocBuilds() throws Exception {
    ToolProvider javadoc = ToolProvider.findFirst("javadoc")
        .orElseThrow(() -> new AssertionError("the tests run on a JDK, which has javadoc"));
    // what this test runs with: otp-core, otp-behaviours, Micrometer and theirs, less this module's own classes
    String modulePath = Stream.of(System.getProperty("jdk.module.path", ""), System.getProperty("java.class.path", ""))
        .flatMap(p -> Stream.of(p.split(File.pathSeparator)))
        .filter(p -> !p.isBlank() && !p.contains("otp-metrics"))
        .distinct()
        .collect(Collectors.joining(File.pathSeparator));
    Path out = Files.createTempDirectory("otp-metrics-javadoc");
    StringWriter log = new StringWriter();
    int status;
    try (PrintWriter w = new PrintWriter(log)) {
      status = javadoc.run(w, w, "-quiet", "-Xdoclint:all,-missing", "-Werror", "-d", out.toString(),
          "--module-path", modulePath,
          "--module-source-path", "org.otp4j.metrics=" + Path.of("src/main/java"),
          "--module", "org.otp4j.metrics");
    } finally {
      try (Stream<Path> files = Files.walk(out)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    assertThat(status).as("javadoc's exit status; its output:%n%s", log).isZero();
  }
}
