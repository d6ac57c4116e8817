package org.otp4j.behaviours.stage;

/** How a producer treats the demand it receives (Elixir's {@code :demand} producer option). */
public enum DemandMode {
  /** Demand is passed to {@link Producer#handleDemand} as it arrives (the default). */
  FORWARD,
  /**
   * Demand is kept, and events are held, until {@link GenStage#demand(org.otp4j.core.Address, DemandMode)}
   * switches the producer to {@link #FORWARD}: for a pipeline that must be fully subscribed before
   * anything flows.
   */
  ACCUMULATE
}
