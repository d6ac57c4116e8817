package org.otp4j.observer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.otp4j.behaviours.GenServer;
import org.otp4j.core.Node;
import org.otp4j.core.NodeConfig;
import org.otp4j.core.NodeReport;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.testkit.OtpExtension;
import org.otp4j.testkit.Reports;
import tools.jackson.databind.JsonNode;

/** The observer's JSON endpoints, over real HTTP, on a node running a small application. */
class ObserverTest {
  @RegisterExtension
  static final OtpExtension OTP = OtpExtension.create().withNodeConfig(Shop.NODE);

  Shop shop;
  Observer observer;
  Http http;

  @BeforeEach
  void start(Node node) {
    shop = new Shop(node);
    observer = Observer.start(node);
    http = new Http(observer);
  }

  @AfterEach
  void stop() {
    if (observer != null) {
      observer.close();
    }
    if (shop != null) {
      shop.close();
    }
  }

  static String enc(Object s) {
    return URLEncoder.encode(s.toString(), StandardCharsets.UTF_8);
  }

  static List<JsonNode> list(JsonNode array) {
    return StreamSupport.stream(array.spliterator(), false).toList();
  }

  static List<String> texts(JsonNode array, String field) {
    return list(array).stream().map(n -> n.path(field).asString()).toList();
  }

  @Test
  void listensOnLoopbackAndPrintsItsUrlWithTheToken() {
    assertThat(observer.url().toString()).startsWith("http://127.0.0.1:" + observer.port() + "/?token=")
        .endsWith(observer.token());
    assertThat(observer.token()).hasSize(48).matches("[0-9a-f]+");
    try (Observer other = Observer.start(shop.node)) {
      assertThat(other.token()).as("each observer has a token of its own").isNotEqualTo(observer.token());
    }
  }

  @Test
  void overviewAndItsHistory() {
    JsonNode o = http.get("/api/overview");
    assertThat(o.path("node").asString()).isEqualTo("shop");
    assertThat(o.path("processes").asInt()).isGreaterThanOrEqualTo(6); // controller, two supervisors, three workers, stuffed
    assertThat(o.path("latest").path("queuedMessages").asLong()).isGreaterThanOrEqualTo(Shop.STUFFED_MESSAGES);
    assertThat(o.path("jvm").path("heapMax").asLong()).isPositive();
    assertThat(o.path("reportsHooked").asBoolean()).isTrue();
    // one sample a second
    await().atMost(Http.WAIT).until(() -> http.get("/api/history").path("samples").size() >= 3);
    List<JsonNode> samples = list(http.get("/api/history").path("samples"));
    for (int i = 1; i < samples.size(); i++) {
      assertThat(samples.get(i).path("time").asLong()).isGreaterThan(samples.get(i - 1).path("time").asLong());
    }
    assertThat(samples.getLast().path("processes").asInt()).isGreaterThanOrEqualTo(6);
  }

  @Test
  void applicationsShowTheirRealSupervisionTree() {
    JsonNode apps = http.get("/api/applications").path("applications");
    JsonNode app = list(apps).stream().filter(a -> a.path("name").asString().equals("shop")).findFirst().orElseThrow();
    JsonNode top = app.path("tree");
    assertThat(top.path("supervisor").asBoolean()).isTrue();
    assertThat(texts(top.path("children"), "childId")).containsExactly("cashier", "clerk", "stock");
    JsonNode cashier = top.path("children").get(0);
    assertThat(cashier.path("pid").asString()).isEqualTo(shop.child("cashier").toString());
    assertThat(cashier.path("name").asString()).isEqualTo(Shop.CASHIER);
    JsonNode stock = top.path("children").get(2);
    assertThat(stock.path("supervisor").asBoolean()).isTrue();
    assertThat(texts(stock.path("children"), "childId")).containsExactly("shelf");
    // the process outside any tree is listed with the others
    assertThat(texts(http.get("/api/applications").path("others"), "pid")).contains(shop.stuffed.toString());
  }

  @Test
  void sortingByMailboxPutsTheFullMailboxFirst() {
    JsonNode rows = http.get("/api/processes?sort=mailbox").path("processes");
    assertThat(rows.get(0).path("pid").asString()).isEqualTo(shop.stuffed.toString());
    assertThat(rows.get(0).path("mailbox").asInt()).isEqualTo(Shop.STUFFED_MESSAGES);
    assertThat(rows.get(0).path("current").asString()).contains("receive");
    // ascending puts it last
    JsonNode asc = http.get("/api/processes?sort=mailbox&order=asc").path("processes");
    assertThat(asc.get(asc.size() - 1).path("pid").asString()).isEqualTo(shop.stuffed.toString());
    // by pid, the default: in spawn order
    List<String> pids = texts(http.get("/api/processes").path("processes"), "pid");
    List<String> sorted = new ArrayList<>(pids);
    sorted.sort((a, b) -> Long.compare(serial(a), serial(b)));
    assertThat(pids).isEqualTo(sorted);
    // a bad column is named in the refusal
    Http.Answer bad = http.getWith("/api/processes?sort=size", Map.of("X-Observer-Token", http.token()));
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.body().path("error").asString()).contains("sort must be one of").contains("got size");
  }

  @Test
  void messagesTakenAreCountedPerProcessAndASecond() {
    Pid cashier = shop.child("cashier");
    shop.node.run(() -> {
      for (int i = 0; i < 50; i++) {
        GenServer.cast(cashier, new Shop.Worker.Msg.Bump());
      }
    });
    await().atMost(Http.WAIT).until(() -> http.get("/api/state?pid=" + enc(cashier)).path("state").asString(),
        "50"::equals);
    JsonNode first = http.get("/api/processes?sort=received").path("processes").get(0);
    assertThat(first.path("pid").asString()).isEqualTo(cashier.toString());
    assertThat(first.path("received").asLong()).isGreaterThanOrEqualTo(50);
    assertThat(http.get("/api/overview").path("messagesReceived").asLong()).isGreaterThanOrEqualTo(50);
    // the sample after the casts were taken counts them in its rate
    await().atMost(Http.WAIT).until(() -> list(http.get("/api/history").path("samples")).stream()
        .anyMatch(s -> s.path("messagesPerSecond").asDouble() > 0));
  }

  static long serial(String pid) {
    return Long.parseLong(pid.split("\\.")[1]);
  }

  @Test
  void searchFindsARegisteredName() {
    JsonNode found = http.get("/api/processes?q=CASH").path("processes");
    assertThat(texts(found, "name")).containsExactly(Shop.CASHIER);
    assertThat(texts(found, "pid")).containsExactly(shop.child("cashier").toString());
    assertThat(http.get("/api/processes?q=no-such-thing").path("processes").size()).isZero();
    assertThat(http.get("/api/processes?q=" + enc(shop.stuffed)).path("processes").get(0).path("name").asString())
        .isEqualTo("stuffed");
  }

  @Test
  void aProcessPageWithItsLinksAndItsState() {
    Pid cashier = shop.child("cashier");
    Pid top = shop.node.call(() -> org.otp4j.behaviours.Application.topSupervisor("shop").orElseThrow());
    shop.node.run(() -> {
      GenServer.cast(cashier, new Shop.Worker.Msg.Bump());
      GenServer.cast(cashier, new Shop.Worker.Msg.Bump());
    });
    JsonNode p = http.get("/api/process?pid=" + enc(cashier));
    assertThat(p.path("pid").asString()).isEqualTo(cashier.toString());
    assertThat(p.path("name").asString()).isEqualTo(Shop.CASHIER);
    assertThat(list(p.path("links")).stream().map(JsonNode::asString)).contains(top.toString());
    assertThat(p.path("status").asString()).isIn("WAITING", "RUNNING");
    await().atMost(Http.WAIT).until(() -> http.get("/api/state?pid=" + enc(cashier)).path("state").asString(),
        "2"::equals);
    Http.Answer gone = http.getWith("/api/process?pid=" + enc("<0.99999.0>"), Map.of("X-Observer-Token", http.token()));
    assertThat(gone.status()).isEqualTo(404);
    assertThat(gone.body().path("error").asString()).contains("no process <0.99999.0> is alive");
  }

  @Test
  void killWithoutTheTokenIsRefusedAndTheProcessLives(Reports reports) {
    Pid clerk = shop.child("clerk");
    Http.Answer none = http.post("/api/kill", Map.of("pid", clerk.toString()), Map.of());
    assertThat(none.status()).isEqualTo(401);
    assertThat(none.body().path("error").asString()).startsWith("missing token").contains("X-Observer-Token");
    Http.Answer wrong = http.post("/api/kill", Map.of("pid", clerk.toString(), "token", "guess"), Map.of());
    assertThat(wrong.status()).isEqualTo(403);
    assertThat(wrong.body().path("error").asString()).startsWith("wrong token");
    // reads need it too
    assertThat(http.getWith("/api/processes", Map.of()).status()).isEqualTo(401);
    // a kill must be a POST
    Http.Answer viaGet = http.getWith("/api/kill?pid=" + enc(clerk), Map.of("X-Observer-Token", http.token()));
    assertThat(viaGet.status()).isEqualTo(405);
    assertThat(shop.node.call(() -> Proc.isAlive(clerk))).isTrue();
    assertThat(shop.child("clerk")).isEqualTo(clerk);
    assertThat(reports.errors()).as("no error report").isEmpty();
  }

  @Test
  void killWithTheTokenKillsAndTheSupervisorRestartsTheWorker(Reports reports) {
    Pid clerk = shop.child("clerk");
    Http.Answer killed = http.post("/api/kill", Map.of("pid", clerk.toString(), "token", http.token()), Map.of());
    assertThat(killed.status()).as("%s", killed.body()).isEqualTo(200);
    assertThat(killed.body().path("reason").asString()).isEqualTo("kill");
    reports.expectCrash(clerk);
    // the tree shows the new pid in the old one's place
    await().atMost(Http.WAIT).until(() -> {
      JsonNode top = http.get("/api/applications").path("applications").get(0).path("tree");
      String now = top.path("children").get(1).path("pid").asString();
      return !now.equals(clerk.toString()) && now.equals(shop.child("clerk").toString());
    });
    assertThat(shop.node.call(() -> Proc.isAlive(clerk))).isFalse();
    // the supervisor's report about it is in the feed
    await().atMost(Http.WAIT).until(() -> list(http.get("/api/reports").path("reports")).stream()
        .anyMatch(r -> r.path("label").asString().equals("supervisor_report")
            && r.path("fields").path("pid").asString().equals(clerk.toString())
            && r.path("fields").path("reason").asString().equals("killed")));
    assertThat(texts(http.get("/api/processes").path("processes"), "pid")).doesNotContain(clerk.toString())
        .contains(shop.child("clerk").toString());
    // by header too, with another reason: the shelf's supervisor restarts it
    Pid shelf = shop.node.call(() -> org.otp4j.behaviours.Supervisor.whichChildren(shop.child("stock")).getFirst().pid());
    Http.Answer byHeader = http.post("/api/kill", Map.of("pid", shelf.toString(), "reason", "worn_out"),
        Map.of("X-Observer-Token", http.token()));
    assertThat(byHeader.status()).isEqualTo(200);
    reports.expectCrash(shelf);
    await().atMost(Http.WAIT).until(() -> list(http.get("/api/reports").path("reports")).stream()
        .anyMatch(r -> r.path("label").asString().equals("supervisor_report")
            && r.path("fields").path("pid").asString().equals(shelf.toString())
            && r.path("fields").path("reason").asString().contains("worn_out")));
  }

  @Test
  void theReportsFeedShowsACrashReport(Reports reports) {
    Pid clerk = shop.child("clerk");
    shop.node.run(() -> GenServer.cast(clerk, new Shop.Worker.Msg.Crash("jammed till")));
    await().atMost(Http.WAIT).until(() -> list(http.get("/api/reports").path("reports")).stream()
        .anyMatch(r -> r.path("label").asString().equals("gen_server_terminate")
            && r.path("level").asString().equals("ERROR")
            && r.path("text").asString().contains("jammed till")));
    JsonNode all = http.get("/api/reports").path("reports");
    long last = all.get(all.size() - 1).path("seq").asLong();
    assertThat(http.get("/api/reports?since=" + last).path("reports").size()).isZero();
    assertThat(http.get("/api/reports?since=0").path("reports").size()).isEqualTo(all.size());
    reports.expectCrash(clerk);   // the feed handed it on to the kit
  }

  @Test
  void thePageAndItsFilesAreServedWithoutTheToken() {
    var page = http.text("/");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type")).contains("text/html; charset=utf-8");
    assertThat(page.headers().firstValue("Referrer-Policy")).contains("no-referrer");
    assertThat(page.body()).contains("<canvas id=\"chart-processes\"").contains("observer.js")
        .doesNotContain("http://").doesNotContain("https://");
    var js = http.text("/observer.js");
    assertThat(js.statusCode()).isEqualTo(200);
    assertThat(js.body()).contains("X-Observer-Token").doesNotContain("http://").doesNotContain("https://");
    assertThat(http.text("/observer.css").statusCode()).isEqualTo(200);
    assertThat(http.text("/secret.txt").statusCode()).isEqualTo(404);
  }

  @Test
  void withoutAFeedTheReportsEndpointSaysHowToHookOne() {
    // A node of its own: the test's hands its reports to the shop's feed.
    try (Node plain = Node.start(NodeConfig.defaults().withName("plain")); Observer bare = Observer.start(plain)) {
      JsonNode r = new Http(bare).get("/api/reports");
      assertThat(r.path("hooked").asBoolean()).isFalse();
      assertThat(r.path("hint").asString()).contains("withReportHandler(ObserverReports.create())");
      assertThat(new Http(bare).get("/api/overview").path("reportsHooked").asBoolean()).isFalse();
    }
  }

  @Test
  void badSettingsAreRefusedByName() {
    assertThatThrownBy(() -> ObserverConfig.defaults().withPort(70000))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("port must be 0");
    assertThatThrownBy(() -> ObserverConfig.defaults().withHistory(java.time.Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("history must be between");
    assertThatThrownBy(() -> ObserverReports.create(0, r -> {}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("capacity must be at least 1");
    assertThatThrownBy(() -> Observer.start(shop.node, ObserverConfig.defaults().withPort(observer.port())))
        .isInstanceOf(java.io.UncheckedIOException.class).hasMessageContaining("cannot listen on 127.0.0.1:"
            + observer.port());
  }

  @Test
  void theFeedKeepsItsCapacityAndNumbersItsReports() {
    List<NodeReport> handed = new ArrayList<>();
    ObserverReports feed = ObserverReports.create(2, handed::add);
    for (int i = 1; i <= 3; i++) {
      feed.accept(new NodeReport("test", System.Logger.Level.ERROR, "r" + i, Map.of("label", "x"),
          java.util.Optional.empty()));
    }
    assertThat(feed.recent()).extracting(ObserverReports.Entry::seq).containsExactly(2L, 3L);
    assertThat(feed.since(2)).extracting(e -> e.report().text()).containsExactly("r3");
    assertThat(handed).hasSize(3);
  }
}
