package org.otp4j.examples.ledger;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.otp4j.core.Node;
import org.otp4j.core.ServerRef;
import org.otp4j.examples.JettyProcess;
import org.otp4j.examples.ledger.Rows.Hold;
import org.otp4j.examples.ledger.Rows.Transfer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The HTTP endpoint: the Jetty server, owned by a {@link JettyProcess} (started in its init, stopped
 * in its terminate). Every request body is JSON; every refusal is a JSON error with a stable code, and a
 * refused request writes nothing.
 *
 * <pre>
 * POST /accounts                     {"id":"alice","currency":"EUR","overdraft":0}      201 account
 * GET  /accounts/ID                                                                     200 account
 * POST /accounts/ID/freeze|unfreeze|close                                               200 account
 * POST /accounts/ID/deposit|withdraw {"amount":500}                   Idempotency-Key 200 | 422 movement
 * POST /transfers                    {"from":"a","to":"b","amount":250}  Idempotency-Key 200 | 422 movement
 * GET  /transfers?account=ID&amp;limit=N                                                 200 newest first
 * GET  /transfers/ID                                                                    200 movement
 * POST /holds     {"account":"a","merchant":"shop","amount":900,"ttlSeconds":600}  Idempotency-Key 201 | 422 hold
 * GET  /holds/ID                                                                        200 hold
 * POST /holds/ID/capture             {"amount":700} (default: all)   Idempotency-Key 200 movement
 * POST /holds/ID/void                                                Idempotency-Key 200 hold
 * GET  /audit                        the auditor's last verdict (JSON); GET / the same as a page
 * </pre>
 *
 * <p>Every request that moves or holds money needs an {@code Idempotency-Key} header chosen by its
 * client (400 {@code missing_idempotency_key} without one, before anything is read or written): the
 * same key with the same body returns the original outcome, and moves nothing again; the same key
 * with another body is 409 {@code idempotency_conflict}. Keys are one namespace for all of them.
 */
final class HttpEndpoint {
  private static final Logger LOG = LoggerFactory.getLogger(HttpEndpoint.class);
  private static final JsonMapper JSON = JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();
  /** How long a transfer request waits for its outcome before it answers 503 {@code pending}. */
  private static final Duration TRANSFER_WAIT = Duration.ofSeconds(10);

  private HttpEndpoint() {}

  static ServerRef<JettyProcess.Request> startLink(Ledger ledger) {
    return JettyProcess.startLink(Ledger.WEB, "ledger-http-lifecycle", node -> {
      QueuedThreadPool threads = new QueuedThreadPool(64, 4);
      threads.setName("ledger-http");
      Server s = new Server(threads);
      s.setStopTimeout(2000);
      ServerConnector connector = new ServerConnector(s);
      connector.setHost(ledger.config().host());
      connector.setPort(ledger.config().port());
      s.addConnector(connector);
      s.setHandler(new Api(ledger, node));
      s.start();
      LOG.info("ledger HTTP endpoint listening on {}:{}", ledger.config().host(),
          JettyProcess.boundPorts(s).getFirst());
      return s;
    });
  }

  /** The port the server listens on (useful when configured as 0). */
  static int port() {
    return JettyProcess.ports(Ledger.WEB).getFirst();
  }

  // =====================================================================================
  // the API

  /** Routes a request, answers it in JSON. Runs on Jetty's threads, which call processes as plain threads. */
  static final class Api extends Handler.Abstract {
    private final Ledger ledger;
    private final Node node;

    Api(Ledger ledger, Node node) {
      this.ledger = ledger;
      this.node = node;
    }

    /** An answer: its status and its JSON body. */
    private record Answer(int status, JsonNode body) {}

    /** The most of a refused body read through so that the connection can stay open (see {@link #drain}). */
    static final long DRAIN_LIMIT = 1 << 20;

    /** A request attribute: the connection closes after the answer (a refused body left unread). */
    private static final String CLOSE = "ledger.close";

    @Override
    public boolean handle(org.eclipse.jetty.server.Request request, Response response, Callback callback) {
      String path = org.eclipse.jetty.server.Request.getPathInContext(request);
      String method = request.getMethod();
      if (method.equals("GET") && (path.equals("/") || path.equals("/audit.html"))) {
        byte[] page = on(() -> auditPage(Auditor.last())).getBytes(StandardCharsets.UTF_8);
        write(response, callback, 200, "text/html; charset=utf-8", page);
        return true;
      }
      Answer answer;
      try {
        answer = on(() -> route(request, method, path.split("/", -1)));
      } catch (LedgerError e) {
        answer = error(e);
      } catch (RuntimeException e) {
        LOG.warn("{} {} failed", method, path, e);
        answer = error(LedgerError.unavailable("the request failed (" + e.getMessage() + "); retry"));
      }
      if (Boolean.TRUE.equals(request.getAttribute(CLOSE))) {
        // Part of a refused body is still unread: the connection closes after this answer, and the
        // client must not send its next request on it.
        response.getHeaders().put(HttpHeader.CONNECTION, "close");
      }
      write(response, callback, answer.status(), "application/json", JSON.writeValueAsBytes(answer.body()));
      return true;
    }

    private Answer route(org.eclipse.jetty.server.Request request, String method, String[] p) {
      // p[0] is "" (the path starts with '/')
      String top = p.length > 1 ? p[1] : "";
      return switch (top) {
        case "audit" -> {
          requireMethod(method, "GET", p.length == 2);
          yield new Answer(200, JSON.valueToTree(Auditor.last()));
        }
        case "accounts" -> accounts(request, method, p);
        case "transfers" -> transfers(request, method, p);
        case "holds" -> holds(request, method, p);
        default -> throw LedgerError.notFound("not_found", "no such resource: " + String.join("/", p)
            + " (see the API: /accounts, /transfers, /holds, /audit)");
      };
    }

    private Answer accounts(org.eclipse.jetty.server.Request request, String method, String[] p) {
      if (p.length == 2) {
        requireMethod(method, "POST", true);
        JsonNode body = body(request, Set.of("id", "currency", "overdraft"));
        String id = Amounts.accountId(body, "id");
        String currency = Amounts.text(body, "currency", "a currency code such as EUR");
        if (!Amounts.CURRENCY.matcher(currency).matches()) {
          throw LedgerError.badRequest("invalid_currency", "'currency' must be three capital letters (ISO 4217, "
              + "e.g. EUR); got '" + currency + "'");
        }
        long overdraft = body.has("overdraft") ? overdraft(body) : 0;
        return new Answer(201, account(Writer.submit(LedgerStore.openAccount(id, currency, overdraft))));
      }
      String id = Amounts.accountId(p[2], "the account in the path");
      if (p.length == 3) {
        requireMethod(method, "GET", true);
        return new Answer(200, account(existing(id)));
      }
      requireMethod(method, "POST", p.length == 4);
      return switch (p[3]) {
        case "freeze" -> status(request, id, Rows.FROZEN);
        case "unfreeze" -> status(request, id, Rows.OPEN);
        case "close" -> status(request, id, Rows.CLOSED);
        case "deposit", "withdraw" -> {
          boolean withdraw = p[3].equals("withdraw");
          String key = key(request, withdraw ? "withdrawal" : "deposit");
          JsonNode body = body(request, Set.of("amount"));
          long amount = Amounts.amount(body, "amount");
          Transfer t = Account.ask(ledger, id, new Account.Request.Cash(withdraw, key,
              Amounts.hash(p[3], id, Long.toString(amount)), amount));
          yield outcome(t);
        }
        default -> throw LedgerError.notFound("not_found", "accounts have freeze, unfreeze, close, deposit and "
            + "withdraw; not '" + p[3] + "'");
      };
    }

    private Answer status(org.eclipse.jetty.server.Request request, String id, String status) {
      body(request, Set.of());
      return new Answer(200, account(Account.ask(ledger, id, new Account.Request.SetStatus(status))));
    }

    private Answer transfers(org.eclipse.jetty.server.Request request, String method, String[] p) {
      if (p.length == 2 && method.equals("GET")) {
        var q = org.eclipse.jetty.server.Request.extractQueryParameters(request);
        String account = q.getValue("account");
        if (account != null) {
          existing(Amounts.accountId(account, "?account="));
        }
        int limit = 50;
        if (q.getValue("limit") != null) {
          try {
            limit = Integer.parseInt(q.getValue("limit"));
          } catch (NumberFormatException e) {
            limit = -1;
          }
          if (limit < 1 || limit > 1000) {
            throw LedgerError.badRequest("invalid_limit", "?limit= is a whole number from 1 to 1000; got '"
                + q.getValue("limit") + "'");
          }
        }
        ObjectNode out = JSON.createObjectNode();
        var list = out.putArray("transfers");
        ledger.store().recentTransfers(account, limit).forEach(t -> list.add(transfer(t)));
        return new Answer(200, out);
      }
      if (p.length == 3 && method.equals("GET")) {
        long id = number(p[2], "transfer");
        return new Answer(200, transfer(ledger.store().transfer(id).orElseThrow(() -> LedgerError.notFound(
            "unknown_transfer", "there is no transfer " + id))));
      }
      requireMethod(method, "POST", p.length == 2);
      String key = key(request, "transfer");
      JsonNode body = body(request, Set.of("from", "to", "amount", "currency"));
      String from = Amounts.accountId(body, "from");
      String to = Amounts.accountId(body, "to");
      long amount = Amounts.amount(body, "amount");
      String hash = Amounts.hash("transfer", from, to, Long.toString(amount),
          body.has("currency") ? body.get("currency").asString() : "");
      // one work in the writer: a retry gets the original outcome (without validating again what may
      // have changed since), a new transfer is checked and, in the common case, completed in one commit
      Transfer t = Writer.submit(LedgerStore.transferNow(key, hash, from, to, amount,
          body.has("currency") ? body.get("currency").asString() : null));
      if (!t.state().terminal()) {
        TransferWorkflow.ensureStarted(ledger, t.id());
        t = TransferWorkflow.awaitOutcome(ledger, t.id(), TRANSFER_WAIT);
      }
      return outcome(t);
    }

    private Answer holds(org.eclipse.jetty.server.Request request, String method, String[] p) {
      if (p.length == 2) {
        requireMethod(method, "POST", true);
        String key = key(request, "card authorization");
        JsonNode body = body(request, Set.of("account", "merchant", "amount", "ttlSeconds"));
        String account = Amounts.accountId(body, "account");
        String merchant = Amounts.accountId(body, "merchant");
        long amount = Amounts.amount(body, "amount");
        Duration ttl = ledger.config().holdTtl();
        if (body.has("ttlSeconds")) {
          JsonNode n = body.get("ttlSeconds");
          if (!n.isIntegralNumber() || !n.canConvertToInt() || n.intValue() < 1 || n.intValue() > 30 * 86_400) {
            throw LedgerError.badRequest("invalid_ttl", "'ttlSeconds' is a whole number of seconds from 1 to "
                + 30 * 86_400 + "; got " + n);
          }
          ttl = Duration.ofSeconds(n.intValue());
        }
        long expiresAt = System.currentTimeMillis() + ttl.toMillis();
        Hold h = Account.ask(ledger, account, new Account.Request.Authorize(key, Amounts.hash("hold", account,
            merchant, Long.toString(amount), Long.toString(ttl.toSeconds())), merchant, amount, expiresAt));
        if (h.status().equals("declined")) {
          ObjectNode out = JSON.createObjectNode();
          out.put("error", "insufficient_funds");
          out.put("message", "authorization " + h.id() + " was declined: account '" + account + "' could not spend "
              + h.amount() + " when it was asked (a retry with this Idempotency-Key gets the same answer)");
          out.set("hold", hold(h));
          return new Answer(422, out);
        }
        CardHold.ensureStarted(ledger, h.id());
        return new Answer(201, hold(h));
      }
      long id = number(p[2], "hold");
      if (p.length == 3) {
        requireMethod(method, "GET", true);
        return new Answer(200, hold(ledger.store().hold(id).filter(h -> h.kind().equals("card")).orElseThrow(() ->
            LedgerError.notFound("unknown_hold", "there is no card authorization " + id))));
      }
      requireMethod(method, "POST", p.length == 4);
      return switch (p[3]) {
        case "capture" -> {
          String key = key(request, "capture");
          JsonNode body = body(request, Set.of("amount"));
          OptionalLong amount = body.has("amount") ? OptionalLong.of(Amounts.amount(body, "amount"))
              : OptionalLong.empty();
          String hash = Amounts.hash("capture", Long.toString(id),
              amount.isPresent() ? Long.toString(amount.getAsLong()) : "all");
          yield new Answer(200, transfer((Transfer) CardHold.ask(ledger, id, new CardHold.Msg.Capture(key, hash,
              amount))));
        }
        case "void" -> {
          String key = key(request, "void");
          body(request, Set.of());
          yield new Answer(200, hold((Hold) CardHold.ask(ledger, id, new CardHold.Msg.Void(key,
              Amounts.hash("void", Long.toString(id))))));
        }
        default -> throw LedgerError.notFound("not_found", "holds have capture and void; not '" + p[3] + "'");
      };
    }

    private Answer outcome(Transfer t) {
      if (t.state() == Rows.TransferState.COMPLETED) {
        return new Answer(200, transfer(t));
      }
      ObjectNode out = JSON.createObjectNode();
      out.put("error", t.outcome());
      out.put("message", t.detail());
      out.set("transfer", transfer(t));
      return new Answer(422, out);
    }

    /** The request's idempotency key, which a money-moving {@code operation} must carry. */
    private static String key(org.eclipse.jetty.server.Request request, String operation) {
      return Amounts.key(request.getHeaders().get(Amounts.KEY_HEADER), operation);
    }

    private Rows.Account existing(String id) {
      return ledger.store().account(id).filter(a -> !a.id().startsWith("world:"))
          .orElseThrow(() -> LedgerError.notFound("unknown_account", "there is no account '" + id + "'"));
    }

    private static long overdraft(JsonNode body) {
      JsonNode n = body.get("overdraft");
      if (!n.isIntegralNumber() || !n.canConvertToLong() || n.longValue() < 0 || n.longValue() > Amounts.MAX_AMOUNT) {
        throw LedgerError.badRequest("invalid_overdraft", "'overdraft' is how far below zero the balance may go: an "
            + "integer from 0 to " + Amounts.MAX_AMOUNT + " minor units; got " + n);
      }
      return n.longValue();
    }

    private static long number(String text, String what) {
      try {
        return Long.parseLong(text);
      } catch (NumberFormatException e) {
        throw LedgerError.badRequest("invalid_id", "a " + what + " id is a whole number; got '" + text + "'");
      }
    }

    private static void requireMethod(String method, String expected, boolean pathOk) {
      if (!pathOk) {
        throw LedgerError.notFound("not_found", "no such resource");
      }
      if (!method.equals(expected)) {
        throw new LedgerError(405, "method_not_allowed", "use " + expected + " here, not " + method);
      }
    }

    /** The request's JSON object, at most maxBodyBytes, with no field but {@code allowed}. */
    private JsonNode body(org.eclipse.jetty.server.Request request, Set<String> allowed) {
      int max = ledger.config().maxBodyBytes();
      long declared = request.getLength();
      byte[] bytes;
      try (InputStream in = Content.Source.asInputStream(request)) {
        if (declared > max) {
          drain(in, declared, request);
          throw new LedgerError(413, "too_large", "the body has " + declared + " bytes; at most " + max);
        }
        bytes = in.readNBytes(max + 1);
        if (bytes.length > max) {
          drain(in, -1, request);
          throw new LedgerError(413, "too_large", "the body has more than " + max + " bytes");
        }
      } catch (IOException e) {
        throw LedgerError.badRequest("malformed_json", "the body could not be read: " + e.getMessage());
      }
      if (bytes.length == 0) {
        return JSON.createObjectNode(); // no body: no fields (those required are reported missing)
      }
      JsonNode body;
      try {
        body = JSON.readTree(bytes);
      } catch (JacksonException e) {
        throw LedgerError.badRequest("malformed_json", "the body is not JSON: " + e.getOriginalMessage());
      }
      if (body == null || !body.isObject()) {
        throw LedgerError.badRequest("malformed_json", "the body must be a JSON object, e.g. {\"amount\":100}");
      }
      for (String field : body.propertyNames()) {
        if (!allowed.contains(field)) {
          throw LedgerError.badRequest("unknown_field", "unknown field '" + field + "'; accepted here: "
              + (allowed.isEmpty() ? "none" : String.join(", ", allowed.stream().sorted().toList())));
        }
      }
      return body;
    }

    private <T> T on(Supplier<T> code) {
      AtomicReference<T> out = new AtomicReference<>();
      node.run(() -> out.set(code.get()));
      return out.get();
    }

    /**
     * Reads and drops the rest of a refused body ({@code declared} bytes in all, -1 if not said), up
     * to {@value #DRAIN_LIMIT} bytes, before the refusal is sent, as a server's "lingering close"
     * does: a connection closed on unread data is reset, and a client still sending the body may
     * then lose the answer too. A body larger than that is left unread and the connection closes
     * after the answer ({@link #CLOSE}).
     */
    private static void drain(InputStream in, long declared, org.eclipse.jetty.server.Request request)
        throws IOException {
      if (declared > DRAIN_LIMIT) {
        request.setAttribute(CLOSE, Boolean.TRUE);
        return;
      }
      byte[] buffer = new byte[8192];
      long left = DRAIN_LIMIT;
      int n;
      while (left > 0 && (n = in.read(buffer, 0, (int) Math.min(buffer.length, left))) >= 0) {
        left -= n;
      }
      if (left <= 0) {
        request.setAttribute(CLOSE, Boolean.TRUE);
      }
    }

    private static Answer error(LedgerError e) {
      ObjectNode out = JSON.createObjectNode();
      out.put("error", e.code());
      out.put("message", e.getMessage());
      e.fields().forEach(out::put);
      return new Answer(e.status(), out);
    }

    static ObjectNode account(Rows.Account a) {
      ObjectNode n = JSON.createObjectNode();
      n.put("id", a.id());
      n.put("currency", a.currency());
      n.put("status", a.status());
      n.put("balance", a.balance());
      n.put("reserved", a.reserved());
      n.put("available", a.available());
      n.put("overdraft", a.overdraft());
      return n;
    }

    static ObjectNode transfer(Transfer t) {
      ObjectNode n = JSON.createObjectNode();
      n.put("id", t.id());
      n.put("key", t.key());
      n.put("kind", t.kind());
      n.put("from", t.from());
      n.put("to", t.to());
      n.put("amount", t.amount());
      n.put("currency", t.currency());
      n.put("state", t.state().name());
      n.put("outcome", t.outcome());
      if (t.detail() != null) {
        n.put("detail", t.detail());
      }
      n.put("createdAt", Instant.ofEpochMilli(t.createdAt()).toString());
      return n;
    }

    static ObjectNode hold(Hold h) {
      ObjectNode n = JSON.createObjectNode();
      n.put("id", h.id());
      n.put("account", h.account());
      n.put("merchant", h.merchant());
      n.put("amount", h.amount());
      n.put("status", h.status());
      n.put("captured", h.captured());
      n.put("expiresAt", Instant.ofEpochMilli(h.expiresAt()).toString());
      return n;
    }

    private static String auditPage(Auditor.Verdict v) {
      StringBuilder sb = new StringBuilder();
      sb.append("<!doctype html><html><head><meta charset=\"utf-8\"><meta http-equiv=\"refresh\" content=\"2\">")
          .append("<title>ledger audit</title><style>body{font-family:sans-serif;margin:2em}")
          .append(".ok{color:#0a0}.bad{color:#c00}td{padding:2px 12px}</style></head><body>")
          .append("<h1>Ledger audit: <span class=\"").append(v.ok() ? "ok\">all invariants hold" : "bad\">VIOLATED")
          .append("</span></h1><table>")
          .append("<tr><td>checked at</td><td>").append(v.checkedAt() == 0 ? "not yet" : Instant.ofEpochMilli(
              v.checkedAt())).append("</td></tr>")
          .append("<tr><td>audits run</td><td>").append(v.audits()).append("</td></tr>")
          .append("<tr><td>accounts</td><td>").append(v.accounts()).append("</td></tr>")
          .append("<tr><td>movements</td><td>").append(v.transfers()).append("</td></tr>")
          .append("<tr><td>journal entries</td><td>").append(v.entries()).append("</td></tr>")
          .append("<tr><td>transfers under way</td><td>").append(v.unfinished()).append("</td></tr></table>");
      if (!v.ok()) {
        sb.append("<h2>Violations</h2><ul>");
        for (String line : v.violations()) {
          sb.append("<li>").append(escape(line)).append("</li>");
        }
        sb.append("</ul>");
      }
      sb.append("<p>Checked: the journal balances (each currency, each movement), balances and reserved sums match ")
          .append("the entries and holds, balances add up to deposits less withdrawals, no balance below its limit. ")
          .append("JSON: <a href=\"/audit\">/audit</a>.</p></body></html>\n");
      return sb.toString();
    }

    private static String escape(String s) {
      return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private static void write(Response response, Callback callback, int status, String contentType, byte[] body) {
      response.setStatus(status);
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
      response.write(true, ByteBuffer.wrap(body), callback);
    }
  }
}
