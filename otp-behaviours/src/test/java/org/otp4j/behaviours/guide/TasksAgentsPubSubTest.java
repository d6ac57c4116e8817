package org.otp4j.behaviours.guide;

import static org.assertj.core.api.Assertions.assertThat;
import static org.otp4j.behaviours.guide.GuideTestKit.await;
import static org.otp4j.behaviours.guide.GuideTestKit.expect;
import static org.otp4j.behaviours.guide.GuideTestKit.inProcess;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.otp4j.behaviours.BehaviourTestKit.CaptureReports;
import org.otp4j.behaviours.BehaviourTestKit.Reports;
import org.otp4j.behaviours.GenServer;
import org.otp4j.behaviours.Supervisor;
import org.otp4j.behaviours.task.Task;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Inbox;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;

@DisplayName("Guide, chapter 9: tasks, agents and pubsub")
@ExtendWith(CaptureReports.class)
class TasksAgentsPubSubTest {

  private static void onNode(Consumer<Inbox> test) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> test.accept(inbox));
    }
  }

  @Test
  @DisplayName("the first example: a stream of fetches keeps the pages that came back in time")
  void first(Reports reports) {
    onNode(inbox -> {
      Map<String, Integer> sizes = Fetching.firstExample(List.of("a.org", "bad:b.org", "c.org"));
      assertThat(sizes).containsOnlyKeys("<html>a.org</html>", "<html>c.org</html>");
      reports.awaitLabel("process_crash", 1);
    });
  }

  @Test
  @DisplayName("async and await from a process; yield then shutdown; the results taken apart")
  void tasks() {
    onNode(inbox -> {
      assertThat(inProcess(Fetching::asyncAwait)).isEqualTo("<html>example.org/</html>".length()
          + "<html>example.org/about</html>".length());
      assertThat(Fetching.describe(inProcess(() -> Fetching.yieldThenShutdown("ok.org"))))
          .isEqualTo("fetched 19 characters");
      assertThat(Fetching.describe(inProcess(() -> Fetching.yieldThenShutdown("slow:x"))))
          .isEqualTo("gave up: still running after 2 s");
      assertThat(Fetching.describe(Optional.of(new Task.Exit<>(ExitReason.KILLED))))
          .isEqualTo("the task ended without a page: killed");
    });
  }

  @Test
  @DisplayName("the crawler survives its tasks' crashes and keeps what each fetch gave")
  void crawler(Reports reports) {
    onNode(inbox -> {
      Pid tree = Supervisor.startLink(Supervisor.restForOne(),
          Fetching.Crawler.children().toArray(org.otp4j.behaviours.ChildSpec[]::new));
      GenServer.cast(Fetching.Crawler.NAME, new Fetching.Crawler.Msg.Crawl("a.org"));
      GenServer.cast(Fetching.Crawler.NAME, new Fetching.Crawler.Msg.Crawl("bad:b.org"));
      await().until(() -> GenServer.call(Fetching.Crawler.NAME, new Fetching.Crawler.Msg.Pages()).size() == 2);
      Map<String, String> pages = GenServer.call(Fetching.Crawler.NAME, new Fetching.Crawler.Msg.Pages());
      assertThat(pages.get("a.org")).isEqualTo("<html>a.org</html>");
      assertThat(pages.get("bad:b.org")).startsWith("failed: ").contains("cannot reach bad:b.org");
      reports.awaitLabel("process_crash", 1);
      reports.awaitLabel("supervisor_report", 1);
      Supervisor.stop(tree);
    });
  }

  @Test
  @DisplayName("the cart agent: add, read, check out in one step, supervised")
  void cart() {
    onNode(inbox -> {
      Supervisor.startLink(Supervisor.oneForOne(), Carts.childSpec());
      Carts.add("apple", 2);
      Carts.add("apple", 1);
      Carts.add("pear", 1);
      assertThat(Carts.quantity("apple")).isEqualTo(3);
      assertThat(Carts.checkOut()).isEqualTo(Map.of("apple", 3, "pear", 1));
      assertThat(Carts.quantity("apple")).isZero();
    });
  }

  @Test
  @DisplayName("notifications: every session of a user, the sender's other sessions, urgent ones to phones only")
  void notifications() {
    onNode(inbox -> {
      Pid screen = inbox.pid();
      Notifications.session("ann", "laptop", screen);
      expect(inbox, "laptop online"::equals, "the laptop session");
      Notifications.session("ann", "phone", screen);
      expect(inbox, "phone online"::equals, "the phone session");
      Pid bobLaptop = Notifications.session("bob", "bob-laptop", screen);
      expect(inbox, "bob-laptop online"::equals, "bob's session");
      Notifications.session("bob", "bob-tablet", screen);
      expect(inbox, "bob-tablet online"::equals, "bob's other session");

      Notifications.send("ann", "bob", "lunch?", bobLaptop);
      expect(inbox, "laptop: bob says lunch?"::equals, "ann's laptop");
      expect(inbox, "phone: bob says lunch?"::equals, "ann's phone");
      expect(inbox, "bob-tablet: bob says lunch?"::equals, "bob's other session");
      Notifications.urgent("ann", "server down");
      expect(inbox, "phone: URGENT server down"::equals, "ann's phone, urgently");
      assertThat(inbox.receive(java.time.Duration.ofMillis(200))).as("nothing else").isEmpty();
      assertThat(Notifications.NOTICES.subscribers(Notifications.user("ann"))).hasSize(2);
      Notifications.NOTICES.subscribers(Notifications.user("ann")).forEach(p -> Proc.exit(p, ExitReason.KILL));
      Notifications.NOTICES.subscribers(Notifications.user("bob")).forEach(p -> Proc.exit(p, ExitReason.KILL));
      await().until(() -> Notifications.NOTICES.subscribers(Notifications.user("ann")).isEmpty());
    });
  }
}
