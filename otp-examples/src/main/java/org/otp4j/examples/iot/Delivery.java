package org.otp4j.examples.iot;

import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A message the broker delivered, travelling down the pipeline until it is processed: stored, or
 * refused. Only then is it acknowledged ({@link #ack()}), so that a message the platform lost (a
 * stage crashed) is delivered again; and only then does it give back its permit of the pipeline's
 * room, so that no more than {@code iot.inFlight} messages are in the platform at once.
 *
 * @param topic the MQTT topic
 * @param payload the message's bytes
 * @param publish the message as the client received it
 * @param metrics the counters to tell of the acknowledgement
 * @param room the pipeline's room, a permit of which this message holds until acknowledged
 * @param acked whether it was acknowledged already
 */
record Delivery(String topic, byte[] payload, Mqtt5Publish publish, IotMetrics metrics, Semaphore room,
    AtomicBoolean acked) {
  static Delivery of(Mqtt5Publish publish, IotMetrics metrics, Semaphore room) {
    return new Delivery(publish.getTopic().toString(), publish.getPayloadAsBytes(), publish, metrics, room,
        new AtomicBoolean());
  }

  /** Acknowledges the message to the broker (a QoS 1 PUBACK), once, and gives its room back. */
  void ack() {
    if (acked.compareAndSet(false, true)) {
      publish.acknowledge();
      metrics.acknowledged();
      room.release();
    }
  }

  @Override
  public String toString() {
    return "Delivery[" + topic + ", " + payload.length + " bytes]";
  }
}
