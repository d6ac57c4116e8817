package org.otp4j.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The tour: its four steps in order, in plain text, and no crash report with a stack trace in between. */
class TourTest {
  @Test
  void theTourIsFourCleanStepsWithNoStackTraceAndNoEscapeCodes() {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ListAppender<ILoggingEvent> logged = new ListAppender<>();
    logged.setContext(root.getLoggerContext());
    logged.start();
    root.addAppender(logged);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try {
      Tour.run(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    } finally {
      root.detachAppender(logged);
    }
    String out = bytes.toString(StandardCharsets.UTF_8);
    List<String> headings = out.lines().filter(l -> l.matches("\\d\\. .*")).toList();
    assertThat(headings).containsExactly("1. Processes and messages", "2. A link carries a crash to the other side",
        "3. A supervised server restarts after a crash", "4. The node, as observer shows it");
    assertThat(out).contains("crashed (IllegalArgumentException: boom)", "restarted as", "counter = 1 (a new state)");
    assertThat(out).doesNotContain("\u001b", "\tat ");
    assertThat(logged.list).as("what the runtime logged during the tour").isEmpty();
    // and the loggers are as they were
    assertThat(((Logger) LoggerFactory.getLogger("org.otp4j.behaviours.Reports")).getLevel()).isNull();
  }
}
