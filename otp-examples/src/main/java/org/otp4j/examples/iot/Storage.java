package org.otp4j.examples.iot;

import java.util.ArrayList;
import java.util.List;
import org.otp4j.behaviours.stage.Consumer;
import org.otp4j.behaviours.stage.GenStage;
import org.otp4j.behaviours.stage.SubscribeTo;
import org.otp4j.behaviours.stage.Subscription;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.examples.iot.DeviceMessage.Status;
import org.otp4j.examples.iot.DeviceMessage.Telemetry;

/**
 * The last stage: writes each {@link Windows.Batch} in one transaction, then acknowledges its
 * messages to the broker. The batches that arrived while it wrote go into its next transaction
 * together, so the slower the database, the larger the transactions; and since no message is
 * acknowledged before it is written, a slow database slows the whole pipeline down to the broker
 * (see {@link Ingest}) instead of filling memory. If the write fails,
 * the stage crashes without acknowledging: the pipeline restarts and the broker delivers the
 * messages again, and what was stored already is not stored twice.
 */
final class Storage extends Consumer<Storage.State, Windows.Batch> {
  private record Flush() {}

  static final class State {
    final List<Windows.Batch> pending = new ArrayList<>();
    boolean flushAsked;

    @Override
    public String toString() {
      return "Storage[pending=" + pending.size() + "]";
    }
  }

  private static final int MAX_BATCHES = 100;

  private final Iot iot;

  private Storage(Iot iot) {
    this.iot = iot;
  }

  static Pid startLink(Iot iot) {
    return GenStage.startLink(Iot.STORAGE, new Storage(iot));
  }

  @Override
  protected Init<State> init() {
    return Init.ok(new State(), Options.subscribeTo(SubscribeTo.to(Iot.WINDOWS).withMaxDemand(MAX_BATCHES)
        .withMinDemand(MAX_BATCHES / 2)));
  }

  @Override
  protected CastResult<State, Void> handleEvents(List<Windows.Batch> batches, Subscription from, State state) {
    // Written when the Flush arrives: after every batch that reached the mailbox meanwhile (during
    // the last write), which go into the same transaction.
    state.pending.addAll(batches);
    if (!state.flushAsked) {
      state.flushAsked = true;
      Proc.send(Proc.self(), new Flush());
    }
    return noReply(state);
  }

  @Override
  protected CastResult<State, Void> handleInfo(Object message, State state) {
    if (message instanceof Flush) {
      state.flushAsked = false;
      write(state.pending);
      state.pending.clear();
    }
    return noReply(state);
  }

  private void write(List<Windows.Batch> batches) {
    List<Parsed> items = new ArrayList<>();
    List<IotStore.Window> windows = new ArrayList<>();
    for (Windows.Batch b : batches) {
      items.addAll(b.items());
      windows.addAll(b.windows());
    }
    List<Telemetry> readings = new ArrayList<>();
    List<Status> statuses = new ArrayList<>();
    for (Parsed p : items) {
      switch (p.message()) {
        case Telemetry t -> readings.add(t);
        case Status st -> statuses.add(st);
        case DeviceMessage.Ack a -> { } // handled by the route stage, never passed on
      }
    }
    int inserted = iot.db().writeBatch(readings, statuses, windows);
    iot.metrics().stored(inserted);
    for (int i = inserted; i < readings.size(); i++) {
      iot.metrics().rejected(BadMessage.Reason.DUPLICATE); // came late, and was stored already
    }
    iot.metrics().batch();
    for (Parsed p : items) {
      if (p.message() instanceof Status) {
        iot.metrics().status();
      }
      p.delivery().ack();
    }
  }
}
