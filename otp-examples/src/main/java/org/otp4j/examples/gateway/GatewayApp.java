package org.otp4j.examples.gateway;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import org.otp4j.behaviours.AppDescriptor;
import org.otp4j.behaviours.Application;
import org.otp4j.behaviours.Supervisor;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;

/**
 * The API gateway as an OTP application: its descriptor and its start, which reads the
 * configuration file (if one is given) and builds the tree of {@link GatewaySupervisor}.
 *
 * <h2>Configuration</h2>
 * Each key can be set as a system property ({@code -Dotp.gateway.port=9090}) or in a file of
 * {@code gateway.KEY=VALUE} lines named by {@code -Dotp.config=FILE}.
 * <table>
 *   <caption>The gateway application's environment</caption>
 *   <tr><th>key</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>host</td><td>localhost</td><td>interface both ports listen on</td></tr>
 *   <tr><td>port</td><td>8000</td><td>the proxy's port (0: any free port)</td></tr>
 *   <tr><td>adminPort</td><td>8001</td><td>admin page, admin API and {@code /metrics} (0: any free port)</td></tr>
 *   <tr><td>configFile</td><td>(empty)</td><td>JSON routes and pools ({@link GatewayConfig}), watched for changes</td></tr>
 *   <tr><td>configPoll</td><td>500ms</td><td>how often the file is looked at</td></tr>
 *   <tr><td>maxBodyBytes</td><td>1048576</td><td>larger request bodies get 413</td></tr>
 *   <tr><td>maxHeaderBytes</td><td>8192</td><td>larger request heads get 431</td></tr>
 *   <tr><td>rateLimit, rateBurst</td><td>100.0, 200</td><td>token bucket per client address: requests/s, burst (0: off)</td></tr>
 *   <tr><td>connectTimeout</td><td>2s</td><td>connecting to an upstream</td></tr>
 *   <tr><td>idleTimeout</td><td>30s</td><td>a client connection silent this long is closed</td></tr>
 * </table>
 */
public final class GatewayApp extends Application {
  /** The application's name, and the prefix of its system properties ({@code otp.gateway.*}). */
  public static final String NAME = "gateway";

  private Gateway gateway;

  /** The descriptor with the default environment. */
  public static AppDescriptor descriptor() {
    return AppDescriptor.of(NAME, GatewayApp::new)
        .withVersion("1.0.0")
        .withDescription("API gateway: routes, upstream pools, circuit breakers, health checks, rate limits")
        .withEnv("host", "localhost")
        .withEnv("port", 8000)
        .withEnv("adminPort", 8001)
        .withEnv("configFile", "")
        .withEnv("configPoll", Duration.ofMillis(500))
        .withEnv("maxBodyBytes", 1 << 20)
        .withEnv("maxHeaderBytes", 8192)
        .withEnv("rateLimit", 100.0)
        .withEnv("rateBurst", 200)
        .withEnv("connectTimeout", Duration.ofSeconds(2))
        .withEnv("idleTimeout", Duration.ofSeconds(30));
  }

  /** The running gateway's ports, {@code [proxy, admin]} (the ones picked when configured as 0). Call on its node. */
  public static int[] ports() {
    return WebEndpoint.ports();
  }

  @Override
  protected Pid start(Type type) throws Exception {
    GatewaySettings settings = GatewaySettings.from(Application.getAllEnv(NAME));
    GatewayConfig initial = settings.configFile().isPresent() && Files.exists(settings.configFile().get())
        ? GatewayConfig.parse(Files.readString(settings.configFile().get())) : GatewayConfig.empty();
    gateway = Gateway.create(settings, Node.current(), initial);
    try {
      return Supervisor.startLink(new GatewaySupervisor(gateway));
    } catch (RuntimeException e) {
      gateway.close(); // stop is not called for an application that did not start
      throw e;
    }
  }

  /** Stops the client to the upstreams, once the tree (and so every request handler) has stopped. */
  @Override
  protected void stop() throws Exception {
    if (gateway != null) {
      gateway.close();
    }
  }
}
