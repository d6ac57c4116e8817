package org.otp4j.examples.iot;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BrokerTest {
  @TempDir Path dir;

  private static Mqtt5BlockingClient connect(Broker broker, String id) {
    Mqtt5BlockingClient client = Mqtt5Client.builder().identifier(id).serverHost(broker.host())
        .serverPort(broker.port()).buildBlocking();
    client.connect();
    return client;
  }

  private static String receive(Mqtt5BlockingClient.Mqtt5Publishes publishes) throws InterruptedException {
    Optional<Mqtt5Publish> got = publishes.receive(10, TimeUnit.SECONDS);
    assertThat(got).as("a message within 10 s").isPresent();
    return new String(got.get().getPayloadAsBytes(), StandardCharsets.UTF_8);
  }

  @Test
  void deliversBetweenClientsOnLoopback() throws Exception {
    try (Broker broker = TestBroker.start(dir)) {
      Mqtt5BlockingClient sub = connect(broker, "sub");
      try (Mqtt5BlockingClient.Mqtt5Publishes publishes = sub.publishes(MqttGlobalPublishFilter.ALL)) {
        sub.subscribeWith().topicFilter("t/#").qos(MqttQos.AT_LEAST_ONCE).send();
        Mqtt5BlockingClient pub = connect(broker, "pub");
        pub.publishWith().topic("t/1").qos(MqttQos.AT_LEAST_ONCE).payload("hello".getBytes(StandardCharsets.UTF_8)).send();
        assertThat(receive(publishes)).isEqualTo("hello");
        pub.disconnect();
      }
      sub.disconnect();
    }
  }

  @Test
  void aRestartedBrokerListensOnTheSamePortAndKeepsRetainedMessages() throws Exception {
    Broker broker = TestBroker.start(dir);
    try {
      int port = broker.port();
      Mqtt5BlockingClient pub = connect(broker, "pub");
      pub.publishWith().topic("cfg/d1").retain(true).qos(MqttQos.AT_LEAST_ONCE)
          .payload("v2".getBytes(StandardCharsets.UTF_8)).send();
      pub.disconnect();
      broker.close(); // graceful: mosquitto saves its database
      assertThat(broker.isAlive()).isFalse();
      broker.restart();
      assertThat(broker.port()).isEqualTo(port);
      Mqtt5BlockingClient sub = connect(broker, "sub2");
      try (Mqtt5BlockingClient.Mqtt5Publishes publishes = sub.publishes(MqttGlobalPublishFilter.ALL)) {
        sub.subscribeWith().topicFilter("cfg/#").qos(MqttQos.AT_LEAST_ONCE).send();
        assertThat(receive(publishes)).isEqualTo("v2");
      }
      sub.disconnect();
    } finally {
      broker.close();
    }
  }

  @Test
  void killIsARealKillAndRestartBringsItBack() throws Exception {
    try (Broker broker = TestBroker.start(dir)) {
      long first = broker.pid();
      broker.kill();
      assertThat(broker.isAlive()).isFalse();
      assertThat(ProcessHandle.of(first).map(ProcessHandle::isAlive).orElse(false)).isFalse();
      broker.restart();
      assertThat(broker.isAlive()).isTrue();
      assertThat(broker.pid()).isNotEqualTo(first);
      Mqtt5BlockingClient c = connect(broker, "after");
      c.disconnect();
    }
  }
}
