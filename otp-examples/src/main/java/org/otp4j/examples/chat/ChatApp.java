package org.otp4j.examples.chat;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.otp4j.behaviours.AppDescriptor;
import org.otp4j.behaviours.Application;
import org.otp4j.behaviours.Supervisor;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;

/**
 * The chat server as an OTP application: its descriptor (name, version, environment defaults) and
 * its start, which builds the supervision tree of {@link ChatSupervisor}.
 *
 * <pre>{@code
 * try (Node node = Node.start()) {
 *   node.run(() -> {
 *     Application.load(ChatApp.descriptor());
 *     Application.ensureAllStarted(ChatApp.NAME, Application.Type.PERMANENT);
 *   });
 * }
 * }</pre>
 *
 * <h2>Configuration</h2>
 * Each key below can be set in a configuration file ({@code chat.port=9090}, loaded with
 * {@code -Dotp.config=FILE}) or as a system property ({@code -Dotp.chat.port=9090}).
 * <table>
 *   <caption>The chat application's environment</caption>
 *   <tr><th>key</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>host</td><td>localhost</td><td>interface to listen on ({@code 0.0.0.0}: all)</td></tr>
 *   <tr><td>port</td><td>8080</td><td>HTTP and WebSocket port (0: any free port)</td></tr>
 *   <tr><td>dataDir</td><td>data</td><td>folder of the embedded SQLite database {@code chat.db}</td></tr>
 *   <tr><td>jdbcUrl</td><td>(empty)</td><td>use this database (PostgreSQL) instead of SQLite</td></tr>
 *   <tr><td>jdbcUser, jdbcPassword</td><td>(empty)</td><td>its credentials</td></tr>
 *   <tr><td>dbThreads</td><td>2</td><td>platform threads running database work</td></tr>
 *   <tr><td>rooms</td><td>lobby,general,random</td><td>rooms created at first start</td></tr>
 *   <tr><td>historyPage</td><td>100</td><td>most messages in one join or history answer</td></tr>
 *   <tr><td>maxFrameBytes</td><td>8192</td><td>larger frames get an error frame {@code too_large}</td></tr>
 *   <tr><td>maxMessageChars</td><td>2000</td><td>longest message text</td></tr>
 *   <tr><td>rateLimit, rateBurst</td><td>20.0, 40</td><td>token bucket per connection: frames/s, burst</td></tr>
 *   <tr><td>floodLimit</td><td>200</td><td>refused frames within 10 s that get a client disconnected</td></tr>
 *   <tr><td>maxConnections</td><td>10000</td><td>WebSocket connections at once</td></tr>
 *   <tr><td>passwordIterations</td><td>600000</td><td>PBKDF2-HMAC-SHA256 iterations of new hashes (OWASP 2023)</td></tr>
 *   <tr><td>admins</td><td>(empty: nobody)</td><td>users allowed to kill rooms, comma-separated</td></tr>
 *   <tr><td>roomIdle</td><td>5m</td><td>a room with no members stops after this</td></tr>
 *   <tr><td>roomRestarts</td><td>5</td><td>restarts of one room within 10 s before its supervisor gives up</td></tr>
 *   <tr><td>maxRooms, maxRoomsPerUser</td><td>1000, 10</td><td>rooms in all, rooms one user may create</td></tr>
 *   <tr><td>loginBurst, loginRate</td><td>20, 0.5</td><td>login and signup attempts per client address:
 *       at once, given back per second (a success gives its attempt back)</td></tr>
 *   <tr><td>accountBurst, accountRate</td><td>5, 0.05</td><td>wrong passwords per account: at once, given
 *       back per second</td></tr>
 *   <tr><td>hashQueue</td><td>16</td><td>password hashes waiting for a thread; more get {@code busy}</td></tr>
 *   <tr><td>maxQueuedFrames</td><td>10000</td><td>frames waiting to be written to one client before it is
 *       disconnected as too slow</td></tr>
 * </table>
 */
public final class ChatApp extends Application {

  /** The application's name, and the prefix of its system properties ({@code otp.chat.*}). */
  public static final String NAME = "chat";

  /** The descriptor with the default environment. */
  public static AppDescriptor descriptor() {
    return AppDescriptor.of(NAME, ChatApp::new)
        .withVersion("1.0.0")
        .withDescription("real-time chat server: rooms, presence, direct messages, history")
        .withEnv("host", "localhost")
        .withEnv("port", 8080)
        .withEnv("dataDir", "data")
        .withEnv("jdbcUrl", "")
        .withEnv("jdbcUser", "")
        .withEnv("jdbcPassword", "")
        .withEnv("dbThreads", 2)
        .withEnv("rooms", "lobby,general,random")
        .withEnv("historyPage", 100)
        .withEnv("maxFrameBytes", 8192)
        .withEnv("maxMessageChars", 2000)
        .withEnv("rateLimit", 20.0)
        .withEnv("rateBurst", 40)
        .withEnv("floodLimit", 200)
        .withEnv("maxConnections", 10_000)
        .withEnv("passwordIterations", 600_000)
        .withEnv("admins", "")
        .withEnv("roomIdle", Duration.ofMinutes(5))
        .withEnv("roomRestarts", 5)
        .withEnv("maxRooms", 1000)
        .withEnv("maxRoomsPerUser", 10)
        .withEnv("loginBurst", 20)
        .withEnv("loginRate", 0.5)
        .withEnv("accountBurst", 5)
        .withEnv("accountRate", 0.05)
        .withEnv("hashQueue", 16)
        .withEnv("maxQueuedFrames", 10_000);
  }

  /** The running application's web port (when configured as 0, the one picked). Call on its node. */
  public static int port() {
    return WebEndpoint.port();
  }

  /** The running applications' shared context by node: the observer page's and tests' view. */
  private static final Map<Node, Chat> RUNNING = new ConcurrentHashMap<>();

  /** The context of the chat application running on {@code node}, if one does. */
  static Optional<Chat> chatOn(Node node) {
    return Optional.ofNullable(RUNNING.get(node));
  }

  @Override
  protected Pid start(Type type) {
    ChatConfig config = ChatConfig.from(Application.getAllEnv(NAME));
    Chat chat = Chat.create(config, ChatCluster.started(Node.current()));
    Pid top = Supervisor.startLink(new ChatSupervisor(chat));
    RUNNING.put(Node.current(), chat);
    return top;
  }

  @Override
  protected void stop() {
    RUNNING.remove(Node.current());
  }
}
