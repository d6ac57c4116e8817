package org.otp4j.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.otp4j.behaviours.AppDescriptor;
import org.otp4j.behaviours.Application;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Node;
import org.otp4j.core.NodeConfig;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.examples.ObserverLine;

/**
 * The chat server as a program: a stop it did not ask for is a failure, said in the log and in its
 * exit status; a port that is taken is one line naming the setting to change.
 */
class ChatRunTest {
  @TempDir
  Path dir;

  AppDescriptor app(int port) {
    return ChatApp.descriptor().withEnv("port", port).withEnv("host", "127.0.0.1")
        .withEnv("dataDir", dir.toString()).withEnv("passwordIterations", 1000);
  }

  @Test
  void anApplicationThatFailsStopsTheProgramWithStatusOneAndSaysWhy() throws Exception {
    Node node = Node.start(NodeConfig.defaults().withName("chat-run-test"));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    CompletableFuture<Integer> status = new CompletableFuture<>();
    try (CrashReports reports = CrashReports.capture(null)) {
      Thread.ofPlatform().start(() -> {
        try {
          status.complete(ChatRun.serve(node, app(0), new PrintStream(out, true, StandardCharsets.UTF_8), () -> false));
        } catch (Throwable t) {
          status.completeExceptionally(t);
        }
      });
      Pid top = await().atMost(TestClient.WAIT).until(() -> out.toString(StandardCharsets.UTF_8)
          .contains("Ctrl-C stops it.") ? runningTop(node) : null, Objects::nonNull);
      ObserverLine.assertServes(out.toString(StandardCharsets.UTF_8), "chat-run-test");
      node.run(() -> Proc.exit(top, ExitReason.KILL));

      assertThat(status.get(TestClient.WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(ChatRun.FAILED);
      assertThat(out.toString(StandardCharsets.UTF_8)).contains(
          "the chat application stopped on its own: its top supervisor exited with killed", "exit status 1");
      // the log says it too, with OTP's report: the permanent application terminated, the node stops
      assertThat(reports.claimAll(kv -> "application_terminated".equals(kv.get("label"))
          && ChatApp.NAME.equals(kv.get("application")) && "killed".equals(String.valueOf(kv.get("reason")))))
          .isEqualTo(1);
      reports.claimAll(kv -> "progress".equals(kv.get("label")));
    } finally {
      node.stop();
      node.awaitTermination(TestClient.WAIT);
    }
  }

  @Test
  void aTakenPortIsOneLineThatNamesTheSetting() throws Exception {
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
      Node node = Node.start(NodeConfig.defaults().withName("chat-run-test"));
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      int status = ChatRun.serve(node, app(taken.getLocalPort()), new PrintStream(out, true, StandardCharsets.UTF_8),
          () -> false);
      assertThat(status).isEqualTo(ChatRun.NOT_STARTED);
      String printed = out.toString(StandardCharsets.UTF_8);
      assertThat(printed.lines()).hasSize(1);
      assertThat(printed).contains("cannot listen on 127.0.0.1:" + taken.getLocalPort(), "-Dotp.chat.port=",
          "-Dotp.chat.port=0 for any free port");
      assertThat(node.awaitTermination(TestClient.WAIT)).isTrue();
    }
  }

  @Test
  void theProgramsLogShowsTheReportsThatMatterAndNotTheProgress() throws Exception {
    LoggerContext context = new LoggerContext();
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    configurator.doConfigure(ChatRunTest.class.getResource("/logback.xml"));
    ch.qos.logback.classic.Logger reports = context.getLogger("org.otp4j.behaviours.Reports");
    assertThat(reports.isEnabledFor(Level.ERROR)).as("crash, supervisor and application reports").isTrue();
    assertThat(reports.isEnabledFor(Level.WARN)).isTrue();
    assertThat(reports.isEnabledFor(Level.INFO)).as("progress reports").isFalse();
    context.stop();
  }

  private static Pid runningTop(Node node) {
    Pid[] top = new Pid[1];
    node.run(() -> top[0] = Application.topSupervisor(ChatApp.NAME).orElse(null));
    return top[0];
  }
}
