package org.otp4j.behaviours.guide;

import java.util.Optional;
import org.otp4j.behaviours.GenServer;
import org.otp4j.core.ServerRef;
import org.otp4j.core.Table;

// region: sessions
/** Chapter 10: a server that owns a protected table; writes go through it, reads do not. */
public final class Sessions extends GenServer<Table<String, String>, Sessions.Msg> {

  public sealed interface Msg {
    record Login(String user, String token) implements Msg {}

    record Logout(String user) implements Msg {}
  }

  public static ServerRef<Msg> startLink() {
    return GenServer.startLink(new Sessions());
  }

  // writes: messages to the owner, one at a time
  public static void login(ServerRef<Msg> sessions, String user, String token) {
    GenServer.cast(sessions, new Msg.Login(user, token));
  }

  public static void logout(ServerRef<Msg> sessions, String user) {
    GenServer.cast(sessions, new Msg.Logout(user));
  }

  // reads: straight from the table, in the caller, with no message to the server
  public static Optional<String> token(String user) {
    return Table.<String, String>named("sessions").get(user);
  }

  @Override
  protected Init<Table<String, String>> init() {
    // protected (the default): only this process writes; the table goes when it terminates
    return Init.ok(Table.create(Table.Options.set().named("sessions")));
  }

  @Override
  protected CastResult<Table<String, String>> handleCast(Msg msg, Table<String, String> table) {
    switch (msg) {
      case Msg.Login(String user, String token) -> table.insert(user, token);
      case Msg.Logout(String user) -> table.delete(user);
    }
    return noReply(table);
  }
}
// endregion: sessions
