package org.otp4j.examples.iot.sim;

import com.hivemq.client.mqtt.MqttClientExecutorConfig;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.Mqtt5Subscribe;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.Mqtt5Subscription;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One MQTT connection of the simulator: a device of its own, or a gateway carrying several.
 *
 * <p>Implementation notes. The client reconnects by itself when the connection is lost (broker
 * gone, network), with exponential backoff capped by the configuration; its sessions are not
 * persistent (clean start), so the client's own "resubscribe if the session expired" restores the
 * command subscriptions after such a reconnect. A disconnect the simulator asks for (a reboot)
 * ends the client's session and its subscriptions: {@link #connect()} therefore subscribes again
 * each time. The devices say online after every connect, first or not (see {@link #announce()}).
 * Listeners and command callbacks run on the shared Netty event loop: they only hand work on
 * (publishes are asynchronous), never block.
 */
final class Connection {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final long REBOOT_MILLIS = 1_000;
  private static final int SUBSCRIPTIONS_PER_PACKET = 1_000;

  final String clientId;
  final boolean gateway;
  final Map<String, Device> devices = new LinkedHashMap<>();
  private final Engine engine;
  private final Mqtt5AsyncClient client;
  private final AtomicBoolean connected = new AtomicBoolean();
  private volatile boolean everConnected;
  /** Set by {@link #connect()}: the devices say online once subscribed, not at the CONNACK. */
  private volatile boolean announceAfterSubscribe;

  Connection(Engine engine, String clientId, boolean gateway, List<Device> members, MqttClientExecutorConfig executors) {
    this.engine = engine;
    this.clientId = clientId;
    this.gateway = gateway;
    members.forEach(d -> devices.put(d.id, d));
    SimulatorConfig config = engine.config;
    this.client = Mqtt5Client.builder()
        .identifier(clientId)
        .serverHost(config.host())
        .serverPort(config.port())
        .executorConfig(executors)
        .automaticReconnect()
        .initialDelay(200, TimeUnit.MILLISECONDS)
        .maxDelay(config.reconnectMaxDelay().toMillis(), TimeUnit.MILLISECONDS)
        .applyAutomaticReconnect()
        .addConnectedListener(context -> onConnected())
        .addDisconnectedListener(context -> onDisconnected())
        .buildAsync();
  }

  boolean isConnected() {
    return connected.get();
  }

  /** Connects (the first time, or after a reboot) and subscribes to the devices' command topics. */
  CompletableFuture<Void> connect() {
    announceAfterSubscribe = true;
    return client.connectWith()
        .cleanStart(true)
        .keepAlive(30)
        .willPublish()
        .topic(gateway ? Devices.gatewayStatusTopic(clientId) : Devices.statusTopic(clientId))
        .payload(bytes(gateway ? gatewayStatus(false, null) : devices.values().iterator().next().will()))
        .qos(MqttQos.AT_LEAST_ONCE)
        .retain(true)
        .applyWillPublish()
        .send()
        .thenCompose(connAck -> subscribe())
        .thenCompose(subscribed -> {
          announceAfterSubscribe = false;
          return announce();
        });
  }

  /**
   * Subscribes to the command topics of the connection's devices, at most
   * {@value #SUBSCRIPTIONS_PER_PACKET} per SUBSCRIBE, so that a large gateway's packets stay far
   * below the broker's maximum packet size (about 28 bytes a topic).
   */
  private CompletableFuture<Void> subscribe() {
    List<CompletableFuture<?>> sent = new ArrayList<>();
    List<Mqtt5Subscription> batch = new ArrayList<>();
    for (String id : devices.keySet()) {
      batch.add(Mqtt5Subscription.builder().topicFilter(Devices.commandsTopic(id)).qos(MqttQos.AT_LEAST_ONCE).build());
      if (batch.size() == SUBSCRIPTIONS_PER_PACKET) {
        sent.add(client.subscribe(Mqtt5Subscribe.builder().addSubscriptions(batch).build(), this::onCommand));
        batch = new ArrayList<>();
      }
    }
    if (!batch.isEmpty()) {
      sent.add(client.subscribe(Mqtt5Subscribe.builder().addSubscriptions(batch).build(), this::onCommand));
    }
    return CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new));
  }

  /**
   * Says goodbye: a gateway first marks each of its devices offline, then every connection
   * disconnects asking the broker to publish its will (the offline status).
   */
  CompletableFuture<Void> disconnect() {
    CompletableFuture<?> before = CompletableFuture.completedFuture(null);
    if (gateway && connected.get()) {
      long now = System.currentTimeMillis();
      before = CompletableFuture.allOf(devices.values().stream()
          .map(d -> publishControl(Devices.statusTopic(d.id), d.offline(now), true))
          .toArray(CompletableFuture[]::new));
    }
    return before.handle((ignored, e) -> null)
        .thenCompose(ignored -> client.disconnectWith()
            .reasonCode(Mqtt5DisconnectReasonCode.DISCONNECT_WITH_WILL_MESSAGE)
            .send())
        .handle((ignored, e) -> null);
  }

  /** Publishes one telemetry-topic message of {@code device} at the configured QoS. */
  CompletableFuture<Mqtt5PublishResult> publish(String topic, String payload) {
    return client.publishWith()
        .topic(topic)
        .qos(engine.config.qos() == 0 ? MqttQos.AT_MOST_ONCE : MqttQos.AT_LEAST_ONCE)
        .payload(bytes(payload))
        .send();
  }

  private CompletableFuture<Mqtt5PublishResult> publishControl(String topic, String payload, boolean retain) {
    return client.publishWith()
        .topic(topic)
        .qos(MqttQos.AT_LEAST_ONCE)
        .retain(retain)
        .payload(bytes(payload))
        .send();
  }

  private void onConnected() {
    if (!connected.compareAndSet(false, true)) {
      return;
    }
    if (everConnected) {
      engine.counters.reconnects.increment();
    }
    everConnected = true;
    engine.counters.connectedDevices.add(devices.size());
    if (!announceAfterSubscribe) {
      announce();
    }
    engine.connected(this);
  }

  /**
   * Says online: the gateway's status, then each device's. After a connect of its own the
   * simulator does it once the command subscriptions are acknowledged, and after a reconnect of
   * the client's own, once the client has sent them again: so a platform that sees a device online
   * can send it commands.
   */
  private CompletableFuture<Void> announce() {
    long now = System.currentTimeMillis();
    List<CompletableFuture<?>> sent = new ArrayList<>();
    if (gateway) {
      sent.add(publishControl(Devices.gatewayStatusTopic(clientId), gatewayStatus(true, now), true));
    }
    for (Device d : devices.values()) {
      if (!d.rebooting) {
        sent.add(publishControl(Devices.statusTopic(d.id), d.online(now), true));
      }
    }
    return CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new));
  }


  private void onDisconnected() {
    if (connected.compareAndSet(true, false)) {
      engine.counters.connectedDevices.add(-devices.size());
    }
  }

  private String gatewayStatus(boolean online, Long ts) {
    StringBuilder out = new StringBuilder("{\"gateway\":\"").append(clientId).append("\",\"online\":").append(online);
    if (ts != null) {
      out.append(",\"ts\":").append(ts);
    }
    out.append(",\"devices\":[");
    boolean first = true;
    for (String id : devices.keySet()) {
      out.append(first ? "\"" : ",\"").append(id).append('"');
      first = false;
    }
    return out.append("]}").toString();
  }

  // ---------------------------------------------------------------- commands

  private void onCommand(Mqtt5Publish publish) {
    engine.counters.commands.increment();
    String topic = publish.getTopic().toString();
    String id = topic.substring("devices/".length(), topic.length() - "/commands".length());
    Device device = devices.get(id);
    if (device == null) {
      return; // not a topic this connection subscribed to: the broker would not send it
    }
    Command command;
    try {
      command = Command.parse(new String(publish.getPayloadAsBytes(), StandardCharsets.UTF_8));
    } catch (BadCommand e) {
      ack(device, e.commandId, false, e.getMessage());
      return;
    }
    switch (command.type) {
      case "set_config" -> {
        device.intervalMillis = command.intervalMillis;
        engine.rescheduled(device);
        ack(device, command.id, true, "interval_ms=" + command.intervalMillis);
      }
      case "firmware" -> {
        device.firmware = command.version;
        ack(device, command.id, true, command.version);
      }
      case "reboot" -> reboot(device, command.id);
      default -> throw new IllegalStateException("parsed an unknown command type " + command.type);
    }
  }

  /**
   * A device of its own reboots for real: clean disconnect (its will says offline), a new
   * connection about a second later, then the ack. A device behind a gateway cannot drop the
   * shared connection: it says offline, pauses its telemetry for the same time, says online, acks.
   */
  private void reboot(Device device, String commandId) {
    device.rebooting = true;
    if (gateway) {
      publishControl(Devices.statusTopic(device.id), device.offline(System.currentTimeMillis()), true);
      engine.later(REBOOT_MILLIS, () -> {
        device.rebooting = false;
        publishControl(Devices.statusTopic(device.id), device.online(System.currentTimeMillis()), true)
            .whenComplete((result, e) -> ack(device, commandId, true, "rebooted"));
      });
      return;
    }
    // leave the command callback first, so that its PUBACK goes out before the DISCONNECT
    engine.later(0, () -> client.disconnectWith()
        .reasonCode(Mqtt5DisconnectReasonCode.DISCONNECT_WITH_WILL_MESSAGE)
        .send()
        .whenComplete((ignored, e) -> engine.later(REBOOT_MILLIS, () -> {
          device.rebooting = false;
          if (engine.running()) {
            connect().thenRun(() -> ack(device, commandId, true, "rebooted"));
          }
        })));
  }

  private void ack(Device device, String commandId, boolean ok, String detail) {
    publishControl(Devices.acksTopic(device.id), Device.ack(device.id, commandId, ok, detail), false)
        .whenComplete((result, e) -> {
          if (e == null && result.getError().isEmpty()) {
            engine.counters.acks.increment();
          }
        });
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** A command as the contract defines it, checked. */
  private record Command(String id, String type, long intervalMillis, String version) {
    static Command parse(String text) {
      JsonNode node;
      try {
        node = JSON.readTree(text);
      } catch (JacksonException e) {
        throw new BadCommand("", "a command must be a JSON object, got: " + abbreviate(text));
      }
      if (node == null || !node.isObject()) {
        throw new BadCommand("", "a command must be a JSON object, got: " + abbreviate(text));
      }
      JsonNode idNode = node.get("command_id");
      if (idNode == null || !idNode.isString() || idNode.asString().isEmpty()) {
        throw new BadCommand("", "a command needs a non-empty string command_id, got: " + abbreviate(text));
      }
      String id = idNode.asString();
      JsonNode typeNode = node.get("type");
      String type = typeNode != null && typeNode.isString() ? typeNode.asString() : String.valueOf(typeNode);
      JsonNode args = node.get("args");
      switch (type) {
        case "set_config" -> {
          JsonNode interval = args == null ? null : args.get("interval_ms");
          if (interval == null || !interval.isIntegralNumber() || interval.longValue() < 1
              || interval.longValue() >= 86_400_000L) {
            throw new BadCommand(id, "set_config needs args.interval_ms, an integer from 1 to 86399999, got "
                + interval);
          }
          return new Command(id, type, interval.longValue(), null);
        }
        case "firmware" -> {
          JsonNode version = args == null ? null : args.get("version");
          if (version == null || !version.isString() || version.asString().isBlank()) {
            throw new BadCommand(id, "firmware needs args.version, a non-empty string, got " + version);
          }
          return new Command(id, type, 0, version.asString());
        }
        case "reboot" -> {
          return new Command(id, type, 0, null);
        }
        default -> throw new BadCommand(id, "unknown command type " + type
            + ": expected set_config, reboot or firmware");
      }
    }

    private static String abbreviate(String text) {
      return text.length() <= 80 ? text : text.substring(0, 80) + "...";
    }
  }

  /** A command that does not follow the contract: acked with status "error" and this message. */
  private static final class BadCommand extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final String commandId;

    BadCommand(String commandId, String message) {
      super(message);
      this.commandId = commandId;
    }
  }
}
