package org.otp4j.examples.ledger;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A request the ledger refuses, as data: an HTTP status, a stable code a client can switch on, and
 * a message that says what was wrong and what is accepted. Thrown by validation and by the
 * database work (where it rolls back that work alone), turned into a JSON error by the web layer.
 * Some refusals carry a few more named values for a client to switch on (e.g. the {@code holdStatus}
 * of a hold that can no longer be captured), added to the JSON error beside its code.
 *
 * <p>It has no stack trace and never changes, so the same instance may be thrown again by each
 * process it is passed through.
 */
public final class LedgerError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String code;
  private final Map<String, String> fields;

  /**
   * A refusal.
   *
   * @param status the HTTP status (4xx for the client's mistakes, 503 for "try again")
   * @param code the machine-readable code, e.g. {@code insufficient_funds}
   * @param message what was wrong, what is accepted
   */
  public LedgerError(int status, String code, String message) {
    this(status, code, message, Map.of());
  }

  private LedgerError(int status, String code, String message, Map<String, String> fields) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
    this.fields = fields;
  }

  /**
   * This refusal with one more named value for the client.
   *
   * @param name the JSON field's name, e.g. {@code holdStatus}
   * @param value its value
   * @return a new refusal; this one is unchanged
   */
  public LedgerError with(String name, String value) {
    Map<String, String> more = new LinkedHashMap<>(fields);
    more.put(name, value);
    return new LedgerError(status, code, getMessage(), Map.copyOf(more));
  }

  /** The HTTP status. */
  public int status() {
    return status;
  }

  /** The machine-readable code. */
  public String code() {
    return code;
  }

  /** The named values the refusal carries besides its code and message (often none). */
  public Map<String, String> fields() {
    return fields;
  }

  static LedgerError badRequest(String code, String message) {
    return new LedgerError(400, code, message);
  }

  static LedgerError notFound(String code, String message) {
    return new LedgerError(404, code, message);
  }

  static LedgerError conflict(String code, String message) {
    return new LedgerError(409, code, message);
  }

  static LedgerError unavailable(String message) {
    return new LedgerError(503, "unavailable", message);
  }
}
