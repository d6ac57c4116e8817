package org.otp4j.examples.iot;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The IoT platform's settings, read from its application environment (see {@link IotApp}).
 *
 * @param mqttHost the broker's host
 * @param mqttPort the broker's port
 * @param clientId the platform's MQTT client identifier (its session survives a reconnect)
 * @param inFlight how many messages may be delivered but not yet processed and acknowledged: the
 *     bound of everything the pipeline holds
 * @param sessions how many MQTT sessions the node holds, named after {@code clientId} (see
 *     {@link MqttSessions}); the same on every node
 * @param dataDir the folder of the SQLite database {@code iot.db}
 * @param jdbcUrl a JDBC URL (PostgreSQL) to use instead of SQLite; empty for SQLite
 * @param jdbcUser the database user, if the URL needs one
 * @param jdbcPassword the user's password
 * @param maxPayloadBytes larger messages are rejected as oversized
 * @param ratePerSecond the readings per second one device may send on average
 * @param rateBurst how many readings a device may send at once before the rate applies
 * @param writeDelay a pause before each storage batch: zero in production, set to slow storage down
 * @param tempHigh a temperature above this raises an alert (°C)
 * @param tempRate a temperature change faster than this (°C per minute) raises an alert
 * @param batteryLow a battery below this (%) raises an alert
 * @param commandTimeout how long a command waits for its device's ack before it is sent again
 * @param commandAttempts how many times a command is sent before it expires
 * @param httpHost the dashboard's interface
 * @param httpPort the dashboard's port (0: any free port)
 */
public record IotConfig(String mqttHost, int mqttPort, String clientId, int inFlight, int sessions, Path dataDir,
    String jdbcUrl,
    String jdbcUser, String jdbcPassword, int maxPayloadBytes, double ratePerSecond, int rateBurst,
    Duration writeDelay, double tempHigh, double tempRate, double batteryLow, Duration commandTimeout,
    int commandAttempts, String httpHost, int httpPort) {

  /**
   * Checks the settings.
   *
   * @throws IllegalArgumentException naming the setting and the accepted values
   */
  public IotConfig {
    if (mqttPort < 1 || mqttPort > 65_535) {
      throw new IllegalArgumentException("iot.mqttPort must be a port (1..65535); got " + mqttPort);
    }
    if (inFlight < 1 || inFlight > 65_535) {
      throw new IllegalArgumentException("iot.inFlight must be 1..65535; got " + inFlight);
    }
    new MqttSessions(clientId, sessions); // checks both
    if (maxPayloadBytes < 64 || rateBurst < 1 || !(ratePerSecond > 0) || commandAttempts < 1) {
      throw new IllegalArgumentException("iot.maxPayloadBytes must be at least 64, iot.rateBurst and "
          + "iot.commandAttempts at least 1, iot.ratePerSecond positive; got " + maxPayloadBytes + ", " + rateBurst
          + ", " + commandAttempts + ", " + ratePerSecond);
    }
    if (writeDelay.isNegative() || !commandTimeout.isPositive()) {
      throw new IllegalArgumentException("iot.writeDelay cannot be negative and iot.commandTimeout must be positive; got "
          + writeDelay + ", " + commandTimeout);
    }
  }

  /** Reads the settings from an application environment. */
  static IotConfig from(Map<String, Object> env) {
    return new IotConfig((String) env.get("mqttHost"), (Integer) env.get("mqttPort"), (String) env.get("clientId"),
        (Integer) env.get("inFlight"), (Integer) env.get("sessions"), Path.of((String) env.get("dataDir")),
        ((String) env.get("jdbcUrl")).trim(),
        (String) env.get("jdbcUser"), (String) env.get("jdbcPassword"), (Integer) env.get("maxPayloadBytes"),
        ((Number) env.get("ratePerSecond")).doubleValue(), (Integer) env.get("rateBurst"),
        (Duration) env.get("writeDelay"), ((Number) env.get("tempHigh")).doubleValue(),
        ((Number) env.get("tempRate")).doubleValue(), ((Number) env.get("batteryLow")).doubleValue(),
        (Duration) env.get("commandTimeout"), (Integer) env.get("commandAttempts"), (String) env.get("httpHost"),
        (Integer) env.get("httpPort"));
  }

  /** The node's own MQTT sessions. */
  MqttSessions mqttSessions() {
    return new MqttSessions(clientId, sessions);
  }

  /** Whether the store is the embedded SQLite file (no JDBC URL given). */
  public boolean embedded() {
    return jdbcUrl.isEmpty();
  }

  /** The JDBC URL actually used. */
  public String effectiveJdbcUrl() {
    return embedded() ? "jdbc:sqlite:" + dataDir.resolve("iot.db").toAbsolutePath() : jdbcUrl;
  }

  /** Shows every setting but the database password. */
  @Override
  public String toString() {
    return "IotConfig[mqtt=" + mqttHost + ":" + mqttPort + ", clientId=" + clientId + ", inFlight=" + inFlight
        + ", sessions=" + sessions
        + ", dataDir=" + dataDir + ", jdbcUrl=" + jdbcUrl + ", jdbcUser=" + jdbcUser + ", jdbcPassword="
        + (jdbcPassword.isEmpty() ? "" : "(redacted)") + ", http=" + httpHost + ":" + httpPort + "]";
  }
}
