package org.otp4j.behaviours.examples;

import java.time.Duration;
import org.otp4j.behaviours.GenStatem;
import org.otp4j.core.Address;
import org.otp4j.core.From;
import org.otp4j.core.Pid;

/**
 * A traffic light: red, green, yellow, each lasting its own time. A state machine in
 * {@link GenStatem.CallbackMode#STATE_FUNCTIONS state-functions} mode: each colour is an enum
 * constant that handles its own events, and every colour is entered with a state timeout.
 */
public final class TrafficLight extends GenStatem<TrafficLight.Color, TrafficLight.Timings> {

  /** How long each colour lasts. */
  public record Timings(Duration red, Duration green, Duration yellow) {}

  /** The question {@link #color(Address)} asks. */
  record WhatColor() {}

  /** The colours, each the handler of its own state. */
  public enum Color implements StateFunction<Color, Timings> {
    RED {
      @Override
      public Result<Color, Timings> handle(Event event, Timings t) {
        return common(event, t, t.red(), GREEN);
      }
    },
    GREEN {
      @Override
      public Result<Color, Timings> handle(Event event, Timings t) {
        return common(event, t, t.green(), YELLOW);
      }
    },
    YELLOW {
      @Override
      public Result<Color, Timings> handle(Event event, Timings t) {
        return common(event, t, t.yellow(), RED);
      }
    };

    /** What every colour does: start its timer on entry, move on when it fires, answer questions. */
    private static Result<Color, Timings> common(Event event, Timings t, Duration lasts, Color next) {
      return switch (event) {
        case Event.Enter enter -> keepStateAndData(Action.stateTimeout(lasts, "change"));
        case Event.StateTimeout timeout -> nextState(next, t);
        case Event.Call(From from, WhatColor q) -> keepStateAndData(Action.reply(from, current(next)));
        default -> keepStateAndData();
      };
    }

    /** The colour before {@code next}, i.e. the current one. */
    private static Color current(Color next) {
      return switch (next) {
        case GREEN -> RED;
        case YELLOW -> GREEN;
        case RED -> YELLOW;
      };
    }
  }

  private final Timings timings;

  private TrafficLight(Timings timings) {
    this.timings = timings;
  }

  // client API

  /** Starts a light, red first, linked to the caller. */
  public static Pid startLink(Timings timings) {
    return GenStatem.startLink(new TrafficLight(timings));
  }

  /** The light's colour now. */
  public static Color color(Address light) {
    return GenStatem.call(light, new WhatColor());
  }

  // callbacks

  @Override
  protected Init<Color, Timings> init() {
    return Init.ok(Color.RED, timings);
  }

  @Override
  protected CallbackMode callbackMode() {
    return CallbackMode.STATE_FUNCTIONS;
  }

  @Override
  protected boolean stateEnter() {
    return true;
  }
}
