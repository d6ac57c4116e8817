package org.otp4j.examples.iot;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.otp4j.core.Node;
import org.otp4j.dist.EntryPoints;
import org.otp4j.dist.Pg;
import org.otp4j.dist.Rpc;
import org.otp4j.dist.TermCodec;
import org.otp4j.examples.Rendezvous;
import org.otp4j.examples.iot.DeviceMessage.Status;
import org.otp4j.examples.iot.DeviceMessage.Telemetry;

/**
 * The IoT platform on several nodes: what a node needs before the application starts (the codec of
 * the messages that cross nodes, the {@code iot} process-group scope, the rpc entry points the
 * {@link ClusterDeviceDirectory} of the other nodes use), and where a device lives.
 *
 * <h2>Where a device lives</h2>
 * On exactly one of the nodes that run the platform, chosen by rendezvous hashing: each node scores
 * {@code hash(device, node)} and the highest score wins ({@link #owner}). Every node computes the
 * same owner from the same members without asking anyone, and when a node leaves, only its own
 * devices move (each to the node that scored second); when one joins, it takes only the devices it
 * now scores highest on.
 */
public final class IotCluster {
  /** The process-group scope of the platform's nodes. */
  public static final String SCOPE = "iot";
  /** The group every running platform's {@link Placement} process joins. */
  static final String PLATFORM = "platform";
  /** The prefix of the group of the node that holds an MQTT session: {@code session:CLIENTID}. */
  static final String SESSION = "session:";

  static final Duration RPC_TIMEOUT = Duration.ofSeconds(10);

  private static final Set<String> STARTED = ConcurrentHashMap.newKeySet();

  private IotCluster() {}

  /** The codec every node of the platform's cluster uses: the device processes' requests and replies. */
  public static TermCodec codec() {
    return TermCodec.builder().allow(Telemetry.class, Status.class, DeviceServer.Request.Record.class,
        DeviceServer.Request.SetStatus.class, DeviceServer.Request.Get.class, DeviceServer.Request.Pending.class,
        DeviceServer.Request.Configured.class, DeviceServer.Recorded.Accepted.class, DeviceServer.Recorded.Late.class,
        DeviceServer.Recorded.Duplicate.class, DeviceServer.Snapshot.class).build();
  }

  /**
   * Prepares {@code node}, a node of a cluster started with {@link #codec()}, to run the platform
   * with the others: the application started on it afterwards places its devices over the cluster.
   *
   * @param node the node
   * @throws org.otp4j.core.NameConflictException if it was prepared already
   */
  public static void start(Node node) {
    Objects.requireNonNull(node, "node");
    Pg.start(node, SCOPE);
    Rpc.serve(node, EntryPoints.builder()
        .function("iot.ensure", args -> local(args).ensure((String) args.get(0)))
        .function("iot.whereis", args -> local(args).whereis((String) args.get(0)).orElse(null))
        .function("iot.devices", args -> local(args).devices())
        .function("iot.count", args -> local(args).devices().size())
        .build());
    STARTED.add(node.name());
  }

  /** Whether {@link #start} prepared {@code node}. */
  static boolean started(Node node) {
    return STARTED.contains(node.name());
  }

  private static LocalDeviceDirectory local(List<Object> args) {
    Iot iot = IotApp.on(Node.current()).orElseThrow(() -> new IllegalStateException(
        "the IoT platform does not run on node " + Node.current().name()));
    return ((ClusterDeviceDirectory) iot.directory()).local();
  }

  /**
   * The names of the nodes whose platform runs (whose {@link Placement} joined) and that this node is
   * connected to (a node seen down is left out before its group memberships are), sorted.
   */
  static List<String> members() {
    return Rendezvous.members(SCOPE, PLATFORM);
  }

  /**
   * The node of {@code nodes} where {@code key} (a device id) lives: the highest rendezvous score.
   *
   * @throws IllegalArgumentException if {@code nodes} is empty
   */
  public static String owner(String key, Collection<String> nodes) {
    return Rendezvous.owner(key, nodes);
  }
}
