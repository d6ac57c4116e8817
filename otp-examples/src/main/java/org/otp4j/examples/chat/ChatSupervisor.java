package org.otp4j.examples.chat;

import java.time.Duration;
import org.otp4j.behaviours.ChildSpec;
import org.otp4j.behaviours.DynamicSupervisor;
import org.otp4j.behaviours.Supervisor;

/**
 * The chat application's top supervisor.
 *
 * <pre>
 * chat_sup (one_for_one)
 * |-- store        StoreServer: owns the database (SQLite file or PostgreSQL) and its threads
 * |-- accounts     Accounts: session tokens (users and hashes are in the store)
 * |-- rooms        DynamicSupervisor: one Room per active room, transient, via the rooms registry
 * |-- connections  DynamicSupervisor: one Connection per WebSocket, temporary
 * `-- web          WebEndpoint: the Jetty server (page, /ws, /observer)
 * </pre>
 *
 * <p>One for one, because no child holds another's pid: each reaches the others through a
 * registered name or a registry at the moment it needs them, so a restarted sibling is simply
 * found again. The order still matters for starting and stopping: the web endpoint starts last,
 * when everything it hands work to is up, and stops first, closing every socket before the
 * connections, rooms and the store go away.
 */
final class ChatSupervisor extends Supervisor {
  private final Chat chat;

  ChatSupervisor(Chat chat) {
    this.chat = chat;
  }

  @Override
  protected Spec init() {
    ChatConfig config = chat.config();
    return Spec.of(Supervisor.oneForOne().withIntensity(5, Duration.ofSeconds(10)),
        ChildSpec.worker("store", () -> StoreServer.startLink(chat)),
        ChildSpec.worker("accounts", () -> Accounts.startLink(chat)),
        // Rooms may be killed from the admin tools: allow a burst of restarts before giving up.
        ChildSpec.supervisor("rooms", () -> DynamicSupervisor.startLink(Chat.ROOMS,
            DynamicSupervisor.Options.defaults().withIntensity(20, Duration.ofSeconds(10)), Room.template(chat))),
        ChildSpec.supervisor("connections", () -> DynamicSupervisor.startLink(Chat.CONNECTIONS,
            DynamicSupervisor.Options.defaults().withMaxChildren(config.maxConnections()), Connection.template(chat))),
        ChildSpec.worker("web", () -> WebEndpoint.startLink(chat)));
  }
}
