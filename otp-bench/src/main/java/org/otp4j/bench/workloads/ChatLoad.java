package org.otp4j.bench.workloads;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.otp4j.bench.Contender;
import org.otp4j.bench.Metric;
import org.otp4j.bench.Raw;
import org.otp4j.bench.Workload;
import org.otp4j.bench.chat.ChatServerMain;

/**
 * The chat example under load: its server (otp-examples' chat application, in a JVM of its own,
 * {@link ChatServerMain}) and N WebSocket clients on loopback in this JVM, 40 to a room, each sending
 * messages at a steady rate. Messages delivered per second (each delivery to each member counts) and
 * the delivery latency, from the send to the receipt by a member, measured in this JVM with
 * {@code System.nanoTime()}: the sender's clock is the receiver's.
 */
public final class ChatLoad extends Workload {
  /** Members per room. */
  static final int PER_ROOM = 40;
  /** Messages per second that each client sends (a system property, for experiments). */
  static final double RATE = Double.parseDouble(System.getProperty("otp4j.bench.chat.rate", "0.3"));
  /** HTTP clients that the WebSockets are spread over (each has its own selector thread). */
  static final int HTTP_CLIENTS = 4;
  static final Duration SETUP_TIMEOUT = Duration.ofSeconds(60);

  public ChatLoad() {
    super("chat", "chat example under load (WebSocket)", Metric.THROUGHPUT, "deliveries");
  }

  @Override
  public List<Integer> sizes(Mode mode) {
    return List.of(mode == Mode.QUICK ? 400 : 2_000);
  }

  /** The same in the quick run: a shorter warm-up would measure the JIT, not the server. */
  private static Duration warmUp(int clients) {
    return Duration.ofSeconds(5);
  }

  private static Duration measured(int clients) {
    return clients >= 1_000 ? Duration.ofSeconds(30) : Duration.ofSeconds(8);
  }

  @Override
  public String sizeLabel(int n) {
    return String.format(Locale.ROOT, "%,d clients, %d rooms, %d s", n, n / PER_ROOM, measured(n).toSeconds());
  }

  @Override
  public int rounds(Mode mode, int n, int allRounds) {
    return Math.min(3, allRounds); // about a minute a round
  }

  @Override
  public int warmups(Mode mode, int n) {
    return 0; // the test warms the server up itself, before its measured window
  }

  @Override
  public String notApplicable(Contender who) {
    return who == Contender.OTP4J ? null : "the chat server is otp4j's example application; there is no peer version";
  }

  @Override
  public String description() {
    return String.format(Locale.ROOT, "The chat server of `otp-examples` (Jetty WebSockets, a `Connection` "
        + "process per socket, a `Room` process per room that stores each message in SQLite before it "
        + "broadcasts it) runs in a JVM of its own (`org.otp4j.bench.chat.ChatServerMain`: the chat "
        + "application on its own node, a fresh data folder, a free loopback port, rate and flood limits "
        + "out of the way, 1,000 PBKDF2 iterations so that sign-up takes seconds; same heap flags as the "
        + "forks, 2 GB). The fork is the load generator: N clients on the JDK's `java.net.http` WebSocket "
        + "(spread over %d `HttpClient`s), %d to a room; each signs up as its own user and joins its room "
        + "before the clock starts, then sends a message every %.1f s (%.1f msgs/s, staggered), whose text "
        + "is the `System.nanoTime()` of the send. Every member's receipt of a message, the sender's own "
        + "copy included, is a delivery; its latency is the receipt's `nanoTime` minus the send's, in this "
        + "one JVM. After a 5 s warm-up, the measured window (30 s; 8 s in the quick "
        + "run) counts deliveries and records their latencies (HdrHistogram). Reported: deliveries per "
        + "second; beside it the latency percentiles, the acknowledged sends per second, the deliveries per "
        + "send (the room size when nothing is lost), and the CPU that the server JVM and the generator "
        + "used (both share the machine's cores).", HTTP_CLIENTS, PER_ROOM, 1 / RATE, RATE);
  }

  // =====================================================================================

  /** What all clients count together. */
  static final class Stats {
    final Recorder latencyMicros = new Recorder(3);
    final LongAdder acks = new LongAdder();
    final LongAdder errors = new LongAdder();
    final LongAdder skipped = new LongAdder();
    final AtomicReference<String> firstError = new AtomicReference<>();
  }

  /** One chat client: a WebSocket, its user, its room; the setup steps, then sends on a timer. */
  static final class Client implements WebSocket.Listener {
    final String user;
    final String room;
    final Stats stats;
    private final StringBuilder partial = new StringBuilder();
    private volatile String waitingFor;
    private volatile CompletableFuture<String> waiting;
    volatile WebSocket ws;
    private String token;
    private CompletableFuture<WebSocket> lastSend = CompletableFuture.completedFuture(null);
    private long sent;

    Client(String user, String room, Stats stats) {
      this.user = user;
      this.room = room;
      this.stats = stats;
    }

    /** Connects, signs up, joins its room. */
    void setUp(HttpClient http, URI uri) throws Exception {
      CompletableFuture<String> hello = expect("hello");
      ws = http.newWebSocketBuilder().connectTimeout(SETUP_TIMEOUT).buildAsync(uri, this)
          .get(SETUP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      hello.get(SETUP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      String auth = call("authenticated",
          "{\"type\":\"signup\",\"user\":\"" + user + "\",\"password\":\"secret-" + user + "\"}");
      token = field(auth, "token");
      call("joined", "{\"type\":\"join\",\"token\":\"" + token + "\",\"room\":\"" + room + "\"}");
    }

    private CompletableFuture<String> expect(String type) {
      CompletableFuture<String> f = new CompletableFuture<>();
      waiting = f;
      waitingFor = "{\"type\":\"" + type + "\"";
      return f;
    }

    private String call(String type, String frame) throws Exception {
      CompletableFuture<String> f = expect(type);
      ws.sendText(frame, true).get(SETUP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      return f.get(SETUP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }

    /** Sends one message, stamped with the time; skipped if the previous send has not gone out yet. */
    void sendOne() {
      if (!lastSend.isDone()) {
        stats.skipped.increment();
        return;
      }
      sent++;
      lastSend = ws.sendText("{\"type\":\"send\",\"token\":\"" + token + "\",\"room\":\"" + room
          + "\",\"clientId\":\"c" + sent + "\",\"text\":\"" + System.nanoTime() + "\"}", true);
    }

    @Override
    public void onOpen(WebSocket webSocket) {
      webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      if (!last) {
        partial.append(data);
        webSocket.request(1);
        return null;
      }
      String frame;
      if (partial.isEmpty()) {
        frame = data.toString();
      } else {
        frame = partial.append(data).toString();
        partial.setLength(0);
      }
      if (frame.startsWith("{\"type\":\"message\"")) {
        long now = System.nanoTime();
        long at = Long.parseLong(field(frame, "text"));
        stats.latencyMicros.recordValue(Math.max(0, (now - at) / 1_000));
      } else if (frame.startsWith("{\"type\":\"ack\"")) {
        stats.acks.increment();
      } else if (frame.startsWith("{\"type\":\"error\"")) {
        stats.errors.increment();
        stats.firstError.compareAndSet(null, frame);
        CompletableFuture<String> w = waiting;
        if (w != null) {
          w.completeExceptionally(new IllegalStateException(user + ": " + frame));
        }
      } else {
        String w = waitingFor;
        if (w != null && frame.startsWith(w)) {
          waitingFor = null;
          waiting.complete(frame);
        }
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      stats.errors.increment();
      stats.firstError.compareAndSet(null, user + ": " + error);
      CompletableFuture<String> w = waiting;
      if (w != null) {
        w.completeExceptionally(error);
      }
    }

    void abort() {
      WebSocket s = ws;
      if (s != null) {
        s.abort();
      }
    }
  }

  /** The string value of {@code "name":"..."} in a frame (values here have no escapes). */
  static String field(String frame, String name) {
    String key = "\"" + name + "\":\"";
    int i = frame.indexOf(key);
    if (i < 0) {
      throw new IllegalStateException("no \"" + name + "\" in " + frame);
    }
    int from = i + key.length();
    return frame.substring(from, frame.indexOf('"', from));
  }

  // =====================================================================================

  @Override
  public Raw otp4j(int n) throws Exception {
    int rooms = n / PER_ROOM;
    Path dir = Files.createTempDirectory("otp4j-chat-bench");
    Process server = null;
    List<Client> clients = new ArrayList<>();
    ScheduledExecutorService timer = null;
    try {
      CompletableFuture<Integer> port = new CompletableFuture<>();
      server = startServer(dir, rooms, port);
      URI uri = URI.create("ws://127.0.0.1:" + port.get(60, TimeUnit.SECONDS) + "/ws");

      // Connect, sign up and join, 64 clients at a time, before the clock.
      Stats stats = new Stats();
      List<HttpClient> https = new ArrayList<>();
      for (int i = 0; i < HTTP_CLIENTS; i++) {
        https.add(HttpClient.newHttpClient());
      }
      for (int i = 0; i < n; i++) {
        clients.add(new Client(String.format(Locale.ROOT, "u%05d", i), ChatServerMain.roomName(i % rooms), stats));
      }
      long setupStart = System.nanoTime();
      Semaphore inFlight = new Semaphore(64);
      List<CompletableFuture<Void>> setups = new ArrayList<>();
      try (ExecutorService vts = Executors.newVirtualThreadPerTaskExecutor()) {
        for (int i = 0; i < n; i++) {
          Client c = clients.get(i);
          HttpClient http = https.get(i % HTTP_CLIENTS);
          setups.add(CompletableFuture.runAsync(() -> {
            try {
              inFlight.acquire();
              try {
                c.setUp(http, uri);
              } finally {
                inFlight.release();
              }
            } catch (Exception e) {
              throw new IllegalStateException("client " + c.user + " could not connect, sign up and join", e);
            }
          }, vts));
        }
        CompletableFuture.allOf(setups.toArray(CompletableFuture[]::new)).get(5, TimeUnit.MINUTES);
      }
      System.out.printf(Locale.ROOT, "%,d clients connected, signed up and joined %d rooms in %.1f s%n", n, rooms,
          (System.nanoTime() - setupStart) / 1e9);

      // Steady sending, each client on its own phase.
      timer = Executors.newScheduledThreadPool(2, r -> Thread.ofPlatform().daemon().name("chat-load-timer").unstarted(r));
      long period = (long) (1e9 / RATE);
      for (Client c : clients) {
        timer.scheduleAtFixedRate(c::sendOne, ThreadLocalRandom.current().nextLong(period), period,
            TimeUnit.NANOSECONDS);
      }
      Thread.sleep(warmUp(n).toMillis());

      // The measured window.
      ProcessHandle serverHandle = server.toHandle();
      stats.latencyMicros.getIntervalHistogram(); // drop the warm-up's
      long acks0 = stats.acks.sum();
      long errors0 = stats.errors.sum();
      long skipped0 = stats.skipped.sum();
      Duration serverCpu0 = cpu(serverHandle);
      Duration ownCpu0 = cpu(ProcessHandle.current());
      long t0 = System.nanoTime();
      Thread.sleep(measured(n).toMillis());
      long t = System.nanoTime() - t0;
      Histogram latency = stats.latencyMicros.getIntervalHistogram();
      long acks = stats.acks.sum() - acks0;
      long errors = stats.errors.sum() - errors0;
      long skipped = stats.skipped.sum() - skipped0;
      double seconds = t / 1e9;
      long serverCpu = cpu(serverHandle).toNanos() - serverCpu0.toNanos();
      double serverCores = serverCpu / (double) t;
      double ownCores = (cpu(ProcessHandle.current()).toNanos() - ownCpu0.toNanos()) / (double) t;
      timer.shutdownNow();

      long delivered = latency.getTotalCount();
      if (delivered == 0) {
        throw new IllegalStateException("no message was delivered in the measured window; errors: " + errors
            + ", first: " + stats.firstError.get());
      }
      Map<String, Double> details = new LinkedHashMap<>();
      details.put("delivery latency p50 (ms)", latency.getValueAtPercentile(50) / 1e3);
      details.put("delivery latency p99 (ms)", latency.getValueAtPercentile(99) / 1e3);
      details.put("delivery latency max (ms)", latency.getMaxValue() / 1e3);
      details.put("sends acknowledged per second", acks / seconds);
      details.put("deliveries per acknowledged send", acks == 0 ? 0 : (double) delivered / acks);
      details.put("sends skipped (previous send still going out)", (double) skipped);
      details.put("error frames", (double) errors);
      details.put("server JVM CPU (cores)", serverCores);
      details.put("load generator CPU (cores)", ownCores);
      System.out.printf(Locale.ROOT, "window %.1f s: %,d deliveries, %,d acks, p50 %.2f ms, p99 %.2f ms, max %.1f ms, "
              + "server %.2f cores, generator %.2f cores, %d errors%s%n", seconds, delivered, acks,
          latency.getValueAtPercentile(50) / 1e3, latency.getValueAtPercentile(99) / 1e3, latency.getMaxValue() / 1e3,
          serverCores, ownCores, errors, stats.firstError.get() == null ? "" : " (first: " + stats.firstError.get() + ")");
      return new Raw(t, delivered, details).withCpu(serverCpu, t, delivered); // the server's CPU, not the clients'
    } finally {
      if (timer != null) {
        timer.shutdownNow();
      }
      clients.forEach(Client::abort);
      if (server != null && !clients.isEmpty()) {
        Thread.sleep(1_000); // let the server see the sockets go before it stops (no shutdown races in its log)
      }
      stopServer(server);
      deleteQuietly(dir);
    }
  }

  private static Duration cpu(ProcessHandle p) {
    return p.info().totalCpuDuration().orElse(Duration.ZERO);
  }

  /** Starts the server JVM; its output is copied to ours, and its port completes {@code port}. */
  private static Process startServer(Path dir, int rooms, CompletableFuture<Integer> port) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(List.of("-Xms2g", "-Xmx2g", "-XX:+UseG1GC", "--enable-native-access=ALL-UNNAMED",
        "--add-opens", "java.base/java.lang=ALL-UNNAMED")); // the node's own scheduler
    String scheduler = System.getProperty("otp4j.scheduler"); // as the fork that runs this load was told
    if (scheduler != null) {
      cmd.add("-Dotp4j.scheduler=" + scheduler);
    }
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), ChatServerMain.class.getName(), dir.toString(),
        Integer.toString(rooms)));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    Thread.ofPlatform().daemon().name("chat-server-output").start(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          if (line.startsWith("CHAT-PORT ")) {
            port.complete(Integer.parseInt(line.substring("CHAT-PORT ".length()).trim()));
          }
          System.out.println("[chat server] " + line);
        }
      } catch (IOException e) {
        // the server is gone
      }
      port.completeExceptionally(new IllegalStateException("the chat server ended before it printed its port"));
    });
    return p;
  }

  /** Ends the server: its standard input closes, it stops its node; killed if it takes more than 20 s. */
  private static void stopServer(Process p) throws InterruptedException {
    if (p == null) {
      return;
    }
    try {
      p.getOutputStream().close();
    } catch (IOException e) {
      // it is gone already
    }
    if (!p.waitFor(20, TimeUnit.SECONDS)) {
      p.destroyForcibly(); // only the server this workload started
      p.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private static void deleteQuietly(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      // a temporary folder: left behind at worst
    }
  }

  @Override
  public Raw pekko(int n) {
    throw new UnsupportedOperationException(notApplicable(Contender.PEKKO));
  }

  @Override
  public Raw virtualThreads(int n) {
    throw new UnsupportedOperationException(notApplicable(Contender.VIRTUAL_THREADS));
  }
}
