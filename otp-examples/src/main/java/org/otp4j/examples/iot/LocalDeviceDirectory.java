package org.otp4j.examples.iot;

import java.util.List;
import java.util.Optional;
import org.otp4j.behaviours.DynamicSupervisor;
import org.otp4j.behaviours.StartResult;
import org.otp4j.core.Name;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.core.Registry;

/**
 * The device directory of one node: each device's process is registered in a unique
 * {@link Registry} under the device's id (its via name) and started on demand under the
 * {@code devices} dynamic supervisor, which restarts it if it crashes or is killed.
 */
final class LocalDeviceDirectory implements DeviceDirectory {
  private final Registry registry = Registry.unique("iot.devices");
  private final Name supervisor;

  LocalDeviceDirectory(Name supervisor) {
    this.supervisor = supervisor;
  }

  /** The via name a device's process registers under. */
  Name nameOf(String id) {
    return Name.via(registry, id);
  }

  @Override
  public Optional<Pid> whereis(String id) {
    return Proc.whereis(nameOf(id));
  }

  @Override
  public Pid ensure(String id) {
    Optional<Pid> pid = whereis(id);
    if (pid.isPresent()) {
      return pid.get();
    }
    return switch (DynamicSupervisor.startChildWith(supervisor, id)) {
      case StartResult.Started s -> s.pid();
      case StartResult.AlreadyStarted a -> a.pid();
      case StartResult.Ignored i -> throw new IllegalStateException("device " + id + "'s process ignored its start");
      case StartResult.Failed f -> throw new IllegalStateException("device " + id + "'s process did not start: "
          + f.reason());
      case DynamicSupervisor.MaxChildren m -> throw new IllegalStateException("too many device processes run");
    };
  }

  @Override
  public List<String> devices() {
    return registry.select(r -> true).stream().map(r -> (String) r.key()).sorted().toList();
  }
}
