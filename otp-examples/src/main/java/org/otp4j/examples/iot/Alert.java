package org.otp4j.examples.iot;

/**
 * An alert raised by a rule, broadcast on {@link Iot#ALERTS}.
 *
 * @param device the device it is about
 * @param kind which rule raised it
 * @param message what happened, for a person
 * @param ts when (the reading's or status's time), epoch milliseconds
 */
public record Alert(String device, Kind kind, String message, long ts) {
  /** The rules. */
  public enum Kind {
    /** The temperature rose above {@code iot.tempHigh}. */
    TEMPERATURE_HIGH,
    /** The temperature changed faster than {@code iot.tempRate} °C per minute. */
    RATE_OF_CHANGE,
    /** The battery fell below {@code iot.batteryLow}. */
    BATTERY_LOW,
    /** The device went offline (its status, or its last will). */
    OFFLINE
  }
}
