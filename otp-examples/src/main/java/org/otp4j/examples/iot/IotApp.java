package org.otp4j.examples.iot;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.otp4j.behaviours.AppDescriptor;
import org.otp4j.behaviours.Application;
import org.otp4j.behaviours.Supervisor;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;

/**
 * The IoT platform as an OTP application: its descriptor (name, version, environment defaults) and
 * its start, which builds the supervision tree of {@link IotSupervisor}.
 *
 * <h2>Configuration</h2>
 * Each key can be set in a configuration file ({@code iot.mqttPort=1883}, loaded with
 * {@code -Dotp.config=FILE}) or as a system property ({@code -Dotp.iot.mqttPort=1883}).
 * <table>
 *   <caption>The IoT application's environment</caption>
 *   <tr><th>key</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>mqttHost, mqttPort</td><td>127.0.0.1, 1883</td><td>the MQTT broker</td></tr>
 *   <tr><td>clientId</td><td>platform-1</td><td>the platform's MQTT client id (its persistent session)</td></tr>
 *   <tr><td>inFlight</td><td>2048</td><td>messages delivered and not yet processed, at most</td></tr>
 *   <tr><td>sessions</td><td>1</td><td>MQTT sessions per node: {@code CLIENTID} alone, or
 *       {@code CLIENTID-0}, {@code CLIENTID-1}, ... (see {@link MqttSessions}); the same on every node</td></tr>
 *   <tr><td>dataDir</td><td>data</td><td>folder of the SQLite database {@code iot.db}</td></tr>
 *   <tr><td>jdbcUrl, jdbcUser, jdbcPassword</td><td>(empty)</td><td>use this database (PostgreSQL) instead</td></tr>
 *   <tr><td>maxPayloadBytes</td><td>4096</td><td>larger messages are refused</td></tr>
 *   <tr><td>ratePerSecond, rateBurst</td><td>20, 40</td><td>readings a device may send per second, and at once</td></tr>
 *   <tr><td>writeDelay</td><td>0ms</td><td>a pause before each storage batch (to watch back-pressure)</td></tr>
 *   <tr><td>tempHigh, tempRate, batteryLow</td><td>60, 10, 15</td><td>alert limits: °C, °C per minute, %</td></tr>
 *   <tr><td>commandTimeout, commandAttempts</td><td>5s, 3</td><td>a command is sent again after this without an ack, this many times</td></tr>
 *   <tr><td>httpHost, httpPort</td><td>localhost, 8082</td><td>the dashboard (port 0: any free port)</td></tr>
 *   <tr><td>simDevices, simInterval</td><td>300, 1s</td><td>{@link IotRun} only: the simulated devices it
 *       starts, and their reading interval (the platform itself ignores them)</td></tr>
 * </table>
 */
public final class IotApp extends Application {

  /** The application's name, and the prefix of its system properties ({@code otp.iot.*}). */
  public static final String NAME = "iot";

  /** The descriptor with the default environment. */
  public static AppDescriptor descriptor() {
    return AppDescriptor.of(NAME, IotApp::new)
        .withVersion("1.0.0")
        .withDescription("an IoT platform: MQTT ingest, a process per device, rules, commands, a live dashboard")
        .withEnv("mqttHost", "127.0.0.1")
        .withEnv("mqttPort", 1883)
        .withEnv("clientId", "platform-1")
        .withEnv("inFlight", 2048)
        .withEnv("sessions", 1)
        .withEnv("dataDir", "data")
        .withEnv("jdbcUrl", "")
        .withEnv("jdbcUser", "")
        .withEnv("jdbcPassword", "")
        .withEnv("maxPayloadBytes", 4096)
        .withEnv("ratePerSecond", 20.0)
        .withEnv("rateBurst", 40)
        .withEnv("writeDelay", Duration.ZERO)
        .withEnv("tempHigh", 60.0)
        .withEnv("tempRate", 10.0)
        .withEnv("batteryLow", 15.0)
        .withEnv("commandTimeout", Duration.ofSeconds(5))
        .withEnv("commandAttempts", 3)
        .withEnv("httpHost", "localhost")
        .withEnv("httpPort", 8082)
        .withEnv("simDevices", 300)
        .withEnv("simInterval", Duration.ofSeconds(1));
  }

  private static final Map<Node, Iot> RUNNING = new ConcurrentHashMap<>();

  /** The context of the platform running on {@code node}, if one does. */
  public static Optional<Iot> on(Node node) {
    return Optional.ofNullable(RUNNING.get(node));
  }

  @Override
  protected Pid start(Type type) {
    Iot iot = Iot.create(IotConfig.from(Application.getAllEnv(NAME)));
    RUNNING.put(Node.current(), iot);
    return Supervisor.startLink(new IotSupervisor(iot));
  }

  @Override
  protected void stop() {
    RUNNING.remove(Node.current());
  }
}
