package org.otp4j.examples.chat;

import org.otp4j.behaviours.DynamicSupervisor;
import org.otp4j.behaviours.GenServer;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.dist.Pg;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A chat application's membership in the cluster (runs only on a node prepared by
 * {@link ChatCluster#start}): it joins the {@value ChatCluster#NODES} group, so that rooms are placed
 * on this node, and follows the group. When a chat node joins, the rooms running here that the new
 * node now owns stop (their supervisors are terminated, so they end with {@code shutdown}); their
 * members, who monitor them, join them again on their owner, which starts them from the store. When
 * a node leaves, nothing needs doing here: the members of its rooms find them on their new owner.
 */
final class RoomPlacement extends GenServer<Chat, Void> {
  private static final Logger LOG = LoggerFactory.getLogger(RoomPlacement.class);

  private final Chat chat;

  private RoomPlacement(Chat chat) {
    this.chat = chat;
  }

  static Pid startLink(Chat chat) {
    return GenServer.startLink(new RoomPlacement(chat)).pid();
  }

  @Override
  protected Init<Chat> init() {
    Pg.monitorScope(ChatCluster.SCOPE);
    Pg.join(ChatCluster.SCOPE, ChatCluster.NODES, Proc.self());
    LOG.info("chat nodes: {}", ChatCluster.members());
    return Init.ok(chat);
  }

  @Override
  protected CastResult<Chat> handleInfo(Object message, Chat chat) {
    if (message instanceof Pg.Notification n && n.group().equals(ChatCluster.NODES)) {
      String self = Node.current().name();
      LOG.info("chat nodes: {}", ChatCluster.members());
      if (n.change() == Pg.Change.JOIN && n.pids().stream().anyMatch(p -> !p.nodeName().equals(self))) {
        handOver(self);
      }
    }
    return noReply(chat);
  }

  /** Stops the rooms of this node that another node owns now. */
  private void handOver(String self) {
    int moved = 0;
    for (var r : chat.rooms().select(r -> r.key() instanceof String)) {
      String room = (String) r.key();
      if (!Room.ownerOf(chat, room).equals(self)) {
        Proc.whereis(chat.roomSupervisorName(room))
            .ifPresent(sup -> DynamicSupervisor.terminateChild(Chat.ROOMS, sup));
        moved++;
      }
    }
    if (moved > 0) {
      LOG.info("{} rooms handed over to the node that joined", moved);
    }
  }
}
