package org.otp4j.examples.gateway;


import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.slf4j.LoggerFactory;
import org.slf4j.event.KeyValuePair;

/**
 * Captures what one logger writes while open, instead of printing it, so that a test can assert
 * the reports and log lines it causes on purpose (a killed process's supervisor report, a refused
 * configuration file, access log lines). When it closes, every event no test claimed is printed
 * after all: an unexpected crash stays visible.
 */
final class Captured implements AutoCloseable {
  /** OTP's supervisor and crash reports. */
  static final String REPORTS = "org.otp4j.behaviours.Reports";

  private final Logger logger;
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  private final boolean previousAdditive;
  private final Level previousLevel;
  private final Set<ILoggingEvent> claimed = new HashSet<>();

  private Captured(String name, Level level) {
    logger = (Logger) LoggerFactory.getLogger(name);
    previousAdditive = logger.isAdditive();
    previousLevel = logger.getLevel();
    appender.setContext(logger.getLoggerContext());
    appender.start();
    logger.addAppender(appender);
    logger.setAdditive(false);
    if (level != null) {
      logger.setLevel(level);
    }
  }

  /** Captures {@code logger} at its configured level. */
  static Captured logger(String logger) {
    return new Captured(logger, null);
  }

  /** Captures {@code logger} at {@code level} (for INFO lines the test configuration leaves out). */
  static Captured logger(String logger, Level level) {
    return new Captured(logger, level);
  }

  /** Waits for an unclaimed event whose key-values (and {@code message}: the formatted message) match; claims it. */
  Map<String, Object> await(Predicate<Map<String, Object>> match) {
    List<Map<String, Object>> found = new ArrayList<>();
    org.awaitility.Awaitility.await().atMost(GatewayServer.WAIT).until(() -> {
      for (ILoggingEvent e : events()) {
        Map<String, Object> kv = fields(e);
        synchronized (claimed) {
          if (!claimed.contains(e) && match.test(kv)) {
            claimed.add(e);
            found.add(kv);
            return true;
          }
        }
      }
      return false;
    });
    return found.getFirst();
  }

  /** Waits for the supervisor report that {@code pid} was killed ({@code child_terminated}, reason {@code killed}). */
  Map<String, Object> awaitKilled(Object pid) {
    return await(kv -> "child_terminated".equals(kv.get("errorContext")) && pid.toString().equals(String.valueOf(kv.get("pid")))
        && "killed".equals(String.valueOf(kv.get("reason"))));
  }

  /** The events not claimed so far, as text. */
  List<String> unclaimed() {
    List<String> out = new ArrayList<>();
    for (ILoggingEvent e : events()) {
      synchronized (claimed) {
        if (!claimed.contains(e)) {
          out.add(e.getLevel() + " " + e.getFormattedMessage() + " " + fields(e));
        }
      }
    }
    return out;
  }

  private List<ILoggingEvent> events() {
    synchronized (appender) {
      return new ArrayList<>(appender.list);
    }
  }

  private static Map<String, Object> fields(ILoggingEvent e) {
    Map<String, Object> kv = new LinkedHashMap<>();
    List<KeyValuePair> pairs = e.getKeyValuePairs();
    if (pairs != null) {
      for (KeyValuePair p : pairs) {
        kv.put(p.key, p.value);
      }
    }
    kv.put("message", e.getFormattedMessage());
    return kv;
  }

  @Override
  public void close() {
    logger.detachAppender(appender);
    logger.setAdditive(previousAdditive);
    logger.setLevel(previousLevel);
    appender.stop();
    for (ILoggingEvent e : events()) {
      boolean expected;
      synchronized (claimed) {
        expected = claimed.contains(e);
      }
      if (!expected && e.getLevel().isGreaterOrEqual(logger.getEffectiveLevel())) {
        logger.callAppenders(e);
      }
    }
  }

}
