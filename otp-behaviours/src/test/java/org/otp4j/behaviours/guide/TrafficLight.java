package org.otp4j.behaviours.guide;

import java.time.Duration;
import org.otp4j.behaviours.GenStatem;
import org.otp4j.core.Call;
import org.otp4j.core.From;
import org.otp4j.core.ServerRef;

// region: traffic-light
/** Red, green, yellow, each for its own time: one handler per state, and state enter calls. */
public final class TrafficLight extends GenStatem<TrafficLight.Color, TrafficLight.Timings, TrafficLight.Msg> {

  /** How long each colour lasts: the data of the machine. */
  public record Timings(Duration red, Duration green, Duration yellow) {}

  /** Its protocol: one question, whose reply is a Color. */
  public sealed interface Msg {
    record WhatColor() implements Msg, Call<Color> {}
  }

  /** The states; each constant handles the events of its own state. */
  public enum Color implements StateFunction<Color, Timings, Msg> {
    RED {
      @Override
      public Result<Color, Timings> handle(Event<Msg> event, Timings t) {
        return lasts(event, t, RED, t.red(), GREEN);
      }
    },
    GREEN {
      @Override
      public Result<Color, Timings> handle(Event<Msg> event, Timings t) {
        return lasts(event, t, GREEN, t.green(), YELLOW);
      }
    },
    YELLOW {
      @Override
      public Result<Color, Timings> handle(Event<Msg> event, Timings t) {
        return lasts(event, t, YELLOW, t.yellow(), RED);
      }
    };

    /** What every colour does: set its timer on entry, give way when it fires, say what it is. */
    private static Result<Color, Timings> lasts(Event<Msg> event, Timings t, Color self, Duration time, Color next) {
      return switch (event) {
        case Event.Enter<Msg> enter -> keepStateAndData(Action.stateTimeout(time, "change"));
        case Event.StateTimeout<Msg> timeout -> nextState(next, t);
        case Event.Call(From from, Msg.WhatColor q) -> keepStateAndData(Action.reply(from, q, self));
        default -> keepStateAndData();
      };
    }
  }

  private final Timings timings;

  private TrafficLight(Timings timings) {
    this.timings = timings;
  }

  // client API

  public static ServerRef<Msg> startLink(Timings timings) {
    return GenStatem.startLink(new TrafficLight(timings));
  }

  /** Waits for the answer as long as it takes: GenStatem.call has no timeout unless given one. */
  public static Color color(ServerRef<Msg> light) {
    return GenStatem.call(light, new Msg.WhatColor());
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
// endregion: traffic-light
