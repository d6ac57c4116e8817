package org.otp4j.examples.iot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.otp4j.examples.Chromedriver;
import org.otp4j.examples.QuietReports;
import org.otp4j.examples.iot.sim.Simulator;
import org.otp4j.examples.iot.sim.SimulatorConfig;

/**
 * The dashboard page in real headless Chromium ({@link Chromedriver}), with the platform, a broker
 * and simulated devices: the page shows the devices (online, and their processes per node) and a
 * messages-per-second rate that rises from nothing; an alert raised while the page is open comes
 * into its feed through the event stream, without a reload; a device opened shows its detail and
 * its last readings; its "set interval" button sends it a command, and the command's ack then
 * shows on the page. Last, the platform stops with the page's event stream still open: the stream
 * ends and the stop is clean, without waiting for the browser to leave.
 *
 * <p>Every check reads the page afresh (a query in the page), and a click finds its element again
 * if the page replaced it, since the page redraws itself every few seconds. Needs Debian's {@code chromium} and {@code chromium-driver}; without them this
 * test is skipped, except under CI, where it fails.
 */
class DashboardBrowserTest {
  static final Duration WAIT = Duration.ofSeconds(40);

  @TempDir
  Path dir;
  Chromedriver driver;
  Chromedriver.Browser page;

  @AfterEach
  void stop() {
    if (page != null) {
      page.quit();
    }
    if (driver != null) {
      driver.close();
    }
  }

  @Test
  void thePageShowsDevicesRateLiveAlertsADeviceAndACommandsAck() throws Exception {
    driver = Chromedriver.start(dir, WAIT);
    try (IotServer s = IotServer.start(dir, Map.of("commandTimeout", Duration.ofSeconds(10)))) {
      page = driver.open("dashboard", URI.create("http://127.0.0.1:" + s.on(Dashboard::port) + "/"));
      // before any device: nothing online, no rate, this node without device processes
      await().atMost(WAIT).until(() -> texts("#nodes tr[data-node]").size() == 1);
      assertThat(texts("#online")).containsExactly("0");
      assertThat(texts("#rate")).containsExactly("0");
      await().atMost(WAIT).until(() -> texts("#stream-state").equals(List.of("(live)")));
      page.script("window.notReloaded = true;");

      try (Simulator sim = Simulator.start(SimulatorConfig.of(s.broker.host(), s.broker.port(), 3)
              .withSummaryEvery(Duration.ZERO).withInterval(Duration.ofMillis(200)).withFaultRate(0));
          Devices hot = new Devices(s.broker, "hot-device")) {
        await().atMost(WAIT).until(() -> texts("#online").equals(List.of("3")) && texts("#total").equals(List.of("3")));
        await().atMost(WAIT).until(() -> Double.parseDouble(texts("#rate").getFirst()) > 0);
        String nodeName = s.node.name();
        await().atMost(WAIT).until(() -> texts("#nodes tr[data-node='" + nodeName + "'] td")
            .equals(List.of(nodeName, "3")));

        // an alert raised now comes in through the event stream
        long t0 = System.currentTimeMillis();
        hot.reading("d-000050", "g-05", 1, t0, 20, 80);
        hot.reading("d-000050", "g-05", 2, t0 + 1000, 75, 80);
        hot.flush();
        await().atMost(WAIT).until(() -> texts("#alerts li").stream()
            .anyMatch(a -> a.contains(" d-000050 TEMPERATURE_HIGH: d-000050 is at 75.0 °C")));

        // open a device: its detail and its last readings
        page.script("document.getElementById('device-id').value = '';");
        page.type("#device-id", "d-000002");
        page.click("#pick button");
        await().atMost(WAIT).until(() -> texts("#d-id").equals(List.of("d-000002"))
            && texts("#d-online").equals(List.of("online")) && texts("#d-history tr").size() >= 3);
        assertThat(texts("#d-group").getFirst()).matches("g-[0-9]{2}");
        List<Long> seqs = texts("#d-history tr td:first-child").stream().map(Long::parseLong).toList();
        assertThat(seqs).as("newest first").isSortedAccordingTo((a, b) -> Long.compare(b, a));

        // the button sends a command; its ack shows
        page.script("document.getElementById('interval-ms').value = '';");
        page.type("#interval-ms", "350");
        page.click("#cmd-config");
        await().atMost(WAIT).until(() -> texts("#command-status").getFirst()
            .matches("set_config c-\\S+: done \\(interval_ms=350\\), attempts 1"));
        await().atMost(WAIT).until(() -> texts("#d-interval").equals(List.of("350")));
        await().atMost(WAIT).until(() -> texts("#d-commands tr").stream()
            .anyMatch(r -> r.contains("set_config") && r.contains("done") && r.contains("interval_ms=350")));
        String commandId = texts("#command-status").getFirst().split(" ")[1].replace(":", "");
        assertThat(s.on(() -> s.iot.db().command(commandId)).orElseThrow().state()).isEqualTo("done");

        assertThat(page.script("return window.notReloaded === true;").asBoolean()).as("the page was not reloaded")
            .isTrue();
      }

      // the platform stops while the page's event stream is open: the stream ends, the stop is clean
      try (QuietReports reports = new QuietReports()) {
        s.stopNode();
        assertThat(reports.unexpected()).as("reports while stopping").isEmpty();
      }
      await().atMost(WAIT).until(() -> texts("#stream-state").equals(List.of("(reconnecting)")));
    }
  }

  List<String> texts(String css) throws IOException {
    return page.texts(css);
  }
}
