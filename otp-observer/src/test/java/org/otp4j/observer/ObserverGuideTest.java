package org.otp4j.observer;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.otp4j.core.Node;
import org.otp4j.core.NodeConfig;
import org.otp4j.core.NodeReport;
import org.otp4j.testkit.OtpExtension;

/** The examples of the observer's guide chapter and Javadoc, compiled and run. */
@ExtendWith(OtpExtension.class)
class ObserverGuideTest {

  @Test
  void startsOnANode(Node node) {
    // region: start
    try (Observer observer = Observer.start(node)) {
      URI page = observer.url();   // http://127.0.0.1:PORT/?token=..., printed once at start
      assertThat(page.getHost()).isEqualTo("127.0.0.1");
    }
    // endregion: start
  }

  // The next two examples start their own node: giving it the feed as its report handler is what
  // they show, and the extension's node hands its reports to the kit.
  @Test
  void hooksTheReportsWhenTheNodeStarts() throws Exception {
    // region: hook
    ObserverReports feed = ObserverReports.create();
    Node node = Node.start(NodeConfig.defaults().withReportHandler(feed));
    Observer observer = Observer.start(node);   // finds the feed in the node's configuration
    // endregion: hook
    try (node; observer) {
      HttpClient http = HttpClient.newHttpClient();
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(observer.base().resolve("/api/overview"))
          .header("X-Observer-Token", observer.token()).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.body()).contains("\"reportsHooked\":true");
    }
  }

  @Test
  void configured() throws Exception {
    List<NodeReport> captured = new CopyOnWriteArrayList<>();
    // region: config
    ObserverReports feed = ObserverReports.create(1000, captured::add);  // keeps 1000, hands each on
    Node node = Node.start(NodeConfig.defaults().withName("billing").withReportHandler(feed));
    ObserverConfig config = ObserverConfig.defaults()
        .withPort(0)                          // 0: any free port; the URL says which
        .withHistory(Duration.ofMinutes(10))  // ten minutes of one-second samples
        .withReports(feed);
    Observer observer = Observer.start(node, config);
    // endregion: config
    try (node; observer) {
      node.spawn(() -> {
        throw new IllegalStateException("out of paper");
      });
      // region: api
      HttpClient http = HttpClient.newHttpClient();
      HttpRequest request = HttpRequest.newBuilder(observer.base().resolve("/api/reports?since=0"))
          .header("X-Observer-Token", observer.token())
          .build();
      String json = http.send(request, HttpResponse.BodyHandlers.ofString()).body();
      // {"hooked":true,"reports":[{"seq":1,"time":"...","level":"ERROR","label":"process_crash",...}]}
      // endregion: api
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30))
          .until(() -> !feed.recent().isEmpty());
      json = http.send(request, HttpResponse.BodyHandlers.ofString()).body();
      assertThat(json).contains("\"label\":\"process_crash\"").contains("out of paper");
      assertThat(captured).anyMatch(r -> r.text().contains("out of paper"));
    }
  }
}
