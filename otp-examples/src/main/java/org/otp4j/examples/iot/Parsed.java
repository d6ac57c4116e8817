package org.otp4j.examples.iot;

/**
 * A delivery parsed and checked: what flows from the parse stage on.
 *
 * @param message the device's message
 * @param delivery where it came from, to acknowledge once processed
 */
record Parsed(DeviceMessage message, Delivery delivery) {}
