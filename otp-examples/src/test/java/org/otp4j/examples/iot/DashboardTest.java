package org.otp4j.examples.iot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.otp4j.examples.iot.sim.Simulator;
import org.otp4j.examples.iot.sim.SimulatorConfig;
import tools.jackson.databind.JsonNode;

/**
 * The dashboard's JSON API over real HTTP, with simulated devices: the summary (devices online,
 * messages per second), a device's detail, sending it a command and following it to its ack, the
 * alert stream (server-sent events from the alerts topic), and bad requests answered with what was
 * wrong.
 */
class DashboardTest {
  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(IotServer.WAIT)
      .version(HttpClient.Version.HTTP_1_1).build();

  @TempDir
  Path dir;

  @Test
  void theApiShowsDevicesSendsCommandsAndStreamsAlerts() throws Exception {
    try (IotServer s = IotServer.start(dir, Map.of("commandTimeout", Duration.ofSeconds(10)));
        Simulator sim = Simulator.start(SimulatorConfig.of(s.broker.host(), s.broker.port(), 3)
            .withSummaryEvery(Duration.ZERO).withInterval(Duration.ofMillis(200)).withFaultRate(0));
        Devices devices = new Devices(s.broker, "hot-device")) {
      String base = "http://127.0.0.1:" + s.on(Dashboard::port);

      await().atMost(IotServer.WAIT).until(() -> get(base + "/api/summary").path("devicesOnline").asLong() == 3);
      await().atMost(IotServer.WAIT).until(() -> get(base + "/api/summary").path("messagesPerSecond").asDouble() > 0);
      JsonNode summary = get(base + "/api/summary");
      assertThat(summary.path("devicesTotal").asLong()).isEqualTo(3);
      assertThat(summary.path("received").asLong()).isPositive();

      await().atMost(IotServer.WAIT).until(() -> get(base + "/api/devices/d-000002").path("history").size() >= 3);
      JsonNode d2 = get(base + "/api/devices/d-000002");
      assertThat(d2.path("online").asBoolean()).isTrue();
      assertThat(d2.path("group").asString()).matches("g-[0-9]{2}");
      assertThat(d2.path("last").path("device").asString()).isEqualTo("d-000002");
      assertThat(d2.path("history").get(0).path("seq").asLong())
          .isGreaterThan(d2.path("history").get(1).path("seq").asLong());

      // a command from the API, followed to the device's ack
      HttpResponse<String> sent = send(HttpRequest.newBuilder(URI.create(base + "/api/devices/d-000002/commands"))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"set_config\",\"args\":{\"interval_ms\":300}}")));
      assertThat(sent.statusCode()).as(sent.body()).isEqualTo(202);
      String id = IotServerJson.parse(sent.body()).path("command_id").asString();
      await().atMost(IotServer.WAIT).until(() -> get(base + "/api/commands/" + id).path("state").asString().equals("done"));
      JsonNode c = get(base + "/api/commands/" + id);
      assertThat(c.path("attempts").asInt()).isEqualTo(1);
      assertThat(c.path("detail").asString()).isEqualTo("interval_ms=300");
      await().atMost(IotServer.WAIT).until(() -> get(base + "/api/devices/d-000002").path("intervalMs").asLong() == 300);
      assertThat(get(base + "/api/devices/d-000002").path("commands").get(0).path("id").asString()).isEqualTo(id);

      // the alert stream: an alert raised after the stream opened arrives on it
      List<String> lines = new CopyOnWriteArrayList<>();
      HttpResponse<Stream<String>> stream = HTTP.sendAsync(HttpRequest.newBuilder(URI.create(base
          + "/api/alerts/stream")).build(), HttpResponse.BodyHandlers.ofLines()).get(30, TimeUnit.SECONDS);
      assertThat(stream.statusCode()).isEqualTo(200);
      assertThat(stream.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t)
          .startsWith("text/event-stream"));
      Thread reader = Thread.ofPlatform().daemon().start(() -> {
        try {
          stream.body().forEach(lines::add);
        } catch (java.io.UncheckedIOException e) {
          // closed by the test below: the stream's end
        }
      });
      long t0 = System.currentTimeMillis();
      devices.reading("d-000050", "g-05", 1, t0, 20, 80);
      devices.reading("d-000050", "g-05", 2, t0 + 1000, 75, 80);
      devices.flush();
      await().atMost(IotServer.WAIT).until(() -> lines.stream().anyMatch(l -> l.startsWith("data:")
          && l.contains("\"device\":\"d-000050\"") && l.contains("TEMPERATURE_HIGH")));
      assertThat(lines).contains("event: alert");
      await().atMost(IotServer.WAIT).until(() -> get(base + "/api/alerts").findValuesAsString("device")
          .contains("d-000050"));
      stream.body().close();
      reader.interrupt();

      // bad requests
      HttpResponse<String> badId = send(HttpRequest.newBuilder(URI.create(base + "/api/devices/device-2")));
      assertThat(badId.statusCode()).isEqualTo(400);
      assertThat(badId.body()).contains("device id 'device-2' is not d- and six digits");
      HttpResponse<String> badType = send(HttpRequest.newBuilder(URI.create(base + "/api/devices/d-000002/commands"))
          .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"selfdestruct\"}")));
      assertThat(badType.statusCode()).isEqualTo(400);
      assertThat(badType.body()).contains("unknown command type 'selfdestruct'");
      HttpResponse<String> badJson = send(HttpRequest.newBuilder(URI.create(base + "/api/devices/d-000002/commands"))
          .POST(HttpRequest.BodyPublishers.ofString("{not json")));
      assertThat(badJson.statusCode()).isEqualTo(400);
      assertThat(send(HttpRequest.newBuilder(URI.create(base + "/api/commands/c-none"))).statusCode()).isEqualTo(404);
      HttpResponse<String> unknown = send(HttpRequest.newBuilder(URI.create(base + "/nothing")));
      assertThat(unknown.statusCode()).isEqualTo(404);
      assertThat(unknown.body()).contains("POST /api/devices/ID/commands");
      HttpResponse<String> page = send(HttpRequest.newBuilder(URI.create(base + "/")));
      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(page.body()).contains("<title>otp4j IoT dashboard</title>");
    }
  }

  static JsonNode get(String url) {
    HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(url)));
    if (r.statusCode() != 200) {
      throw new AssertionError(url + " answered " + r.statusCode() + ": " + r.body());
    }
    return IotServerJson.parse(r.body());
  }

  static HttpResponse<String> send(HttpRequest.Builder request) {
    try {
      return HTTP.send(request.timeout(IotServer.WAIT).build(), HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new AssertionError("the dashboard did not answer: " + e, e);
    }
  }

  /** JSON for the tests. */
  static final class IotServerJson {
    private IotServerJson() {}

    static JsonNode parse(String text) {
      return DeviceMessage.Json.MAPPER.readTree(text);
    }
  }
}
