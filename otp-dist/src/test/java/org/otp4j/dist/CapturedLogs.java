package org.otp4j.dist;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Captures what otp-dist logs during a test, so that tests assert on it and the build stays quiet. */
final class CapturedLogs implements AutoCloseable {
  static {
    // The tests run inside the module org.otp4j.dist, which does not read logback: let it.
    Module self = CapturedLogs.class.getModule();
    Module classic = LoggerFactory.getILoggerFactory().getClass().getModule();
    if (self.isNamed() && classic.isNamed()) {
      self.addReads(classic);
      ModuleLayer layer = classic.getLayer() != null ? classic.getLayer() : ModuleLayer.boot();
      layer.findModule("ch.qos.logback.core").ifPresent(self::addReads);
    }
  }

  private final Logger logger;
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  private final boolean previousAdditive;

  /** Captures the cluster's log. */
  CapturedLogs() {
    this("org.otp4j.dist.Cluster");
  }

  /** Captures the log named {@code loggerName} ({@code org.otp4j.core.Node} has the crash reports). */
  CapturedLogs(String loggerName) {
    logger = (Logger) LoggerFactory.getLogger(loggerName);
    previousAdditive = logger.isAdditive();
    appender.setContext(logger.getLoggerContext());
    appender.start();
    logger.addAppender(appender);
    logger.setAdditive(false);
  }

  /** The messages logged so far, formatted, with their level first. */
  List<String> lines() {
    synchronized (appender) {
      List<String> out = new ArrayList<>();
      for (ILoggingEvent e : appender.list) {
        out.add(e.getLevel() + " " + e.getFormattedMessage());
      }
      return out;
    }
  }

  @Override
  public void close() {
    logger.detachAppender(appender);
    logger.setAdditive(previousAdditive);
  }
}
