package org.otp4j.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.otp4j.examples.Chromedriver;

/**
 * The admin page in real headless Chromium (through chromedriver's WebDriver protocol,
 * {@link Chromedriver}): it lists the routes and the instances, and follows a breaker that opens
 * while the page is open.
 *
 * <p>Needs Debian's {@code chromium} and {@code chromium-driver}; without them this test is
 * skipped, except under CI, where it fails.
 */
class AdminPageBrowserTest {
  static final Duration WAIT = GatewayServer.WAIT;

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
  void thePageShowsRoutesInstancesAndABreakerOpening() throws Exception {
    driver = Chromedriver.start(dir, WAIT);
    GatewayServer gateway = Shared.gateway();
    UpstreamProcess good = Shared.upstream("a");
    UpstreamProcess bad = Shared.upstream("b");
    gateway.configure("""
        {"routes": [{"id": "page", "prefix": "/page/", "pool": "page", "retries": 0}],
         "pools": [{"name": "page", "instances": ["%s", "%s"],
                    "breaker": {"failures": 1, "openMs": 60000}}]}
        """.formatted(good.url(), bad.url()));

    page = driver.open("admin", gateway.admin("/"));

    await().atMost(WAIT).until(() -> texts("#routes tr[data-route] td").contains("/page/"));
    await().atMost(WAIT).until(() -> breakers().equals(List.of("closed", "closed")));

    bad.fault("errorRate=1");
    // round robin: a then b; b's 500 opens its breaker (failures: 1)
    for (int i = 0; i < 2; i++) {
      gateway.get("/page/x");
    }
    await().atMost(WAIT).until(() -> breakers().equals(List.of("closed", "open")));
    assertThat(texts("#instances tr[data-instance] td:nth-child(3)")).containsExactly(good.url(), bad.url());
    await().atMost(WAIT).until(() -> texts("#rates td").stream().anyMatch(t -> t.contains("route=\"page\",code=\"200\"")));
  }

  List<String> breakers() throws IOException {
    return texts("#instances td[data-breaker]").stream().map(t -> t.replace('-', '_')).toList();
  }

  List<String> texts(String css) throws IOException {
    return page.texts(css);
  }
}
