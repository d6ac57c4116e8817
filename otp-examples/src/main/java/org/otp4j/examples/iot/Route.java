package org.otp4j.examples.iot;

import java.util.ArrayList;
import java.util.List;
import org.otp4j.behaviours.stage.GenStage;
import org.otp4j.behaviours.stage.ProducerConsumer;
import org.otp4j.behaviours.stage.SubscribeTo;
import org.otp4j.behaviours.stage.Subscription;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.core.Registry;
import org.otp4j.examples.iot.DeviceMessage.Ack;
import org.otp4j.examples.iot.DeviceMessage.Status;
import org.otp4j.examples.iot.DeviceMessage.Telemetry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The third stage: gives each message to its device's process ({@link DeviceServer}, started on
 * demand), tells the rules, and passes on what must be stored.
 * <ul>
 *   <li>a reading the device accepts goes on, and the rules hear of it with the previous one; a
 *       late one or a duplicate goes on to the store (which keeps it once) and the rules do not hear
 *       of it: that the device's process saw a reading does not mean it was stored;</li>
 *   <li>a status goes on (the store keeps the last one), and the rules hear of a change;</li>
 *   <li>a command's ack goes to the process driving that command, found by its id, and is
 *       acknowledged to the broker here: the command's process records the outcome.</li>
 * </ul>
 */
final class Route extends ProducerConsumer<Void, Parsed, Parsed> {
  static final Logger LOG = LoggerFactory.getLogger(Route.class);
  /**
   * Route stages per node. Each waits for the device process of every message it routes, often on
   * another node: several in parallel, each for the devices of its partition (by the device's id),
   * so that one device's messages still go through one stage, in order.
   */
  static final int PARTITIONS = 4;
  private static final int MAX_DEMAND = 50;

  private final Iot iot;
  private final int partition;

  private Route(Iot iot, int partition) {
    this.iot = iot;
    this.partition = partition;
  }

  static Pid startLink(Iot iot, int partition) {
    return GenStage.startLink(Iot.route(partition), new Route(iot, partition));
  }

  /** The route stage of a message: by its device's id. */
  static int partitionOf(Parsed p) {
    return Math.floorMod(p.message().device().hashCode(), PARTITIONS);
  }

  @Override
  protected Init<Void> init() {
    return Init.ok(null, Options.subscribeTo(SubscribeTo.to(Iot.PARSE).withPartition(partition)
        .withMaxDemand(MAX_DEMAND)));
  }

  @Override
  protected CastResult<Void, Parsed> handleEvents(List<Parsed> events, Subscription from, Void state) {
    // The readings and statuses of the batch go to their device processes all at once (most of them
    // on other nodes): one round trip for the batch, not one per message.
    List<DeviceMessage> toDevices = new ArrayList<>(events.size());
    for (Parsed p : events) {
      if (!(p.message() instanceof Ack)) {
        toDevices.add(p.message());
      }
    }
    List<Object> answers = DeviceServer.recordAll(iot, toDevices);
    List<Parsed> out = new ArrayList<>(events.size());
    int next = 0;
    for (Parsed p : events) {
      switch (p.message()) {
        case Telemetry t -> {
          switch ((DeviceServer.Recorded) answers.get(next++)) {
            case DeviceServer.Recorded.Accepted a -> {
              out.add(p);
              Rules.notify(new Rules.Event.Reading(t, a.before()));
            }
            // The store keeps a reading once, by its key, and counts one it holds already as a
            // duplicate. A reading the device process saw already may still be unstored: the node
            // that routed it first may have died (or its pipeline restarted) between the two.
            case DeviceServer.Recorded.Late l -> out.add(p);
            case DeviceServer.Recorded.Duplicate d -> out.add(p);
          }
        }
        case Status s -> {
          if ((Boolean) answers.get(next++)) {
            Rules.notify(new Rules.Event.StatusChanged(s.device(), s.online(), s.ts()));
          }
          out.add(p);
        }
        case Ack a -> {
          List<Registry.Entry> driver = iot.commands().lookup(a.commandId());
          if (driver.isEmpty()) {
            LOG.warn("an ack from {} for command {}, which is not under way (finished, expired or unknown): {}",
                a.device(), a.commandId(), a);
          } else {
            Proc.send(driver.getFirst().pid(), a);
          }
          iot.metrics().ack();
          p.delivery().ack();
        }
      }
    }
    return noReply(out, state);
  }
}
