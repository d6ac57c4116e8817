package org.otp4j.behaviours.guide;

import java.time.Duration;
import org.otp4j.behaviours.GenStatem;
import org.otp4j.core.Call;
import org.otp4j.core.From;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.core.ServerRef;

/** A door with a code, and the three kinds of timeout. */
public final class Door extends GenStatem<Door.State, Door.Data, Door.Msg> {

  public enum State { LOCKED, OPEN }

  /**
   * @param code the code that opens it
   * @param autoLock how long it stays open (a state timeout)
   * @param ajarAfter how long it may stay open with nobody passing before it warns (an event timeout)
   * @param serviceEvery how often it asks for service, whatever its state (a generic timeout)
   * @param panel where its warnings go
   */
  public record Data(String code, Duration autoLock, Duration ajarAfter, Duration serviceEvery, Pid panel) {}

  /** Its protocol: a call whose reply is a String, and a cast. */
  public sealed interface Msg {
    record Unlock(String code) implements Msg, Call<String> {}

    /** Someone walked through. */
    record Pass() implements Msg {}
  }

  private final Data data;

  private Door(Data data) {
    this.data = data;
  }

  public static ServerRef<Msg> startLink(Data data) {
    return GenStatem.startLink(new Door(data));
  }

  public static String unlock(ServerRef<Msg> door, String code) {
    return GenStatem.call(door, new Msg.Unlock(code), Duration.ofSeconds(5));
  }

  public static void pass(ServerRef<Msg> door) {
    GenStatem.cast(door, new Msg.Pass());
  }

  // region: door
  @Override
  protected Init<State, Data> init() {
    return Init.ok(State.LOCKED, data, Action.genericTimeout("service", data.serviceEvery(), "service due"));
  }

  @Override
  protected Result<State, Data> handleEvent(Event<Msg> event, State state, Data d) {
    if (event instanceof Event.GenericTimeout(Object name, Object content)) {
      Proc.send(d.panel(), content); // fires in any state; set it again for the next round
      return keepStateAndData(Action.genericTimeout(name, d.serviceEvery(), content));
    }
    return switch (state) {
      case LOCKED -> switch (event) {
        case Event.Call(From from, Msg.Unlock unlock) when unlock.code().equals(d.code()) ->
            nextState(State.OPEN, d, Action.reply(from, unlock, "open"),
                Action.stateTimeout(d.autoLock(), "lock"),    // cancelled only by leaving OPEN
                Action.eventTimeout(d.ajarAfter(), "ajar"));  // cancelled by any event
        case Event.Call(From from, Msg.Unlock wrong) -> keepStateAndData(Action.reply(from, wrong, "wrong code"));
        default -> keepStateAndData();
      };
      case OPEN -> switch (event) {
        case Event.Cast(Msg.Pass pass) -> keepStateAndData(Action.eventTimeout(d.ajarAfter(), "ajar"));
        case Event.Timeout(Object ajar) -> {
          Proc.send(d.panel(), "ajar"); // open, and nobody passed for ajarAfter
          yield keepStateAndData();
        }
        case Event.StateTimeout(Object lock) -> {
          Proc.send(d.panel(), "locked");
          yield nextState(State.LOCKED, d);
        }
        case Event.Call(From from, Msg.Unlock any) -> keepStateAndData(Action.reply(from, any, "already open"));
        default -> keepStateAndData();
      };
    };
  }
  // endregion: door
}
