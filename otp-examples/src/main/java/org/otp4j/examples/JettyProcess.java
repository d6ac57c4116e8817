package org.otp4j.examples;

import java.util.Arrays;
import java.util.List;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.otp4j.behaviours.GenServer;
import org.otp4j.core.Call;
import org.otp4j.core.ExitReason;
import org.otp4j.core.From;
import org.otp4j.core.Node;
import org.otp4j.core.Proc;
import org.otp4j.core.ServerRef;

/**
 * The process that owns an example's Jetty server. Its init starts the server, its terminate stops
 * it (closing every socket), so the server's lifetime is the process's and a restart of this child
 * is a restart of the web server. Each example's endpoint builds its own server (connectors,
 * handlers) in a {@link Starter}; this process only runs it.
 *
 * <p>Starting and stopping run on a platform thread ({@link PlatformThread}): Jetty loads hundreds
 * of classes the first time, which would hold the process's carrier. The process traps exits, so
 * that a supervisor's shutdown runs its terminate and the server is stopped.
 */
public final class JettyProcess extends GenServer<Server, JettyProcess.Request> {
  /** The process's protocol. */
  public sealed interface Request {
    /** The ports the server's connectors listen on, in the order they were added. */
    record Ports() implements Request, Call<List<Integer>> {}
  }

  /** Builds and starts an endpoint's server. */
  @FunctionalInterface
  public interface Starter {
    /**
     * Builds the server, starts it, and returns it started. Runs on a platform thread.
     *
     * @param node the node of the process that owns the server, for the handlers' calls
     * @return the started server
     * @throws Exception if it cannot be started (a port in use): the process's init fails with it
     */
    Server start(Node node) throws Exception;
  }

  private final String lifecycleThread;
  private final Starter starter;

  private JettyProcess(String lifecycleThread, Starter starter) {
    this.lifecycleThread = lifecycleThread;
    this.starter = starter;
  }

  // =====================================================================================
  // client API

  /**
   * Starts the process, linked to the caller, registered as {@code name}; returns once the server
   * listens.
   *
   * @param name the name to register
   * @param lifecycleThread the name of the platform thread that starts and stops the server
   * @param starter builds and starts the server
   * @return the process
   */
  public static ServerRef<Request> startLink(ServerRef<Request> name, String lifecycleThread, Starter starter) {
    return GenServer.startLink(name, new JettyProcess(lifecycleThread, starter));
  }

  /**
   * The ports the server listens on (useful when configured as 0), one per connector.
   *
   * @param server the process
   * @return the bound ports, in the order the connectors were added
   */
  public static List<Integer> ports(ServerRef<Request> server) {
    return GenServer.call(server, new Request.Ports());
  }

  /**
   * The ports a started server listens on, one per connector, for an endpoint's log line.
   *
   * @param server a started server
   * @return the bound ports, in the order the connectors were added
   */
  public static List<Integer> boundPorts(Server server) {
    return Arrays.stream(server.getConnectors()).map(c -> ((ServerConnector) c).getLocalPort()).toList();
  }

  // =====================================================================================
  // server callbacks

  @Override
  protected Init<Server> init() throws Exception {
    Proc.trapExits(true); // so that terminate stops Jetty on shutdown
    Node node = Node.current();
    return Init.ok(PlatformThread.call(lifecycleThread, () -> starter.start(node)));
  }

  @Override
  protected CallResult<Server> handleCall(Request request, From from, Server server) {
    return switch (request) {
      case Request.Ports p -> reply(p, boundPorts(server), server);
    };
  }

  @Override
  protected void terminate(ExitReason reason, Server server) throws Exception {
    PlatformThread.call(lifecycleThread, () -> {
      server.stop();
      return null;
    });
  }
}
