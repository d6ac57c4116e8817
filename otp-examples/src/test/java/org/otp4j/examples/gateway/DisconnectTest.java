package org.otp4j.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A client that goes away cancels the upstream call (the upstream sees its connection closed); an
 * upstream slower than the route's deadline gets the client a 504 at the deadline, not later.
 */
class DisconnectTest {
  GatewayServer gateway;
  UpstreamProcess up;

  @BeforeEach
  void start() {
    gateway = Shared.gateway();
    up = Shared.upstream("slow");
    gateway.configure("""
        {"routes": [{"id": "slow", "prefix": "/slow/", "pool": "slow", "deadlineMs": 20000, "retries": 0},
                    {"id": "quick", "prefix": "/quick/", "pool": "slow", "deadlineMs": 300, "retries": 0}],
         "pools": [{"name": "slow", "instances": ["%s"]}]}
        """.formatted(up.url()));
  }

  @Test
  void aClientThatGoesAwayCancelsTheUpstreamCall() throws IOException {
    await().atMost(GatewayServer.WAIT).until(() -> up.stats().path("inflight").asLong() == 0); // nothing left over
    up.fault("hang=true");
    long aborted = up.stats().path("aborted").asLong();
    try (Socket client = new Socket(InetAddress.getLoopbackAddress(), gateway.port)) {
      OutputStream out = client.getOutputStream();
      out.write("GET /slow/forever HTTP/1.1\r\nHost: test\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      await().atMost(GatewayServer.WAIT).until(() -> up.stats().path("inflight").asLong() == 1);
    } // the client goes away
    await().atMost(GatewayServer.WAIT).until(() -> up.stats().path("aborted").asLong() == aborted + 1);
    await().atMost(GatewayServer.WAIT).until(() -> up.stats().path("inflight").asLong() == 0);
    gateway.awaitState(s -> s.path("inflight").asLong() == 0
        && s.path("pools").get(0).path("instances").get(0).path("outstanding").asInt() == 0);
    up.fault("hang=false");
    assertThat(gateway.get("/slow/again").statusCode()).isEqualTo(200);
  }

  @Test
  void anUpstreamSlowerThanTheDeadlineIsA504AtTheDeadline() {
    up.fault("latencyMs=2000");
    long t0 = System.nanoTime();
    HttpResponse<String> r = gateway.get("/quick/x");
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertThat(r.statusCode()).isEqualTo(504);
    assertThat(GatewayServer.json(r).path("error").asString()).isEqualTo("deadline");
    assertThat(GatewayServer.json(r).path("message").asString()).contains("300 ms");
    assertThat(ms).isLessThan(1800);
  }
}
