package org.otp4j.examples.iot;

import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A message the broker delivered, travelling down the pipeline until it is processed: stored, or
 * refused. Only then is it acknowledged ({@link #ack()}), so that a message the platform lost (a
 * stage crashed) is delivered again; and only then can it give back its permit of the pipeline's
 * room (with every older message of its client: see {@link AckWindow}), so that no more than
 * {@code iot.inFlight} messages are in the platform and its MQTT clients at once.
 *
 * @param topic the MQTT topic
 * @param payload the message's bytes
 * @param publish the message as the client received it
 * @param metrics the counters to tell of the acknowledgement
 * @param window its client's messages not yet acknowledged, which hold the pipeline's room
 * @param acked whether it was acknowledged already
 */
record Delivery(String topic, byte[] payload, Mqtt5Publish publish, IotMetrics metrics, AckWindow window,
    AtomicBoolean acked) {
  /** A message {@code publish} that took a permit of the pipeline's room, in its client's window. */
  static Delivery of(Mqtt5Publish publish, IotMetrics metrics, AckWindow window) {
    Delivery d = new Delivery(publish.getTopic().toString(), publish.getPayloadAsBytes(), publish, metrics, window,
        new AtomicBoolean());
    window.arrived(d);
    return d;
  }

  /** Acknowledges the message to the broker (a QoS 1 PUBACK), once, and tells its window. */
  void ack() {
    if (acked.compareAndSet(false, true)) {
      publish.acknowledge();
      metrics.acknowledged();
      window.acknowledged(this);
    }
  }

  /** Whether {@link #ack()} was called. */
  boolean isAcknowledged() {
    return acked.get();
  }

  @Override
  public String toString() {
    return "Delivery[" + topic + ", " + payload.length + " bytes]";
  }
}
