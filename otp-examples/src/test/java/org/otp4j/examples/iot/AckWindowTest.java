package org.otp4j.examples.iot;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The permits of a client's messages come back in the order the client acknowledges them to the broker. */
class AckWindowTest {
  private final Semaphore room = new Semaphore(0);
  private final AckWindow window = new AckWindow(room);

  private Delivery arrive(MqttQos qos) {
    Mqtt5Publish publish = Mqtt5Publish.builder().topic("devices/d-1/telemetry").qos(qos).build();
    Delivery d = new Delivery("devices/d-1/telemetry", new byte[0], publish, new IotMetrics(), window,
        new AtomicBoolean());
    window.arrived(d);
    return d;
  }

  /** What the pipeline acknowledged stays in the client's queue, and holds its permit, until every older message is. */
  private void acknowledge(Delivery d) {
    d.acked().set(true); // what Delivery.ack() does, without a broker to send the PUBACK to
    window.acknowledged(d);
  }

  @Test
  void aQos1PermitComesBackWithEveryOlderMessage() {
    Delivery first = arrive(MqttQos.AT_LEAST_ONCE);
    Delivery second = arrive(MqttQos.AT_LEAST_ONCE);
    Delivery third = arrive(MqttQos.AT_LEAST_ONCE);

    acknowledge(third);
    acknowledge(second);
    assertThat(room.availablePermits()).isZero();
    assertThat(window.held()).isEqualTo(3);

    acknowledge(first);
    assertThat(room.availablePermits()).isEqualTo(3);
    assertThat(window.held()).isZero();
  }

  @Test
  void aQos0PermitComesBackWhenProcessed() {
    Delivery held = arrive(MqttQos.AT_LEAST_ONCE);
    Delivery atMostOnce = arrive(MqttQos.AT_MOST_ONCE);

    acknowledge(atMostOnce);
    assertThat(room.availablePermits()).isEqualTo(1);
    assertThat(window.held()).isEqualTo(1);

    acknowledge(held);
    assertThat(room.availablePermits()).isEqualTo(2);
  }
}
