package org.otp4j.examples.iot;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The persistent MQTT sessions of one platform node: {@code count} sessions named after its client
 * id ({@code platform-a} alone when there is one; {@code platform-a-0}, {@code platform-a-1}, ...
 * otherwise), each subscribed to the shared topics, so the broker spreads the node's share of the
 * messages over them.
 *
 * <p>Why several: the broker (mosquitto 2.0.11) numbers a session's QoS 1 messages with 16-bit packet
 * identifiers as it queues them, without skipping those still unacknowledged; a backlog of more than
 * 65,535 messages for one session (the platform overloaded for a while) reuses an identifier still in
 * flight, which the client must refuse as a protocol error, and the session is cut and delivered
 * again from the start. Several sessions per node split the backlog. Each session also has its own
 * I/O thread and its own queue of acknowledgements (see {@link AckWindow}).
 *
 * <p>What it costs: the broker hands a device's consecutive messages to the sessions in turn, so on
 * one node they may reach the pipeline out of order, as they do across several nodes (a late
 * reading is stored, and the rules do not hear of it). One session per node, the default, keeps a
 * single node's order; a cluster that must weather long overloads at QoS 1 takes several.
 *
 * @param clientId the node's client id, which names its sessions
 * @param count how many sessions (1 to {@value #MAX})
 */
record MqttSessions(String clientId, int count) {
  /** The most sessions a node may hold. */
  static final int MAX = 64;

  /**
   * Checks the values.
   *
   * @throws IllegalArgumentException if the count is out of range or the client id is blank or holds
   *     the separator of {@link #group()}
   */
  MqttSessions {
    if (count < 1 || count > MAX) {
      throw new IllegalArgumentException("iot.sessions must be 1.." + MAX + "; got " + count);
    }
    if (clientId == null || clientId.isBlank() || clientId.contains("*")) {
      throw new IllegalArgumentException("iot.clientId must be a non-blank client id without '*'; got " + clientId);
    }
  }

  /** The client ids of the sessions. */
  List<String> ids() {
    if (count == 1) {
      return List.of(clientId);
    }
    List<String> ids = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      ids.add(clientId + "-" + i);
    }
    return ids;
  }

  /** The process group of the node that holds these sessions: {@code session:CLIENTID*COUNT}. */
  String group() {
    return IotCluster.SESSION + clientId + "*" + count;
  }

  /** The sessions a group of {@link #group()}'s form names; empty for another group. */
  static Optional<MqttSessions> ofGroup(String group) {
    if (!group.startsWith(IotCluster.SESSION)) {
      return Optional.empty();
    }
    String rest = group.substring(IotCluster.SESSION.length());
    int star = rest.lastIndexOf('*');
    if (star < 1) {
      return Optional.empty();
    }
    try {
      return Optional.of(new MqttSessions(rest.substring(0, star), Integer.parseInt(rest.substring(star + 1))));
    } catch (IllegalArgumentException e) {
      return Optional.empty(); // not a count, or out of range: not a group of this form
    }
  }
}
