package org.otp4j.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.otp4j.core.RegistryMember.call;
import static org.otp4j.core.RegistryMember.run;
import static org.otp4j.core.TestSupport.exitReason;
import static org.otp4j.core.TestSupport.next;
import static org.otp4j.core.TestSupport.onNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Registry: Elixir-style unique and duplicate keys (R2-R5)")
class RegistryTest {

  @Test
  @DisplayName("R2, R4: unique: a key maps to one process; lookup, whereisName, keys and count see it")
  void uniqueRegisterAndLookup() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Registry rooms = Registry.unique("rooms");
      Pid p = RegistryMember.spawn(node, inbox);

      assertThat(run(inbox, p, () -> rooms.register("lobby", "meta"))).isEqualTo("ok");

      assertThat(rooms.isUnique()).isTrue();
      assertThat(rooms.lookup("lobby")).containsExactly(new Registry.Entry(p, "meta"));
      assertThat(rooms.whereisName("lobby")).contains(p);
      assertThat(rooms.keys(p)).containsExactly("lobby");
      assertThat(rooms.count()).isEqualTo(1);
      assertThat(rooms.lookup("kitchen")).isEmpty();
    }
  }

  @Test
  @DisplayName("R2: unique: a second process registering a taken key gets NameConflictException; registerIfAbsent "
      + "returns the holder")
  void uniqueConflict() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Registry rooms = Registry.unique("rooms");
      Pid first = RegistryMember.spawn(node, inbox);
      Pid second = RegistryMember.spawn(node, inbox);
      run(inbox, first, () -> rooms.register("lobby", 1));

      Object failure = run(inbox, second, () -> rooms.register("lobby", 2));
      Object holder = call(inbox, second, () -> rooms.registerIfAbsent("lobby", 2));
      Object again = run(inbox, first, () -> rooms.register("lobby", 3));

      assertThat(failure).isInstanceOfSatisfying(NameConflictException.class, e -> assertThat(e)
          .hasMessage("cannot register key lobby in registry 'rooms': it is already registered to " + first));
      assertThat(holder).isEqualTo(Optional.of(first));
      assertThat(again).as("the holder registering its own key again")
          .isInstanceOf(NameConflictException.class);
      assertThat(rooms.lookup("lobby")).containsExactly(new Registry.Entry(first, 1));
      assertThat(rooms.keys(second)).isEmpty();
    }
  }

  @Test
  @DisplayName("R2, R4: duplicate: a key holds many entries, in registration order, even several from one process; "
      + "keys(pid) lists a key once per entry")
  void duplicateKeys() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Registry topics = Registry.duplicate("topics");
      Pid a = RegistryMember.spawn(node, inbox);
      Pid b = RegistryMember.spawn(node, inbox);

      run(inbox, a, () -> topics.register("news", "a1"));
      run(inbox, b, () -> topics.register("news", "b1"));
      run(inbox, a, () -> topics.register("news", "a2"));
      run(inbox, a, () -> topics.register("sports", "a3"));

      assertThat(topics.isUnique()).isFalse();
      assertThat(topics.lookup("news")).containsExactly(new Registry.Entry(a, "a1"), new Registry.Entry(b, "b1"),
          new Registry.Entry(a, "a2"));
      assertThat(topics.keys(a)).as("once per entry").containsExactly("news", "news", "sports");
      assertThat(topics.count()).isEqualTo(4);

      run(inbox, a, () -> topics.unregister("news"));

      assertThat(topics.lookup("news")).containsExactly(new Registry.Entry(b, "b1"));
      assertThat(topics.keys(a)).containsExactly("sports");
      assertThat(topics.count()).isEqualTo(2);
    }
  }

  @Test
  @DisplayName("R4: dispatch calls the action with the entries, and not at all when there are none")
  void dispatchAndSendAll() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Registry topics = Registry.duplicate("topics");
      Pid sub1 = RegistryMember.spawn(node, inbox);
      Pid sub2 = RegistryMember.spawn(node, inbox);
      run(inbox, sub1, () -> topics.register("news", "x"));
      run(inbox, sub2, () -> topics.register("news", "y"));

      List<List<Registry.Entry>> calls = new ArrayList<>();
      topics.dispatch("news", calls::add);
      topics.dispatch("weather", calls::add);

      assertThat(calls).containsExactly(List.of(new Registry.Entry(sub1, "x"), new Registry.Entry(sub2, "y")));
      assertThat(onNode(node, () -> topics.sendAll("weather", "rain"))).isZero();
    }
  }

  @Test
  @DisplayName("sendAll delivers the message to every process under the key and returns how many")
  void sendAll() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid me = inbox.pid();
      Registry topics = Registry.duplicate("topics");
      record Got(Pid who, Object message) {}
      Proc.Body subscriber = () -> {
        topics.register("news", null);
        Proc.send(me, "subscribed");
        while (true) {
          Proc.send(me, new Got(Proc.self(), Proc.receive()));
        }
      };
      Pid s1 = node.spawn(subscriber);
      Pid s2 = node.spawn(subscriber);
      next(inbox);
      next(inbox);

      int sent = onNode(node, () -> topics.sendAll("news", "extra!"));

      assertThat(sent).isEqualTo(2);
      assertThat(List.of(next(inbox), next(inbox))).containsExactlyInAnyOrder(new Got(s1, "extra!"),
          new Got(s2, "extra!"));
    }
  }

  @Test
  @DisplayName("R3 (removed before the Down, not asynchronously): a process's entries are gone when its Down "
      + "arrives, in unique and duplicate registries")
  void entriesRemovedBeforeDown() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Registry rooms = Registry.unique("rooms");
      Registry topics = Registry.duplicate("topics");
      Pid owner = RegistryMember.spawn(node, inbox);
      Pid other = RegistryMember.spawn(node, inbox);
      run(inbox, owner, () -> rooms.register("lobby", 1));
      run(inbox, owner, () -> topics.register("news", 1));
      run(inbox, owner, () -> topics.register("news", 2));
      run(inbox, other, () -> topics.register("news", 3));
      Ref ref = inbox.monitor(owner);

      Proc.exit(owner, ExitReason.of("left"));

      assertThat(next(inbox)).isEqualTo(new Down(ref, owner, ExitReason.of("left")));
      assertThat(rooms.lookup("lobby")).isEmpty();
      assertThat(rooms.count()).isZero();
      assertThat(rooms.keys(owner)).isEmpty();
      assertThat(topics.lookup("news")).containsExactly(new Registry.Entry(other, 3));
      assertThat(topics.count()).isEqualTo(1);
      assertThat(topics.keys(owner)).isEmpty();
    }
  }

  @Test
  @DisplayName("R2, R3: a unique key can be taken by another process right after the holder's Down")
  void uniqueKeyFreeAfterDown() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Registry rooms = Registry.unique("rooms");
      Pid holder = RegistryMember.spawn(node, inbox);
      run(inbox, holder, () -> rooms.register("lobby", 1));
      for (int i = 0; i < 100; i++) {
        Ref ref = inbox.monitor(holder);
        Proc.exit(holder, ExitReason.KILL);
        assertThat(next(inbox)).isEqualTo(new Down(ref, holder, ExitReason.KILLED));

        Pid successor = RegistryMember.spawn(node, inbox);
        int round = i;
        assertThat(run(inbox, successor, () -> rooms.register("lobby", round))).as("round %d", i)
            .isEqualTo("ok");
        holder = successor;
      }
      assertThat(rooms.lookup("lobby")).containsExactly(new Registry.Entry(holder, 99));
      assertThat(rooms.count()).isEqualTo(1);
    }
  }

  @Test
  @DisplayName("R3, R5: lookup never returns a dead process, even one that registered through the NameRegistry side")
  void lookupSkipsDeadProcesses() {
    try (Node node = Node.start()) {
      Registry rooms = Registry.unique("rooms");
      Pid p = node.spawn(TestSupport::idle);
      assertThat(rooms.registerName("lobby", p)).isTrue();
      assertThat(rooms.registerName("lobby", node.spawn(TestSupport::idle))).isFalse();

      Proc.exit(p, ExitReason.KILL);
      exitReason(p);

      assertThat(rooms.lookup("lobby")).isEmpty();
      assertThat(rooms.whereisName("lobby")).isEmpty();
      assertThat(rooms.count()).isZero();
    }
  }

  @Test
  @DisplayName("R2: unique: of 16 processes racing for one key exactly one wins; the others are told who")
  void uniqueKeyRace() {
    int racers = 16;
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid me = inbox.pid();
      Registry rooms = Registry.unique("rooms");
      CountDownLatch start = new CountDownLatch(1);
      record Outcome(Pid who, Optional<Pid> holder) {}
      for (int i = 0; i < racers; i++) {
        node.spawn(() -> {
          start.await();
          Proc.send(me, new Outcome(Proc.self(), rooms.registerIfAbsent("lobby", "x")));
          TestSupport.idle();
        });
      }
      start.countDown();

      List<Outcome> outcomes = new ArrayList<>();
      for (int i = 0; i < racers; i++) {
        outcomes.add(next(inbox, Outcome.class));
      }

      List<Pid> winners = outcomes.stream().filter(o -> o.holder().isEmpty()).map(Outcome::who).toList();
      assertThat(winners).hasSize(1);
      assertThat(outcomes).filteredOn(o -> o.holder().isPresent())
          .allSatisfy(o -> assertThat(o.holder()).contains(winners.getFirst()));
      assertThat(rooms.lookup("lobby")).containsExactly(new Registry.Entry(winners.getFirst(), "x"));
    }
  }

  @Test
  @DisplayName("register and unregister act for the calling process: from a plain thread they throw")
  void registerFromAPlainThread() {
    Registry rooms = Registry.unique("rooms");
    assertThatThrownBy(() -> rooms.register("lobby", 1))
        .isInstanceOf(NotAProcessException.class)
        .hasMessageStartingWith("Registry.register can only be called inside a process");
    assertThatThrownBy(() -> rooms.unregister("lobby"))
        .isInstanceOf(NotAProcessException.class)
        .hasMessageStartingWith("Registry.unregister can only be called inside a process");
    assertThat(rooms.count()).isZero();
  }
}
