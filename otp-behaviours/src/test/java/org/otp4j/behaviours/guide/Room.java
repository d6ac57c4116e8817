package org.otp4j.behaviours.guide;

import java.util.ArrayList;
import java.util.List;
import org.otp4j.behaviours.GenServer;
import org.otp4j.core.Call;
import org.otp4j.core.From;
import org.otp4j.core.Registry;
import org.otp4j.core.ServerRef;

/** A chat room: a server per room, found by the room's name through a unique Registry. */
public final class Room extends GenServer<List<String>, Room.Msg> {

  public static final Registry ROOMS = Registry.unique("rooms");

  public sealed interface Msg {
    record Join(String who) implements Msg, Call<List<String>> {}

    record Members() implements Msg, Call<List<String>> {}
  }

  private Room() {}

  /** The room {@code room}, by name: a typed via name in the registry. */
  public static ServerRef<Msg> named(String room) {
    return ServerRef.via(ROOMS, room);
  }

  public static ServerRef<Msg> startLink(String room) {
    return GenServer.startLink(named(room), new Room());
  }

  public static List<String> join(String room, String who) {
    return GenServer.call(named(room), new Msg.Join(who));
  }

  public static List<String> members(String room) {
    return GenServer.call(named(room), new Msg.Members());
  }

  @Override
  protected Init<List<String>> init() {
    return Init.ok(List.of());
  }

  @Override
  protected CallResult<List<String>> handleCall(Msg msg, From from, List<String> members) {
    return switch (msg) {
      case Msg.Join join -> {
        List<String> more = new ArrayList<>(members);
        more.add(join.who());
        yield reply(join, List.copyOf(more), List.copyOf(more));
      }
      case Msg.Members query -> reply(query, members, members);
    };
  }
}
