package org.otp4j.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.otp4j.core.TestSupport.WAIT;
import static org.otp4j.core.TestSupport.exitReason;
import static org.otp4j.core.TestSupport.next;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Typed addresses: ServerRef and Call")
class TypedProtocolTest {

  // region: protocol
  sealed interface Msg {
    record Get() implements Msg, Call<Integer> {}
    record Bump(int by) implements Msg, Call<Integer> {}
    record Reset() implements Msg {}   // cast only: no reply
  }
  // endregion: protocol

  /** A tiny server on the core primitive, answering Get with its count. */
  private static void counter(Pid test) {
    int n = 0;
    while (true) {
      Object m = Proc.receive();
      switch (m) {
        case Msg.Bump(int by) -> n += by;
        case Msg.Reset r -> n = 0;
        case Msg.Get g -> Proc.send(test, n);
        default -> Proc.send(test, "unexpected " + m);
      }
    }
  }

  @Test
  @DisplayName("a typed ref sends its protocol's messages; the ref by name reaches the same process")
  void typedSend() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid me = inbox.pid();
      Pid pid = node.spawn(() -> counter(me));
      node.run(() -> {
        Proc.register("counter", pid);
        // region: refs
        ServerRef<Msg> byName = ServerRef.local("counter");   // a typed name, for start and call
        ServerRef<Msg> byPid = ServerRef.of(pid);              // an untyped pid, typed by its holder
        // endregion: refs
        Proc.send(byPid, new Msg.Bump(2));
        Proc.send(byName, new Msg.Bump(3));
        Proc.send(byName, new Msg.Get());
        assertThat(next(inbox)).isEqualTo(5);
        assertThat(byName.pid()).isEqualTo(pid);
        assertThat(byPid.pid()).isEqualTo(pid);
        assertThat(byName.name()).contains(Name.local("counter"));
        assertThat(byPid.name()).isEmpty();
        // Proc.send(byPid, "not a Msg");   // does not compile: a ServerRef<Msg> takes Msgs only
      });
    }
  }

  @Test
  @DisplayName("refs are equal when they address the same pid or name, and print as it")
  void equality() {
    try (Node node = Node.start()) {
      Pid pid = node.spawn(TestSupport::idle);
      assertThat(ServerRef.<Msg>of(pid)).isEqualTo(ServerRef.of(pid)).hasSameHashCodeAs(ServerRef.of(pid));
      assertThat(ServerRef.local("a")).isEqualTo(ServerRef.of(Name.local("a")));
      assertThat(ServerRef.local("a")).isNotEqualTo(ServerRef.local("b"));
      assertThat(ServerRef.of(pid).toString()).isEqualTo(pid.toString());
      assertThat(ServerRef.local("a").toString()).isEqualTo("a");
      Proc.exit(pid, ExitReason.KILL);
    }
  }

  @Test
  @DisplayName("a ref is an address: monitored by name, its Down names it; pid() of an unregistered name fails by name")
  void refIsAnAddress() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid pid = node.spawn(TestSupport::idle);
      node.run(() -> Proc.register("worker", pid));
      ServerRef<Msg> ref = ServerRef.local("worker");
      Ref monitor = node.call(() -> inbox.monitor(ref));
      Proc.exit(pid, ExitReason.KILL);
      Down down = next(inbox, Down.class);
      assertThat(down.ref()).isEqualTo(monitor);
      assertThat(down.name()).contains(Name.local("worker"));
      assertThat(down.pid()).isEmpty();
      assertThat(down.reason()).isEqualTo(ExitReason.KILLED);
      assertThatThrownBy(() -> node.run(ref::pid))
          .isInstanceOf(NoSuchNameException.class)
          .hasMessageContaining("worker");
    }
  }

  @Test
  @DisplayName("a Down of a monitor by pid gives the pid back without a cast (P14)")
  void downByPid() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid pid = node.spawn(TestSupport::idle);
      inbox.monitor(ServerRef.of(pid));
      Proc.exit(pid, ExitReason.KILL);
      Down down = next(inbox, Down.class);
      assertThat(down.pid()).contains(pid);
      assertThat(down.name()).isEmpty();
    }
  }

  @Test
  @DisplayName("bad input: null pids and names are refused by name")
  void badInput() {
    assertThatThrownBy(() -> ServerRef.of((Pid) null)).hasMessageContaining("pid");
    assertThatThrownBy(() -> ServerRef.of((Name) null)).hasMessageContaining("name");
    assertThatThrownBy(() -> ServerRef.local(" ")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @DisplayName("P17: monitoring oneself makes no monitor: no Down ever comes, demonitor says false")
  void monitorSelf() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid me = inbox.pid();
      Pid p = node.spawn(() -> {
        Ref r = Proc.monitor(Proc.self());
        Proc.send(me, List.of(Proc.demonitor(r), Proc.info(Proc.self()).orElseThrow().monitors()));
        Proc.exit(ExitReason.of("bye"));
      });
      assertThat(next(inbox)).isEqualTo(List.of(false, List.of()));
      assertThat(exitReason(p)).isEqualTo(ExitReason.of("bye"));
      assertThat(inbox.receive(m -> m instanceof Down, java.time.Duration.ofMillis(50))).isEmpty();
    }
  }

  @Test
  @DisplayName("Node.call acts on the node and returns what the action returns")
  void nodeCall() throws Exception {
    try (Node node = Node.start(); Node other = Node.start()) {
      // region: call
      Pid worker = node.call(() -> Proc.spawn(Proc::receive));   // spawned on `node`
      List<String> names = node.call(Proc::registered);          // the names registered on `node`
      // endregion: call
      assertThat(worker.node()).isSameAs(node);
      assertThat(names).isEmpty();
      Pid elsewhere = other.call(() -> Proc.spawn(Proc::receive));
      assertThat(elsewhere.node()).isSameAs(other);
      assertThatThrownBy(() -> node.call(() -> {
        throw new java.io.IOException("from the action");
      })).isInstanceOf(java.io.IOException.class).hasMessage("from the action");
      Proc.exit(worker, ExitReason.KILL);
      Proc.exit(elsewhere, ExitReason.KILL);
      assertThat(exitReason(worker)).isEqualTo(ExitReason.KILLED);
    }
  }
}
