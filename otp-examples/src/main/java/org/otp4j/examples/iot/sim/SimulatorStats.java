package org.otp4j.examples.iot.sim;

/**
 * The counts of a {@link Simulator} at one moment: what it published, what the broker confirmed,
 * what it injected on purpose and how its connections fared.
 *
 * <p>{@code published}, {@code confirmed} and {@code failed} count valid telemetry only, the
 * messages the platform is meant to process (the flooding device's included); injected bad input
 * is counted apart. At QoS 1, after {@link Simulator#stop()}, {@code published} equals
 * {@code confirmed + failed}: the stop waits for every outstanding acknowledgement (up to 10
 * seconds).
 *
 * @param devices how many devices are simulated
 * @param connectedDevices how many of them are online now (their connection is up)
 * @param connections how many MQTT connections the devices use
 * @param published valid telemetry messages handed to the broker
 * @param confirmed of those, how many the broker acknowledged (PUBACK at QoS 1; sent at QoS 0)
 * @param failed of those, how many were lost (connection gone before the acknowledgement, or refused)
 * @param malformed malformed payloads published on purpose
 * @param unknownDevice messages published in the name of a device id that is never simulated
 * @param oversized oversized payloads attempted
 * @param oversizedRefused oversized payloads refused (by the client, which knows the broker's
 *     maximum packet size from its CONNACK, or by the broker)
 * @param commands commands received
 * @param acks acks published for them, confirmed by the broker
 * @param reconnects connections made again after a loss (broker restart, reboot)
 */
public record SimulatorStats(
    int devices,
    int connectedDevices,
    int connections,
    long published,
    long confirmed,
    long failed,
    long malformed,
    long unknownDevice,
    long oversized,
    long oversizedRefused,
    long commands,
    long acks,
    long reconnects) {

  /**
   * The counts as one JSON object, with the field names of this record.
   *
   * @return the JSON text
   */
  public String toJson() {
    return "{\"devices\":" + devices + ",\"connectedDevices\":" + connectedDevices + ",\"connections\":" + connections
        + ",\"published\":" + published + ",\"confirmed\":" + confirmed + ",\"failed\":" + failed
        + ",\"malformed\":" + malformed + ",\"unknownDevice\":" + unknownDevice + ",\"oversized\":" + oversized
        + ",\"oversizedRefused\":" + oversizedRefused + ",\"commands\":" + commands + ",\"acks\":" + acks
        + ",\"reconnects\":" + reconnects + "}";
  }
}
