package org.otp4j.behaviours.guide;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Keeps the guide honest: every Java block of {@code docs/guide/*.md}, and of the project's
 * {@code README.md}, that is longer than three lines must be a copy of a region of a compiled, tested
 * source file, and must equal it.
 *
 * <p>In the markdown, a block names its source in the line before it:
 *
 * <pre>
 * &lt;!-- snippet: guide/Hello.java#hello --&gt;
 * ```java
 * ...the region's lines, with their common indentation removed...
 * ```
 * </pre>
 *
 * and the source, under {@code src/test/java/org/otp4j/behaviours/} (or, for a name starting with
 * {@code testkit/}, otp-testkit's {@code src/test/java/org/otp4j/testkit/}, and for one starting with
 * {@code dist/}, otp-dist's {@code src/test/java/org/otp4j/dist/}, and for one starting with
 * {@code observer/}, otp-observer's {@code src/test/java/org/otp4j/observer/}, and for one starting with
 * {@code metrics/}, otp-metrics' {@code src/test/java/org/otp4j/metrics/}), marks the region with
 * {@code // region: hello} and {@code // endregion: hello} lines. Region marker lines inside a region
 * (regions may nest or overlap) are not part of it.
 */
@DisplayName("The guide's code blocks are regions of tested sources")
class GuideSnippetsTest {

  /** Surefire runs in the module directory: the guide is next to it. */
  private static final Path GUIDE = Path.of("..", "docs", "guide");

  /** The project's README, whose first examples are checked as the guide's are. */
  private static final Path README = Path.of("..", "README.md");

  private static final Path SOURCES = Path.of("src", "test", "java", "org", "otp4j", "behaviours");

  /**
   * The test kit's tests, for the chapter on testing: a source named {@code testkit/X.java} is
   * otp-testkit's {@code org/otp4j/testkit/X.java} (the kit depends on this module, not the other way).
   */
  private static final Path TESTKIT_SOURCES = Path.of("..", "otp-testkit", "src", "test", "java", "org", "otp4j",
      "testkit");

  /**
   * The distribution's tests, for the chapter on distribution: a source named {@code dist/X.java} is
   * otp-dist's {@code org/otp4j/dist/X.java}, run on nodes that need JGroups, which this module does
   * not depend on.
   */
  private static final Path DIST_SOURCES = Path.of("..", "otp-dist", "src", "test", "java", "org", "otp4j", "dist");

  /**
   * The observer's tests, for the chapter on the observer: a source named {@code observer/X.java} is
   * otp-observer's {@code org/otp4j/observer/X.java} (the observer depends on this module).
   */
  private static final Path OBSERVER_SOURCES = Path.of("..", "otp-observer", "src", "test", "java", "org", "otp4j",
      "observer");

  /**
   * otp-metrics' tests, for the observer chapter's section on metrics: a source named
   * {@code metrics/X.java} is otp-metrics' {@code org/otp4j/metrics/X.java}.
   */
  private static final Path METRICS_SOURCES = Path.of("..", "otp-metrics", "src", "test", "java", "org", "otp4j",
      "metrics");

  private static final Pattern SNIPPET = Pattern.compile("^\\s*<!--\\s*snippet:\\s*(\\S+?)#(\\S+)\\s*-->\\s*$");
  private static final Pattern FENCE = Pattern.compile("^\\s*```\\s*(\\S*)\\s*$");
  private static final Pattern REGION = Pattern.compile("^\\s*//\\s*(region|endregion):\\s*(\\S+)\\s*$");

  /** Java blocks up to this many lines may stand without a source. */
  static final int MAX_FREE_LINES = 3;

  @Test
  @DisplayName("every snippet in docs/guide equals its region, and every longer Java block has one")
  void guideMatchesItsSources() throws IOException {
    List<Path> pages;
    try (Stream<Path> files = Files.list(GUIDE)) {
      pages = files.filter(p -> p.getFileName().toString().endsWith(".md")).sorted().toList();
    }
    assertThat(pages).as("markdown pages in " + GUIDE.toAbsolutePath().normalize()).isNotEmpty();

    List<String> problems = new ArrayList<>();
    int snippets = 0;
    for (Path page : pages) {
      Check check = check(page.getFileName().toString(), Files.readAllLines(page), GuideSnippetsTest::readSource);
      problems.addAll(check.problems());
      snippets += check.snippets();
    }
    assertThat(problems).as("problems in the guide").isEmpty();
    assertThat(snippets).as("snippets checked").isPositive();
  }

  @Test
  @DisplayName("every snippet in the README equals its region, and every longer Java block has one")
  void readmeMatchesItsSources() throws IOException {
    Check check = check("README.md", Files.readAllLines(README), GuideSnippetsTest::readSource);
    assertThat(check.problems()).as("problems in " + README.toAbsolutePath().normalize()).isEmpty();
    assertThat(check.snippets()).as("snippets checked in the README").isPositive();
  }

  // ---------------------------------------------------------------------------------------
  // the checker's own tests: it must catch what it is there to catch

  private static final List<String> SOURCE = List.of(
      "class A {",
      "  // region: body",
      "  void f() {",
      "    // region: inner",
      "    g();",
      "    // endregion: inner",
      "  }",
      "  // endregion: body",
      "}");

  private static Check checkSample(String... markdown) {
    return check("sample.md", List.of(markdown), path -> path.equals("guide/A.java") ? SOURCE : null);
  }

  @Test
  @DisplayName("the checker accepts a block equal to its region (markers of nested regions left out)")
  void acceptsAnExactCopy() {
    Check check = checkSample("<!-- snippet: guide/A.java#body -->", "```java", "void f() {", "  g();", "}", "```");
    assertThat(check.problems()).isEmpty();
    assertThat(check.snippets()).isEqualTo(1);
  }

  @Test
  @DisplayName("the checker reports a block that drifted from its region")
  void reportsDrift() {
    Check check = checkSample("<!-- snippet: guide/A.java#body -->", "```java", "void f() {", "  h();", "}", "```");
    assertThat(check.problems()).singleElement().asString()
        .contains("sample.md:2", "guide/A.java#body", "differs from its region", "h();");
  }

  @Test
  @DisplayName("the checker reports a long Java block without a source, and lets a short one pass")
  void reportsALongBlockWithoutSource() {
    Check check = checkSample("```java", "a();", "b();", "c();", "d();", "```", "", "```java", "x();", "```");
    assertThat(check.problems()).singleElement().asString().contains("sample.md:1", "4 lines", "no snippet comment");
  }

  @Test
  @DisplayName("the checker reports a missing file or region and a comment not followed by a Java block")
  void reportsBrokenReferences() {
    assertThat(checkSample("<!-- snippet: guide/B.java#body -->", "```java", "x", "```").problems())
        .singleElement().asString().contains("guide/B.java", "no such file");
    assertThat(checkSample("<!-- snippet: guide/A.java#nope -->", "```java", "x", "```").problems())
        .singleElement().asString().contains("no region 'nope'");
    assertThat(checkSample("<!-- snippet: guide/A.java#body -->", "", "```java", "x", "```").problems())
        .anySatisfy(p -> assertThat(p).contains("must be followed by a ```java block"));
  }

  // ---------------------------------------------------------------------------------------
  // the checker

  /** What checking one page found. */
  record Check(List<String> problems, int snippets) {}

  /** Checks one markdown page; {@code sources} reads a source by its path under SOURCES, null if missing. */
  static Check check(String page, List<String> lines, Function<String, List<String>> sources) {
    List<String> problems = new ArrayList<>();
    int snippets = 0;
    for (int i = 0; i < lines.size(); i++) {
      Matcher snippet = SNIPPET.matcher(lines.get(i));
      Matcher fence = FENCE.matcher(lines.get(i));
      if (snippet.matches()) {
        String file = snippet.group(1);
        String region = snippet.group(2);
        int open = i + 1;
        if (open >= lines.size() || !isJavaFence(lines.get(open))) {
          problems.add(page + ":" + (i + 1) + ": the snippet comment for " + file + "#" + region
              + " must be followed by a ```java block on the next line");
          continue;
        }
        int close = closingFence(lines, open);
        if (close < 0) {
          problems.add(page + ":" + (open + 1) + ": the ```java block is never closed");
          return new Check(problems, snippets);
        }
        snippets++;
        List<String> block = lines.subList(open + 1, close);
        List<String> source = sources.apply(file);
        if (source == null) {
          problems.add(page + ":" + (i + 1) + ": " + file + ": no such file under " + SOURCES);
        } else {
          Region r = region(source, region);
          if (r.problem() != null) {
            problems.add(page + ":" + (i + 1) + ": " + file + ": " + r.problem());
          } else if (!r.lines().equals(trimTrailing(block))) {
            problems.add(page + ":" + (open + 1) + ": the block for " + file + "#" + region
                + " differs from its region; copy the region into the page.\n--- region ---\n"
                + String.join("\n", r.lines()) + "\n--- page ---\n" + String.join("\n", block));
          }
        }
        i = close;
      } else if (fence.matches()) {
        int close = closingFence(lines, i);
        if (close < 0) {
          problems.add(page + ":" + (i + 1) + ": a code block is never closed");
          return new Check(problems, snippets);
        }
        int length = close - i - 1;
        if (fence.group(1).equals("java") && length > MAX_FREE_LINES) {
          problems.add(page + ":" + (i + 1) + ": a ```java block of " + length + " lines has no snippet comment; "
              + "put the code in a tested source under " + SOURCES + " and name its region with "
              + "<!-- snippet: guide/File.java#region --> on the line before the block");
        }
        i = close;
      }
    }
    return new Check(problems, snippets);
  }

  private static boolean isJavaFence(String line) {
    Matcher m = FENCE.matcher(line);
    return m.matches() && m.group(1).equals("java");
  }

  private static int closingFence(List<String> lines, int open) {
    for (int j = open + 1; j < lines.size(); j++) {
      if (lines.get(j).strip().equals("```")) {
        return j;
      }
    }
    return -1;
  }

  /** A region's lines, ready to compare, or why there is none. */
  record Region(List<String> lines, String problem) {}

  /** The lines of region {@code name}, without marker lines, common indentation removed. */
  static Region region(List<String> source, String name) {
    int start = -1;
    int end = -1;
    for (int i = 0; i < source.size(); i++) {
      Matcher m = REGION.matcher(source.get(i));
      if (m.matches() && m.group(2).equals(name)) {
        if (m.group(1).equals("region")) {
          if (start >= 0) {
            return new Region(null, "region '" + name + "' is opened twice");
          }
          start = i;
        } else {
          if (start < 0 || end >= 0) {
            return new Region(null, "region '" + name + "' is closed without being opened");
          }
          end = i;
        }
      }
    }
    if (start < 0) {
      return new Region(null, "no region '" + name + "' (mark it with // region: " + name + ")");
    }
    if (end < 0) {
      return new Region(null, "region '" + name + "' is never closed (// endregion: " + name + ")");
    }
    List<String> body = new ArrayList<>();
    for (String line : source.subList(start + 1, end)) {
      if (!REGION.matcher(line).matches()) {
        body.add(line);
      }
    }
    int indent = Integer.MAX_VALUE;
    for (String line : body) {
      if (!line.isBlank()) {
        indent = Math.min(indent, line.length() - line.stripLeading().length());
      }
    }
    List<String> out = new ArrayList<>();
    for (String line : body) {
      out.add(line.isBlank() ? "" : line.substring(indent).stripTrailing());
    }
    return new Region(out, null);
  }

  private static List<String> trimTrailing(List<String> block) {
    return block.stream().map(String::stripTrailing).toList();
  }

  private static List<String> readSource(String path) {
    Path file;
    if (path.startsWith("testkit/")) {
      file = TESTKIT_SOURCES.resolve(path.substring("testkit/".length()));
    } else if (path.startsWith("dist/")) {
      file = DIST_SOURCES.resolve(path.substring("dist/".length()));
    } else if (path.startsWith("observer/")) {
      file = OBSERVER_SOURCES.resolve(path.substring("observer/".length()));
    } else if (path.startsWith("metrics/")) {
      file = METRICS_SOURCES.resolve(path.substring("metrics/".length()));
    } else {
      file = SOURCES.resolve(path);
    }
    if (!Files.isRegularFile(file)) {
      return null;
    }
    try {
      return Files.readAllLines(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
