package org.otp4j.behaviours.guide;

import java.time.Duration;
import org.otp4j.behaviours.GenStatem;
import org.otp4j.core.Call;
import org.otp4j.core.From;
import org.otp4j.core.ServerRef;

/** A connection that callers can use at once: sends wait (postponed) until it is connected. */
public final class Connection extends GenStatem<Connection.State, Connection.Data, Connection.Msg> {

  public enum State { DISCONNECTED, CONNECTED }

  /** The network, as the connection sees it. */
  public interface Network {
    boolean connect();

    void send(String payload);
  }

  /** The data: the network, the retry delay, and how many connection attempts were made. */
  public record Data(Network network, Duration retryAfter, int attempts) {
    Data attempted() {
      return new Data(network, retryAfter, attempts + 1);
    }
  }

  /** Its protocol: callers send payloads; each call is answered with a String. */
  public sealed interface Msg {
    record Send(String payload) implements Msg, Call<String> {}
  }

  /** The message the network sends when the link goes down: not part of the protocol, an info. */
  public record Dropped() {}

  static final String CONNECT = "connect";

  private final Network network;
  private final Duration retryAfter;

  private Connection(Network network, Duration retryAfter) {
    this.network = network;
    this.retryAfter = retryAfter;
  }

  public static ServerRef<Msg> startLink(Network network, Duration retryAfter) {
    return GenStatem.startLink(new Connection(network, retryAfter));
  }

  // region: connection-client
  /** Sends {@code payload}, waiting until the connection is up, however long that takes. */
  public static String send(ServerRef<Msg> connection, String payload) {
    return GenStatem.call(connection, new Msg.Send(payload));
  }

  /** Sends {@code payload}, waiting at most {@code timeout} for the connection to be up and the reply. */
  public static String send(ServerRef<Msg> connection, String payload, Duration timeout) {
    return GenStatem.call(connection, new Msg.Send(payload), timeout);
  }
  // endregion: connection-client

  // region: connection
  @Override
  protected Init<State, Data> init() {
    // Start disconnected, and make connecting the very first event: init itself stays quick.
    return Init.ok(State.DISCONNECTED, new Data(network, retryAfter, 0),
        Action.nextEvent(new Event.Internal<>(CONNECT)));
  }

  @Override
  protected Result<State, Data> handleEvent(Event<Msg> event, State state, Data data) {
    return switch (state) {
      case DISCONNECTED -> switch (event) {
        case Event.Internal<Msg> connect -> data.network().connect()
            ? nextState(State.CONNECTED, data.attempted())
            : keepState(data.attempted(), Action.stateTimeout(data.retryAfter(), CONNECT));
        case Event.StateTimeout<Msg> retry -> keepStateAndData(Action.nextEvent(new Event.Internal<>(CONNECT)));
        case Event.Call(From from, Msg.Send send) -> keepStateAndData(Action.postpone()); // until connected
        default -> keepStateAndData();
      };
      case CONNECTED -> switch (event) {
        case Event.Call(From from, Msg.Send send) -> {
          data.network().send(send.payload());
          yield keepStateAndData(Action.reply(from, send, "sent"));
        }
        case Event.Info(Dropped dropped) ->
            nextState(State.DISCONNECTED, data, Action.nextEvent(new Event.Internal<>(CONNECT)));
        default -> keepStateAndData();
      };
    };
  }
  // endregion: connection
}
