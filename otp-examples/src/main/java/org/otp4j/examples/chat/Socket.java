package org.otp4j.examples.chat;

/**
 * The connection process's view of its WebSocket: send a text frame, ask for the next inbound
 * frame, close. Implemented over Jetty by {@link WebEndpoint}; kept this small so that
 * {@link Connection} does not depend on the web server.
 */
interface Socket {
  /** Sends a text frame; never blocks (frames are queued in order). */
  void send(String text);

  /**
   * Asks for the next inbound frame. The connection asks after it has handled one, so a client
   * that sends faster than its connection process works is held back by TCP, not queued in memory.
   */
  void demand();

  /** Closes the socket with a WebSocket status code; does nothing if it is closed already. */
  void close(int code, String reason);

  /** Where the client connects from (address and port), for logs. */
  String remote();

  /** The client's IP address, without the port: what login attempts are counted by. */
  String address();
}
