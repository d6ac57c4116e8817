package org.otp4j.examples.iot;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Devices for tests: one plain MQTT 5 client that publishes what the contract says devices publish
 * (telemetry, status, acks), for any device id, or any bytes on any topic.
 */
final class Devices implements AutoCloseable {
  final Mqtt5AsyncClient client;
  private final List<CompletableFuture<?>> sent = new ArrayList<>();

  Devices(Broker broker, String clientId) {
    client = Mqtt5Client.builder().identifier(clientId).serverHost(broker.host()).serverPort(broker.port()).buildAsync();
    join(client.connect());
  }

  /** The JSON of a reading. */
  static String telemetry(String device, String group, long seq, long ts, double temperature, double battery) {
    return String.format(Locale.ROOT, "{\"device\":\"%s\",\"group\":\"%s\",\"seq\":%d,\"ts\":%d,\"temperature\":%.2f,"
        + "\"battery\":%.1f,\"lat\":48.8566,\"lon\":2.3522,\"fault\":null}", device, group, seq, ts, temperature, battery);
  }

  /** Publishes a reading at QoS 1 (not waiting for the broker's PUBACK: see {@link #flush()}). */
  void reading(String device, String group, long seq, long ts, double temperature, double battery) {
    publish("devices/" + device + "/telemetry", telemetry(device, group, seq, ts, temperature, battery));
  }

  /** Publishes a retained status at QoS 1. */
  void status(String device, boolean online, long ts) {
    byte[] body = String.format(Locale.ROOT, "{\"device\":\"%s\",\"online\":%s,\"ts\":%d}", device, online, ts)
        .getBytes(StandardCharsets.UTF_8);
    sent.add(client.publishWith().topic("devices/" + device + "/status").qos(MqttQos.AT_LEAST_ONCE).retain(true)
        .payload(body).send());
  }

  /** Publishes {@code text} on {@code topic} at QoS 1. */
  void publish(String topic, String text) {
    publish(topic, text.getBytes(StandardCharsets.UTF_8));
  }

  /** Publishes {@code body} on {@code topic} at QoS 1. */
  void publish(String topic, byte[] body) {
    sent.add(client.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).payload(body).send());
  }

  /** Waits until the broker has acknowledged everything published so far. */
  void flush() {
    List<CompletableFuture<?>> all;
    synchronized (this) {
      all = new ArrayList<>(sent);
      sent.clear();
    }
    for (CompletableFuture<?> f : all) {
      join(f);
    }
  }

  private static <T> T join(CompletableFuture<T> f) {
    try {
      return f.get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("the broker did not answer: " + e, e);
    }
  }

  @Override
  public void close() {
    flush();
    join(client.disconnect());
  }
}
