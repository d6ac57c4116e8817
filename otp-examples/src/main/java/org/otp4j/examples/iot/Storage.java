package org.otp4j.examples.iot;

import java.util.ArrayList;
import java.util.List;
import org.otp4j.behaviours.stage.Consumer;
import org.otp4j.behaviours.stage.GenStage;
import org.otp4j.behaviours.stage.SubscribeTo;
import org.otp4j.behaviours.stage.Subscription;
import org.otp4j.core.Pid;
import org.otp4j.examples.iot.DeviceMessage.Status;
import org.otp4j.examples.iot.DeviceMessage.Telemetry;

/**
 * The last stage: writes each {@link Windows.Batch} in one transaction, then acknowledges its
 * messages to the broker. It asks for two batches at a time, so a slow database slows the whole
 * pipeline down to the broker (see {@link Ingest}) instead of filling memory. If the write fails,
 * the stage crashes without acknowledging: the pipeline restarts and the broker delivers the
 * messages again, and what was stored already is not stored twice.
 */
final class Storage extends Consumer<Void, Windows.Batch> {
  private static final int MAX_BATCHES = 2;

  private final Iot iot;

  private Storage(Iot iot) {
    this.iot = iot;
  }

  static Pid startLink(Iot iot) {
    return GenStage.startLink(Iot.STORAGE, new Storage(iot));
  }

  @Override
  protected Init<Void> init() {
    return Init.ok(null, Options.subscribeTo(SubscribeTo.to(Iot.WINDOWS).withMaxDemand(MAX_BATCHES)
        .withMinDemand(MAX_BATCHES - 1)));
  }

  @Override
  protected CastResult<Void, Void> handleEvents(List<Windows.Batch> batches, Subscription from, Void state) {
    for (Windows.Batch b : batches) {
      List<Telemetry> readings = new ArrayList<>();
      List<Status> statuses = new ArrayList<>();
      for (Parsed p : b.items()) {
        switch (p.message()) {
          case Telemetry t -> readings.add(t);
          case Status s -> statuses.add(s);
          case DeviceMessage.Ack a -> { } // handled by the route stage, never passed on
        }
      }
      int inserted = iot.db().writeBatch(readings, statuses, b.windows());
      iot.metrics().stored(inserted);
      iot.metrics().batch();
      for (Parsed p : b.items()) {
        if (p.message() instanceof Status) {
          iot.metrics().status();
        }
        p.delivery().ack();
      }
    }
    return noReply(state);
  }
}
