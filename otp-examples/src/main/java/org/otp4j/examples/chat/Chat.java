package org.otp4j.examples.chat;

import org.otp4j.core.Name;
import org.otp4j.core.Registry;
import org.otp4j.core.ServerRef;
import org.otp4j.examples.JettyProcess;

/**
 * What the processes of one running chat application share: its settings, its registries and its
 * store. Made by {@link ChatApp#start} and handed to every child; nothing here is static, so
 * several chat applications can run on several nodes in one JVM (the tests do).
 *
 * @param config the settings
 * @param rooms room name to room process (unique keys): the rooms' {@code Name.via} names
 * @param members room name to the connection processes in it (duplicate keys, value: user name).
 *     Connections register themselves, so membership outlives a room process that crashes
 * @param users user name to that user's connection processes (duplicate keys): direct messages
 * @param store the database facade
 * @param passwords the password hashing threads and their bounded queue
 * @param throttle which login attempts may have a password hashed
 * @param clustered whether the application runs on a node prepared by {@link ChatCluster#start}: its
 *     rooms are then placed over the nodes of the cluster
 */
public record Chat(ChatConfig config, Registry rooms, Registry members, Registry users, Store store,
    Passwords passwords, LoginThrottle throttle, boolean clustered) {

  /** Local names of the application's fixed processes (local names are per node), typed by their protocols. */
  public static final ServerRef<Void> STORE = ServerRef.local("chat_store");
  public static final ServerRef<Accounts.Request> ACCOUNTS = ServerRef.local("chat_accounts");
  public static final Name ROOMS = Name.local("chat_rooms");
  public static final Name CONNECTIONS = Name.local("chat_connections");
  public static final ServerRef<JettyProcess.Request> WEB = ServerRef.local("chat_web");

  static Chat create(ChatConfig config, boolean clustered) {
    return new Chat(config, Registry.unique("chat.rooms"), Registry.duplicate("chat.members"),
        Registry.duplicate("chat.users"), new Store(), new Passwords(config.hashQueue()), new LoginThrottle(config),
        clustered);
  }

  /** The name a room process is registered under. */
  public Name roomName(String room) {
    return Name.via(rooms, room);
  }

  /** The name of a room's own supervisor, which restarts it after a crash. */
  public Name roomSupervisorName(String room) {
    return Name.via(rooms, new Room.SupervisorKey(room));
  }
}
