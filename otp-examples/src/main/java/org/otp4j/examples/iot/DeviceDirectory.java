package org.otp4j.examples.iot;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.otp4j.core.Pid;

/**
 * Where a device's process is: the one seam between the platform and where its device processes
 * run. {@link LocalDeviceDirectory} keeps them on this node (a unique {@code Registry} and a
 * {@code DynamicSupervisor}); a distributed directory can place them on other nodes behind the
 * same methods.
 */
public interface DeviceDirectory {
  /** The process of device {@code id}, if it runs. */
  Optional<Pid> whereis(String id);

  /**
   * The process of device {@code id}, started if it does not run.
   *
   * @throws IllegalStateException if it could not be started (the message says why)
   */
  Pid ensure(String id);

  /** The ids of the devices whose processes run, sorted. */
  List<String> devices();

  /**
   * How many device processes run on each node, by node name; {@code self} is this node's name.
   * A directory of one node counts its own.
   */
  default Map<String, Integer> processesPerNode(String self) {
    return Map.of(self, devices().size());
  }

  /**
   * {@link #ensure}, for a call: the answer may be remembered from an earlier look, and so be a
   * process that has ended since. A caller whose call finds it gone tells {@link #forget} and asks
   * again; a cast, which would be lost, uses {@link #ensure}.
   */
  default Pid ensureForCall(String id) {
    return ensure(id);
  }

  /**
   * Tells the directory that {@code pid}, which {@link #ensureForCall} gave for device {@code id},
   * did not answer (it ended, or its node went away), so that the next look asks again. A directory
   * that remembers nothing ignores it.
   */
  default void forget(String id, Pid pid) {}
}
