package org.otp4j.examples.ledger;

/**
 * A request the ledger refuses, as data: an HTTP status, a stable code a client can switch on, and
 * a message that says what was wrong and what is accepted. Thrown by validation and by the
 * database work (where it rolls back that work alone), turned into a JSON error by the web layer.
 */
public final class LedgerError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String code;

  /**
   * A refusal.
   *
   * @param status the HTTP status (4xx for the client's mistakes, 503 for "try again")
   * @param code the machine-readable code, e.g. {@code insufficient_funds}
   * @param message what was wrong, what is accepted
   */
  public LedgerError(int status, String code, String message) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
  }

  /** The HTTP status. */
  public int status() {
    return status;
  }

  /** The machine-readable code. */
  public String code() {
    return code;
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
