package org.otp4j.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.otp4j.dist.TestNodes.WAIT;
import static org.otp4j.dist.TestNodes.freePort;
import static org.otp4j.dist.TestNodes.next;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.otp4j.core.Down;
import org.otp4j.core.ExitMessage;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Inbox;
import org.otp4j.core.Name;
import org.otp4j.core.Node;
import org.otp4j.core.NodeConfig;
import org.otp4j.core.NodeDown;
import org.otp4j.core.NodeUp;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.core.Ref;

/**
 * The real thing: a node in another JVM, over TCP on the loopback interface, killed with SIGKILL
 * while messages flow. The survivor must see it go down, and every link and monitor to it fire with
 * {@code noconnection}, once.
 */
@DisplayName("Multi-JVM: a node killed with kill -9 is seen down, links and monitors fire noconnection once")
@Timeout(120)
class MultiJvmTest {
  private Process child;
  private Node parent;

  @AfterEach
  void cleanUp() {
    if (child != null) {
      child.destroyForcibly();
    }
    if (parent != null) {
      parent.close();
    }
  }


  @Test
  @DisplayName("kill -9 of a node mid-traffic: NodeDown, ExitMessage and Down with noconnection, each once")
  void killedNode() throws Exception {
    InetAddress loopback = InetAddress.getLoopbackAddress();
    int parentPort = freePort();
    int childPort = freePort();
    String clusterName = "multi-" + UUID.randomUUID();
    String secret = UUID.randomUUID().toString();
    Cluster cluster = Cluster.tcp(clusterName, new InetSocketAddress(loopback, parentPort),
            List.of(new InetSocketAddress(loopback, parentPort), new InetSocketAddress(loopback, childPort)))
        .withSecret(secret)
        .withCodec(TermCodec.builder().allow(Ping.class).build())
        .withFailureTimeout(Duration.ofSeconds(3));
    parent = Node.start("parent@localhost", NodeConfig.defaults().withTransport(cluster));

    try (Inbox inbox = parent.openInbox(); Inbox nodes = parent.openInbox()) {
      TestNodes.forwardNodeEvents(parent, nodes);

      child = startChild("child@localhost", clusterName, secret, childPort, parentPort);
      awaitReady(child);
      assertThat(next(nodes)).isEqualTo(new NodeUp("child@localhost"));

      inbox.send(Name.remote("echo", "child@localhost"), new Ping(inbox.pid(), "who"));
      Pid echo = next(inbox, Ping.class).from();
      assertThat(echo.isRemote()).isTrue();

      inbox.trapExits(true);
      inbox.link(echo);
      Ref monitor = inbox.monitor(echo);
      Pid linked = parent.spawn(() -> {
        Proc.link(echo);
        Proc.receive();
      });
      // traffic: a process pings the echo without pause until the connection is gone
      AtomicLong answered = new AtomicLong();
      Pid pinger = parent.spawn(() -> {
        Proc.trapExits(true);
        Proc.link(echo);
        while (true) {
          Proc.send(echo, new Ping(Proc.self(), "load"));
          Object m = Proc.receive();
          if (m instanceof ExitMessage) {
            return;
          }
          answered.incrementAndGet();
        }
      });
      TestNodes.spinUntil(() -> answered.get() > 100, () -> "some traffic, answered " + answered.get());

      long killedAt = System.nanoTime();
      child.destroyForcibly(); // SIGKILL: no goodbye, the sockets close
      NodeDown down = next(nodes, NodeDown.class);
      long detectedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
      assertThat(down.node()).isEqualTo("child@localhost");
      System.out.println("a node killed with SIGKILL was seen down after " + detectedMillis + " ms");
      // the direct connection closes with the JVM: down at once, not after JGroups' view (2 s: a loaded machine)
      assertThat(detectedMillis).as("detection of a killed JVM").isLessThan(2_000);
      assertThat(cluster.directFrames("parent@localhost")).as("signals sent on the direct connection")
          .isGreaterThan(100);

      List<Object> got = new ArrayList<>();
      got.add(inbox.receive(WAIT).orElseThrow());
      got.add(inbox.receive(WAIT).orElseThrow());
      assertThat(got).containsExactlyInAnyOrder(new ExitMessage(echo, ExitReason.NOCONNECTION),
          new Down(monitor, echo, ExitReason.NOCONNECTION));
      assertThat(parent.call(() -> Proc.awaitExit(linked, WAIT))).contains(ExitReason.NOCONNECTION);
      assertThat(parent.call(() -> Proc.awaitExit(pinger, WAIT))).contains(ExitReason.NORMAL);
      assertThat(parent.connectedNodes()).isEmpty();
      // once: nothing else arrives, not even after the failure detector's own bound has passed
      assertThat(inbox.receive(Duration.ofSeconds(4))).isEmpty();
      assertThat(nodes.flush()).isEmpty();
    }
  }

  static Process startChild(String name, String clusterName, String secret, int port, int seedPort)
      throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> path = new ArrayList<>();
    path.add(Path.of("target", "test-classes").toAbsolutePath().toString());
    for (String property : List.of("jdk.module.path", "java.class.path")) {
      String value = System.getProperty(property);
      if (value != null && !value.isBlank()) {
        path.add(value);
      }
    }
    ProcessBuilder pb = new ProcessBuilder(java, "-cp", String.join(File.pathSeparator, path),
        "-Dotp4j.scheduler=jdk", "-Djava.net.preferIPv4Stack=true", ChildNodeMain.class.getName(),
        name, clusterName, secret, Integer.toString(port), Integer.toString(seedPort), "parent@localhost");
    pb.redirectErrorStream(true);
    return pb.start();
  }

  static void awaitReady(Process child) throws Exception {
    CompletableFuture<String> ready = new CompletableFuture<>();
    StringBuilder output = new StringBuilder();
    Thread.ofVirtual().start(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          synchronized (output) {
            output.append(line).append('\n');
          }
          if (line.equals("READY")) {
            ready.complete(line);
          }
        }
      } catch (IOException e) {
        // the child was killed
      }
      ready.complete("EXITED");
    });
    String got = ready.get(60, TimeUnit.SECONDS);
    synchronized (output) {
      assertThat(got).as("the child's output:\n%s", output).isEqualTo("READY");
    }
  }
}
