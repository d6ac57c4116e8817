package org.otp4j.examples.iot.sim;

import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.otp4j.examples.iot.Broker;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The platform's side of the contract, as small as a test needs: subscribes to topic filters,
 * keeps every message it gets (in order), and sends commands. It reconnects by itself after a
 * broker restart and subscribes again.
 */
final class Platform implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(90);
  private static final JsonMapper JSON = JsonMapper.builder().build();

  /** One message received. */
  record Message(String topic, byte[] payload, boolean retained, long at) {
    String text() {
      return new String(payload, StandardCharsets.UTF_8);
    }

    /** The payload as JSON, or null if it is not JSON. */
    JsonNode json() {
      try {
        return JSON.readTree(text());
      } catch (RuntimeException e) {
        return null;
      }
    }

    /** The device id in the topic, {@code devices/{id}/...}. */
    String device() {
      return topic.split("/")[1];
    }
  }

  private final Mqtt5AsyncClient client;
  private final List<Message> messages = new CopyOnWriteArrayList<>();

  private Platform(Mqtt5AsyncClient client) {
    this.client = client;
  }

  static Platform connect(Broker broker, String id, String... filters) throws Exception {
    Mqtt5AsyncClient client = Mqtt5Client.builder().identifier(id).serverHost(broker.host()).serverPort(broker.port())
        .automaticReconnect().initialDelay(100, TimeUnit.MILLISECONDS).maxDelay(1, TimeUnit.SECONDS)
        .applyAutomaticReconnect()
        .buildAsync();
    Platform p = new Platform(client);
    client.connect().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    for (String filter : filters) {
      client.subscribeWith().topicFilter(filter).qos(MqttQos.AT_LEAST_ONCE).callback(p::received).send()
          .get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }
    return p;
  }

  private void received(Mqtt5Publish publish) {
    messages.add(new Message(publish.getTopic().toString(), publish.getPayloadAsBytes(), publish.isRetain(),
        System.nanoTime()));
  }

  List<Message> messages() {
    return new ArrayList<>(messages);
  }

  List<Message> on(Predicate<String> topic) {
    return messages.stream().filter(m -> topic.test(m.topic())).toList();
  }

  /** Waits until the messages received satisfy {@code condition}. */
  void awaitMessages(String what, Predicate<List<Message>> condition) {
    await(what).atMost(WAIT).until(() -> condition.test(messages()));
  }

  void command(String device, String json) throws Exception {
    client.publishWith().topic("devices/" + device + "/commands").qos(MqttQos.AT_LEAST_ONCE)
        .payload(json.getBytes(StandardCharsets.UTF_8)).send().get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  /** Whether the client is connected now (after a broker restart it reconnects by itself). */
  boolean isConnected() {
    return client.getState().isConnected();
  }

  @Override
  public void close() throws Exception {
    if (client.getState().isConnectedOrReconnect()) {
      client.disconnect().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }
  }
}
