package org.otp4j.examples.chat;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.otp4j.core.Node;
import org.otp4j.dist.EntryPoints;
import org.otp4j.dist.Pg;
import org.otp4j.dist.Rpc;
import org.otp4j.dist.TermCodec;
import org.otp4j.examples.Rendezvous;

/**
 * The chat server on several nodes: what a node needs before the application starts (the codec of
 * the messages that cross nodes, the {@code chat} process-group scope, the rpc entry points through
 * which the other nodes find a room), and where a room lives.
 *
 * <h2>Where a room lives</h2>
 * On exactly one of the nodes that run the chat, chosen by rendezvous hashing over the members of the
 * {@value #NODES} group ({@link #owner}): every node computes the same owner without asking anyone.
 * The owner runs the room under its own {@code rooms} supervisor, registered in its local registry
 * as on one node; a connection of another node asks the owner for the room's pid ({@code chat.ensure},
 * which starts the room if needed) and calls the room through that pid. When the owner leaves, the
 * next look-up finds the survivor that scores second, which starts the room again from the store.
 */
public final class ChatCluster {
  /** The process-group scope of the chat's nodes. */
  public static final String SCOPE = "chat";
  /** The group every running chat application's {@link RoomPlacement} process joins. */
  static final String NODES = "chat_nodes";

  static final Duration RPC_TIMEOUT = Duration.ofSeconds(10);

  private static final Set<String> STARTED = ConcurrentHashMap.newKeySet();

  private ChatCluster() {}

  /** The codec every node of the chat's cluster uses: the rooms' requests, replies and events. */
  public static TermCodec codec() {
    return TermCodec.builder().allow(ChatMessage.class, Room.Request.Join.class, Room.Request.Leave.class,
        Room.Request.Post.class, Room.Joined.class, Room.Posted.class, Room.Refused.class,
        Room.Event.NewMessage.class, Room.Event.PresenceChanged.class, Room.Event.Reloaded.class,
        Accounts.Request.Forget.class).build();
  }

  /**
   * Prepares {@code node}, a node of a cluster started with {@link #codec()}, to run the chat with the
   * others: the application started on it afterwards places its rooms over the cluster.
   *
   * @param node the node
   * @throws org.otp4j.core.NameConflictException if it was prepared already
   */
  public static void start(Node node) {
    Objects.requireNonNull(node, "node");
    Pg.start(node, SCOPE);
    Rpc.serve(node, EntryPoints.builder()
        .function("chat.ensure", args -> Room.ensureHere(local(), (String) args.get(0)))
        .function("chat.whereis", args -> Room.whereisHere(local(), (String) args.get(0)).orElse(null))
        .build());
    STARTED.add(node.name());
  }

  /** Whether {@link #start} prepared {@code node}. */
  static boolean started(Node node) {
    return STARTED.contains(node.name());
  }

  private static Chat local() {
    return ChatApp.chatOn(Node.current()).orElseThrow(() -> new IllegalStateException(
        "the chat does not run on node " + Node.current().name()));
  }

  /**
   * The names of the nodes whose chat runs (whose {@link RoomPlacement} joined) and that this node is
   * connected to, sorted. Call on a node prepared by {@link #start}.
   */
  public static List<String> members() {
    return Rendezvous.members(SCOPE, NODES);
  }

  /**
   * The node of {@code nodes} where {@code room} lives: the highest rendezvous score.
   *
   * @param room the room's name
   * @param nodes the nodes that run the chat
   * @return one of {@code nodes}
   * @throws IllegalArgumentException if {@code nodes} is empty
   */
  public static String owner(String room, List<String> nodes) {
    return Rendezvous.owner("room:" + room, nodes);
  }
}
