package org.otp4j.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports for tests that start servers: nodes of a cluster in other JVMs, say, whose ports go into each
 * other's settings before any of them starts.
 */
public final class Ports {
  private static final int LOWEST = 10_000;
  private static final int ATTEMPTS = 200;

  private Ports() {}

  /**
   * A TCP port of the loopback interface that nothing listens on now, for a server that binds it
   * later. It is taken below the kernel's range of ports for outgoing connections, so that no
   * connection of any program on the machine is given it meanwhile (a port that the kernel chose
   * for a listening socket of this JVM, then freed, may be).
   *
   * @throws IOException if none was found free after a few hundred tries
   */
  public static int free() throws IOException {
    int high = Math.max(LOWEST + 1, ephemeralRange()[0]);
    ThreadLocalRandom random = ThreadLocalRandom.current();
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      int port = random.nextInt(LOWEST, high);
      try (ServerSocket s = new ServerSocket()) {
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
        return port;
      } catch (IOException taken) {
        // in use: try another
      }
    }
    throw new IOException("no free port between " + LOWEST + " and " + high + " after " + ATTEMPTS + " tries");
  }

  /** The kernel's range of ports for outgoing connections (Linux's setting), or the IANA range elsewhere. */
  static int[] ephemeralRange() {
    try {
      String[] parts = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim().split("\\s+");
      return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])};
    } catch (IOException | RuntimeException e) {
      return new int[] {49_152, 65_535};
    }
  }
}
