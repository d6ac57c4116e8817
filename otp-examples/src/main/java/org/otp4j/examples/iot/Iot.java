package org.otp4j.examples.iot;

import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.otp4j.behaviours.pubsub.PubSub;
import org.otp4j.behaviours.pubsub.Topic;
import org.otp4j.core.Name;
import org.otp4j.core.Node;
import org.otp4j.core.Registry;
import org.otp4j.core.ServerRef;

/**
 * What the processes of one running platform share: settings, counters, the device directory, the
 * store (installed by {@link StoreOwner}), the MQTT client (installed by {@link Ingest}) and the
 * pubsub the alerts go out on. Made by {@link IotApp#start}; nothing here is static, so several
 * platforms can run on several nodes of one JVM.
 *
 * @param config the settings
 * @param metrics the counters
 * @param directory where the device processes are
 * @param store the open store, while {@link StoreOwner} runs
 * @param mqtt the connected MQTT client, while {@link Ingest} runs
 * @param pubsub alerts and live updates for the dashboard and the alert log
 * @param commands command id to the process driving that command (unique keys): where acks go
 */
public record Iot(IotConfig config, IotMetrics metrics, DeviceDirectory directory, AtomicReference<IotStore> store,
    AtomicReference<Mqtt5AsyncClient> mqtt, PubSub pubsub, Registry commands) {

  /** The topic every alert is broadcast on. */
  public static final Topic<Alert> ALERTS = Topic.of("iot:alerts");

  /** The process that owns the store. */
  public static final ServerRef<StoreOwner.Request> STORE = ServerRef.local("iot_store");
  /** The dynamic supervisor of the device processes. */
  public static final Name DEVICES = Name.local("iot_devices");
  /** The dynamic supervisor of the command processes. */
  public static final Name COMMANDS = Name.local("iot_commands");
  /** The pipeline's producer, fed by MQTT. */
  public static final Name INGEST = Name.local("iot_ingest");
  /** The stage that parses and checks messages. */
  public static final Name PARSE = Name.local("iot_parse");
  /**
   * The stages that update the device processes, {@link Route#PARTITIONS} of them, each for the
   * devices of its partition: {@code iot_route_0}, {@code iot_route_1}...
   */
  public static Name route(int partition) {
    return Name.local("iot_route_" + partition);
  }
  /** The stage that computes the per-minute windows. */
  public static final Name WINDOWS = Name.local("iot_windows");
  /** The stage that writes to the store and acknowledges to the broker. */
  public static final Name STORAGE = Name.local("iot_storage");
  /** The rules' event manager. */
  public static final ServerRef<Rules.Event> RULES = ServerRef.local("iot_rules");

  static Iot create(IotConfig config) {
    LocalDeviceDirectory local = new LocalDeviceDirectory(DEVICES);
    DeviceDirectory directory = IotCluster.started(Node.current())
        ? new ClusterDeviceDirectory(local, Node.current()) : local;
    return new Iot(config, new IotMetrics(), directory, new AtomicReference<>(),
        new AtomicReference<>(), PubSub.create("iot"), Registry.unique("iot.commands"));
  }

  /**
   * The open store.
   *
   * @throws IotStore.StoreException if it is not open (its owner is restarting)
   */
  public IotStore db() {
    IotStore s = store.get();
    if (s == null) {
      throw new IotStore.StoreException("the store is not open (it is restarting); retry", null);
    }
    return s;
  }

  /** The MQTT client, while connected. */
  Optional<Mqtt5AsyncClient> client() {
    return Optional.ofNullable(mqtt.get());
  }
}
