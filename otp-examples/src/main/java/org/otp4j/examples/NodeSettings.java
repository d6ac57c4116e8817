package org.otp4j.examples;

import java.net.InetSocketAddress;

/** How the examples that run on several JVMs read their node settings from system properties. */
public final class NodeSettings {
  private NodeSettings() {}

  /** The system property {@code key}, trimmed, or {@code otherwise} if it is absent or blank. */
  public static String setting(String key, String otherwise) {
    String v = System.getProperty(key, "").trim();
    return v.isEmpty() ? otherwise : v;
  }

  /**
   * {@code HOST:PORT} as an address.
   *
   * @param hostPort the text
   * @param key the setting it came from, named in the error
   * @return the address (unresolved names are resolved)
   * @throws IllegalArgumentException if it is not {@code HOST:PORT} with a numeric port
   */
  public static InetSocketAddress address(String hostPort, String key) {
    int colon = hostPort.lastIndexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException(key + " must be HOST:PORT; got '" + hostPort + "'");
    }
    try {
      return new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be HOST:PORT with a numeric port; got '" + hostPort + "'", e);
    }
  }
}
