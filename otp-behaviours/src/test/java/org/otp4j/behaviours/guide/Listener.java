package org.otp4j.behaviours.guide;

import org.otp4j.behaviours.GenServer;
import org.otp4j.core.Call;
import org.otp4j.core.From;
import org.otp4j.core.ServerRef;

/** Stands in for an HTTP listener: it only remembers the port it is bound to. */
public final class Listener extends GenServer<Integer, Listener.Msg> {
  public static final ServerRef<Msg> NAME = ServerRef.local("listener");

  public sealed interface Msg {
    record Port() implements Msg, Call<Integer> {}

    record Rebind(int port) implements Msg {}
  }

  private final int port;

  private Listener(int port) {
    this.port = port;
  }

  public static ServerRef<Msg> startLink(int port) {
    return GenServer.startLink(NAME, new Listener(port));
  }

  public static int port() {
    return GenServer.call(NAME, new Msg.Port());
  }

  public static void rebind(int port) {
    GenServer.cast(NAME, new Msg.Rebind(port));
  }

  @Override
  protected Init<Integer> init() {
    return Init.ok(port);
  }

  @Override
  protected CallResult<Integer> handleCall(Msg msg, From from, Integer bound) {
    return switch (msg) {
      case Msg.Port port -> reply(port, bound, bound);
      case Msg.Rebind rebind -> throw new IllegalArgumentException("Rebind is a cast, not a call");
    };
  }

  @Override
  protected CastResult<Integer> handleCast(Msg msg, Integer bound) {
    return switch (msg) {
      case Msg.Rebind(int newPort) -> noReply(newPort);
      case Msg.Port port -> throw new IllegalArgumentException("Port is a call, not a cast");
    };
  }
}
