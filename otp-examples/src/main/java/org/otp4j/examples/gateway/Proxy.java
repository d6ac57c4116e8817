package org.otp4j.examples.gateway;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.eclipse.jetty.client.BufferingResponseListener;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.EofException;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.otp4j.core.Table;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * The proxy: the Jetty handler of the gateway's public port, asynchronous end to end. Its
 * {@link #handle} starts an {@link Exchange}, the state of one request, and returns at once; the
 * exchange goes on from Jetty's callbacks and completes the request's callback when it has answered.
 * No thread waits for the client's body or for the upstream.
 *
 * <p>An exchange: a request id, the client's token, the body (read as it arrives), the route (read
 * from the routes table, never from a process), then attempts: an instance from the pool's
 * balancer, a permit from its breaker, the upstream request sent with what is left of the route's
 * deadline as its timeout; its completion tells the breaker and the balancer the outcome and
 * either answers the client or makes the next attempt. Idempotent methods try another instance
 * after a failure, as long as the route's retries and the pool's retry budget allow. Every failure
 * is answered with a JSON error (see {@link #error}); none leaves the client waiting past the
 * deadline.
 *
 * <p>The upstream request goes through the gateway's one Jetty client ({@link Gateway#http()}) on a
 * kept-alive connection of that upstream's pool, its answer buffered up to
 * {@link #MAX_UPSTREAM_BODY} bytes. While exchanges wait for their upstreams, a timer looks every
 * 50 ms whether their clients are still there; a client that went away aborts its upstream request
 * (Jetty closes that connection). HTTP/1.1 does not read from a connection while its request is
 * handled, so the look is a read of the connection: end of stream means the client is gone. A
 * client that pipelines a next request on the same connection meanwhile has that connection closed
 * after this answer.
 *
 * <p>No step waits, so the handler is {@link InvocationType#NON_BLOCKING}: Jetty runs it on the
 * thread that read the request, and each later step on the thread whose event started it (the
 * upstream client's, for a completion). Steps that read the gateway's processes (a pick, a
 * permit, an outcome) run with the gateway's node bound. The one step that would wait, asking a
 * half-open breaker for a probe slot (a call), runs on a virtual thread of its own.
 */
final class Proxy extends Handler.Abstract {
  private static final Logger ACCESS = LoggerFactory.getLogger("org.otp4j.examples.gateway.access");
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE");
  private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-authenticate",
      "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade", "host", "content-length", "expect",
      "x-request-id");
  private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
  private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
  /** Of two routes that match, the greater is taken: the longer prefix, then the one with a host, then the lesser id. */
  private static final Comparator<GatewayConfig.Route> BEST_ROUTE = Comparator
      .<GatewayConfig.Route>comparingInt(r -> r.prefix().length()).thenComparing(r -> r.host().isPresent())
      .thenComparing(GatewayConfig.Route::id, Comparator.reverseOrder());
  private static final byte[] NO_BODY = new byte[0];
  /** The largest upstream answer passed on; a larger one is a failed attempt (502). */
  static final int MAX_UPSTREAM_BODY = 32 << 20;

  private final Gateway gateway;
  private final AtomicLong inflight = new AtomicLong();
  /** The exchanges waiting for an upstream: those whose clients the timer looks at. */
  private final Set<Exchange> waiting = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean watching = new AtomicBoolean();

  Proxy(Gateway gateway) {
    super(InvocationType.NON_BLOCKING);
    this.gateway = gateway;
  }

  long inflight() {
    return inflight.get();
  }

  /** How one attempt ended. */
  private sealed interface Attempt {
    record Answered(int status, HttpFields headers, byte[] content) implements Attempt {}

    record Failed(int status, String error, String message) implements Attempt {}
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    inflight.incrementAndGet();
    Exchange exchange = new Exchange(request, response, callback);
    exchange.step(exchange::start);
    return true;
  }

  /**
   * One request, from its arrival to its answer: what it has learnt so far (route, attempts,
   * instances tried, the last failure) and the steps that move it on. Its steps never run at the
   * same time: each is started by the end of the one before (a read, a completion).
   */
  private final class Exchange {
    private final long start = System.nanoTime();
    private final Request request;
    private final Response response;
    private final Callback callback;
    private final String id;
    private final String method;
    private final String path;
    private final String client;
    private final ClientWatch watch;
    private final Set<String> tried = new HashSet<>();
    private ByteArrayOutputStream received;
    private byte[] body = NO_BODY;
    private String host;
    private GatewayConfig.Route route;
    private String routeId = "-";
    private String instanceUrl = "-";
    private long deadline;
    private int allowed;
    private int attempts;
    private Attempt last;
    private boolean lookedAgain;
    private boolean instanceGone; // an instance picked had left its pool: a reload may be stopping it
    private boolean finished;
    /** The attempt waiting for its upstream, while there is one. */
    private volatile Sent sent;
    private volatile boolean clientGone;

    Exchange(Request request, Response response, Callback callback) {
      this.request = request;
      this.response = response;
      this.callback = callback;
      this.id = Optional.ofNullable(request.getHeaders().get("X-Request-Id")).filter(s -> REQUEST_ID.matcher(s).matches())
          .orElseGet(Proxy::newRequestId);
      this.method = request.getMethod();
      this.path = request.getHttpURI().getPath();
      this.client = Request.getRemoteAddr(request);
      this.watch = new ClientWatch(request);
      response.getHeaders().put("X-Request-Id", id);
      request.addFailureListener(x -> clientLeft());
    }

    /** Runs a step with the gateway's node bound; a step that throws answers 502. */
    void step(Runnable action) {
      try {
        gateway.node().call(() -> {
          action.run();
          return null;
        });
      } catch (RuntimeException e) {
        if (!finished) {
          finish(error(response, callback, id, 502, "gateway_error", "the gateway failed on this request: " + e));
        }
      }
    }

    void start() {
      if (gateway.settings().rateLimit() > 0) {
        long wait = Limiter.take(gateway, client);
        if (wait > 0) {
          gateway.count("gateway_rate_limited_total");
          response.getHeaders().put(HttpHeader.RETRY_AFTER, Long.toString(wait));
          fail(429, "rate_limited", "too many requests from " + client + "; try again in " + wait + " s");
          return;
        }
      }
      long declared = request.getLength();
      int max = gateway.settings().maxBodyBytes();
      if (declared > max) {
        fail(413, "body_too_large", "the request body has " + declared + " bytes; the most this gateway takes is " + max);
      } else if (hasNoBody(request, declared)) {
        route();
      } else {
        received = new ByteArrayOutputStream();
        readBody();
      }
    }

    /** Reads what has arrived of the body, then asks to be called again when more arrives. */
    void readBody() {
      int max = gateway.settings().maxBodyBytes();
      while (true) {
        Content.Chunk chunk = request.read();
        if (chunk == null) {
          request.demand(() -> step(this::readBody));
          return;
        }
        if (Content.Chunk.isFailure(chunk)) {
          fail(400, "bad_body", "the request body could not be read: " + chunk.getFailure().getMessage());
          return;
        }
        ByteBuffer bytes = chunk.getByteBuffer();
        if (received.size() + bytes.remaining() > max) {
          chunk.release();
          fail(413, "body_too_large", "the request body has more than " + max + " bytes, the most this gateway takes");
          return;
        }
        byte[] copy = new byte[bytes.remaining()];
        bytes.get(copy);
        received.write(copy, 0, copy.length);
        chunk.release();
        if (chunk.isLast()) {
          body = received.toByteArray();
          received = null;
          route();
          return;
        }
      }
    }

    void route() {
      host = Request.getServerName(request);
      Optional<GatewayConfig.Route> found = Proxy.this.route(method, host, path);
      if (found.isEmpty()) {
        fail(404, "no_route", "no route takes " + method + " " + path + (host == null ? "" : " on host " + host));
        return;
      }
      takeRoute(found.get());
      deadline = System.nanoTime() + route.deadline().toNanos();
      attempt();
    }

    private void takeRoute(GatewayConfig.Route r) {
      route = r;
      routeId = r.id();
      allowed = IDEMPOTENT.contains(method) ? 1 + r.retries() : 1;
    }

    /** Makes the next attempt: picks an instance its breaker lets through and sends; or answers with the last failure. */
    void attempt() {
      while (attempts < allowed) {
        Pool.Picked picked = Pool.pick(gateway, route.pool(), tried, attempts > 0);
        if (picked instanceof Pool.Picked.None(String error, String why)) {
          // The pool is stopping or gone (a reload removed it after this request read its route), or
          // restarting: read the route again, once; a reload writes its new routes before it stops a pool.
          // A pool being stopped stops its instances before its balancer, which may then still hand out
          // instances whose breakers are gone: that too is a pool going away.
          boolean poolGone = error.equals("pool_unavailable") || error.equals("no_pool") || instanceGone;
          Optional<GatewayConfig.Route> again = poolGone && !lookedAgain ? Proxy.this.route(method, host, path)
              : Optional.empty();
          lookedAgain |= poolGone;
          if (again.isPresent() && !again.get().pool().equals(route.pool())) {
            takeRoute(again.get()); // a new configuration: the request starts over on it
            attempts = 0;
            tried.clear();
            last = null;
            continue;
          }
          if (last == null) {
            last = new Attempt.Failed(503, error, why);
          }
          break;
        }
        Pool.Picked.Instance instance = (Pool.Picked.Instance) picked;
        String url = instance.url();
        String key = Gateway.instanceKey(route.pool(), url);
        attempts++;
        tried.add(url);
        instanceUrl = url;
        if (attempts > 1) {
          gateway.count("gateway_retries_total{pool=\"" + route.pool() + "\"}");
        }
        Breaker.Permit permit = Breaker.permitNow(gateway, key);
        if (permit == Breaker.Permit.ASK) { // half-open: the breaker is asked from a thread that may wait
          Thread.ofVirtual().name("gateway-permit").start(() -> step(() -> {
            if (permitted(instance, key, Breaker.permit(gateway, key))) {
              attempt();
            }
          }));
          return;
        }
        if (!permitted(instance, key, permit)) {
          return;
        }
      }
      answerLast();
    }

    /**
     * Acts on the breaker's answer for {@code instance}: sends the attempt (false: the exchange goes
     * on from the upstream's completion), or notes why not (true: the next attempt may follow).
     */
    private boolean permitted(Pool.Picked.Instance instance, String key, Breaker.Permit permit) {
      switch (permit) {
        case YES -> {
          send(instance, key);
          return false;
        }
        case NO -> {
          Pool.done(instance);
          last = new Attempt.Failed(503, "circuit_open", "the circuit of " + instance.url() + " in pool '"
              + route.pool() + "' is open");
          return true;
        }
        case GONE -> { // left the pool since it was picked (a reload), or its breaker restarts: not an attempt
          Pool.done(instance);
          attempts--;
          instanceGone = true;
          return true;
        }
        case ASK -> throw new IllegalStateException("a breaker's permit, once asked, is yes, no or gone");
      }
      throw new IllegalStateException("unknown permit " + permit);
    }

    private void answerLast() {
      switch (last) {
        case Attempt.Answered a -> finish(answer(response, callback, a, watch));
        case Attempt.Failed(int status, String error, String message) -> fail(status, error, message);
        case null -> fail(503, "no_instance", "no instance could take the request");
      }
    }

    /** Sends the attempt to {@code instance}; its completion goes on in {@link #ended}. */
    private void send(Pool.Picked.Instance instance, String key) {
      String url = instance.url();
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        ended(instance, key, new Attempt.Failed(504, "deadline", "route '" + route.id() + "' has a deadline of "
            + route.deadline().toMillis() + " ms, spent before the upstream was asked"));
        return;
      }
      String query = request.getHttpURI().getQuery();
      org.eclipse.jetty.client.Request up;
      try {
        up = gateway.http().newRequest(URI.create(url + route.rewritePath(path) + (query == null ? "" : "?" + query)))
            .method(method).timeout(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)), TimeUnit.MILLISECONDS);
      } catch (IllegalArgumentException e) {
        ended(instance, key, new Attempt.Failed(400, "bad_request", "the request cannot be forwarded: " + e.getMessage()));
        return;
      }
      if (body.length > 0) {
        up.body(new BytesRequestContent((String) null, body));
      }
      GatewayConfig.Route r = route;
      up.headers(h -> {
        for (HttpField f : request.getHeaders()) {
          String name = f.getLowerCaseName();
          if (!HOP_BY_HOP.contains(name) && !r.removeHeaders().contains(name)) {
            h.add(f);
          }
        }
        r.setHeaders().forEach(h::put);
        h.put("X-Request-Id", id);
        h.put("X-Forwarded-For", client);
        Optional.ofNullable(request.getHeaders().get(HttpHeader.HOST)).ifPresent(v -> h.put("X-Forwarded-Host", v));
        h.put("X-Forwarded-Proto", request.getHttpURI().getScheme() == null ? "http" : request.getHttpURI().getScheme());
      });
      Sent s = new Sent(this, instance, key, up, System.nanoTime());
      sent = s;
      waitForUpstream(this);
      if (clientGone) { // left before the request was registered: the timer would not see it
        up.abort(new EofException("the client went away"));
      }
      up.send(s);
    }

    /** The upstream's completion: the answer, or why there is none. */
    void completed(Sent s, Result result) {
      waiting.remove(this);
      sent = null;
      Attempt a;
      Throwable failure = result.getFailure();
      if (failure == null) {
        a = new Attempt.Answered(result.getResponse().getStatus(), result.getResponse().getHeaders(), s.getContent());
      } else if (failure instanceof TimeoutException) {
        a = new Attempt.Failed(504, "deadline", s.instance.url() + " did not answer within the deadline of route '"
            + route.id() + "' (" + route.deadline().toMillis() + " ms)");
      } else {
        String what = failure instanceof ConnectException ? "could not be reached" : "failed";
        a = new Attempt.Failed(502, "upstream_error", s.instance.url() + " " + what + ": " + failure);
      }
      ended(s.instance, s.key, a);
    }

    /** An attempt on {@code instance} ended as {@code a}: the breaker and the balancer learn it; then answer or retry. */
    private void ended(Pool.Picked.Instance instance, String key, Attempt a) {
      Pool.done(instance);
      if (clientGone) {
        Breaker.outcome(key, Breaker.Verdict.CANCELLED);
        gateway.count("gateway_client_gone_total");
        // nobody to answer: close the connection; an EofException is one Jetty does not log
        request.getConnectionMetaData().getConnection().getEndPoint().close();
        callback.failed(new EofException("the client went away"));
        finish(499);
        return;
      }
      switch (a) {
        case Attempt.Answered r when r.status() < 500 -> {
          Breaker.outcome(key, Breaker.Verdict.SUCCESS);
          finish(answer(response, callback, r, watch));
          return;
        }
        case Attempt.Failed f when f.status() == 504 -> {
          Breaker.outcome(key, Breaker.Verdict.FAILURE);
          last = f;
          attempts = allowed; // the deadline is spent: no retry
        }
        default -> {
          Breaker.outcome(key, Breaker.Verdict.FAILURE);
          last = a;
        }
      }
      if (attempts < allowed) {
        attempt();
      } else {
        answerLast();
      }
    }

    /** The client went away (Jetty saw the connection fail, or the timer read its end): abort the upstream request. */
    void clientLeft() {
      clientGone = true;
      Sent s = sent;
      if (s != null) {
        s.up.abort(new EofException("the client went away"));
      }
    }

    private void fail(int status, String error, String message) {
      finish(error(response, callback, id, status, error, message));
    }

    /** The answer was sent (or the client is gone): counts and the access log. */
    private void finish(int status) {
      finished = true;
      inflight.decrementAndGet();
      long micros = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - start);
      gateway.count("gateway_requests_total{route=\"" + routeId + "\",code=\"" + status + "\"}");
      gateway.count("gateway_request_duration_microseconds_sum{route=\"" + routeId + "\"}", micros);
      gateway.count("gateway_request_duration_microseconds_count{route=\"" + routeId + "\"}");
      if (ACCESS.isInfoEnabled()) {
        ACCESS.atInfo().addKeyValue("requestId", id).addKeyValue("client", client).addKeyValue("method", method)
            .addKeyValue("path", path).addKeyValue("route", routeId).addKeyValue("instance", instanceUrl)
            .addKeyValue("attempts", attempts).addKeyValue("status", status).addKeyValue("micros", micros)
            .log("id={} client={} {} {} route={} instance={} attempts={} status={} ms={}", id, client, method, path,
                routeId, instanceUrl, attempts, status, micros / 1000.0);
      }
    }
  }

  /** One attempt sent upstream: buffers the answer and hands its completion to its exchange. */
  private static final class Sent extends BufferingResponseListener {
    final Exchange exchange;
    final Pool.Picked.Instance instance;
    final String key;
    final org.eclipse.jetty.client.Request up;
    final long sentAt;

    Sent(Exchange exchange, Pool.Picked.Instance instance, String key, org.eclipse.jetty.client.Request up, long sentAt) {
      super(MAX_UPSTREAM_BODY);
      this.exchange = exchange;
      this.instance = instance;
      this.key = key;
      this.up = up;
      this.sentAt = sentAt;
    }

    @Override
    public void onComplete(Result result) {
      exchange.step(() -> exchange.completed(this, result));
    }
  }

  /** Puts {@code exchange} among those the timer watches, and starts the timer if it is not running. */
  private void waitForUpstream(Exchange exchange) {
    waiting.add(exchange);
    if (watching.compareAndSet(false, true)) {
      scheduleWatch();
    }
  }

  private void scheduleWatch() {
    try {
      gateway.http().getScheduler().schedule(this::watchClients, POLL_NANOS, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      watching.set(false); // the client is stopping: its requests fail on their own
    }
  }

  /**
   * The timer: looks whether the clients of the exchanges that have waited a poll's time are still
   * there; runs again while any exchange waits.
   */
  private void watchClients() {
    long now = System.nanoTime();
    for (Exchange e : waiting) {
      Sent s = e.sent;
      if (s != null && now - s.sentAt >= POLL_NANOS && e.watch.gone()) {
        waiting.remove(e);
        e.clientLeft();
      }
    }
    watching.set(false);
    if (!waiting.isEmpty() && watching.compareAndSet(false, true)) {
      scheduleWatch();
    }
  }

  /**
   * Whether a request has no body, without reading it: HTTP/1.1 (the proxy's one protocol) sends a
   * body only with a {@code Content-Length} or a {@code Transfer-Encoding}.
   */
  private static boolean hasNoBody(Request request, long declared) {
    return declared == 0 || (declared < 0 && !request.getHeaders().contains(HttpHeader.TRANSFER_ENCODING));
  }

  /**
   * A new request id: a random (version 4) UUID from the thread's own generator. An id names a
   * request in the logs and headers and needs no secrecy; the JDK's {@link UUID#randomUUID()} draws
   * from a shared secure generator, a lock and a digest per request.
   */
  static String newRequestId() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long msb = (random.nextLong() & ~0xF000L) | 0x4000L;
    long lsb = (random.nextLong() & ~(0xC000000000000000L)) | 0x8000000000000000L;
    return new UUID(msb, lsb).toString();
  }

  /** The route for a request: of those that match, the one with the longest prefix. */
  private Optional<GatewayConfig.Route> route(String method, String host, String path) {
    Optional<Table<String, GatewayConfig.Route>> routes = gateway.table(Gateway.ROUTES);
    if (routes.isEmpty()) {
      return Optional.empty();
    }
    GatewayConfig.Route best = null;
    for (Table.Entry<String, GatewayConfig.Route> e : routes.get()) {
      GatewayConfig.Route r = e.value();
      if (r.matches(method, host, path) && (best == null || BEST_ROUTE.compare(r, best) > 0)) {
        best = r;
      }
    }
    return Optional.ofNullable(best);
  }

  private static int answer(Response response, Callback callback, Attempt.Answered r, ClientWatch watch) {
    response.setStatus(r.status());
    HttpFields.Mutable out = response.getHeaders();
    for (HttpField f : r.headers()) {
      if (HOP_BY_HOP.contains(f.getLowerCaseName())) {
        continue;
      }
      if (f.getHeader() == HttpHeader.DATE || f.getHeader() == HttpHeader.SERVER) {
        out.put(f); // the upstream's, in place of the one the front put in already: a response has one
      } else {
        out.add(f);
      }
    }
    if (watch.stolePipelined()) {
      out.put(HttpHeader.CONNECTION, "close");
    }
    response.write(true, ByteBuffer.wrap(r.content()), callback);
    return r.status();
  }

  /**
   * Answers with a JSON error {@code {"error": CODE, "message": TEXT, "requestId": ID}}: 404 no
   * route, 413 body too large, 429 rate limited, 502 the upstream failed, 503 no instance can take
   * it (circuit open, unhealthy, pool restarting), 504 the deadline passed.
   */
  static int error(Response response, Callback callback, String id, int status, String error, String message) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("error", error);
    body.put("message", message);
    body.put("requestId", id);
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
    response.write(true, ByteBuffer.wrap(JSON.writeValueAsBytes(body)), callback);
    return status;
  }

  /** Whether the client of a request has gone away, by reading its connection (see the class comment). */
  static final class ClientWatch {
    private final EndPoint endPoint;
    private final AtomicBoolean gone = new AtomicBoolean();
    private volatile boolean pipelined;

    ClientWatch(Request request) {
      this.endPoint = request.getConnectionMetaData().getConnection().getEndPoint();
      request.addFailureListener(x -> gone.set(true));
    }

    boolean gone() {
      if (gone.get() || pipelined) {
        return gone.get();
      }
      if (!endPoint.isOpen()) {
        gone.set(true);
        return true;
      }
      try {
        ByteBuffer one = BufferUtil.allocate(1);
        int n = endPoint.fill(one);
        if (n < 0) {
          gone.set(true);
        } else if (n > 0) {
          pipelined = true;
        }
      } catch (IOException e) {
        gone.set(true);
      }
      return gone.get();
    }

    boolean stolePipelined() {
      return pipelined;
    }
  }
}
