package org.otp4j.behaviours.stage;

/**
 * What a consumer does when one of its producers cancels the subscription or exits (Elixir's
 * {@code :cancel} subscription option). In every case {@link GenStage#handleCancel} runs first.
 */
public enum CancelMode {
  /** The consumer exits, with the producer's reason (the default). */
  PERMANENT,
  /** The consumer exits unless the reason is {@code normal}, {@code shutdown} or {@code {shutdown, _}}. */
  TRANSIENT,
  /** The consumer never exits because of this subscription. */
  TEMPORARY
}
