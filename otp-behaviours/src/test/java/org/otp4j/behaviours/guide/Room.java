package org.otp4j.behaviours.guide;

import java.util.ArrayList;
import java.util.List;
import org.otp4j.behaviours.GenServer;
import org.otp4j.core.From;
import org.otp4j.core.Name;
import org.otp4j.core.Pid;
import org.otp4j.core.Registry;

/** A chat room: a server per room, found by the room's name through a unique Registry. */
public final class Room extends GenServer<List<String>, Room.Msg> {

  public static final Registry ROOMS = Registry.unique("rooms");

  public sealed interface Msg {
    record Join(String who) implements Msg {}

    record Members() implements Msg {}
  }

  private Room() {}

  public static Pid startLink(String room) {
    return GenServer.startLink(Name.via(ROOMS, room), new Room());
  }

  public static List<String> join(String room, String who) {
    return GenServer.call(Name.via(ROOMS, room), new Msg.Join(who));
  }

  public static List<String> members(String room) {
    return GenServer.call(Name.via(ROOMS, room), new Msg.Members());
  }

  @Override
  protected Init<List<String>> init() {
    return Init.ok(List.of());
  }

  @Override
  protected CallResult<List<String>> handleCall(Msg msg, From from, List<String> members) {
    return switch (msg) {
      case Msg.Join(String who) -> {
        List<String> more = new ArrayList<>(members);
        more.add(who);
        yield reply(List.copyOf(more), List.copyOf(more));
      }
      case Msg.Members() -> reply(members, members);
    };
  }
}
