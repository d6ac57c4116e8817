package org.otp4j.examples.chat;

import org.otp4j.behaviours.GenServer;
import org.otp4j.core.ExitReason;
import org.otp4j.core.ServerRef;
import org.otp4j.core.Proc;

/**
 * The process that owns the database: opens it (creating the tables) in its init, installs it in
 * the shared {@link Store} facade, and closes it when it terminates. Callers never message it:
 * they use the {@link Store} methods, which run on the database threads.
 */
final class StoreServer extends GenServer<Store.Database, Void> {
  private final Chat chat;

  private StoreServer(Chat chat) {
    this.chat = chat;
  }

  // client API

  static ServerRef<Void> startLink(Chat chat) {
    return GenServer.startLink(Chat.STORE, new StoreServer(chat));
  }

  // server callbacks

  @Override
  protected Init<Store.Database> init() {
    Proc.trapExits(true); // so that terminate closes the database on shutdown
    Store.Database db = Store.Database.open(chat.config());
    chat.store().install(db);
    long now = System.currentTimeMillis();
    for (String room : chat.config().defaultRooms()) {
      chat.store().createRoom(room, "server", now); // false if it exists already: fine
    }
    return Init.ok(db);
  }

  @Override
  protected void terminate(ExitReason reason, Store.Database db) {
    chat.store().uninstall(db);
    db.close();
  }
}
