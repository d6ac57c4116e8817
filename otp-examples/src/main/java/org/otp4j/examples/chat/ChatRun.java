package org.otp4j.examples.chat;

import org.otp4j.examples.Observed;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.otp4j.behaviours.AppDescriptor;
import org.otp4j.behaviours.Application;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;

/**
 * The chat server as a program: starts the application on a node of its own, prints where to
 * find it, and runs until Ctrl-C or until the application stops on its own. Its exit status says
 * which: 0 after Ctrl-C, 1 when the application failed (the log above says why), 2 when it could
 * not start (one line says why and what to change).
 */
public final class ChatRun {
  private ChatRun() {}

  /** The exit status after Ctrl-C (or a plain kill). */
  static final int STOPPED = 0;
  /** The exit status when the application stopped on its own: it failed. */
  static final int FAILED = 1;
  /** The exit status when the server did not start. */
  static final int NOT_STARTED = 2;

  /** Runs the chat server until Ctrl-C; returns the exit status for {@code System.exit}. */
  public static int run() throws InterruptedException {
    Node node = Node.start(Observed.nodeConfig("chat"));
    AtomicBoolean requested = new AtomicBoolean();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      if (node.isStopped()) {
        return; // stopped on its own: said so already
      }
      requested.set(true);
      System.out.println("stopping the chat server...");
      node.stop();
      node.awaitTermination(Duration.ofSeconds(10));
      System.out.println("chat server stopped");
    }, "chat-shutdown"));
    return serve(node, ChatApp.descriptor(), System.out, requested::get);
  }

  /**
   * Starts the chat application ({@code app}: its descriptor) on {@code node}, prints its address to {@code out}, and waits
   * until the node stops. Returns {@link #STOPPED} if {@code stopRequested} says the stop was
   * asked for, {@link #FAILED} (with a line saying why) if the application stopped on its own, and
   * {@link #NOT_STARTED} (with a line saying why) if it did not start.
   */
  static int serve(Node node, AppDescriptor app, PrintStream out, BooleanSupplier stopRequested)
      throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    node.addStopHook(stopped::countDown);
    AtomicReference<Pid> top = new AtomicReference<>();
    AtomicReference<String> host = new AtomicReference<>();
    AtomicReference<Integer> port = new AtomicReference<>();
    try {
      node.run(() -> {
        Application.load(app);
        host.set(Application.getEnv(ChatApp.NAME, "host", "localhost"));
        port.set(Application.getEnv(ChatApp.NAME, "port", 8080));
        Optional<String> taken = portTaken(host.get(), port.get());
        if (taken.isPresent()) {
          throw new NotStarted(taken.get());
        }
        Application.ensureAllStarted(ChatApp.NAME, Application.Type.PERMANENT);
        top.set(Application.topSupervisor(ChatApp.NAME).orElseThrow());
        port.set(ChatApp.port());
      });
    } catch (NotStarted e) {
      out.println(e.getMessage());
      node.stop();
      return NOT_STARTED;
    } catch (RuntimeException e) {
      out.println("the chat server did not start: " + e.getMessage());
      node.stop();
      return NOT_STARTED;
    }
    AtomicReference<ExitReason> why = new AtomicReference<>();
    Thread watcher = Thread.ofVirtual().name("chat-watch").start(() ->
        node.run(() -> Proc.awaitExit(top.get(), Proc.INFINITY).ifPresent(why::set)));
    String shown = host.get().equals("0.0.0.0") ? "localhost" : host.get();
    out.println("chat server running: open http://" + shown + ":" + port.get() + "/ in two browser tabs (rooms and "
        + "users: http://" + shown + ":" + port.get() + "/observer)");
    Observed.serve(node, out);
    out.println("Ctrl-C stops it.");
    stopped.await();
    if (stopRequested.getAsBoolean()) {
      return STOPPED;
    }
    watcher.join(Duration.ofSeconds(5));
    out.println("the chat application stopped on its own: its top supervisor exited with " + why.get()
        + " (the report above says which child failed and how); exit status " + FAILED);
    return FAILED;
  }

  /** Why the server cannot listen on {@code host:port}, in one line with the fix; empty if it can. */
  static Optional<String> portTaken(String host, int port) {
    if (port == 0) {
      return Optional.empty();
    }
    try (ServerSocket probe = new ServerSocket()) {
      probe.bind(new InetSocketAddress(host, port));
      return Optional.empty();
    } catch (IOException e) {
      return Optional.of("the chat server cannot listen on " + host + ":" + port + " (" + e.getMessage()
          + "): another program uses that port. Choose another one with -Dotp.chat.port=9090, "
          + "or -Dotp.chat.port=0 for any free port");
    }
  }

  /** The server cannot start, for a reason said in one line. */
  private static final class NotStarted extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NotStarted(String message) {
      super(message, null, false, false);
    }
  }
}
