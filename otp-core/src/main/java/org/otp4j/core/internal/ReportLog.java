package org.otp4j.core.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.otp4j.core.NodeReport;
import org.slf4j.Logger;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * The one door through which the runtime and the behaviours write their reports: an SLF4J event
 * builder, or, when the node the report is about has a report handler (see
 * {@code NodeConfig.withReportHandler}), a builder that hands the finished event to that handler as
 * a {@link NodeReport} instead. Reports are rare (a crash, a restart), so the look-up of the
 * handler costs nothing that matters.
 */
public final class ReportLog {
  private ReportLog() {}

  /**
   * A builder for an event of {@code level} on {@code log}, written by the current thread: captured
   * if the current thread is a process whose node has a report handler, logged otherwise.
   */
  public static LoggingEventBuilder at(Logger log, Level level) {
    ProcessImpl self = ProcessImpl.current();
    return at(self == null ? null : self.runtime(), log, level);
  }

  /** A builder for an event of {@code level} on {@code log} about a process of {@code runtime} (null: none). */
  static LoggingEventBuilder at(NodeRuntime runtime, Logger log, Level level) {
    Consumer<NodeReport> handler = runtime == null ? null : runtime.reportHandler();
    return handler == null ? log.atLevel(level) : new Captured(log.getName(), level, handler);
  }

  /** An event being built for a report handler. */
  private static final class Captured implements LoggingEventBuilder {
    private final String logger;
    private final Level level;
    private final Consumer<NodeReport> handler;
    private final Map<String, Object> fields = new LinkedHashMap<>();
    private final List<Object> arguments = new ArrayList<>();
    private Throwable cause;
    private String message;

    Captured(String logger, Level level, Consumer<NodeReport> handler) {
      this.logger = logger;
      this.level = level;
      this.handler = handler;
    }

    @Override
    public LoggingEventBuilder setCause(Throwable t) {
      cause = t;
      return this;
    }

    @Override
    public LoggingEventBuilder addMarker(Marker marker) {
      return this;
    }

    @Override
    public LoggingEventBuilder addArgument(Object p) {
      arguments.add(p);
      return this;
    }

    @Override
    public LoggingEventBuilder addArgument(Supplier<?> supplier) {
      arguments.add(supplier.get());
      return this;
    }

    @Override
    public LoggingEventBuilder addKeyValue(String key, Object value) {
      fields.put(key, value);
      return this;
    }

    @Override
    public LoggingEventBuilder addKeyValue(String key, Supplier<Object> supplier) {
      fields.put(key, supplier.get());
      return this;
    }

    @Override
    public LoggingEventBuilder setMessage(String message) {
      this.message = message;
      return this;
    }

    @Override
    public LoggingEventBuilder setMessage(Supplier<String> supplier) {
      this.message = supplier.get();
      return this;
    }

    @Override
    public void log() {
      Object[] args = arguments.toArray();
      Throwable t = cause;
      if (t == null) {
        t = MessageFormatter.getThrowableCandidate(args);
        if (t != null) {
          args = MessageFormatter.trimmedCopy(args);
        }
      }
      String text = MessageFormatter.basicArrayFormat(message == null ? "" : message, args);
      handler.accept(new NodeReport(logger, levelOf(level), text, fields, Optional.ofNullable(t)));
    }

    @Override
    public void log(String message) {
      setMessage(message);
      log();
    }

    @Override
    public void log(String message, Object arg) {
      setMessage(message);
      arguments.add(arg);
      log();
    }

    @Override
    public void log(String message, Object arg0, Object arg1) {
      setMessage(message);
      arguments.add(arg0);
      arguments.add(arg1);
      log();
    }

    @Override
    public void log(String message, Object... args) {
      setMessage(message);
      arguments.addAll(java.util.Arrays.asList(args));
      log();
    }

    @Override
    public void log(Supplier<String> messageSupplier) {
      setMessage(messageSupplier);
      log();
    }

    private static System.Logger.Level levelOf(Level level) {
      return switch (level) {
        case ERROR -> System.Logger.Level.ERROR;
        case WARN -> System.Logger.Level.WARNING;
        case INFO -> System.Logger.Level.INFO;
        case DEBUG -> System.Logger.Level.DEBUG;
        case TRACE -> System.Logger.Level.TRACE;
      };
    }
  }
}
