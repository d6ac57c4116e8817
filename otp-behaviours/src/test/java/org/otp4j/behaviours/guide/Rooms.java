package org.otp4j.behaviours.guide;

import org.otp4j.behaviours.DynamicSupervisor;
import org.otp4j.behaviours.StartResult;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Name;
import org.otp4j.core.Pid;
import org.otp4j.core.ServerRef;

/** The rooms' dynamic supervisor: a room process is started when a room is opened. */
public final class Rooms {
  private Rooms() {}

  public static final Name NAME = Name.local("rooms");

  // region: rooms
  public static Pid startLink() {
    return DynamicSupervisor.startLink(NAME,
        DynamicSupervisor.Options.defaults().withMaxChildren(1_000),
        DynamicSupervisor.Template.worker((String room) -> Room.startLink(room)));
  }

  /** Starts the room's process, or finds the one that runs already. */
  public static ServerRef<Room.Msg> open(String room) {
    return switch (DynamicSupervisor.startChildWith(NAME, room)) {
      case StartResult.Started(Pid pid) -> ServerRef.of(pid);
      case StartResult.AlreadyStarted(Pid pid) -> ServerRef.of(pid); // opened before: its name is taken
      case DynamicSupervisor.MaxChildren() -> throw new IllegalStateException("too many rooms open");
      case StartResult.Failed(ExitReason reason) -> throw new IllegalStateException("room " + room + ": " + reason);
      case StartResult.Ignored() -> throw new IllegalStateException("room " + room + " was not started");
    };
  }
  // endregion: rooms
}
