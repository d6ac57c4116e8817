package org.otp4j.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks the observer line an example prints ({@link Observed#serve}): the page at its URL, the
 * node's overview with the token that URL carries, and the Prometheus metrics, all answering for the
 * example's node.
 */
public final class ObserverLine {
  private ObserverLine() {}

  static final Pattern LINE = Pattern.compile("observer: (http://\\S+/\\?token=(\\w+))\\s+metrics \\(Prometheus\\): (\\S+)");
  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  /** Asserts that {@code printed} has an observer line whose URLs serve node {@code nodeName}. */
  public static void assertServes(String printed, String nodeName) throws IOException, InterruptedException {
    Matcher m = LINE.matcher(printed);
    assertThat(m.find()).as("an observer line in: %s", printed).isTrue();
    URI page = URI.create(m.group(1));
    HttpResponse<String> html = get(HttpRequest.newBuilder(page));
    assertThat(html.statusCode()).isEqualTo(200);
    assertThat(html.body()).containsIgnoringCase("<html");
    HttpResponse<String> overview = get(HttpRequest.newBuilder(page.resolve("/api/overview"))
        .header("X-Observer-Token", m.group(2)));
    assertThat(overview.statusCode()).as(overview.body()).isEqualTo(200);
    assertThat(overview.body()).contains("\"node\"", nodeName);
    assertThat(get(HttpRequest.newBuilder(page.resolve("/api/overview"))).statusCode())
        .as("the API without the token").isEqualTo(401);
    HttpResponse<String> metrics = get(HttpRequest.newBuilder(URI.create(m.group(3))));
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.body()).contains("otp_processes{node=\"" + nodeName + "\"}");
  }

  private static HttpResponse<String> get(HttpRequest.Builder request) throws IOException, InterruptedException {
    return HTTP.send(request.timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }
}
