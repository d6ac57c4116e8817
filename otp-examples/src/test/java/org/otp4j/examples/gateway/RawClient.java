package org.otp4j.examples.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** Requests written byte for byte on a socket: what the JDK client will not send. */
final class RawClient {
  private RawClient() {}

  /** Sends {@code request} as is and returns everything the server answered until it closed. */
  static String exchange(int port, String request) {
    return exchange(port, request, InetAddress.getLoopbackAddress());
  }

  /** As {@link #exchange(int, String)}, from the local address {@code from} (127.0.0.2: another client). */
  static String exchange(int port, String request, InetAddress from) {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port, from, 0)) {
      s.setSoTimeout((int) GatewayServer.WAIT.toMillis());
      s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      s.getOutputStream().flush();
      InputStream in = s.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
