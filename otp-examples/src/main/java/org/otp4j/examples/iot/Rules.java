package org.otp4j.examples.iot;

import java.util.List;
import java.util.Optional;
import org.otp4j.behaviours.EventHandler;
import org.otp4j.behaviours.GenEvent;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.core.ServerRef;
import org.otp4j.examples.iot.DeviceMessage.Telemetry;

/**
 * The alert rules: a {@link GenEvent} manager, {@link Iot#RULES}, with one handler per rule. The
 * route stage notifies it of every accepted reading (with the device's previous one) and every
 * change of a device's online state; each handler decides alone and broadcasts its alerts on
 * {@link Iot#ALERTS}. A rule that throws is removed alone, as {@code gen_event} does, and the
 * others carry on.
 *
 * <p>A rule fires when a value crosses its limit (from the previous reading to this one), not on
 * every reading past it, so a hot device raises one alert, not one a second.
 */
final class Rules {
  private Rules() {}

  /** What the rules hear of. */
  sealed interface Event {
    /** An accepted reading, and the device's previous one. */
    record Reading(Telemetry reading, Optional<Telemetry> previous) implements Event {}

    /** A device came online or went offline. */
    record StatusChanged(String device, boolean online, long ts) implements Event {}
  }

  /** Starts the manager, linked, with every rule's handler installed. */
  static Pid startLink(Iot iot) {
    ServerRef<Event> manager = GenEvent.startLink(Iot.RULES);
    for (EventHandler<?, Event> rule : List.<EventHandler<?, Event>>of(new TemperatureHigh(iot), new RateOfChange(iot),
        new BatteryLow(iot), new Offline(iot))) {
      GenEvent.addHandler(manager, rule);
    }
    return Proc.whereis(manager).orElseThrow();
  }

  /** Tells the rules of {@code event} (asynchronously). */
  static void notify(Event event) {
    GenEvent.notify(Iot.RULES, event);
  }

  /** A rule: a stateless handler that may raise an alert for each event. */
  abstract static class Rule extends EventHandler<Void, Event> {
    final Iot iot;

    Rule(Iot iot) {
      this.iot = iot;
    }

    @Override
    public Object id() {
      return getClass().getSimpleName();
    }

    @Override
    protected InitResult<Void> init() {
      return InitResult.ok(null);
    }

    @Override
    protected EventResult<Void> handleEvent(Event event, Void state) {
      check(event).ifPresent(alert -> iot.pubsub().broadcast(Iot.ALERTS, alert));
      return EventResult.ok(state);
    }

    abstract Optional<Alert> check(Event event);
  }

  static final class TemperatureHigh extends Rule {
    TemperatureHigh(Iot iot) {
      super(iot);
    }

    @Override
    Optional<Alert> check(Event event) {
      double high = iot.config().tempHigh();
      if (event instanceof Event.Reading(Telemetry t, Optional<Telemetry> previous) && t.temperature() > high
          && previous.map(p -> p.temperature() <= high).orElse(true)) {
        return Optional.of(new Alert(t.device(), Alert.Kind.TEMPERATURE_HIGH, t.device() + " is at " + t.temperature()
            + " °C, above " + high + " °C", t.ts()));
      }
      return Optional.empty();
    }
  }

  static final class RateOfChange extends Rule {
    RateOfChange(Iot iot) {
      super(iot);
    }

    @Override
    Optional<Alert> check(Event event) {
      if (event instanceof Event.Reading(Telemetry t, Optional<Telemetry> previous) && previous.isPresent()
          && t.ts() > previous.get().ts()) {
        double perMinute = (t.temperature() - previous.get().temperature()) * 60_000.0 / (t.ts() - previous.get().ts());
        if (Math.abs(perMinute) > iot.config().tempRate()) {
          return Optional.of(new Alert(t.device(), Alert.Kind.RATE_OF_CHANGE, String.format(java.util.Locale.ROOT,
              "%s's temperature changes by %.1f °C per minute (limit %.1f)", t.device(), perMinute,
              iot.config().tempRate()), t.ts()));
        }
      }
      return Optional.empty();
    }
  }

  static final class BatteryLow extends Rule {
    BatteryLow(Iot iot) {
      super(iot);
    }

    @Override
    Optional<Alert> check(Event event) {
      double low = iot.config().batteryLow();
      if (event instanceof Event.Reading(Telemetry t, Optional<Telemetry> previous) && t.battery() < low
          && previous.map(p -> p.battery() >= low).orElse(true)) {
        return Optional.of(new Alert(t.device(), Alert.Kind.BATTERY_LOW, t.device() + "'s battery is at "
            + t.battery() + " %, below " + low + " %", t.ts()));
      }
      return Optional.empty();
    }
  }

  static final class Offline extends Rule {
    Offline(Iot iot) {
      super(iot);
    }

    @Override
    Optional<Alert> check(Event event) {
      if (event instanceof Event.StatusChanged(String device, boolean online, long ts) && !online) {
        return Optional.of(new Alert(device, Alert.Kind.OFFLINE, device + " went offline", ts));
      }
      return Optional.empty();
    }
  }
}
