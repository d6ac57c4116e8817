package org.otp4j.examples.chat;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.otp4j.behaviours.DynamicSupervisor;
import org.otp4j.behaviours.StartResult;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;

/**
 * Jetty's listener for one WebSocket (public, as Jetty requires): a thin bridge to the socket's
 * {@link Connection} process. It starts that process under the {@code connections} supervisor,
 * forwards each event to it as a message and does nothing else, and closes the socket if the
 * process ends first (even by an untrappable kill, after which the process cannot close anything
 * itself).
 *
 * <p>Not auto-demanding: Jetty reads the next frame only when the connection process asks for
 * it ({@link Socket#demand()}), after it has handled the previous one.
 */
public final class ChatSocket implements Session.Listener, Socket {
  private final Node node;
  private volatile Session session;
  private volatile Pid pid;

  ChatSocket(Node node) {
    this.node = node;
  }

  @Override
  public void onWebSocketOpen(Session session) {
    this.session = session;
    node.run(() -> {
      switch (DynamicSupervisor.startChildWith(Chat.CONNECTIONS, this)) {
        case StartResult.Started s -> pid = s.pid();
        case DynamicSupervisor.MaxChildren m -> close(1013, "too many connections; try again later");
        case StartResult.Failed f -> close(Connection.SERVER_ERROR, "could not start a connection process");
        case StartResult.Ignored i -> close(Connection.SERVER_ERROR, "could not start a connection process");
        case StartResult.AlreadyStarted a -> close(Connection.SERVER_ERROR, "could not start a connection process");
      }
    });
    Pid p = pid;
    if (p != null) {
      Thread.ofVirtual().name("chat-socket-guard-" + p).start(() -> {
        Proc.awaitExit(p, Proc.INFINITY);
        close(Connection.SERVER_ERROR, "the connection process ended");
      });
      session.demand();
    }
  }

  @Override
  public void onWebSocketText(String text) {
    Pid p = pid;
    if (p != null) {
      node.run(() -> Connection.inbound(p, text));
    }
  }

  @Override
  public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
    callback.succeed();
    onWebSocketText("(binary frame)"); // answered with a bad_json error frame, like any non-JSON text
  }

  @Override
  public void onWebSocketClose(int code, String reason) {
    Pid p = pid;
    if (p != null) {
      node.run(() -> Connection.closed(p, code, reason));
    }
  }

  @Override
  public void onWebSocketError(Throwable cause) {
    Pid p = pid;
    if (p != null) {
      node.run(() -> Connection.closed(p, 1006, String.valueOf(cause)));
    }
  }

  // Socket: what the connection process uses

  @Override
  public void send(String text) {
    Session s = session;
    if (s != null && s.isOpen()) {
      s.sendText(text, Callback.from(() -> {}, failure -> {
        Pid p = pid;
        if (p != null) {
          node.run(() -> Connection.sendFailed(p, String.valueOf(failure)));
        }
      }));
    }
  }

  @Override
  public void demand() {
    Session s = session;
    if (s != null && s.isOpen()) {
      s.demand();
    }
  }

  @Override
  public void close(int code, String reason) {
    Session s = session;
    if (s != null && s.isOpen()) {
      s.close(code, reason, Callback.NOOP);
    }
  }

  @Override
  public String address() {
    Session s = session;
    return s != null && s.getRemoteSocketAddress() instanceof InetSocketAddress isa && isa.getAddress() != null
        ? isa.getAddress().getHostAddress() : "?";
  }

  @Override
  public String remote() {
    Session s = session;
    return s == null ? "?" : String.valueOf(s.getRemoteSocketAddress());
  }
}
