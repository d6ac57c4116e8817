package org.otp4j.examples.chat;

import static org.awaitility.Awaitility.await;

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
import org.otp4j.core.Name;
import org.otp4j.core.Pid;
import org.slf4j.LoggerFactory;
import org.slf4j.event.KeyValuePair;

/**
 * Captures the reports of the logger {@code org.otp4j.behaviours.Reports} (OTP's supervisor and
 * crash reports) while open, instead of printing them, so that a test that kills a process on
 * purpose can assert the report of that kill. When it closes, every report that no test claimed
 * is printed after all, as it would have been: an unexpected crash stays visible.
 */
final class CrashReports implements AutoCloseable {
  private static final String LOGGER = "org.otp4j.behaviours.Reports";

  private final Logger logger = (Logger) LoggerFactory.getLogger(LOGGER);
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  private final boolean previousAdditive;
  private final Set<ILoggingEvent> claimed = new HashSet<>();
  private final ChatServer server;

  private CrashReports(ChatServer server) {
    this.server = server;
    previousAdditive = logger.isAdditive();
    appender.setContext(logger.getLoggerContext());
    appender.setName("crash-reports");
    appender.start();
    logger.addAppender(appender);
    logger.setAdditive(false);
  }

  /** Starts capturing; reports about {@code server}'s processes are the ones a test can claim. */
  static CrashReports capture(ChatServer server) {
    return new CrashReports(server);
  }

  /**
   * Waits for the report of the supervisor registered as {@code supervisor} (for instance
   * {@link Chat#ROOMS}) that its child {@code child} was killed ({@code child_terminated}, reason
   * {@code killed}); claims it and returns its fields.
   */
  Map<String, Object> awaitKilled(Name supervisor, Pid child) {
    return awaitKilled(supervisor, child.toString());
  }

  /** As {@link #awaitKilled(Name, Pid)}, for a pid known by its text (from a frame or a page). */
  Map<String, Object> awaitKilled(Name supervisor, String child) {
    String supervisorPid = server.on(() -> org.otp4j.core.Proc.whereis(supervisor)).orElseThrow().toString();
    List<Map<String, Object>> found = new ArrayList<>();
    await().atMost(TestClient.WAIT).until(() -> {
      for (ILoggingEvent e : events()) {
        Map<String, Object> kv = keyValues(e);
        if ("supervisor_report".equals(kv.get("label")) && "child_terminated".equals(kv.get("errorContext"))
            && supervisorPid.equals(String.valueOf(kv.get("supervisor"))) && child.equals(String.valueOf(kv.get("pid")))
            && "killed".equals(String.valueOf(kv.get("reason")))) {
          synchronized (claimed) {
            if (claimed.add(e)) {
              found.add(kv);
              return true;
            }
          }
        }
      }
      return false;
    });
    return found.getFirst();
  }

  /**
   * Claims every report captured so far whose fields match {@code match} (reports a storm makes
   * by the dozen); returns how many it claimed.
   */
  int claimAll(Predicate<Map<String, Object>> match) {
    int n = 0;
    for (ILoggingEvent e : events()) {
      if (match.test(keyValues(e))) {
        synchronized (claimed) {
          if (claimed.add(e)) {
            n++;
          }
        }
      }
    }
    return n;
  }

  /** The reports about this server's processes captured so far that no test claimed, as text. */
  List<String> unclaimed() {
    return unclaimedExcept(kv -> false);
  }

  /**
   * The unclaimed reports about this server's processes, as text, but for those whose fields match
   * {@code expected} (reports a storm may still be writing while the test looks).
   */
  List<String> unclaimedExcept(Predicate<Map<String, Object>> expected) {
    String node = "<" + server.node.index() + ".";
    List<String> out = new ArrayList<>();
    for (ILoggingEvent e : events()) {
      synchronized (claimed) {
        if (!claimed.contains(e) && !expected.test(keyValues(e))
            && (e.getFormattedMessage().contains(node) || keyValues(e).toString().contains(node))) {
          out.add(e.getLevel() + " " + e.getFormattedMessage());
        }
      }
    }
    return out;
  }

  private List<ILoggingEvent> events() {
    synchronized (appender) { // ListAppender appends under its own lock
      return new ArrayList<>(appender.list);
    }
  }

  static Map<String, Object> keyValues(ILoggingEvent e) {
    Map<String, Object> kv = new LinkedHashMap<>();
    List<KeyValuePair> pairs = e.getKeyValuePairs();
    if (pairs != null) {
      for (KeyValuePair p : pairs) {
        kv.put(p.key, p.value);
      }
    }
    return kv;
  }

  /** Stops capturing; prints the reports nobody claimed, where they would have gone. */
  @Override
  public void close() {
    logger.detachAppender(appender);
    logger.setAdditive(previousAdditive);
    appender.stop();
    for (ILoggingEvent e : events()) {
      boolean expected;
      synchronized (claimed) {
        expected = claimed.contains(e);
      }
      if (!expected) {
        logger.callAppenders(e);
      }
    }
  }
}
