package org.otp4j.examples;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.otp4j.core.Pid;
import org.slf4j.LoggerFactory;
import org.slf4j.event.KeyValuePair;

/**
 * Holds back OTP's supervisor reports while a test kills processes on purpose: {@link #killed}
 * tells whether the kill of a pid was reported, and {@link #close()} prints every report that was
 * not about a pid the test killed, as it would have been printed: an unexpected crash stays visible.
 */
public final class QuietReports implements AutoCloseable {
  private final Logger logger = (Logger) LoggerFactory.getLogger("org.otp4j.behaviours.Reports");
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  private final boolean additive;
  private final List<String> killedOnPurpose = new ArrayList<>();

  /** Starts holding the reports back. */
  public QuietReports() {
    additive = logger.isAdditive();
    appender.setContext(logger.getLoggerContext());
    appender.start();
    logger.addAppender(appender);
    logger.setAdditive(false);
  }

  /** Says that the test kills {@code pid}: its report is expected. */
  public synchronized void expectKill(Pid pid) {
    killedOnPurpose.add(pid.toString());
  }

  /** Whether a supervisor reported that {@code pid} was killed. */
  public boolean killed(Pid pid) {
    return events().stream().anyMatch(e -> pid.toString().equals(value(e, "pid"))
        && "killed".equals(value(e, "reason")));
  }

  /** The reports so far that are not about a pid the test killed, as their messages. */
  public List<String> unexpected() {
    return events().stream().filter(e -> !expected(e)).map(ILoggingEvent::getFormattedMessage).toList();
  }

  private synchronized boolean expected(ILoggingEvent e) {
    return killedOnPurpose.contains(value(e, "pid")) && "killed".equals(value(e, "reason"));
  }

  private List<ILoggingEvent> events() {
    synchronized (appender) {
      return new ArrayList<>(appender.list);
    }
  }

  private static String value(ILoggingEvent e, String key) {
    List<KeyValuePair> pairs = e.getKeyValuePairs();
    if (pairs != null) {
      for (KeyValuePair p : pairs) {
        if (p.key.equals(key)) {
          return Objects.toString(p.value);
        }
      }
    }
    return null;
  }

  @Override
  public void close() {
    logger.detachAppender(appender);
    logger.setAdditive(additive);
    appender.stop();
    for (ILoggingEvent e : events()) {
      if (!expected(e)) {
        logger.callAppenders(e);
      }
    }
  }
}
