package org.otp4j.examples.chat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
 * |-- rooms        DynamicSupervisor: per active room a supervisor of its own (temporary), which
 * |                restarts its Room (transient) at most roomRestarts times in 10 s, then gives up
 * |-- connections  DynamicSupervisor: one Connection per WebSocket, temporary
 * |-- placement    RoomPlacement (on several nodes only): joins the chat_nodes pg group, so that rooms
 * |                are placed on this node, and hands over the rooms a node that joins now owns
 * `-- web          WebEndpoint: the Jetty server (page, /ws, /observer)
 * </pre>
 *
 * <p>One for one, because no child holds another's pid: each reaches the others through a
 * registered name or a registry at the moment it needs them, so a restarted sibling is simply
 * found again. The order still matters for starting and stopping: the web endpoint starts last,
 * when everything it hands work to is up, and stops first, closing every socket before the
 * connections, rooms and the store go away.
 *
 * <p>The intensity of each supervisor is chosen for what can fail under it. This one's (5 restarts
 * in 10 s) only ever counts the store, the accounts and the web endpoint: the rooms and the
 * connections are temporary children of their supervisors, so no storm of room crashes or dropped
 * sockets, however caused, reaches it. A room's crashes count against that room's own supervisor
 * alone, which gives up on that room and nothing else.
 */
final class ChatSupervisor extends Supervisor {
  private final Chat chat;

  ChatSupervisor(Chat chat) {
    this.chat = chat;
  }

  @Override
  protected Spec init() {
    ChatConfig config = chat.config();
    List<ChildSpec> children = new ArrayList<>(List.of(
        ChildSpec.worker("store", () -> StoreServer.startLink(chat)),
        ChildSpec.worker("accounts", () -> Accounts.startLink(chat)),
        // Its children (one supervisor per room) are temporary: they never count against its intensity.
        ChildSpec.supervisor("rooms", () -> DynamicSupervisor.startLink(Chat.ROOMS,
            DynamicSupervisor.Options.defaults(), Room.template(chat))),
        ChildSpec.supervisor("connections", () -> DynamicSupervisor.startLink(Chat.CONNECTIONS,
            DynamicSupervisor.Options.defaults().withMaxChildren(config.maxConnections()), Connection.template(chat)))));
    if (chat.clustered()) {
      // after the rooms supervisor, which it hands rooms over from, and before the web endpoint
      children.add(ChildSpec.worker("placement", () -> RoomPlacement.startLink(chat)));
    }
    children.add(ChildSpec.worker("web", () -> WebEndpoint.startLink(chat)));
    return Spec.of(Supervisor.oneForOne().withIntensity(5, Duration.ofSeconds(10)), children);
  }
}
