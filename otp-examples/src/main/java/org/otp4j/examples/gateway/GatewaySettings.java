package org.otp4j.examples.gateway;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The gateway application's settings, from its environment (see {@link GatewayApp}).
 *
 * @param host the interface both ports listen on
 * @param port the proxy's port (0: any free one)
 * @param adminPort the admin API's, page's and {@code /metrics}' port (0: any free one)
 * @param configFile the watched JSON configuration, if any
 * @param configPoll how often the file is looked at
 * @param maxBodyBytes the largest request body (larger: 413)
 * @param maxHeaderBytes the most bytes of request line and headers (more: 431)
 * @param rateLimit requests per second given back to each client's token bucket (0: no limit)
 * @param rateBurst each client's bucket size
 * @param connectTimeout how long to wait for a connection to an upstream
 * @param idleTimeout how long a client connection may stay silent (a slow client is dropped after it)
 */
public record GatewaySettings(String host, int port, int adminPort, Optional<Path> configFile, Duration configPoll,
                              int maxBodyBytes, int maxHeaderBytes, double rateLimit, int rateBurst,
                              Duration connectTimeout, Duration idleTimeout) {

  static GatewaySettings from(Map<String, Object> env) {
    String file = String.valueOf(env.getOrDefault("configFile", ""));
    return new GatewaySettings(String.valueOf(env.get("host")), integer(env, "port"), integer(env, "adminPort"),
        file.isEmpty() ? Optional.empty() : Optional.of(Path.of(file)), duration(env, "configPoll"),
        integer(env, "maxBodyBytes"), integer(env, "maxHeaderBytes"), ((Number) env.get("rateLimit")).doubleValue(),
        integer(env, "rateBurst"), duration(env, "connectTimeout"), duration(env, "idleTimeout"));
  }

  private static int integer(Map<String, Object> env, String key) {
    Object v = env.get(key);
    if (v instanceof Number n) {
      return n.intValue();
    }
    try {
      return Integer.parseInt(String.valueOf(v).trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("gateway." + key + " must be a whole number, got '" + v + "'");
    }
  }

  private static Duration duration(Map<String, Object> env, String key) {
    Object v = env.get(key);
    if (v instanceof Duration d) {
      return d;
    }
    try {
      return Duration.ofMillis(Long.parseLong(String.valueOf(v).trim()));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("gateway." + key + " must be a duration or milliseconds, got '" + v + "'");
    }
  }
}
