package org.otp4j.observer;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The tests' client of an observer: requests with or without its token, answers as JSON. */
final class Http {
  static final JsonMapper JSON = JsonMapper.builder().build();
  static final Duration WAIT = Duration.ofSeconds(30);

  /** An answer: its status and its JSON body. */
  record Answer(int status, JsonNode body, HttpResponse<String> response) {}

  private final HttpClient client = HttpClient.newHttpClient();
  private final URI base;
  private final String token;

  Http(Observer observer) {
    this.base = observer.base();
    this.token = observer.token();
  }

  /** GET {@code path} with the token; fails unless the answer is 200. */
  JsonNode get(String path) {
    Answer a = send(HttpRequest.newBuilder(base.resolve(path)).header("X-Observer-Token", token).GET());
    if (a.status() != 200) {
      throw new AssertionError("GET " + path + " answered " + a.status() + ": " + a.body());
    }
    return a.body();
  }

  /** GET {@code path} with {@code headers} only. */
  Answer getWith(String path, Map<String, String> headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).GET();
    headers.forEach(b::header);
    return send(b);
  }

  /** POST {@code form} to {@code path} as form fields, with {@code headers}. */
  Answer post(String path, Map<String, String> form, Map<String, String> headers) {
    String body = form.entrySet().stream()
        .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
            + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&"));
    HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    headers.forEach(b::header);
    return send(b);
  }

  /** GET {@code path} as text (the page's files). */
  HttpResponse<String> text(String path) {
    return send(HttpRequest.newBuilder(base.resolve(path)).GET()).response();
  }

  String token() {
    return token;
  }

  private Answer send(HttpRequest.Builder request) {
    try {
      HttpResponse<String> r = client.send(request.timeout(WAIT).build(), HttpResponse.BodyHandlers.ofString());
      boolean json = r.headers().firstValue("Content-Type").orElse("").startsWith("application/json");
      return new Answer(r.statusCode(), json ? JSON.readTree(r.body()) : null, r);
    } catch (IOException e) {
      throw new AssertionError("request failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }
}
