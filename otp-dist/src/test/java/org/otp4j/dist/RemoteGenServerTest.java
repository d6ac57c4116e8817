package org.otp4j.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.otp4j.dist.TestNodes.WAIT;
import static org.otp4j.dist.TestNodes.awaitConnected;
import static org.otp4j.dist.TestNodes.next;
import static org.otp4j.dist.TestNodes.spinUntil;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.otp4j.behaviours.GenServer;
import org.otp4j.behaviours.GenStatem;
import org.otp4j.core.Call;
import org.otp4j.core.CallException;
import org.otp4j.core.ExitReason;
import org.otp4j.core.From;
import org.otp4j.core.Inbox;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.core.ServerRef;
import org.otp4j.core.Name;
import org.otp4j.core.dist.UnencodableMessageException;

/**
 * GenServer and GenStatem calls and casts to servers of another node, by pid and by
 * {@code {Name, Node}} (OTP-SEMANTICS G8-G10, G14), over JGroups' shared loopback with the real codec.
 */
@DisplayName("GenServer/GenStatem across nodes: call and cast by pid and by {Name, Node}")
@Timeout(60)
class RemoteGenServerTest {
  private final String clusterName = "gen-" + UUID.randomUUID();
  private final TestNodes.Started nodes = new TestNodes.Started();
  private final Cluster cluster = Cluster.inJvm(clusterName).withSecret("s3cret")
      .withCodec(TermCodec.builder().allow(Counter.Msg.Get.class, Counter.Msg.Bump.class, Counter.Msg.Hold.class,
          Counter.Msg.Crash.class, Door.Msg.Unlock.class, Ping.class).build());

  @AfterEach
  void stop() {
    nodes.close();
  }

  private Node start(String name) {
    return nodes.start(name, cluster);
  }

  /** A counter; {@code Hold} tells its pid to a process and never replies. */
  public static final class Counter extends GenServer<Integer, Counter.Msg> {
    /** Its protocol. */
    public sealed interface Msg {
      /** The count. */
      record Get() implements Msg, Call<Integer> {}

      /** Adds to the count (a call), or as a cast. */
      record Bump(int by) implements Msg, Call<Integer> {}

      /** Tells {@code told} and never replies. */
      record Hold(Pid told) implements Msg, Call<Integer> {}

      /** Crashes the server. */
      record Crash(String why) implements Msg, Call<Integer> {}
    }

    @Override
    protected Init<Integer> init() {
      return Init.ok(0);
    }

    @Override
    protected CallResult<Integer> handleCall(Msg msg, From from, Integer n) {
      return switch (msg) {
        case Msg.Get get -> reply(get, n, n);
        case Msg.Bump bump -> reply(bump, n + bump.by(), n + bump.by());
        case Msg.Hold(Pid told) -> {
          Proc.send(told, "holding");
          yield noReply(n);
        }
        case Msg.Crash(String why) -> throw new IllegalStateException(why);
      };
    }

    @Override
    protected CastResult<Integer> handleCast(Msg msg, Integer n) {
      return msg instanceof Msg.Bump(int by) ? noReply(n + by) : noReply(n);
    }
  }

  /** A door that opens with a code. */
  public static final class Door extends GenStatem<Boolean, String, Door.Msg> {
    /** Its protocol. */
    public sealed interface Msg {
      /** Tries a code; the answer says whether the door is open. */
      record Unlock(String code) implements Msg, Call<Boolean> {}
    }

    @Override
    protected Init<Boolean, String> init() {
      return Init.ok(false, "1234");
    }

    @Override
    protected Result<Boolean, String> handleEvent(Event<Msg> event, Boolean open, String code) {
      return switch (event) {
        case Event.Call(From from, Msg.Unlock u) -> {
          boolean opens = open || u.code().equals(code);
          yield nextState(opens, code, Action.reply(from, u, opens));
        }
        default -> keepStateAndData();
      };
    }
  }

  @Test
  @DisplayName("G8/G14: call and cast a server of another node by pid and by {Name, Node}; typed replies")
  void callAndCast() {
    Node a = start("a@host");
    Node b = start("b@host");
    awaitConnected(a, b);
    ServerRef<Counter.Msg> local = b.call(() -> GenServer.start(ServerRef.local("counter"), new Counter()));
    ServerRef<Counter.Msg> counter = ServerRef.remote("counter", "b@host");
    int after = a.call(() -> {
      int count = GenServer.call(counter, new Counter.Msg.Bump(2));   // counter = ServerRef.remote("counter", "b@host")
      GenServer.cast(counter, new Counter.Msg.Bump(40));
      return count;
    });
    assertThat(after).isEqualTo(2);
    Pid pid = remotePid(a, b, b.call(local::pid));
    assertThat(pid.isRemote()).isTrue();
    assertThat(a.call(() -> GenServer.call(ServerRef.<Counter.Msg>of(pid), new Counter.Msg.Get()))).isEqualTo(42);
    a.run(() -> GenServer.cast(ServerRef.remote("counter", "b@host"), new Counter.Msg.Bump(1)));
    assertThat(a.call(() -> GenServer.call(counter, new Counter.Msg.Get()))).isEqualTo(43);
    // a cast to a name that is not registered there, or to a node that is not connected, never fails
    a.run(() -> GenServer.cast(ServerRef.<Counter.Msg>remote("nobody", "b@host"), new Counter.Msg.Bump(1)));
    a.run(() -> GenServer.cast(ServerRef.<Counter.Msg>remote("counter", "z@host"), new Counter.Msg.Bump(1)));

    ServerRef<Door.Msg> door = b.call(() -> GenStatem.start(ServerRef.local("door"), new Door()));
    ServerRef<Door.Msg> remoteDoor = ServerRef.remote("door", "b@host");
    assertThat(a.call(() -> GenStatem.call(remoteDoor, new Door.Msg.Unlock("0000")))).isFalse();
    assertThat(a.call(() -> GenStatem.call(remoteDoor, new Door.Msg.Unlock("1234")))).isTrue();
    assertThat(b.call(() -> GenStatem.call(door, new Door.Msg.Unlock("x")))).isTrue();
  }

  /** {@code pid}, a process of {@code b}, as {@code a} knows it once it has travelled there. */
  static Pid remotePid(Node a, Node b, Pid pid) {
    String name = "teller-" + UUID.randomUUID();
    Pid teller = b.spawn(() -> {
      Ping ping = (Ping) Proc.receive(m -> m instanceof Ping);
      Proc.send(ping.from(), new Ping(pid, "pid"));
    });
    b.run(() -> Proc.register(name, teller));
    try (Inbox inbox = a.openInbox()) {
      inbox.send(Name.remote(name, b.name()), new Ping(inbox.pid(), "who"));
      return next(inbox, Ping.class).from();
    }
  }

  @Test
  @DisplayName("G9: noproc for a name not registered there, the server's crash typed, noconnection mid-call, "
      + "never a hang")
  void failures() {
    Node a = start("a@host");
    Node b = start("b@host");
    awaitConnected(a, b);
    b.run(() -> GenServer.start(ServerRef.local("counter"), new Counter()));
    ServerRef<Counter.Msg> counter = ServerRef.remote("counter", "b@host");
    assertThatThrownBy(() -> a.call(() -> GenServer.call(ServerRef.<Counter.Msg>remote("nobody", "b@host"),
        new Counter.Msg.Get())))
        .isInstanceOf(CallException.class)
        .satisfies(e -> assertThat(((CallException) e).reason()).isEqualTo(ExitReason.NOPROC));
    try (CapturedLogs crashes = new CapturedLogs("org.otp4j.behaviours.Reports")) {
      assertThatThrownBy(() -> a.call(() -> GenServer.call(counter, new Counter.Msg.Crash("bad count"))))
          .isInstanceOf(CallException.class)
          .hasMessageContaining("Crash")
          .satisfies(e -> {
            ExitReason.Crash crash = (ExitReason.Crash) ((CallException) e).reason();
            assertThat(crash.error()).isInstanceOf(RemoteCrash.class)
                .hasToString("java.lang.IllegalStateException: bad count");
          });
      spinUntil(() -> !crashes.lines().isEmpty(), () -> "the crash report on b");
      assertThat(crashes.lines()).singleElement().asString().contains("bad count");
    }
    b.run(() -> GenServer.start(ServerRef.local("counter"), new Counter()));
    try (Inbox told = b.openInbox(); Inbox results = a.openInbox()) {
      Pid told2 = told.pid();
      a.spawn(() -> {
        try {
          GenServer.call(counter, new Counter.Msg.Hold(told2), Proc.INFINITY);
        } catch (CallException e) {
          Proc.send(results.pid(), e.reason());
        }
      });
      assertThat(next(told)).isEqualTo("holding");
      nodes.stop(b);
      assertThat(next(results)).isEqualTo(ExitReason.NOCONNECTION);
    }
    assertThatThrownBy(() -> a.call(() -> GenServer.call(counter, new Counter.Msg.Get())))
        .isInstanceOf(CallException.class)
        .satisfies(e -> assertThat(((CallException) e).reason()).isEqualTo(ExitReason.NOCONNECTION));
  }

  @Test
  @DisplayName("G16: multiCall gives each node's reply and the bad nodes; abcast reaches every node's server")
  void multiCallAndAbcast() {
    Node a = start("a@host");
    Node b = start("b@host");
    Node c = start("c@host");
    Node d = start("d@host");
    for (Node other : List.of(b, c, d)) {
      awaitConnected(a, other);
    }
    for (Node n : List.of(a, b, c)) {
      n.run(() -> GenServer.start(ServerRef.local("counter"), new Counter()));
    }
    List<String> all = List.of("a@host", "b@host", "c@host", "d@host", "z@host");
    a.run(() -> GenServer.abcast(all, ServerRef.local("counter"), new Counter.Msg.Bump(5)));
    GenServer.MultiCallResult<Integer> counts = a.call(() -> GenServer.multiCall(all, ServerRef.local("counter"),
        new Counter.Msg.Get(), Duration.ofSeconds(5)));
    assertThat(counts.replies()).containsExactly(Map.entry("a@host", 5), Map.entry("b@host", 5),
        Map.entry("c@host", 5));
    assertThat(counts.badNodes()).containsExactly("d@host", "z@host");

    try (Inbox told = c.openInbox()) {
      Pid toldPid = told.pid();
      GenServer.MultiCallResult<Integer> slow = a.call(() -> GenServer.multiCall(List.of("b@host", "c@host"),
          ServerRef.local("counter"), new Counter.Msg.Hold(toldPid), Duration.ofMillis(300)));
      assertThat(slow.replies()).isEmpty();
      assertThat(slow.badNodes()).containsExactly("b@host", "c@host");
      assertThat(next(told)).isEqualTo("holding");
    }
    assertThatThrownBy(() -> a.call(() -> GenServer.multiCall(List.of("b@host"),
        ServerRef.<Counter.Msg>remote("counter", "b@host"), new Counter.Msg.Get(), WAIT)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ServerRef.local");
  }

  /** Not allowed by the cluster's codec. */
  public record Unlisted(int n) {}

  @Test
  @DisplayName("a request whose record is not allowed fails at the caller, naming the record and how to allow it")
  void notAllowed() {
    Node a = start("a@host");
    Node b = start("b@host");
    awaitConnected(a, b);
    b.run(() -> GenServer.start(ServerRef.local("counter"), new Counter()));
    assertThatThrownBy(() -> a.call(() -> GenServer.call(Name.remote("counter", "b@host"), new Unlisted(1))))
        .isInstanceOf(UnencodableMessageException.class)
        .hasMessageContaining(Unlisted.class.getName()).hasMessageContaining("allow(");
  }
}
