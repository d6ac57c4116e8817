/**
 * The IoT platform's device simulator: thousands of MQTT 5 devices in one program, to drive the
 * platform in its tests and benchmark.
 *
 * <h2>Running it</h2>
 *
 * <pre>{@code
 * java -cp <class path> org.otp4j.examples.iot.sim.Simulator --broker 127.0.0.1:1883 --devices 2000 --qos 1
 * }</pre>
 *
 * <p>It prints a summary line every 5 seconds and stops on {@code SIGTERM} or at the end of its
 * standard input, printing (and with {@code --final-json FILE}, writing) how many messages it
 * published and how many the broker confirmed, for a benchmark to compare with what the platform
 * processed. {@link org.otp4j.examples.iot.sim.Simulator} lists every option; tests and
 * benchmarks start the same simulator in-process with a
 * {@link org.otp4j.examples.iot.sim.SimulatorConfig} and read its
 * {@link org.otp4j.examples.iot.sim.SimulatorStats}.
 *
 * <h2>What a device does</h2>
 * <ul>
 *   <li>Telemetry on {@code devices/{id}/telemetry} at its interval (1 s by default, jittered),
 *       QoS 1 or 0, with {@code seq} rising by one per message from 1, across reconnects: the
 *       temperature follows a random walk around the device's own mean plus a daily swing
 *       (warmest at 15:00 UTC), the battery drains slowly and recharges from 15 % to 95 %, the
 *       position strolls about a metre per message around the group's city, and now and then a
 *       fault ({@code sensor_error}, {@code overheat}, {@code low_signal}) lasts a few messages.
 *   <li>On every connect, a retained {@code {"device":id,"online":true,"ts":...}} on
 *       {@code devices/{id}/status}; the connection's last will is the retained
 *       {@code {"device":id,"online":false}} there, which the broker also publishes when the
 *       simulator stops (it disconnects with reason "disconnect with will message").
 *   <li>Commands on {@code devices/{id}/commands}, answered on {@code devices/{id}/acks}:
 *       {@code set_config} changes the interval at once (ack detail {@code interval_ms=N});
 *       {@code firmware} acks with the version as detail; {@code reboot} disconnects cleanly,
 *       connects again about a second later, then acks (detail {@code rebooted}). A command that
 *       breaks the contract (not JSON, no {@code command_id}, unknown type, bad args) is acked
 *       with status {@code error} and a detail saying what was wrong (its {@code command_id} is
 *       empty when it has none).
 *   <li>When the broker goes away, every connection reconnects by itself with exponential backoff
 *       (capped by {@code --reconnect-max-ms}), subscribes again to its command topics and says
 *       online again. Ticks that fall while a device is offline are skipped: its telemetry
 *       resumes with the next seq.
 * </ul>
 *
 * <h2>Gateways</h2>
 *
 * <p>With {@code --devices-per-connection K} (K &gt; 1), a gateway {@code gw-NNNNNN} (numbered
 * after its first device) carries K devices over one connection, so that one simulator drives
 * 100,000 devices. Each device still publishes its own telemetry, status and acks on its own
 * topics, and still gets its own commands. The gateway's last will is on
 * {@code gateways/{gw}/status}: {@code {"gateway":gw,"online":false,"devices":[ids...]}}, retained;
 * on connect it publishes the same with {@code "online":true} and a {@code ts}. So when a gateway
 * dies, its devices' retained statuses still say online: the platform must read the gateway's
 * status as the status of every device it lists. On a clean stop a gateway publishes each
 * device's offline status itself before it disconnects. A device behind a gateway that gets
 * {@code reboot} cannot drop the shared connection: it says offline, publishes nothing for a
 * second, says online, then acks.
 *
 * <h2>Bad input, on purpose</h2>
 * <ul>
 *   <li>{@code --malformed-rate F}: that share of messages on the telemetry topic is malformed,
 *       in turn not JSON at all, JSON missing required fields ({@code seq}, {@code ts}, ...), or
 *       JSON with every field of the wrong type; they use no seq number.
 *   <li>{@code --unknown-device-rate F}: that share is valid telemetry in the name of an id from
 *       {@code d-900000} up, which no simulator runs and which never said online.
 *   <li>{@code --oversized-rate F}: that share is telemetry padded past
 *       {@link org.otp4j.examples.iot.Broker#MAX_PACKET_BYTES}. None is delivered: the broker
 *       announces its limit at connect and the client refuses most of them itself; one that does
 *       reach the broker makes it drop the device's connection (a protocol error), and the device
 *       reconnects, its telemetry then in flight being counted as failed. They are counted as
 *       refused either way.
 *   <li>{@code --flood-device ID}: that device publishes valid telemetry as fast as the
 *       connection takes it (up to 256 messages outstanding) instead of at its interval.
 * </ul>
 * The first three are not counted in {@code published}, so that the count of valid telemetry
 * stays comparable with what the platform processed; the flood's messages are valid telemetry and
 * are counted.
 */
package org.otp4j.examples.iot.sim;
