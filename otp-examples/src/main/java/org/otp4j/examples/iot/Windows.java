package org.otp4j.examples.iot;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.otp4j.behaviours.stage.GenStage;
import org.otp4j.behaviours.stage.ProducerConsumer;
import org.otp4j.behaviours.stage.SubscribeTo;
import org.otp4j.behaviours.stage.Subscription;
import org.otp4j.core.Pid;
import org.otp4j.examples.iot.DeviceMessage.Telemetry;
import org.otp4j.examples.iot.IotStore.Window;

/**
 * The fourth stage: per-minute temperature windows (count, min, max, sum: the average is
 * sum / count), per device and per group, by the readings' own time. Each batch of events becomes
 * one {@link Batch}: its messages and the windows of its readings, which the storage stage adds to
 * the stored windows in the same transaction as the readings. So the windows hold no state here
 * that a crash could lose, and a reading is counted in them exactly when it is stored.
 */
final class Windows extends ProducerConsumer<Void, Parsed, Windows.Batch> {
  private static final int MAX_DEMAND = 200;

  /**
   * What the storage stage writes in one transaction.
   *
   * @param items the messages (readings and statuses)
   * @param windows the windows of the readings among them
   */
  record Batch(List<Parsed> items, List<Window> windows) {}

  private Windows() {}

  static Pid startLink() {
    return GenStage.startLink(Iot.WINDOWS, new Windows());
  }

  @Override
  protected Init<Void> init() {
    SubscribeTo[] routes = new SubscribeTo[Route.PARTITIONS];
    for (int i = 0; i < routes.length; i++) {
      routes[i] = SubscribeTo.to(Iot.route(i)).withMaxDemand(MAX_DEMAND);
    }
    return Init.ok(null, Options.subscribeTo(routes));
  }

  @Override
  protected CastResult<Void, Batch> handleEvents(List<Parsed> events, Subscription from, Void state) {
    return noReply(List.of(new Batch(events, windowsOf(events))), state);
  }

  /** The windows of the readings among {@code events}, device windows first, each key once. */
  static List<Window> windowsOf(List<Parsed> events) {
    Map<List<Object>, Window> windows = new LinkedHashMap<>();
    for (Parsed p : events) {
      if (p.message() instanceof Telemetry t) {
        long minute = Math.floorDiv(t.ts(), 60_000L);
        double v = t.temperature();
        for (Window w : List.of(new Window("device", t.device(), minute, 1, v, v, v),
            new Window("group", t.group(), minute, 1, v, v, v))) {
          windows.merge(List.of(w.scope(), w.id(), w.minute()), w, Window::merge);
        }
      }
    }
    return new ArrayList<>(windows.values());
  }
}
