package org.otp4j.examples;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.otp4j.behaviours.Application;
import org.otp4j.core.Node;
import org.otp4j.core.NodeConfig;
import org.otp4j.examples.chat.ChatApp;
import org.otp4j.examples.demo.Tour;

/**
 * Runs the examples: {@code Main} (or {@code Main chat}) starts the chat server and runs until
 * Ctrl-C; {@code Main tour} prints the guided tour of the runtime and exits.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) throws InterruptedException {
    String which = args.length == 0 ? "chat" : args[0];
    switch (which) {
      case "chat" -> chat();
      case "tour" -> Tour.run(System.out);
      default -> {
        System.err.println("unknown example '" + which + "'; expected one of: chat (the default), tour");
        System.exit(2);
      }
    }
  }

  /** Starts the chat application on its own node and waits until Ctrl-C (or until the node stops). */
  private static void chat() throws InterruptedException {
    Node node = Node.start(NodeConfig.defaults().withName("chat"));
    CountDownLatch stopped = new CountDownLatch(1);
    node.addStopHook(stopped::countDown);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      System.out.println("stopping the chat server...");
      node.stop();
      node.awaitTermination(Duration.ofSeconds(10));
      System.out.println("chat server stopped");
    }, "chat-shutdown"));
    int[] port = new int[1];
    String[] host = new String[1];
    try {
      node.run(() -> {
        Application.load(ChatApp.descriptor());
        Application.ensureAllStarted(ChatApp.NAME, Application.Type.PERMANENT);
        port[0] = ChatApp.port();
        host[0] = Application.getEnv(ChatApp.NAME, "host", "localhost");
      });
    } catch (RuntimeException e) {
      System.err.println("the chat server did not start: " + e.getMessage());
      node.stop();
      System.exit(1);
    }
    String shown = host[0].equals("0.0.0.0") ? "localhost" : host[0];
    System.out.println("chat server running: open http://" + shown + ":"
        + port[0] + "/ in two browser tabs (observer: http://localhost:" + port[0] + "/observer). Ctrl-C stops it.");
    stopped.await();
  }
}
