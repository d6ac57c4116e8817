package org.otp4j.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Predicate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A chat client for tests, on the JDK's own WebSocket client: sends frames as key-value pairs (the
 * session token is added once logged in), keeps every frame received, and lets a test wait for the
 * next frame that matches, with a timeout.
 */
final class TestClient implements WebSocket.Listener, AutoCloseable {
  /** How long to wait for what the server should do: generous, for a loaded build machine. */
  static final Duration WAIT = Duration.ofSeconds(30);
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(WAIT).build();
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition arrived = lock.newCondition();
  private final List<JsonNode> frames = new ArrayList<>();
  private final List<Boolean> taken = new ArrayList<>();
  private final StringBuilder partial = new StringBuilder();
  private final ExecutorService sender = Executors.newSingleThreadExecutor(r -> new Thread(r, "test-client-sender"));
  /** Completes with the close code when the socket closes (-1 if it failed instead). */
  final CompletableFuture<Integer> closed = new CompletableFuture<>();
  /** Completes with the close reason when the socket closes (the error's text if it failed). */
  final CompletableFuture<String> closeReason = new CompletableFuture<>();
  private volatile Consumer<JsonNode> observer = f -> {};
  /** While paused, the client reads nothing more: the server's frames back up, as to a stalled browser. */
  private volatile boolean paused;
  private WebSocket ws;
  volatile String token;
  volatile String user;

  static TestClient connect(ChatServer server) {
    return connect(server, HTTP);
  }

  /**
   * Connects from another local address ({@code 127.0.0.2}: any address in 127/8 is this machine),
   * as a client elsewhere would: the server counts login attempts by address.
   */
  static TestClient connectFrom(ChatServer server, String localAddress) {
    try {
      return connect(server, HttpClient.newBuilder().connectTimeout(WAIT)
          .localAddress(java.net.InetAddress.getByName(localAddress)).build());
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  private static TestClient connect(ChatServer server, HttpClient http) {
    return connect(server.ws(), http);
  }

  /** Connects to the WebSocket endpoint {@code ws} (a server in another JVM). */
  static TestClient connect(java.net.URI ws) {
    return connect(ws, HTTP);
  }

  private static TestClient connect(java.net.URI ws, HttpClient http) {
    TestClient c = new TestClient();
    try {
      c.ws = http.newWebSocketBuilder().connectTimeout(WAIT).buildAsync(ws, c)
          .get(WAIT.toSeconds(), TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("could not connect to " + ws, e);
    }
    c.take("hello");
    return c;
  }

  /** Connects, signs {@code user} up (password "secret-" + user) and returns the logged-in client. */
  static TestClient signedUp(ChatServer server, String user) {
    TestClient c = connect(server);
    c.send("type", "signup", "user", user, "password", "secret-" + user);
    c.take("authenticated");
    return c;
  }

  /** Connects and logs in an existing user. */
  static TestClient loggedIn(ChatServer server, String user) {
    TestClient c = connect(server);
    c.send("type", "login", "user", user, "password", "secret-" + user);
    c.take("authenticated");
    return c;
  }

  /** Calls {@code observer} on the WebSocket's thread for every frame as it arrives. */
  void observe(Consumer<JsonNode> newObserver) {
    this.observer = newObserver;
  }

  /** Sends a frame given as key-value pairs; adds the session token if there is one. */
  void send(Object... keyValues) {
    Map<String, Object> frame = new LinkedHashMap<>();
    if (token != null) {
      frame.put("token", token);
    }
    for (int i = 0; i < keyValues.length; i += 2) {
      frame.put((String) keyValues[i], keyValues[i + 1]);
    }
    sendRaw(JSON.writeValueAsString(frame));
  }

  /** Sends a frame without waiting (from the WebSocket's own thread). */
  void sendLater(Object... keyValues) {
    sender.execute(() -> send(keyValues));
  }

  /** Sends text as it is and waits until it has gone out. */
  void sendRaw(String text) {
    if (Thread.currentThread().getName().startsWith("test-client-sender")) {
      ws.sendText(text, true).join();
      return;
    }
    try {
      sender.submit(() -> ws.sendText(text, true).join()).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("could not send " + text, e);
    }
  }

  /** The first frame not taken yet of this type; waits for it. */
  JsonNode take(String type) {
    return take(type, f -> true);
  }

  /** The first frame not taken yet of this type that matches; waits for it. */
  JsonNode take(String type, Predicate<JsonNode> match) {
    return take(f -> type.equals(f.path("type").asString()) && match.test(f), WAIT, type);
  }

  /** The first error frame not taken yet; asserts its code. */
  JsonNode takeError(String code) {
    JsonNode e = take("error");
    assertThat(e.path("code").asString()).as("error frame %s", e).isEqualTo(code);
    return e;
  }

  JsonNode take(Predicate<JsonNode> match, Duration timeout, String what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    lock.lock();
    try {
      while (true) {
        for (int i = 0; i < frames.size(); i++) {
          if (!taken.get(i) && match.test(frames.get(i))) {
            taken.set(i, true);
            return frames.get(i);
          }
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          List<JsonNode> recent = frames.subList(Math.max(0, frames.size() - 20), frames.size());
          throw new AssertionError("no " + what + " frame within " + timeout + "; received " + frames.size()
              + " frames, the last ones: " + recent);
        }
        arrived.awaitNanos(left);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    } finally {
      lock.unlock();
    }
  }

  /** Every frame received so far. */
  List<JsonNode> frames() {
    lock.lock();
    try {
      return List.copyOf(frames);
    } finally {
      lock.unlock();
    }
  }

  /** Waits until the server closes the connection; returns the close code and reason. */
  Map.Entry<Integer, String> awaitClose() {
    try {
      int code = closed.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      return Map.entry(code, closeReason.getNow(""));
    } catch (Exception e) {
      throw new AssertionError("the connection was not closed within " + WAIT, e);
    }
  }

  @Override
  public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
    partial.append(data);
    if (last) {
      JsonNode frame = JSON.readTree(partial.toString());
      partial.setLength(0);
      if (frame.path("type").asString().equals("authenticated")) {
        token = frame.path("token").asString();
        user = frame.path("user").asString();
      }
      lock.lock();
      try {
        frames.add(frame);
        taken.add(false);
        arrived.signalAll();
      } finally {
        lock.unlock();
      }
      observer.accept(frame);
    }
    if (!paused) {
      webSocket.request(1);
    }
    return null;
  }

  /** Stops reading after the frame being read: the server's frames wait in TCP buffers, then in its queue. */
  void pause() {
    paused = true;
  }

  /** Reads again. */
  void resume() {
    paused = false;
    ws.request(1);
  }

  @Override
  public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
    closeReason.complete(reason);
    closed.complete(statusCode);
    return null;
  }

  @Override
  public void onError(WebSocket webSocket, Throwable error) {
    closeReason.complete(String.valueOf(error));
    closed.complete(-1);
  }

  /** Closes the socket, as a browser tab that goes away. */
  @Override
  public void close() {
    if (!closed.isDone()) {
      try {
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(WAIT.toSeconds(), TimeUnit.SECONDS);
      } catch (Exception e) {
        ws.abort();
      }
    }
    sender.shutdownNow();
  }
}
