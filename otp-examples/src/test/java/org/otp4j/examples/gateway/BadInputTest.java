package org.otp4j.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Bad input gets a JSON error and never a hung connection: bodies and headers over the limits
 * (413, 431), malformed requests (400), a client that stops half way through its request (closed
 * at the idle timeout, while others are served), and a flood from one client (429 with
 * {@code Retry-After}, other clients unaffected).
 */
class BadInputTest {
  static UpstreamProcess up;
  static GatewayServer gateway;

  @BeforeAll
  static void start() {
    up = Shared.upstream("a");
    gateway = GatewayServer.start(Map.of("maxBodyBytes", 1024, "maxHeaderBytes", 2048, "rateLimit", 1.0,
        "rateBurst", 20, "idleTimeout", Duration.ofMillis(500)));
    gateway.configure("""
        {"routes": [{"id": "in", "prefix": "/in/", "pool": "in"}], "pools": [{"name": "in", "instances": ["%s"]}]}
        """.formatted(up.url()));
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  static InetAddress local(int last) {
    try {
      return InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) last});
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void aBodyOverTheLimitIs413WhetherItsLengthIsDeclaredOrNot() {
    String raw = RawClient.exchange(gateway.port, "POST /in/x HTTP/1.1\r\nHost: t\r\nContent-Length: 2000\r\n"
        + "Connection: close\r\n\r\n" + "x".repeat(2000), local(5));
    assertThat(raw).startsWith("HTTP/1.1 413").contains("\"error\":\"body_too_large\"", "2000 bytes", "1024");
    String chunked = RawClient.exchange(gateway.port, "POST /in/x HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n"
        + "Connection: close\r\n\r\n" + ("100\r\n" + "y".repeat(256) + "\r\n").repeat(8) + "0\r\n\r\n", local(5));
    assertThat(chunked).startsWith("HTTP/1.1 413").contains("\"error\":\"body_too_large\"", "more than 1024");
    String fits = RawClient.exchange(gateway.port, "POST /in/x HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n"
        + "Connection: close\r\n\r\n" + "x".repeat(1000), local(5));
    assertThat(fits).startsWith("HTTP/1.1 200").contains("\"body\":1000");
  }

  @Test
  void headersOverTheLimitAre431() {
    String raw = RawClient.exchange(gateway.port, "GET /in/x HTTP/1.1\r\nHost: t\r\nX-Big: " + "z".repeat(4000)
        + "\r\nConnection: close\r\n\r\n", local(6));
    assertThat(raw).startsWith("HTTP/1.1 431").contains("application/json", "\"error\":\"headers_too_large\"");
  }

  @Test
  void malformedRequestsAre400() {
    assertThat(RawClient.exchange(gateway.port, "THIS IS NOT HTTP\r\n\r\n", local(7)))
        .startsWith("HTTP/1.1 400").contains("\"error\":\"bad_request\"");
    assertThat(RawClient.exchange(gateway.port, "GET /in/x HTTP/1.1\r\nHost: t\r\nBad Header Line\r\n\r\n", local(7)))
        .startsWith("HTTP/1.1 400").contains("\"error\":\"bad_request\"");
    assertThat(RawClient.exchange(gateway.port, "POST /in/x HTTP/1.1\r\nHost: t\r\nContent-Length: -5\r\n\r\n", local(7)))
        .startsWith("HTTP/1.1 400");
  }

  @Test
  void aClientThatStopsHalfWayIsClosedAtTheIdleTimeoutWhileOthersAreServed() throws IOException {
    try (Socket slow = new Socket(InetAddress.getLoopbackAddress(), gateway.port, local(8), 0)) {
      slow.setSoTimeout((int) GatewayServer.WAIT.toMillis());
      slow.getOutputStream().write("GET /in/x HTTP/1.1\r\nHost: t\r\n".getBytes(StandardCharsets.ISO_8859_1));
      slow.getOutputStream().flush();
      // meanwhile another client is served
      assertThat(RawClient.exchange(gateway.port, "GET /in/y HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", local(9)))
          .startsWith("HTTP/1.1 200");
      InputStream in = slow.getInputStream();
      byte[] answer = in.readAllBytes(); // returns when the gateway closes the connection
      String text = new String(answer, StandardCharsets.ISO_8859_1);
      assertThat(text.isEmpty() || text.startsWith("HTTP/1.1 408") || text.startsWith("HTTP/1.1 400"))
          .as("nothing, or a timeout error, then closed: %s", text).isTrue();
    }
  }

  @Test
  void aFloodFromOneClientIs429WithRetryAfterAndOthersAreServed() {
    int ok = 0;
    int limited = 0;
    String last429 = null;
    for (int i = 0; i < 60; i++) {
      String raw = RawClient.exchange(gateway.port, "GET /in/x HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", local(3));
      if (raw.startsWith("HTTP/1.1 200")) {
        ok++;
      } else {
        assertThat(raw).startsWith("HTTP/1.1 429");
        limited++;
        last429 = raw;
      }
    }
    assertThat(ok).isGreaterThanOrEqualTo(20); // the burst
    assertThat(limited).isGreaterThan(0);
    assertThat(last429).containsPattern("(?i)retry-after: [1-9]").contains("\"error\":\"rate_limited\"", "127.0.0.3");
    assertThat(RawClient.exchange(gateway.port, "GET /in/x HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", local(4)))
        .startsWith("HTTP/1.1 200");
  }

  @Test
  void theJdkClientGetsTheSameErrors() throws Exception {
    HttpResponse<String> r = GatewayServer.HTTP.send(HttpRequest.newBuilder(gateway.uri("/in/x"))
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(new byte[5000])))
        .timeout(GatewayServer.WAIT).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(GatewayServer.json(r).path("error").asString()).isEqualTo("body_too_large");
  }
}
