package org.otp4j.examples.iot;

/**
 * A device message the platform refused: counted by {@link #reason()} (see
 * {@link IotMetrics#rejected()}), logged, acknowledged to the broker (it would only be refused
 * again) and otherwise dropped.
 */
public final class BadMessage extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Why a message was refused. */
  public enum Reason {
    /** Not on a topic of the contract. */
    UNKNOWN_TOPIC,
    /** A device or group id not of the contract's format, or a device id that differs from its topic's. */
    UNKNOWN_ID,
    /** Larger than {@code iot.maxPayloadBytes}. */
    OVERSIZED,
    /** Not a JSON object. */
    MALFORMED_JSON,
    /** A required field is absent or null. */
    MISSING_FIELD,
    /** A field of the wrong type or out of range. */
    WRONG_TYPE,
    /** The device sent faster than {@code iot.ratePerSecond} (after a burst of {@code iot.rateBurst}). */
    RATE_LIMITED,
    /** A reading the device's process already had (a redelivery), or one older than its last. */
    DUPLICATE
  }

  private final Reason reason;

  /**
   * A refusal.
   *
   * @param reason why, as a counter's key
   * @param message what was wrong, for a person
   */
  public BadMessage(Reason reason, String message) {
    super(reason.name().toLowerCase(java.util.Locale.ROOT) + ": " + message, null, false, false);
    this.reason = reason;
  }

  /** Why the message was refused. */
  public Reason reason() {
    return reason;
  }
}
