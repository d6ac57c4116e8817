package org.otp4j.examples.iot;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import java.util.ArrayDeque;
import java.util.concurrent.Semaphore;

/**
 * The messages one MQTT client delivered and has not yet acknowledged to the broker, in the order
 * they arrived, holding their permits of the pipeline's room.
 *
 * <p>The client (HiveMQ's) sends its PUBACKs in arrival order: a message acknowledged by the
 * pipeline waits in the client's queue until every message that arrived before it is acknowledged
 * too. So a permit comes back only with the oldest message: when the pipeline acknowledges messages
 * out of order (a batch of readings for a device on this node overtakes one routed to another),
 * the room counts the client's whole queue, not only what the pipeline still works on, and the
 * client's queue never exceeds the room. Giving a permit back with each acknowledgement instead
 * would let the client read on while one old message holds its queue, which then grows with no
 * bound of the platform's own (up to the client's receive maximum, past which it disconnects).
 *
 * <p>A QoS 0 message waits for nothing in the client: its permit comes back when it is processed.
 */
final class AckWindow {
  private final Semaphore room;
  private final ArrayDeque<Delivery> order = new ArrayDeque<>();

  AckWindow(Semaphore room) {
    this.room = room;
  }

  /** A message that took a permit and is now delivered to the pipeline. */
  synchronized void arrived(Delivery d) {
    if (!atMostOnce(d)) {
      order.addLast(d);
    }
  }

  /**
   * {@code d} was acknowledged: its permit comes back, or (QoS 1) those of the acknowledged messages
   * at the head.
   */
  void acknowledged(Delivery d) {
    if (atMostOnce(d)) {
      room.release();
      return;
    }
    int released = 0;
    synchronized (this) {
      while (!order.isEmpty() && order.peekFirst().isAcknowledged()) {
        order.pollFirst();
        released++;
      }
    }
    if (released > 0) {
      room.release(released);
    }
  }

  private static boolean atMostOnce(Delivery d) {
    return d.publish().getQos() == MqttQos.AT_MOST_ONCE;
  }

  /** Messages delivered and not yet given back (acknowledged, with every older one). */
  synchronized int held() {
    return order.size();
  }
}
