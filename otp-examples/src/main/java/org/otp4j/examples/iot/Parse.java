package org.otp4j.examples.iot;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.otp4j.behaviours.stage.Dispatcher;
import org.otp4j.behaviours.stage.GenStage;
import org.otp4j.behaviours.stage.ProducerConsumer;
import org.otp4j.behaviours.stage.SubscribeTo;
import org.otp4j.behaviours.stage.Subscription;
import org.otp4j.core.Pid;
import org.otp4j.examples.PlatformThread;
import org.otp4j.examples.TokenBucket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The second stage: parses each delivery ({@link DeviceMessage#parse}) and rate-limits each device's
 * readings (a token bucket per device: {@code iot.rateBurst} at once, then {@code iot.ratePerSecond}).
 * A refused message is counted by reason, logged, and acknowledged at once: nothing downstream sees
 * it, and the broker would only deliver it again.
 *
 * <p>The log says what was wrong with the first refusal of each reason, then at most one line per
 * reason every ten seconds with how many more there were, so a flooding device cannot flood the log.
 */
final class Parse extends ProducerConsumer<Parse.State, Delivery, Parsed> {
  static final Logger LOG = LoggerFactory.getLogger(Parse.class);
  private static final long LOG_EVERY_NANOS = 10_000_000_000L;
  private static final int MAX_DEMAND = 200;

  static final class State {
    final Map<String, TokenBucket> buckets = new HashMap<>();
    final Map<BadMessage.Reason, Long> lastLogged = new EnumMap<>(BadMessage.Reason.class);
    final Map<BadMessage.Reason, Long> unlogged = new EnumMap<>(BadMessage.Reason.class);

    @Override
    public String toString() {
      return "Parse[devices=" + buckets.size() + "]";
    }
  }

  private final Iot iot;

  private Parse(Iot iot) {
    this.iot = iot;
  }

  static Pid startLink(Iot iot) {
    return GenStage.startLink(Iot.PARSE, new Parse(iot));
  }

  @Override
  protected Init<State> init() throws Exception {
    // Jackson's first parse loads many classes: on a platform thread, not a process's carrier.
    PlatformThread.call("iot-json-start", () -> DeviceMessage.parse("devices/d-000000/status",
        "{\"device\":\"d-000000\",\"online\":true,\"ts\":0}".getBytes(java.nio.charset.StandardCharsets.UTF_8), 1024));
    return Init.ok(new State(), Options.subscribeTo(SubscribeTo.to(Iot.INGEST).withMaxDemand(MAX_DEMAND))
        .withDispatcher(Dispatcher.partition(Route.PARTITIONS, Route::partitionOf)));
  }

  @Override
  protected CastResult<State, Parsed> handleEvents(List<Delivery> events, Subscription from, State state) {
    IotConfig c = iot.config();
    List<Parsed> out = new ArrayList<>(events.size());
    for (Delivery d : events) {
      try {
        DeviceMessage m = DeviceMessage.parse(d.topic(), d.payload(), c.maxPayloadBytes());
        if (m instanceof DeviceMessage.Telemetry t
            && !state.buckets.computeIfAbsent(t.device(), k -> new TokenBucket(c.rateBurst(), c.ratePerSecond())).tryTake()) {
          throw new BadMessage(BadMessage.Reason.RATE_LIMITED, t.device() + " sends faster than " + c.ratePerSecond()
              + " readings per second (burst " + c.rateBurst() + ")");
        }
        out.add(new Parsed(m, d));
      } catch (BadMessage bad) {
        refuse(bad, d, state);
      }
    }
    return noReply(out, state);
  }

  private void refuse(BadMessage bad, Delivery d, State state) {
    iot.metrics().rejected(bad.reason());
    d.ack();
    long now = System.nanoTime();
    Long last = state.lastLogged.get(bad.reason());
    if (last == null || now - last >= LOG_EVERY_NANOS) {
      long more = state.unlogged.getOrDefault(bad.reason(), 0L);
      LOG.warn("refused a message on {}: {}{}", d.topic(), bad.getMessage(),
          more == 0 ? "" : " (and " + more + " more refused as " + bad.reason() + " since the last such line)");
      state.lastLogged.put(bad.reason(), now);
      state.unlogged.remove(bad.reason());
    } else {
      state.unlogged.merge(bad.reason(), 1L, Long::sum);
    }
  }
}
