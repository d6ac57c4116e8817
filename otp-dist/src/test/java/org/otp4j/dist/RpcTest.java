package org.otp4j.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.otp4j.dist.TestNodes.WAIT;
import static org.otp4j.dist.TestNodes.awaitConnected;
import static org.otp4j.dist.TestNodes.next;
import static org.otp4j.dist.TestNodes.spinUntil;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.otp4j.core.Down;
import org.otp4j.core.ExitMessage;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Inbox;
import org.otp4j.core.NameConflictException;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;

/**
 * rpc/erpc and remote spawn over JGroups' shared loopback: entry points by name, typed remote errors,
 * unknown entry points, noconnection instead of a hang, multicall per node, and spawn with link and
 * monitor semantics as local ones.
 */
@DisplayName("Rpc: call, cast, multicall and spawn on entry points of other nodes")
@Timeout(60)
class RpcTest {
  private final String clusterName = "rpc-" + UUID.randomUUID();
  private final TestNodes.Started nodes = new TestNodes.Started();
  private final Cluster cluster = Cluster.inJvm(clusterName).withSecret("s3cret")
      .withCodec(TermCodec.builder().allow(Ping.class).build());

  @AfterEach
  void stop() {
    nodes.close();
  }

  private Node start(String name) {
    return nodes.start(name, cluster);
  }

  /** Static entry points. */
  public static final class MathEntries {
    private MathEntries() {}

    /** {@code n * n}. */
    public static int square(int n) {
      return n * n;
    }

    /** Fails on purpose. */
    public static int divide(int a, int b) {
      return a / b;
    }
  }

  /** Entry points of node {@code b}: {@code hold} tells {@code told} and never returns. */
  private static EntryPoints entries(Pid told) {
    return EntryPoints.builder()
        .function("add", args -> (Integer) args.get(0) + (Integer) args.get(1))
        .function("fail", args -> {
          throw new IllegalStateException("no " + args.get(0));
        })
        .function("note", args -> {
          Proc.send(told, args);
          return null;
        })
        .function("hold", args -> {
          Proc.send(told, "holding");
          return Proc.receive();
        })
        .function("unencodable", args -> new Object())
        .function("crash", args -> {
          Proc.send(told, Proc.self());
          Proc.receive(m -> m.equals("go"));
          throw new IllegalStateException("crashed on purpose");
        })
        .function("await", args -> {
          Proc.send(told, Proc.self());
          return Proc.receive(m -> m.equals("stop"));
        })
        .staticMethods(MathEntries.class)
        .build();
  }

  private static final String SQUARE = MathEntries.class.getName() + "::square";

  @Test
  @DisplayName("the documented entry points and call")
  void documented() {
    Node a = start("a@host");
    Node b = start("b@host");
    awaitConnected(a, b);
    // region: entries
    EntryPoints entries = EntryPoints.builder()
        .function("add", args -> (Integer) args.get(0) + (Integer) args.get(1))
        .staticMethods(MathEntries.class)     // "org.otp4j.dist.RpcTest$MathEntries::square", ...
        .build();
    Rpc.serve(b, entries);
    // endregion: entries
    int got = a.call(() -> {
      // region: call
      int sum = (Integer) Rpc.call("b@host", "add", List.of(2, 3), Duration.ofSeconds(5));
      // endregion: call
      return sum;
    });
    assertThat(got).isEqualTo(5);
    assertThat(a.call(() -> Rpc.call("b@host", SQUARE, List.of(4), WAIT))).isEqualTo(16);
    assertThat(entries.names()).containsExactly("add", SQUARE.replace("square", "divide") + "/2", SQUARE + "/1");
  }

  @Test
  @DisplayName("call runs a function or a static method by name; errors come back typed; noproc where rpc "
      + "is not served")
  void call() {
    Node a = start("a@host");
    Node b = start("b@host");
    awaitConnected(a, b);
    try (Inbox told = b.openInbox()) {
      Rpc.serve(b, entries(told.pid()));
      assertThat(a.call(() -> Rpc.call("b@host", "add", List.of(2, 3), WAIT))).isEqualTo(5);
      assertThat(a.call(() -> Rpc.call("b@host", SQUARE, List.of(7), WAIT))).isEqualTo(49);
      assertThat(a.call(() -> Rpc.call("b@host", "note", List.of("x"), WAIT))).isNull();
      assertThat(next(told)).isEqualTo(List.of("x"));

      assertThatThrownBy(() -> a.call(() -> Rpc.call("b@host", "fail", List.of("luck"), WAIT)))
          .isInstanceOfSatisfying(RpcException.RemoteError.class, e -> {
            assertThat(e.remoteClass()).isEqualTo("java.lang.IllegalStateException");
            assertThat(e.remoteMessage()).isEqualTo("no luck");
            assertThat(e.node()).isEqualTo("b@host");
            assertThat(e.entry()).isEqualTo("fail");
          });
      assertThatThrownBy(() -> a.call(() -> Rpc.call("b@host", MathEntries.class.getName() + "::divide",
          List.of(1, 0), WAIT)))
          .isInstanceOfSatisfying(RpcException.RemoteError.class,
              e -> assertThat(e.remoteClass()).isEqualTo("java.lang.ArithmeticException"));
      assertThatThrownBy(() -> a.call(() -> Rpc.call("b@host", SQUARE, List.of("seven"), WAIT)))
          .isInstanceOfSatisfying(RpcException.RemoteError.class,
              e -> assertThat(e.remoteMessage()).contains("do not fit").contains("square"));
      assertThatThrownBy(() -> a.call(() -> Rpc.call("b@host", "unencodable", List.of(), WAIT)))
          .isInstanceOfSatisfying(RpcException.RemoteError.class,
              e -> assertThat(e.remoteClass()).endsWith("UnencodableMessageException"));

      assertThatThrownBy(() -> a.call(() -> Rpc.call("b@host", "missing", List.of(), WAIT)))
          .isInstanceOfSatisfying(RpcException.UnknownEntry.class,
              e -> assertThat(e.known()).contains("add", SQUARE + "/1"))
          .hasMessageContaining("no entry point 'missing'");
      assertThatThrownBy(() -> a.call(() -> Rpc.call("b@host", SQUARE, List.of(1, 2), WAIT)))
          .isInstanceOf(RpcException.UnknownEntry.class).hasMessageContaining("taking 2");
      assertThatThrownBy(() -> a.call(() -> Rpc.call("b@host", "java.lang.System::exit", List.of(1), WAIT)))
          .isInstanceOf(RpcException.UnknownEntry.class);

      assertThatThrownBy(() -> a.call(() -> Rpc.call("b@host", "hold", List.of(), Duration.ofMillis(200))))
          .isInstanceOfSatisfying(RpcException.NoAnswer.class,
              e -> assertThat(e.reason()).isEqualTo(ExitReason.TIMEOUT));
      assertThat(next(told)).isEqualTo("holding");
      assertThatThrownBy(() -> b.call(() -> Rpc.call("a@host", "add", List.of(1, 2), WAIT)))
          .isInstanceOfSatisfying(RpcException.NoAnswer.class,
              e -> assertThat(e.reason()).isEqualTo(ExitReason.NOPROC))
          .hasMessageContaining("Rpc.serve");
      assertThatThrownBy(() -> Rpc.serve(b, entries(told.pid())))
          .isInstanceOf(NameConflictException.class).hasMessageContaining("already serves rpc");
    }
  }

  @Test
  @DisplayName("a node that goes down mid-call fails the call with noconnection; an unconnected node at once")
  void noconnection() {
    Node a = start("a@host");
    Node b = start("b@host");
    awaitConnected(a, b);
    try (Inbox told = b.openInbox(); Inbox results = a.openInbox()) {
      Rpc.serve(b, entries(told.pid()));
      a.spawn(() -> {
        try {
          Rpc.call("b@host", "hold", List.of(), Proc.INFINITY);
        } catch (RpcException.NoAnswer e) {
          Proc.send(results.pid(), e.reason());
        }
      });
      assertThat(next(told)).isEqualTo("holding");
      nodes.stop(b);
      assertThat(next(results)).isEqualTo(ExitReason.NOCONNECTION);
    }
    assertThatThrownBy(() -> a.call(() -> Rpc.call("b@host", "add", List.of(1, 2), WAIT)))
        .isInstanceOfSatisfying(RpcException.NoAnswer.class,
            e -> assertThat(e.reason()).isEqualTo(ExitReason.NOCONNECTION));
  }

  @Test
  @DisplayName("cast runs without an answer; multicall gives each node's result in order")
  void castAndMulticall() {
    Node a = start("a@host");
    Node b = start("b@host");
    Node c = start("c@host");
    Node d = start("d@host");
    awaitConnected(a, b);
    awaitConnected(a, c);
    awaitConnected(a, d);
    try (Inbox toldB = b.openInbox(); Inbox toldC = c.openInbox()) {
      Rpc.serve(b, entries(toldB.pid()));
      Rpc.serve(c, entries(toldC.pid()));
      a.run(() -> Rpc.cast("b@host", "note", List.of("cast", 1)));
      assertThat(next(toldB)).isEqualTo(List.of("cast", 1));
      a.run(() -> Rpc.cast("b@host", "missing", List.of()));
      a.run(() -> Rpc.cast("z@host", "note", List.of()));

      List<Rpc.Result> results = a.call(() -> Rpc.multicall(List.of("b@host", "c@host", "d@host", "z@host"),
          SQUARE, List.of(3), WAIT));
      assertThat(results).hasSize(4);
      assertThat(results.get(0)).isEqualTo(new Rpc.Result.Ok("b@host", 9));
      assertThat(results.get(1)).isEqualTo(new Rpc.Result.Ok("c@host", 9));
      assertThat(results.get(2)).isInstanceOfSatisfying(Rpc.Result.Failed.class, f -> assertThat(f.error())
          .isInstanceOfSatisfying(RpcException.NoAnswer.class,
              e -> assertThat(e.reason()).isEqualTo(ExitReason.NOPROC)));
      assertThat(results.get(3)).isInstanceOfSatisfying(Rpc.Result.Failed.class, f -> assertThat(f.error())
          .isInstanceOfSatisfying(RpcException.NoAnswer.class,
              e -> assertThat(e.reason()).isEqualTo(ExitReason.NOCONNECTION)));
      List<Rpc.Result> failing = a.call(() -> Rpc.multicall(List.of("b@host", "c@host"), "fail", List.of("way"),
          WAIT));
      assertThat(failing).allSatisfy(r -> assertThat(r).isInstanceOfSatisfying(Rpc.Result.Failed.class,
          f -> assertThat(f.error()).isInstanceOf(RpcException.RemoteError.class)));
      assertThat(toldB.flush()).as("the unknown cast ran nothing").isEmpty();
      assertThatThrownBy(() -> a.call(() -> Rpc.multicall(List.of("b@host", "b@host"), SQUARE, List.of(1), WAIT)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("distinct");
    }
  }

  @Test
  @DisplayName("spawn, spawnLink and spawnMonitor on another node: the exit reaches the linker and the "
      + "monitor as a local one; unknown entry points fail; noconnection when the node goes")
  void spawn() {
    Node a = start("a@host");
    Node b = start("b@host");
    awaitConnected(a, b);
    try (CapturedLogs crashes = new CapturedLogs("org.otp4j.core.Node"); Inbox told = b.openInbox();
        Inbox results = a.openInbox()) {
      Rpc.serve(b, entries(told.pid()));
      Pid plain = a.call(() -> Rpc.spawn("b@host", "note", List.of("spawned")));
      assertThat(plain.nodeName()).isEqualTo("b@host");
      assertThat(next(told)).isEqualTo(List.of("spawned"));

      a.spawn(() -> {
        Proc.trapExits(true);
        Pid linked = Rpc.spawnLink("b@host", "crash", List.of());
        Proc.send(results.pid(), linked);
        Proc.send(results.pid(), Proc.receive(m -> m instanceof ExitMessage));
      });
      Pid linked = next(results, Pid.class);
      Pid running = next(told, Pid.class);
      assertThat(running.serial()).isEqualTo(linked.serial());
      told.send(running, "go");
      ExitMessage exit = next(results, ExitMessage.class);
      assertThat(exit.from()).isEqualTo(linked);
      assertThat(((ExitReason.Crash) exit.reason()).error()).isInstanceOf(RemoteCrash.class)
          .hasToString("java.lang.IllegalStateException: crashed on purpose");
      spinUntil(() -> !crashes.lines().isEmpty(), () -> "the crash report on b");
      assertThat(crashes.lines()).singleElement().asString().contains("crashed on purpose");

      a.spawn(() -> {
        Proc.SpawnMonitor sm = Rpc.spawnMonitor("b@host", "await", List.of());
        Proc.send(results.pid(), sm.pid());
        Proc.send(results.pid(), Proc.receive(m -> m instanceof Down d && d.ref().equals(sm.ref())));
      });
      Pid monitored = next(results, Pid.class);
      told.send(next(told, Pid.class), "stop");
      Down down = next(results, Down.class);
      assertThat(down.target()).isEqualTo(monitored);
      assertThat(down.reason()).isEqualTo(ExitReason.NORMAL);

      assertThatThrownBy(() -> a.call(() -> Rpc.spawn("b@host", "missing", List.of())))
          .isInstanceOf(RpcException.UnknownEntry.class);
      assertThatThrownBy(() -> a.call(() -> Rpc.spawnLink("b@host", "await", List.of())))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("from a process");

      // a linked process on a node that goes down: the linker gets noconnection
      a.spawn(() -> {
        Proc.trapExits(true);
        Proc.send(results.pid(), Rpc.spawnLink("b@host", "await", List.of()));
        Proc.send(results.pid(), Proc.receive(m -> m instanceof ExitMessage));
      });
      Pid awaiting = next(results, Pid.class);
      next(told, Pid.class);
      nodes.stop(b);
      assertThat(next(results, ExitMessage.class)).isEqualTo(new ExitMessage(awaiting, ExitReason.NOCONNECTION));
    }
    assertThatThrownBy(() -> a.call(() -> Rpc.spawn("b@host", "note", List.of())))
        .isInstanceOfSatisfying(RpcException.NoAnswer.class,
            e -> assertThat(e.reason()).isEqualTo(ExitReason.NOCONNECTION));
  }
}
