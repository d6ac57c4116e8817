package org.otp4j.bench.chat;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Locale;
import java.util.StringJoiner;
import org.otp4j.behaviours.AppDescriptor;
import org.otp4j.behaviours.Application;
import org.otp4j.core.Node;
import org.otp4j.core.NodeConfig;
import org.otp4j.examples.chat.ChatApp;

/**
 * The chat server of the chat load test ({@code org.otp4j.bench.workloads.ChatLoad}), in a JVM of its
 * own: the chat application of otp-examples started as its README's {@code Main} starts it, on its own
 * node, with a fresh data folder, a free port on the loopback interface, the load test's rooms, and
 * limits that the test must not hit (rate limits, flood limit). Passwords are hashed with 1,000
 * PBKDF2 iterations instead of 600,000, so that signing 2,000 users up takes seconds; sign-up is
 * not measured.
 *
 * <pre>{@code java -cp benchmarks.jar org.otp4j.bench.chat.ChatServerMain DATA_DIR ROOMS}</pre>
 *
 * <p>Prints {@code CHAT-PORT <port>} once the server accepts connections, and runs until its
 * standard input ends (the load generator closes it, or dies), then stops the node.
 */
public final class ChatServerMain {
  private ChatServerMain() {}

  /** The room names of a test with {@code rooms} rooms: r00, r01... */
  public static String roomName(int i) {
    return String.format(Locale.ROOT, "r%02d", i);
  }

  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      System.err.println("usage: ChatServerMain DATA_DIR ROOMS");
      System.exit(2);
    }
    String dataDir = args[0];
    int rooms = Integer.parseInt(args[1]);
    StringJoiner names = new StringJoiner(",");
    for (int i = 0; i < rooms; i++) {
      names.add(roomName(i));
    }
    Node node = Node.start(NodeConfig.defaults().withName("chat-bench"));
    int[] port = new int[1];
    node.run(() -> {
      AppDescriptor d = ChatApp.descriptor()
          .withEnv("host", "127.0.0.1")
          .withEnv("port", 0)
          .withEnv("dataDir", dataDir)
          .withEnv("rooms", names.toString())
          .withEnv("rateLimit", 1_000_000.0)
          .withEnv("rateBurst", 1_000_000)
          .withEnv("floodLimit", 1_000_000)
          .withEnv("maxConnections", 100_000)
          // every client signs up from this machine's one address, all at once
          .withEnv("loginBurst", 1_000_000)
          .withEnv("loginRate", 1_000_000.0)
          .withEnv("hashQueue", 100_000)
          .withEnv("passwordIterations", 1_000);
      Application.load(d);
      Application.ensureAllStarted(ChatApp.NAME, Application.Type.PERMANENT);
      port[0] = ChatApp.port();
    });
    System.out.println("CHAT-PORT " + port[0]);
    System.out.flush();
    InputStream in = System.in;
    while (in.read() >= 0) {
      // the generator never writes: wait for the end of the stream
    }
    node.stop();
    node.awaitTermination(Duration.ofSeconds(10));
    Runtime.getRuntime().halt(0);
  }
}
