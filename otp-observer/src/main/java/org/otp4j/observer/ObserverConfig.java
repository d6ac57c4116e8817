package org.otp4j.observer;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Settings of an {@link Observer}. Immutable; start from {@link #defaults()}.
 *
 * @param address the address the observer listens on: the loopback address unless set otherwise with
 *     {@link #withAddress}, so that only programs of this machine can reach it
 * @param port the port, or 0 for a free port chosen when it starts
 * @param reports where the observer reads recent reports from; empty to use the node's own report
 *     handler when it is an {@link ObserverReports} (see {@link Observer})
 * @param history how far back the load history goes (one sample a second)
 * @param openMetrics whether {@code /metrics} answers a request from another machine without the
 *     token (see {@link Observer}); a request from this machine never needs it
 */
public record ObserverConfig(InetAddress address, int port, Optional<ObserverReports> reports, Duration history,
    boolean openMetrics) {

  public ObserverConfig {
    Objects.requireNonNull(address, "address: use InetAddress.getLoopbackAddress() for this machine only");
    Objects.requireNonNull(reports, "reports: use Optional.empty() for the node's own report handler");
    Objects.requireNonNull(history, "history");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0 (any free port) or 1-65535, got " + port);
    }
    if (history.compareTo(Duration.ofSeconds(1)) < 0 || history.compareTo(Duration.ofHours(24)) > 0) {
      throw new IllegalArgumentException("history must be between 1 second and 24 hours, got " + history);
    }
  }

  /**
   * Loopback, a free port, the node's own report handler, five minutes of history, {@code /metrics}
   * without the token for this machine only.
   */
  public static ObserverConfig defaults() {
    return new ObserverConfig(InetAddress.getLoopbackAddress(), 0, Optional.empty(), Duration.ofMinutes(5), false);
  }

  /** The same, listening on {@code newPort} (0 for a free one). */
  public ObserverConfig withPort(int newPort) {
    return new ObserverConfig(address, newPort, reports, history, openMetrics);
  }

  /**
   * The same, listening on {@code newAddress}. An address other than loopback lets other machines
   * reach the observer, which can kill processes: the token still guards every request, but the
   * traffic is plain HTTP; put it behind TLS before exposing it to a network.
   */
  public ObserverConfig withAddress(InetAddress newAddress) {
    return new ObserverConfig(newAddress, port, reports, history, openMetrics);
  }

  /** The same, reading its reports from {@code feed} (one that the node's report handler feeds). */
  public ObserverConfig withReports(ObserverReports feed) {
    return new ObserverConfig(address, port, Optional.of(Objects.requireNonNull(feed, "feed")), history,
        openMetrics);
  }

  /** The same, keeping {@code newHistory} of load samples (one a second). */
  public ObserverConfig withHistory(Duration newHistory) {
    return new ObserverConfig(address, port, reports, newHistory, openMetrics);
  }

  /**
   * The same, with {@code /metrics} answered without the token to every machine that can reach the
   * observer ({@code true}), or only to this one ({@code false}, the default). For a Prometheus
   * server on another machine when the observer {@link #withAddress listens} on a network: the
   * figures are counts and supervisor names, no process state; the rest of the observer still needs
   * the token. A scraper can also carry the token, as {@code Authorization: Bearer <token>}.
   */
  public ObserverConfig withOpenMetrics(boolean open) {
    return new ObserverConfig(address, port, reports, history, open);
  }
}
