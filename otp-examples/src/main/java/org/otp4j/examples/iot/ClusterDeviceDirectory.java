package org.otp4j.examples.iot;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;
import org.otp4j.dist.Rpc;
import org.otp4j.dist.RpcException;

/**
 * The device directory of a platform on several nodes: each device's process runs on its owner
 * ({@link IotCluster#owner}, over the nodes whose platform runs), under that node's
 * {@link LocalDeviceDirectory}; the other nodes ask the owner by rpc for its pid, and then call the
 * process through that pid like a local one. If the owner leaves, the next call finds the new owner,
 * which starts the process again from the store.
 */
final class ClusterDeviceDirectory implements DeviceDirectory {
  private final LocalDeviceDirectory local;
  private final String self;
  /**
   * The pids other nodes answered for their devices: a message for a device on another node costs
   * the call to its process, not an rpc before it as well. An entry is used while its node is the
   * device's owner, and dropped when its process does not answer ({@link #forget}).
   */
  private final Map<String, Pid> remote = new ConcurrentHashMap<>();

  ClusterDeviceDirectory(LocalDeviceDirectory local, Node node) {
    this.local = local;
    this.self = node.name();
  }

  /** This node's own directory, of the devices it owns. */
  LocalDeviceDirectory local() {
    return local;
  }

  /** The node device {@code id} lives on now (this one while no platform node has joined). */
  String ownerOf(String id) {
    List<String> members = IotCluster.members();
    return members.isEmpty() ? self : IotCluster.owner(id, members);
  }

  @Override
  public Optional<Pid> whereis(String id) {
    String owner = ownerOf(id);
    if (owner.equals(self)) {
      return local.whereis(id);
    }
    try {
      return Optional.ofNullable((Pid) Rpc.call(owner, "iot.whereis", List.of(id), IotCluster.RPC_TIMEOUT));
    } catch (RpcException e) {
      return Optional.empty(); // the owner went away: the process does not run
    }
  }

  @Override
  public Pid ensure(String id) {
    String owner = ownerOf(id);
    if (owner.equals(self)) {
      return local.ensure(id);
    }
    try {
      Pid pid = (Pid) Rpc.call(owner, "iot.ensure", List.of(id), IotCluster.RPC_TIMEOUT);
      remote.put(id, pid);
      return pid;
    } catch (RpcException e) {
      throw new IllegalStateException("device " + id + "'s owner " + owner + " did not start it: " + e.getMessage(), e);
    }
  }

  @Override
  public Pid ensureForCall(String id) {
    Pid known = remote.get(id);
    return known != null && known.nodeName().equals(ownerOf(id)) ? known : ensure(id);
  }

  @Override
  public void forget(String id, Pid pid) {
    remote.remove(id, pid);
  }

  /** Each node counts its own device processes: one rpc per node, not one look-up per device. */
  @Override
  public Map<String, Integer> processesPerNode(String self) {
    Map<String, Integer> out = new TreeMap<>();
    out.put(self, local.devices().size());
    List<String> others = new ArrayList<>(IotCluster.members());
    others.remove(self);
    if (!others.isEmpty()) {
      for (Rpc.Result r : Rpc.multicall(others, "iot.count", List.of(), IotCluster.RPC_TIMEOUT)) {
        if (r instanceof Rpc.Result.Ok(String node, Object value)) {
          out.put(node, (Integer) value);
        }
      }
    }
    return out;
  }

  @Override
  public List<String> devices() {
    TreeSet<String> all = new TreeSet<>(local.devices());
    List<String> others = new ArrayList<>(IotCluster.members());
    others.remove(self);
    if (others.isEmpty()) {
      return List.copyOf(all);
    }
    for (Rpc.Result r : Rpc.multicall(others, "iot.devices", List.of(), IotCluster.RPC_TIMEOUT)) {
      if (r instanceof Rpc.Result.Ok(String node, Object value)) {
        for (Object id : (List<?>) value) {
          all.add((String) id);
        }
      }
    }
    return List.copyOf(all);
  }
}
