package org.otp4j.examples.iot;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.otp4j.behaviours.ChildSpec;
import org.otp4j.behaviours.DynamicSupervisor;
import org.otp4j.behaviours.Supervisor;

/**
 * The IoT platform's top supervisor; the tree is drawn in the example's README.
 *
 * <p>Rest for one: everything after the store uses the database it opens, so if the store
 * restarts, the rest restart after it. The device processes count their crashes against their own
 * dynamic supervisor, which allows many. The pipeline is its own supervisor, one for all (see
 * {@link #startPipeline}).
 */
final class IotSupervisor extends Supervisor {
  private final Iot iot;

  IotSupervisor(Iot iot) {
    this.iot = iot;
  }

  @Override
  protected Spec init() {
    DynamicSupervisor.Options many = DynamicSupervisor.Options.defaults().withIntensity(10_000, Duration.ofSeconds(10));
    boolean clustered = iot.directory() instanceof ClusterDeviceDirectory;
    LocalDeviceDirectory directory = iot.directory() instanceof ClusterDeviceDirectory c ? c.local()
        : (LocalDeviceDirectory) iot.directory();
    List<ChildSpec> children = new ArrayList<>(List.of(
        ChildSpec.worker("store", () -> StoreOwner.startLink(iot)),
        ChildSpec.supervisor("devices", () -> DynamicSupervisor.startLink(Iot.DEVICES, many,
            DeviceServer.template(iot, directory))),
        ChildSpec.worker("rules", () -> Rules.startLink(iot)),
        ChildSpec.worker("alert_log", () -> AlertLog.startLink(iot))));
    if (clustered) {
      children.add(ChildSpec.worker("placement", () -> Placement.startLink(iot))); // on several nodes only
    }
    children.addAll(List.of(
        ChildSpec.supervisor("pipeline", () -> startPipeline(iot)),
        ChildSpec.supervisor("commands", () -> startCommands(iot)),
        ChildSpec.worker("dashboard", () -> Dashboard.startLink(iot).pid())));
    return Spec.of(Supervisor.restForOne().withIntensity(5, Duration.ofSeconds(10)), children);
  }

  /**
   * The commands' dynamic supervisor, after the pipeline (whose client publishes the commands and
   * whose route stage delivers the acks); the commands the store has under way are taken up again.
   */
  static org.otp4j.core.Pid startCommands(Iot iot) {
    org.otp4j.core.Pid sup = DynamicSupervisor.startLink(Iot.COMMANDS,
        DynamicSupervisor.Options.defaults().withIntensity(1_000, Duration.ofSeconds(10)), CommandProcess.template(iot));
    CommandProcess.resume(iot);
    return sup;
  }

  /**
   * The pipeline's supervisor: ingest, parse, route, windows, storage, one for all. A stage holds
   * messages not yet acknowledged to the broker; if one stage dies, those are only delivered again
   * when the client reconnects, so every stage restarts, the ingest's client first of all.
   */
  static org.otp4j.core.Pid startPipeline(Iot iot) {
    List<ChildSpec> stages = new ArrayList<>(List.of(ChildSpec.worker("ingest", () -> Ingest.startLink(iot)),
        ChildSpec.worker("parse", () -> Parse.startLink(iot))));
    for (int i = 0; i < Route.PARTITIONS; i++) {
      int partition = i;
      stages.add(ChildSpec.worker("route-" + i, () -> Route.startLink(iot, partition)));
    }
    stages.add(ChildSpec.worker("windows", Windows::startLink));
    stages.add(ChildSpec.worker("storage", () -> Storage.startLink(iot)));
    return Supervisor.startLink(Supervisor.oneForAll().withIntensity(10, Duration.ofSeconds(10)),
        stages.toArray(ChildSpec[]::new));
  }
}
