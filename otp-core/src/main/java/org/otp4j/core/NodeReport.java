package org.otp4j.core;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One report of the runtime about a node's processes (a crash, a supervisor report, a watchdog
 * warning), as a node with a {@link NodeConfig#withReportHandler report handler} hands it over
 * instead of logging it. The same event that would otherwise be one structured SLF4J event.
 *
 * @param logger the name of the logger it would have gone to ({@code org.otp4j.core.Node} for a
 *     process crash, {@code org.otp4j.behaviours.Reports} for OTP's reports)
 * @param level its level
 * @param text the formatted text, as the log would show it
 * @param fields its structured data (the SLF4J key-value pairs), in the order they were added:
 *     {@code label} ({@code process_crash}, {@code gen_server_terminate}, {@code supervisor_report}...)
 *     and the fields of that kind of report ({@code pid}, {@code reason}...)
 * @param cause the throwable it carries, if any
 */
public record NodeReport(String logger, System.Logger.Level level, String text, Map<String, Object> fields,
    Optional<Throwable> cause) {

  public NodeReport {
    Objects.requireNonNull(logger, "logger");
    Objects.requireNonNull(level, "level");
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(cause, "cause: use Optional.empty() for a report without a throwable");
    fields = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(Objects.requireNonNull(fields,
        "fields")));
  }

  /** The report's {@code label} field ({@code process_crash}, {@code supervisor_report}...), or {@code ""}. */
  public String label() {
    Object label = fields.get("label");
    return label == null ? "" : label.toString();
  }

  /** The report's {@code field} value as a string ({@code "null"} if it has no such field). */
  public String field(String field) {
    return String.valueOf(fields.get(field));
  }
}
