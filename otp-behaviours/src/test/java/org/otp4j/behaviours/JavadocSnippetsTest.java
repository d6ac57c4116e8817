package org.otp4j.behaviours;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Keeps the Javadoc's examples honest: every example in the main sources of otp-core,
 * otp-behaviours, otp-testkit, otp-dist and otp-observer is an inline {@code {@snippet : ...}} preceded by a line naming its source,
 * {@code <!-- snippet: org.otp4j.x.SomeTest#region -->}, and its body equals that region of a
 * compiled, tested source file, marked as the guide's are: {@code // region: name} ...
 * {@code // endregion: name}. Old-style {@code <pre>{@code ...}} examples are not allowed, since
 * nothing would compile them.
 */
@DisplayName("The Javadoc's examples are regions of tested sources")
class JavadocSnippetsTest {

  /**
   * Surefire runs in the module directory; the library modules are its siblings. The Javadoc build
   * below covers the first five; otp-metrics (which needs Micrometer) checks its own, in
   * {@code OtpMetricsJavadocTest}, and its snippets are checked here with the others'.
   */
  private static final List<Path> MODULES = List.of(Path.of("..", "otp-core"), Path.of("..", "otp-behaviours"),
      Path.of("..", "otp-testkit"), Path.of("..", "otp-dist"), Path.of("..", "otp-observer"),
      Path.of("..", "otp-metrics"));

  /**
   * Where the build copies the jars of otp-dist's dependencies that this module does not have
   * (JGroups), for its Javadoc: a system property set by this module's pom.
   */
  private static final String JAVADOC_MODULES = "otp4j.javadoc.modules";

  private static final Pattern SNIPPET_START = Pattern.compile("\\{@snippet\\b[^:]*:\\s*$");
  private static final Pattern SOURCE = Pattern.compile("<!--\\s*snippet:\\s*([\\w.]+)#([\\w-]+)\\s*-->");
  private static final Pattern REGION_START = Pattern.compile("^\\s*//\\s*region:\\s*(\\S+)\\s*$");
  private static final Pattern REGION_END = Pattern.compile("^\\s*//\\s*endregion:\\s*(\\S+)\\s*$");

  @Test
  @DisplayName("every {@snippet} in the main sources names a tested region and equals it; no <pre>{@code} is left")
  void snippetsMatchTheirRegions() throws IOException {
    List<String> problems = new ArrayList<>();
    int checked = 0;
    for (Path module : MODULES) {
      Path main = module.resolve("src/main/java");
      List<Path> sources;
      try (Stream<Path> files = Files.walk(main)) {
        sources = files.filter(p -> p.toString().endsWith(".java")).sorted().toList();
      }
      for (Path source : sources) {
        List<String> lines = Files.readAllLines(source);
        for (int i = 0; i < lines.size(); i++) {
          String line = lines.get(i);
          if (line.contains("<pre>{@code")) {
            problems.add(source + ":" + (i + 1) + ": a <pre>{@code} example: make it a {@snippet} of a tested region");
          }
          if (SNIPPET_START.matcher(line).find()) {
            checked++;
            problems.addAll(check(source, i, lines));
          }
        }
      }
    }
    assertThat(problems).as("problems in the Javadoc's snippets").isEmpty();
    assertThat(checked).as("snippets checked").isGreaterThan(10);
  }

  /**
   * The Javadoc of the library modules builds with every check but missing comments on: no broken
   * {@code @link}, no malformed HTML, no reference to a method that was renamed or removed.
   */
  @Test
  @DisplayName("the Javadoc of otp-core, otp-behaviours, otp-testkit, otp-dist and otp-observer builds without an error or a warning")
  // The javadoc tool reads every module's sources: minutes on two busy cores, far from a hang.
  @Timeout(value = 10, unit = TimeUnit.MINUTES)
  void javadocBuilds() throws Exception {
    ToolProvider javadoc = ToolProvider.findFirst("javadoc")
        .orElseThrow(() -> new AssertionError("the tests run on a JDK, which has javadoc"));
    // slf4j, and the JUnit Jupiter API (with what it requires) for the test kit
    StringBuilder modulePath = new StringBuilder();
    for (String type : List.of("org.slf4j.LoggerFactory", "org.junit.jupiter.api.Test",
        "org.junit.platform.commons.util.ReflectionUtils", "org.opentest4j.AssertionFailedError",
        "org.apiguardian.api.API", "org.jspecify.annotations.Nullable")) {
      Class<?> c;
      try {
        c = Class.forName(type);
      } catch (ClassNotFoundException absent) {
        continue; // a library this version of JUnit does not require
      }
      if (!modulePath.isEmpty()) {
        modulePath.append(java.io.File.pathSeparator);
      }
      modulePath.append(Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()));
    }
    // JGroups, for otp-dist, copied by the build
    String copied = System.getProperty(JAVADOC_MODULES);
    assertThat(copied).as("system property " + JAVADOC_MODULES + " (set by otp-behaviours' pom)").isNotNull();
    try (Stream<Path> jars = Files.list(Path.of(copied))) {
      List<Path> jgroups = jars.filter(p -> p.getFileName().toString().startsWith("jgroups-")).toList();
      assertThat(jgroups).as("the JGroups jar copied to " + copied).hasSize(1);
      modulePath.append(java.io.File.pathSeparator).append(jgroups.getFirst());
    }
    Path out = Files.createTempDirectory("otp4j-javadoc");
    StringWriter log = new StringWriter();
    int status;
    try (PrintWriter w = new PrintWriter(log)) {
      status = javadoc.run(w, w, "-quiet", "-Xdoclint:all,-missing", "-Werror", "-d", out.toString(),
          "--module-path", modulePath.toString(),
          "--module-source-path", "org.otp4j.core=" + MODULES.get(0).resolve("src/main/java"),
          "--module-source-path", "org.otp4j.behaviours=" + MODULES.get(1).resolve("src/main/java"),
          "--module-source-path", "org.otp4j.testkit=" + MODULES.get(2).resolve("src/main/java"),
          "--module-source-path", "org.otp4j.dist=" + MODULES.get(3).resolve("src/main/java"),
          "--module-source-path", "org.otp4j.observer=" + MODULES.get(4).resolve("src/main/java"),
          "--module", "org.otp4j.core,org.otp4j.behaviours,org.otp4j.testkit,org.otp4j.dist,org.otp4j.observer");
    } finally {
      try (Stream<Path> files = Files.walk(out)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    assertThat(status).as("javadoc's exit status; its output:%n%s", log).isZero();
  }

  private static List<String> check(Path source, int at, List<String> lines) {
    String where = source + ":" + (at + 1);
    Matcher named = at > 0 ? SOURCE.matcher(lines.get(at - 1)) : null;
    if (named == null || !named.find()) {
      return List.of(where + ": a {@snippet} must name its source on the line before: "
          + "<!-- snippet: org.otp4j.x.SomeTest#region -->");
    }
    String className = named.group(1);
    String region = named.group(2);
    List<String> body = inlineBody(lines, at);
    if (body == null) {
      return List.of(where + ": the {@snippet} has no closing brace");
    }
    Optional<Path> test = testSource(className);
    if (test.isEmpty()) {
      return List.of(where + ": no test source for class " + className + " in " + MODULES);
    }
    List<String> regionLines = region(test.get(), region);
    if (regionLines == null) {
      return List.of(where + ": no region \"" + region + "\" in " + test.get());
    }
    List<String> expected = dedent(regionLines);
    List<String> actual = dedent(body);
    if (!expected.equals(actual)) {
      return List.of(where + ": the snippet differs from region \"" + region + "\" of " + test.get()
          + "\n--- region:\n" + String.join("\n", expected) + "\n--- snippet:\n" + String.join("\n", actual));
    }
    return List.of();
  }

  /** The lines of the inline body, without the comment's leading {@code " * "}; null if unclosed. */
  static List<String> inlineBody(List<String> lines, int at) {
    List<String> body = new ArrayList<>();
    int depth = 1;
    for (int i = at + 1; i < lines.size(); i++) {
      String text = lines.get(i).replaceFirst("^\\s*\\*( |$)", "");
      for (int c = 0; c < text.length(); c++) {
        char ch = text.charAt(c);
        if (ch == '{') {
          depth++;
        } else if (ch == '}') {
          depth--;
          if (depth == 0) {
            String before = text.substring(0, c);
            if (!before.isBlank()) {
              body.add(before);
            }
            return body;
          }
        }
      }
      body.add(text);
    }
    return null;
  }

  private static Optional<Path> testSource(String className) {
    String relative = className.replace('.', '/') + ".java";
    for (Path module : MODULES) {
      Path candidate = module.resolve("src/test/java").resolve(relative);
      if (Files.isRegularFile(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /**
   * The lines of region {@code name} in {@code file}, without the marker lines of regions that nest
   * or overlap it; null if there is no such region.
   */
  static List<String> region(Path file, String name) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> out = null;
    for (String line : lines) {
      Matcher start = REGION_START.matcher(line);
      Matcher end = REGION_END.matcher(line);
      if (out == null) {
        if (start.matches() && start.group(1).equals(name)) {
          out = new ArrayList<>();
        }
      } else if (end.matches() && end.group(1).equals(name)) {
        return out;
      } else if (!start.matches() && !end.matches()) {
        out.add(line);
      }
    }
    return null;
  }

  /** Removes the common indentation and trailing blank lines. */
  static List<String> dedent(List<String> lines) {
    int indent = Integer.MAX_VALUE;
    for (String l : lines) {
      if (!l.isBlank()) {
        indent = Math.min(indent, l.length() - l.stripLeading().length());
      }
    }
    List<String> out = new ArrayList<>();
    for (String l : lines) {
      out.add(l.isBlank() ? "" : l.substring(Math.min(indent, l.length())).stripTrailing());
    }
    while (!out.isEmpty() && out.getLast().isEmpty()) {
      out.removeLast();
    }
    while (!out.isEmpty() && out.getFirst().isEmpty()) {
      out.removeFirst();
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------
  // the checker's own tests

  @Test
  @DisplayName("the checker reads an inline body up to its closing brace, braces inside it balanced")
  void readsInlineBodies() {
    List<String> javadoc = List.of(
        " * {@snippet :",
        " * if (a) {",
        " *   b();",
        " * }",
        " * }",
        " */");
    assertThat(inlineBody(javadoc, 0)).containsExactly("if (a) {", "  b();", "}");
    assertThat(inlineBody(List.of(" * {@snippet :", " * never closed"), 0)).isNull();
  }

  @Test
  @DisplayName("the checker finds nested regions and leaves the inner markup out")
  void findsRegions(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
    Path file = dir.resolve("A.java");
    Files.write(file, List.of(
        "class A {",
        "  // region: outer",
        "  void f() {",
        "    // region: inner",
        "    g();",
        "    // endregion: inner",
        "  }",
        "  // endregion: outer",
        "}"));
    assertThat(dedent(region(file, "outer"))).containsExactly("void f() {", "  g();", "}");
    assertThat(dedent(region(file, "inner"))).containsExactly("g();");
    assertThat(region(file, "missing")).isNull();
  }
}
