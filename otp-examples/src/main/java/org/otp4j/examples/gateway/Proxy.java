package org.otp4j.examples.gateway;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.CompletableResponseListener;
import org.eclipse.jetty.client.ContentResponse;
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
 * The proxy: the Jetty handler of the gateway's public port. For each request, on the virtual
 * thread Jetty runs it on: a request id, the client's token, the route (read from the routes
 * table, never from a process), then attempts: an instance from the pool's balancer, a permit from
 * its breaker, the upstream call with what is left of the route's deadline, the outcome to the
 * breaker and the balancer. Idempotent methods try another instance after a failure, as long as the
 * route's retries and the pool's retry budget allow. Every failure is answered with a JSON error
 * (see {@link #error}); none leaves the client waiting past the deadline.
 *
 * <p>The upstream call goes through the gateway's one Jetty client ({@link Gateway#http()}): sent
 * without blocking on a kept-alive connection of that upstream's pool, with what is left of the
 * route's deadline as its timeout, its answer buffered up to {@link #MAX_UPSTREAM_BODY} bytes.
 * While it waits for the upstream, it looks every 50 ms whether the client is still there; a
 * client that went away aborts the upstream request (Jetty closes that connection). HTTP/1.1
 * does not read from a connection while its request is handled, so the look is a read of the
 * connection: end of stream means the client is gone. A client that pipelines a next request on
 * the same connection meanwhile has that connection closed after this answer.
 */
final class Proxy extends Handler.Abstract {
  private static final Logger ACCESS = LoggerFactory.getLogger("org.otp4j.examples.gateway.access");
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE");
  private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-authenticate",
      "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade", "host", "content-length", "expect",
      "x-request-id");
  private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
  private static final long POLL_MS = 50;
  /** Of two routes that match, the greater is taken: the longer prefix, then the one with a host, then the lesser id. */
  private static final Comparator<GatewayConfig.Route> BEST_ROUTE = Comparator
      .<GatewayConfig.Route>comparingInt(r -> r.prefix().length()).thenComparing(r -> r.host().isPresent())
      .thenComparing(GatewayConfig.Route::id, Comparator.reverseOrder());
  private static final byte[] NO_BODY = new byte[0];
  /** The largest upstream answer passed on; a larger one is a failed attempt (502). */
  static final int MAX_UPSTREAM_BODY = 32 << 20;

  private final Gateway gateway;
  private final AtomicLong inflight = new AtomicLong();

  Proxy(Gateway gateway) {
    super(InvocationType.BLOCKING);
    this.gateway = gateway;
  }

  long inflight() {
    return inflight.get();
  }

  /** How one attempt ended. */
  private sealed interface Attempt {
    record Answered(ContentResponse response) implements Attempt {}

    record Failed(int status, String error, String message) implements Attempt {}

    record ClientGone() implements Attempt {}
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    long start = System.nanoTime();
    inflight.incrementAndGet();
    String id = Optional.ofNullable(request.getHeaders().get("X-Request-Id")).filter(s -> REQUEST_ID.matcher(s).matches())
        .orElseGet(Proxy::newRequestId);
    response.getHeaders().put("X-Request-Id", id);
    String method = request.getMethod();
    String path = request.getHttpURI().getPath();
    String client = Request.getRemoteAddr(request);
    String[] outcome = {"-", "-"}; // route, instance
    int[] attempts = {0};
    int status;
    try {
      status = gateway.node().call(() -> proxy(request, response, callback, id, method, path, client, outcome, attempts));
    } catch (RuntimeException e) {
      status = error(response, callback, id, 502, "gateway_error", "the gateway failed on this request: " + e);
    } finally {
      inflight.decrementAndGet();
    }
    long micros = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - start);
    gateway.count("gateway_requests_total{route=\"" + outcome[0] + "\",code=\"" + status + "\"}");
    gateway.count("gateway_request_duration_microseconds_sum{route=\"" + outcome[0] + "\"}", micros);
    gateway.count("gateway_request_duration_microseconds_count{route=\"" + outcome[0] + "\"}");
    if (!ACCESS.isInfoEnabled()) {
      return true;
    }
    ACCESS.atInfo().addKeyValue("requestId", id).addKeyValue("client", client).addKeyValue("method", method)
        .addKeyValue("path", path).addKeyValue("route", outcome[0]).addKeyValue("instance", outcome[1])
        .addKeyValue("attempts", attempts[0]).addKeyValue("status", status).addKeyValue("micros", micros)
        .log("id={} client={} {} {} route={} instance={} attempts={} status={} ms={}", id, client, method, path,
            outcome[0], outcome[1], attempts[0], status, micros / 1000.0);
    return true;
  }

  /** Answers the request; returns the status sent (499: the client went away first). */
  private int proxy(Request request, Response response, Callback callback, String id, String method, String path,
                    String client, String[] outcome, int[] attempts) {
    if (gateway.settings().rateLimit() > 0) {
      long wait = Limiter.take(gateway, client);
      if (wait > 0) {
        gateway.count("gateway_rate_limited_total");
        response.getHeaders().put(HttpHeader.RETRY_AFTER, Long.toString(wait));
        return error(response, callback, id, 429, "rate_limited", "too many requests from " + client
            + "; try again in " + wait + " s");
      }
    }
    long declared = request.getLength();
    int max = gateway.settings().maxBodyBytes();
    if (declared > max) {
      return error(response, callback, id, 413, "body_too_large", "the request body has " + declared
          + " bytes; the most this gateway takes is " + max);
    }
    byte[] body;
    try {
      body = hasNoBody(request, declared) ? NO_BODY : readBody(request, max);
    } catch (IOException e) {
      return error(response, callback, id, 400, "bad_body", "the request body could not be read: " + e.getMessage());
    }
    if (body.length > max) {
      return error(response, callback, id, 413, "body_too_large", "the request body has more than " + max
          + " bytes, the most this gateway takes");
    }
    String host = Request.getServerName(request);
    Optional<GatewayConfig.Route> found = route(method, host, path);
    if (found.isEmpty()) {
      return error(response, callback, id, 404, "no_route", "no route takes " + method + " " + path
          + (host == null ? "" : " on host " + host));
    }
    GatewayConfig.Route route = found.get();
    outcome[0] = route.id();
    long deadline = System.nanoTime() + route.deadline().toNanos();
    boolean idempotent = IDEMPOTENT.contains(method);
    int allowed = idempotent ? 1 + route.retries() : 1;
    Set<String> tried = new HashSet<>();
    Attempt last = null;
    boolean lookedAgain = false;
    boolean instanceGone = false; // an instance picked had left its pool: a reload may be stopping it
    ClientWatch watch = new ClientWatch(request);
    while (attempts[0] < allowed) {
      Pool.Picked picked = Pool.pick(gateway, route.pool(), tried, attempts[0] > 0);
      if (picked instanceof Pool.Picked.None(String error, String why)) {
        // The pool is stopping or gone (a reload removed it after this request read its route), or
        // restarting: read the route again, once; a reload writes its new routes before it stops a pool.
        // A pool being stopped stops its instances before its balancer, which may then still hand out
        // instances whose breakers are gone: that too is a pool going away.
        boolean poolGone = error.equals("pool_unavailable") || error.equals("no_pool") || instanceGone;
        Optional<GatewayConfig.Route> again = poolGone && !lookedAgain ? route(method, host, path) : Optional.empty();
        lookedAgain |= poolGone;
        if (again.isPresent() && !again.get().pool().equals(route.pool())) {
          route = again.get(); // a new configuration: the request starts over on it
          outcome[0] = route.id();
          allowed = idempotent ? 1 + route.retries() : 1;
          attempts[0] = 0;
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
      attempts[0]++;
      tried.add(url);
      outcome[1] = url;
      if (attempts[0] > 1) {
        gateway.count("gateway_retries_total{pool=\"" + route.pool() + "\"}");
      }
      switch (Breaker.permit(gateway, key)) {
        case YES -> { }
        case NO -> {
          Pool.done(instance);
          last = new Attempt.Failed(503, "circuit_open", "the circuit of " + url + " in pool '" + route.pool()
              + "' is open");
          continue;
        }
        case GONE -> { // left the pool since it was picked (a reload), or its breaker restarts: not an attempt
          Pool.done(instance);
          attempts[0]--;
          instanceGone = true;
          continue;
        }
      }
      Attempt a = send(route, url, request, method, path, body, id, client, deadline, watch);
      Pool.done(instance);
      switch (a) {
        case Attempt.Answered(ContentResponse r) when r.getStatus() < 500 -> {
          Breaker.outcome(key, Breaker.Verdict.SUCCESS);
          return answer(response, callback, r, watch);
        }
        case Attempt.ClientGone g -> {
          Breaker.outcome(key, Breaker.Verdict.CANCELLED);
          gateway.count("gateway_client_gone_total");
          // nobody to answer: close the connection; an EofException is one Jetty does not log
          request.getConnectionMetaData().getConnection().getEndPoint().close();
          callback.failed(new EofException("the client went away"));
          return 499;
        }
        case Attempt.Failed f when f.status() == 504 -> {
          Breaker.outcome(key, Breaker.Verdict.FAILURE);
          last = f;
          attempts[0] = allowed; // the deadline is spent: no retry
        }
        default -> {
          Breaker.outcome(key, Breaker.Verdict.FAILURE);
          last = a;
        }
      }
    }
    return switch (last) {
      case Attempt.Answered(ContentResponse r) -> answer(response, callback, r, watch);
      case Attempt.Failed(int status, String error, String message) -> error(response, callback, id, status, error, message);
      case null -> error(response, callback, id, 503, "no_instance", "no instance could take the request");
      case Attempt.ClientGone g -> 499; // not reached: returned above
    };
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

  /**
   * The request's body, up to {@code max + 1} bytes (one more than taken, to tell a body too large),
   * in buffers that grow with what arrives rather than one of the largest size.
   */
  private static byte[] readBody(Request request, int max) throws IOException {
    try (InputStream in = Content.Source.asInputStream(request)) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] chunk = new byte[8192];
      int n;
      while (out.size() <= max && (n = in.read(chunk, 0, Math.min(chunk.length, max + 1 - out.size()))) > 0) {
        out.write(chunk, 0, n);
      }
      return out.toByteArray();
    }
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

  private Attempt send(GatewayConfig.Route route, String url, Request request, String method, String path, byte[] body,
                       String id, String client, long deadline, ClientWatch watch) {
    long left = deadline - System.nanoTime();
    if (left <= 0) {
      return new Attempt.Failed(504, "deadline", "route '" + route.id() + "' has a deadline of "
          + route.deadline().toMillis() + " ms, spent before the upstream was asked");
    }
    String query = request.getHttpURI().getQuery();
    org.eclipse.jetty.client.Request up;
    try {
      up = gateway.http().newRequest(URI.create(url + route.rewritePath(path) + (query == null ? "" : "?" + query)))
          .method(method).timeout(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)), TimeUnit.MILLISECONDS);
    } catch (IllegalArgumentException e) {
      return new Attempt.Failed(400, "bad_request", "the request cannot be forwarded: " + e.getMessage());
    }
    if (body.length > 0) {
      up.body(new BytesRequestContent((String) null, body));
    }
    up.headers(h -> {
      for (HttpField f : request.getHeaders()) {
        String name = f.getLowerCaseName();
        if (!HOP_BY_HOP.contains(name) && !route.removeHeaders().contains(name)) {
          h.add(f);
        }
      }
      route.setHeaders().forEach(h::put);
      h.put("X-Request-Id", id);
      h.put("X-Forwarded-For", client);
      Optional.ofNullable(request.getHeaders().get(HttpHeader.HOST)).ifPresent(v -> h.put("X-Forwarded-Host", v));
      h.put("X-Forwarded-Proto", request.getHttpURI().getScheme() == null ? "http" : request.getHttpURI().getScheme());
    });
    CompletableFuture<ContentResponse> call = new CompletableResponseListener(up, MAX_UPSTREAM_BODY).send();
    while (true) {
      long wait = Math.min(TimeUnit.MILLISECONDS.toNanos(POLL_MS), deadline - System.nanoTime());
      if (wait <= 0) {
        up.abort(new TimeoutException("the deadline of route '" + route.id() + "' passed"));
        return new Attempt.Failed(504, "deadline", url + " did not answer within the deadline of route '" + route.id()
            + "' (" + route.deadline().toMillis() + " ms)");
      }
      try {
        return new Attempt.Answered(call.get(wait, TimeUnit.NANOSECONDS));
      } catch (TimeoutException e) {
        if (watch.gone()) {
          up.abort(new EofException("the client went away"));
          return new Attempt.ClientGone();
        }
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof TimeoutException) {
          return new Attempt.Failed(504, "deadline", url + " did not answer within the deadline of route '"
              + route.id() + "' (" + route.deadline().toMillis() + " ms)");
        }
        String what = cause instanceof ConnectException ? "could not be reached" : "failed";
        return new Attempt.Failed(502, "upstream_error", url + " " + what + ": " + cause);
      } catch (InterruptedException e) {
        up.abort(e);
        Thread.currentThread().interrupt();
        return new Attempt.ClientGone();
      }
    }
  }

  private static int answer(Response response, Callback callback, ContentResponse r, ClientWatch watch) {
    response.setStatus(r.getStatus());
    HttpFields.Mutable out = response.getHeaders();
    for (HttpField f : r.getHeaders()) {
      if (!HOP_BY_HOP.contains(f.getLowerCaseName())) {
        out.add(f);
      }
    }
    if (watch.stolePipelined()) {
      out.put(HttpHeader.CONNECTION, "close");
    }
    response.write(true, ByteBuffer.wrap(r.getContent()), callback);
    return r.getStatus();
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
