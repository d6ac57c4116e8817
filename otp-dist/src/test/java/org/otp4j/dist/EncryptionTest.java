package org.otp4j.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.otp4j.dist.TestNodes.awaitConnected;
import static org.otp4j.dist.TestNodes.freePort;
import static org.otp4j.dist.TestNodes.next;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.otp4j.core.Inbox;
import org.otp4j.core.Name;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;

/** A cluster over TCP whose traffic is encrypted with a key derived from its secret. */
@DisplayName("Encrypted clusters: nodes with the secret talk; a node without encryption is not let in")
@Timeout(120)
class EncryptionTest {
  private final String clusterName = "enc-" + UUID.randomUUID();
  private final TestNodes.Started nodes = new TestNodes.Started();

  @AfterEach
  void stop() {
    nodes.close();
  }

  private Cluster tcp(int port, int seedPort) {
    InetAddress host = InetAddress.getLoopbackAddress();
    return Cluster.tcp(clusterName, new InetSocketAddress(host, port), List.of(new InetSocketAddress(host, seedPort)))
        .withSecret("let me in").withJoinTimeout(Duration.ofMillis(500))
        .withCodec(TermCodec.builder().allow(Ping.class).build());
  }

  private Cluster encrypted(int port, int seedPort) {
    InetAddress host = InetAddress.getLoopbackAddress();
    // region: encrypted
    Cluster cluster = Cluster.tcp(clusterName, new InetSocketAddress(host, port),
            List.of(new InetSocketAddress(host, seedPort)))
        .withSecret("let me in")
        .withEncryption();
    // endregion: encrypted
    return cluster.withJoinTimeout(Duration.ofMillis(500)).withCodec(TermCodec.builder().allow(Ping.class).build());
  }

  @Test
  @DisplayName("two encrypted nodes connect; messages and replies travel between them")
  void encryptedNodesTalk() throws IOException {
    int first = freePort();
    int second = freePort();
    Cluster clusterOfA = encrypted(first, first);
    Node a = nodes.start("a@host", clusterOfA);
    Node b = nodes.start("b@host", encrypted(second, first));
    awaitConnected(a, b);
    Pid echo = b.spawn(Ping::echo);
    b.run(() -> Proc.register("echo", echo));
    try (Inbox inbox = a.openInbox()) {
      for (int i = 0; i < 100; i++) {
        inbox.send(Name.remote("echo", "b@host"), new Ping(inbox.pid(), "secret text " + i));
      }
      for (int i = 0; i < 100; i++) {
        assertThat(next(inbox, Ping.class).text()).isEqualTo("secret text " + i);
      }
    }
    // an encrypted cluster keeps every signal on JGroups' encrypted path: nothing on a direct connection
    assertThat(clusterOfA.directFrames("a@host")).isZero();
    assertThat(clusterOfA.directAddress("a@host")).isNull();
  }

  @Test
  @DisplayName("a node with the secret but without encryption cannot join an encrypted cluster")
  void plainNodeIsNotLetIn() throws IOException {
    int first = freePort();
    int second = freePort();
    int third = freePort();
    try (CapturedLogs dropped = new CapturedLogs("org.jgroups.protocols.SYM_ENCRYPT")) {
      Node a = nodes.start("a@host", encrypted(first, first));
      Node plain = nodes.start("plain@host", tcp(second, first));
      // its join was never answered: it started a cluster of its own, which the encrypted one cannot read
      assertThat(plain.connectedNodes()).isEmpty();
      assertThat(a.connectedNodes()).doesNotContain("plain@host");
      assertThat(dropped.lines()).isNotEmpty().allSatisfy(line -> assertThat(line)
          .contains("received message without encrypt header from plain@host; dropping it"));
      // the encrypted cluster still takes nodes that encrypt, and they do not see the plain one
      Node b = nodes.start("b@host", encrypted(third, first));
      awaitConnected(a, b);
      assertThat(b.connectedNodes()).containsExactly("a@host");
      assertThat(plain.connectedNodes()).isEmpty();
      nodes.stop(plain);
    }
  }
}
