package org.otp4j.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.otp4j.core.TestSupport.exitReason;
import static org.otp4j.core.TestSupport.next;
import static org.otp4j.core.TestSupport.onNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Names: local register/whereis/unregister and via names (P20, P22, P23)")
class NameRegistryTest {

  @Test
  @DisplayName("P22: register, whereis, registered, send by name, unregister")
  void registerAndSendByName() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid me = inbox.pid();
      Pid echo = node.spawn(() -> {
        while (true) {
          Proc.send(me, Proc.receive());
        }
      });

      Proc.register("echo", echo);

      assertThat(node.whereis("echo")).contains(echo);
      assertThat(onNode(node, () -> Proc.whereis("echo"))).contains(echo);
      assertThat(node.registered()).containsExactly("echo");
      assertThat(Proc.info(echo).orElseThrow().registeredName()).contains("echo");
      inbox.send(Name.local("echo"), "by name");
      assertThat(next(inbox)).isEqualTo("by name");

      onNode(node, () -> Proc.unregister("echo"));

      assertThat(node.whereis("echo")).isEmpty();
      assertThat(node.registered()).isEmpty();
      assertThat(Proc.info(echo).orElseThrow().registeredName()).isEmpty();
      assertThat(Proc.isAlive(echo)).isTrue();
    }
  }

  @Test
  @DisplayName("P22: a process sends to a registered name with Proc.send(String, msg) on its own node")
  void sendByNameFromAProcess() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Proc.register("collector", inbox.pid());
      node.spawn(() -> Proc.send("collector", "hello"));

      assertThat(next(inbox)).isEqualTo("hello");
    }
  }

  @Test
  @DisplayName("P22 (12): registering a name that is taken fails with NameConflictException")
  void nameTaken() {
    try (Node node = Node.start()) {
      Pid first = node.spawn(TestSupport::idle);
      Pid second = node.spawn(TestSupport::idle);
      Proc.register("svc", first);

      assertThatThrownBy(() -> Proc.register("svc", second))
          .isInstanceOf(NameConflictException.class)
          .hasMessage("cannot register 'svc': the name 'svc' is already registered to " + first);
      assertThat(node.whereis("svc")).contains(first);
      assertThat(Proc.info(second).orElseThrow().registeredName()).isEmpty();
    }
  }

  @Test
  @DisplayName("P22 (12): registering a process that already has a name fails with NameConflictException")
  void pidAlreadyNamed() {
    try (Node node = Node.start()) {
      Pid p = node.spawn(TestSupport::idle);
      Proc.register("first", p);

      assertThatThrownBy(() -> Proc.register("second", p))
          .isInstanceOf(NameConflictException.class)
          .hasMessage("cannot register 'second': process " + p + " is already registered as 'first'; "
              + "unregister it first");
      assertThat(node.whereis("second")).isEmpty();
      assertThat(node.registered()).containsExactly("first");
    }
  }

  @Test
  @DisplayName("P22 (12): registering a dead pid fails with NameConflictException")
  void deadPid() {
    try (Node node = Node.start()) {
      Pid dead = node.spawn(() -> {});
      exitReason(dead);

      assertThatThrownBy(() -> Proc.register("ghost", dead))
          .isInstanceOf(NameConflictException.class)
          .hasMessage("cannot register 'ghost': process " + dead + " is not alive");
      assertThat(node.whereis("ghost")).isEmpty();
      assertThat(node.registered()).isEmpty();
    }
  }

  @Test
  @DisplayName("P22: of 16 processes racing to register themselves under one name exactly one succeeds")
  void registrationRace() {
    int racers = 16;
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid me = inbox.pid();
      CountDownLatch start = new CountDownLatch(1);
      for (int i = 0; i < racers; i++) {
        node.spawn(() -> {
          start.await();
          try {
            Proc.register("svc", Proc.self());
            Proc.send(me, Proc.self());
          } catch (NameConflictException e) {
            Proc.send(me, "conflict");
          }
          TestSupport.idle();
        });
      }
      start.countDown();

      List<Object> outcomes = new ArrayList<>();
      for (int i = 0; i < racers; i++) {
        outcomes.add(next(inbox));
      }

      List<Object> winners = outcomes.stream().filter(o -> o instanceof Pid).toList();
      assertThat(winners).hasSize(1);
      assertThat(outcomes).filteredOn("conflict"::equals).hasSize(racers - 1);
      assertThat(node.whereis("svc")).contains((Pid) winners.getFirst());
    }
  }

  @Test
  @DisplayName("P22: after unregister the process can take another name and the name can go to another process")
  void unregisterFreesBothSides() {
    try (Node node = Node.start()) {
      Pid first = node.spawn(TestSupport::idle);
      Pid second = node.spawn(TestSupport::idle);
      Proc.register("a", first);
      onNode(node, () -> Proc.unregister("a"));

      Proc.register("b", first);
      Proc.register("a", second);

      assertThat(node.whereis("a")).contains(second);
      assertThat(node.whereis("b")).contains(first);
    }
  }

  @Test
  @DisplayName("P22: unregister of an unknown name throws NoSuchNameException")
  void unregisterUnknownName() {
    try (Node node = Node.start()) {
      assertThatThrownBy(() -> onNode(node, () -> Proc.unregister("nope")))
          .isInstanceOfSatisfying(NoSuchNameException.class,
              e -> assertThat(e.name()).isEqualTo(Name.local("nope")))
          .hasMessage("unregister: no process is registered as nope; check the name, or use whereis(name) to "
              + "test whether it is registered");
    }
  }

  @Test
  @DisplayName("P23 (12): a name is free when its holder's Down arrives: whereis is empty, register succeeds")
  void reRegisterRightAfterDown() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid holder = node.spawn(TestSupport::idle);
      Proc.register("svc", holder);
      for (int i = 0; i < 200; i++) {
        Ref ref = inbox.monitor(holder);
        Proc.exit(holder, ExitReason.KILL);
        assertThat(next(inbox)).isEqualTo(new Down(ref, holder, ExitReason.KILLED));

        assertThat(node.whereis("svc")).as("round %d", i).isEmpty();
        Pid successor = node.spawn(TestSupport::idle);
        Proc.register("svc", successor);
        assertThat(node.whereis("svc")).contains(successor);
        holder = successor;
      }
    }
  }

  @Test
  @DisplayName("P23: the name is released before the Down even when the holder exits by itself")
  void nameReleasedBeforeDownOnNormalExit() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid me = inbox.pid();
      Pid watcher = node.spawn(() -> {
        Pid holder = Proc.spawn(() -> Proc.receive());
        Proc.register("svc", holder);
        Proc.monitor(holder);
        Proc.send(holder, "finish");
        Proc.receive(m -> m instanceof Down);
        Proc.send(me, Proc.whereis("svc"));
        Proc.register("svc", Proc.self());
        Proc.send(me, Proc.whereis("svc"));
        TestSupport.idle();
      });

      assertThat(next(inbox)).isEqualTo(Optional.empty());
      assertThat(next(inbox)).isEqualTo(Optional.of(watcher));
    }
  }

  @Test
  @DisplayName("P20 (12): sending to an unregistered name throws NoSuchNameException; to a dead pid it does not")
  void sendToUnknownNameAndDeadPid() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid dead = node.spawn(() -> {});
      exitReason(dead);

      assertThatThrownBy(() -> inbox.send(Name.local("ghost"), "hello"))
          .isInstanceOfSatisfying(NoSuchNameException.class,
              e -> assertThat(e.name()).isEqualTo(Name.local("ghost")))
          .hasMessage("send: no process is registered as ghost; check the name, or use whereis(name) to test "
              + "whether it is registered");
      assertThatThrownBy(() -> onNode(node, () -> Proc.send("ghost", "hello")))
          .isInstanceOf(NoSuchNameException.class);

      inbox.send(dead, "hello");
      onNode(node, () -> Proc.send(dead, "hello"));
      assertThat(inbox.isAlive()).isTrue();
    }
  }

  @Test
  @DisplayName("P22: names are per node: the same name can be registered on two nodes")
  void namesArePerNode() {
    try (Node a = Node.start(); Node b = Node.start()) {
      Pid onA = a.spawn(TestSupport::idle);
      Pid onB = b.spawn(TestSupport::idle);

      Proc.register("svc", onA);
      Proc.register("svc", onB);

      assertThat(a.whereis("svc")).contains(onA);
      assertThat(b.whereis("svc")).contains(onB);
      assertThat(onNode(a, () -> Proc.whereis("svc"))).contains(onA);
    }
  }

  @Test
  @DisplayName("Name.local rejects blank names with a message that gives an example")
  void blankName() {
    assertThatThrownBy(() -> Name.local(" "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a local name cannot be blank: give a name such as \"counter\"");
    assertThatThrownBy(() -> Name.local(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("a local name cannot be null");
  }

  // ---------------------------------------------------------------------------------------
  // via names

  @Test
  @DisplayName("via: register, whereis, send and release on exit through a unique Registry")
  void viaName() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid me = inbox.pid();
      Registry registry = Registry.unique("devices");
      Name name = Name.via(registry, "device-7");
      Pid device = node.spawn(() -> {
        Proc.send(me, Proc.receive());
        Proc.exit(ExitReason.of("unplugged"));
      });

      Proc.register(name, device);
      assertThat(onNode(node, () -> Proc.whereis(name))).contains(device);
      Ref ref = inbox.monitor(device);
      inbox.send(name, "ping");

      assertThat(next(inbox)).isEqualTo("ping");
      assertThat(next(inbox)).isEqualTo(new Down(ref, device, ExitReason.of("unplugged")));
      assertThat(onNode(node, () -> Proc.whereis(name))).isEmpty();
      assertThatThrownBy(() -> inbox.send(name, "ping"))
          .isInstanceOf(NoSuchNameException.class)
          .hasMessageStartingWith("send: no process is registered as {via,Registry[devices,unique],device-7}");
    }
  }

  @Test
  @DisplayName("via (12): conflicts: the name is taken, or the process is dead")
  void viaConflicts() {
    try (Node node = Node.start()) {
      Registry registry = Registry.unique("devices");
      Name name = Name.via(registry, "device-7");
      Pid first = node.spawn(TestSupport::idle);
      Pid second = node.spawn(TestSupport::idle);
      Pid dead = node.spawn(() -> {});
      exitReason(dead);
      Proc.register(name, first);

      assertThatThrownBy(() -> Proc.register(name, second))
          .isInstanceOf(NameConflictException.class)
          .hasMessage("cannot register " + name + ": the name is already registered to " + first);
      assertThatThrownBy(() -> Proc.register(Name.via(registry, "other"), dead))
          .isInstanceOf(NameConflictException.class)
          .hasMessage("cannot register {via,Registry[devices,unique],other}: process " + dead + " is not alive");
      assertThat(onNode(node, () -> Proc.whereis(name))).contains(first);
      assertThat(registry.whereisName("other")).isEmpty();
    }
  }

  @Test
  @DisplayName("via (12): a via name can be registered again right after its holder's Down")
  void viaReRegisterAfterDown() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Registry registry = Registry.unique("devices");
      Name name = Name.via(registry, "device-7");
      Pid holder = node.spawn(TestSupport::idle);
      Proc.register(name, holder);
      for (int i = 0; i < 100; i++) {
        Ref ref = inbox.monitor(holder);
        Proc.exit(holder, ExitReason.of("gone"));
        assertThat(next(inbox)).isEqualTo(new Down(ref, holder, ExitReason.of("gone")));

        assertThat(onNode(node, () -> Proc.whereis(name))).as("round %d", i).isEmpty();
        Pid successor = node.spawn(TestSupport::idle);
        Proc.register(name, successor);
        assertThat(onNode(node, () -> Proc.whereis(name))).contains(successor);
        holder = successor;
      }
    }
  }

  @Test
  @DisplayName("via: a duplicate-key Registry cannot name processes, and says which kind can")
  void viaWithADuplicateRegistry() {
    try (Node node = Node.start()) {
      Registry topics = Registry.duplicate("topics");
      Pid p = node.spawn(TestSupport::idle);

      assertThatThrownBy(() -> Proc.register(Name.via(topics, "t"), p))
          .isInstanceOf(UnsupportedOperationException.class)
          .hasMessage("registerName: registry 'topics' has duplicate keys; only a unique registry can name "
              + "processes (Registry.unique(...))");
      assertThat(topics.count()).isZero();
    }
  }

  /** A minimal third-party NameRegistry: the via contract works with any implementation. */
  static final class MapRegistry implements NameRegistry {
    private final ConcurrentHashMap<Object, Pid> names = new ConcurrentHashMap<>();

    @Override
    public boolean registerName(Object key, Pid pid) {
      return names.putIfAbsent(key, pid) == null;
    }

    @Override
    public void unregisterName(Object key) {
      names.remove(key);
    }

    @Override
    public Optional<Pid> whereisName(Object key) {
      return Optional.ofNullable(names.get(key));
    }
  }

  @Test
  @DisplayName("via: a custom NameRegistry is released by the runtime when the process terminates, before its Down")
  void viaCustomRegistry() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      MapRegistry registry = new MapRegistry();
      Name name = Name.via(registry, "job");
      Pid job = node.spawn(TestSupport::idle);
      Proc.register(name, job);
      assertThat(registry.whereisName("job")).contains(job);
      Ref ref = inbox.monitor(name);

      Proc.exit(job, ExitReason.KILL);

      assertThat(next(inbox)).isEqualTo(new Down(ref, name, ExitReason.KILLED));
      assertThat(registry.whereisName("job")).isEmpty();
    }
  }
}
