package org.otp4j.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.otp4j.core.RegistryMember.call;
import static org.otp4j.core.RegistryMember.run;
import static org.otp4j.core.TestSupport.exitReason;
import static org.otp4j.core.TestSupport.next;
import static org.otp4j.core.TestSupport.onNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

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
  @DisplayName("the Javadoc's opening example: subscribers register under a topic, a publisher dispatches to them")
  void openingExample() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid me = inbox.pid();
      // region: registry-new
      Registry topics = Registry.duplicate("topics");
      // endregion: registry-new
      Proc.Body subscriber = () -> {
        // region: registry-subscribe
        // in each subscriber process: subscribe, then receive what is published
        topics.register("prices", "eur");
        // endregion: registry-subscribe
        Proc.send(me, "subscribed");
        Object price = Proc.receive();
        Proc.send(me, price);
      };
      node.spawn(subscriber);
      node.spawn(subscriber);
      assertThat(List.of(next(inbox), next(inbox))).containsOnly("subscribed");

      // region: registry-publish
      // anywhere: publish to every subscriber
      topics.dispatch("prices", entries -> entries.forEach(e -> Proc.send(e.pid(), "EUR 1.08")));
      // endregion: registry-publish

      assertThat(List.of(next(inbox), next(inbox))).containsOnly("EUR 1.08");
    }
  }

  @Test
  @DisplayName("R4: values(key, pid) are the values one live process registered under a key, in registration order")
  void values() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Registry rooms = Registry.unique("rooms");
      Registry topics = Registry.duplicate("topics");
      Pid a = RegistryMember.spawn(node, inbox);
      Pid b = RegistryMember.spawn(node, inbox);
      run(inbox, a, () -> topics.register("news", "a1"));
      run(inbox, b, () -> topics.register("news", "b1"));
      run(inbox, a, () -> topics.register("news", null));
      run(inbox, a, () -> rooms.register("lobby", 7));

      assertThat(topics.values("news", a)).containsExactly("a1", null);
      assertThat(topics.values("news", b)).containsExactly("b1");
      assertThat(topics.values("sports", a)).isEmpty();
      assertThat(rooms.values("lobby", a)).containsExactly(7);
      assertThat(rooms.values("lobby", b)).isEmpty();

      Proc.exit(a, ExitReason.KILL);
      exitReason(a);

      assertThat(topics.values("news", a)).isEmpty();
      assertThat(rooms.values("lobby", a)).isEmpty();
      assertThat(topics.keys(a)).isEmpty();
      assertThat(topics.values("news", b)).containsExactly("b1");
    }
  }

  @Test
  @DisplayName("R2: unregisterMatch removes only the calling process's entries under the key whose value matches")
  void unregisterMatch() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Registry topics = Registry.duplicate("topics");
      Registry rooms = Registry.unique("rooms");
      Pid a = RegistryMember.spawn(node, inbox);
      Pid b = RegistryMember.spawn(node, inbox);
      run(inbox, a, () -> topics.register("news", "a1"));
      run(inbox, a, () -> topics.register("news", "a2"));
      run(inbox, a, () -> topics.register("news", "a3"));
      run(inbox, b, () -> topics.register("news", "b1"));
      run(inbox, a, () -> rooms.register("lobby", "open"));

      run(inbox, a, () -> topics.unregisterMatch("news", v -> v.equals("a1") || v.equals("a3")));
      run(inbox, a, () -> topics.unregisterMatch("news", v -> v.equals("b1")));
      run(inbox, a, () -> rooms.unregisterMatch("lobby", "closed"::equals));

      assertThat(topics.lookup("news")).containsExactly(new Registry.Entry(a, "a2"), new Registry.Entry(b, "b1"));
      assertThat(topics.keys(a)).containsExactly("news");
      assertThat(topics.count()).isEqualTo(2);
      assertThat(rooms.lookup("lobby")).as("a unique key stays while its value does not match")
          .containsExactly(new Registry.Entry(a, "open"));

      run(inbox, a, () -> rooms.unregisterMatch("lobby", "open"::equals));
      run(inbox, a, () -> topics.unregisterMatch("news", v -> true));

      assertThat(rooms.lookup("lobby")).isEmpty();
      assertThat(rooms.keys(a)).isEmpty();
      assertThat(topics.lookup("news")).containsExactly(new Registry.Entry(b, "b1"));
      assertThat(topics.keys(a)).isEmpty();
    }
  }

  @Test
  @DisplayName("R4: updateValue changes the calling process's own value and returns the new and the old one; "
      + "empty for a key it does not hold")
  void updateValue() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Registry rooms = Registry.unique("rooms");
      Pid owner = RegistryMember.spawn(node, inbox);
      Pid other = RegistryMember.spawn(node, inbox);
      run(inbox, owner, () -> rooms.register("lobby", 1));

      Object bumped = call(inbox, owner, () -> rooms.updateValue("lobby", v -> (Integer) v + 1));
      Object notOwner = call(inbox, other, () -> rooms.updateValue("lobby", v -> 100));
      Object notHeld = call(inbox, owner, () -> rooms.updateValue("kitchen", v -> 100));
      Object failed = call(inbox, owner, () -> rooms.updateValue("lobby", v -> {
        throw new IllegalStateException("no update");
      }));
      Object toNull = call(inbox, owner, () -> rooms.updateValue("lobby", v -> null));

      assertThat(bumped).isEqualTo(Optional.of(new Registry.Update(2, 1)));
      assertThat(notOwner).isEqualTo(Optional.empty());
      assertThat(notHeld).isEqualTo(Optional.empty());
      assertThat(failed).as("what the function throws reaches the caller; the value stays")
          .isInstanceOf(IllegalStateException.class).hasFieldOrPropertyWithValue("message", "no update");
      assertThat(toNull).isEqualTo(Optional.of(new Registry.Update(null, 2)));
      assertThat(rooms.lookup("lobby")).containsExactly(new Registry.Entry(owner, null));
      assertThat(rooms.count()).isEqualTo(1);
    }
  }

  @Test
  @DisplayName("R4: updateValue in a duplicate registry is refused, saying what to do instead")
  void updateValueInADuplicateRegistry() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Registry topics = Registry.duplicate("topics");
      Pid p = RegistryMember.spawn(node, inbox);
      run(inbox, p, () -> topics.register("news", 1));

      Object refused = call(inbox, p, () -> topics.updateValue("news", v -> 2));

      assertThat(refused).isInstanceOfSatisfying(UnsupportedOperationException.class, e -> assertThat(e)
          .hasMessage("updateValue: registry 'topics' has duplicate keys; to change a value in a duplicate registry, "
              + "unregisterMatch the old entry and register the new value"));
      assertThat(topics.lookup("news")).containsExactly(new Registry.Entry(p, 1));
    }
  }

  @Test
  @DisplayName("R4: metadata: putMeta, meta and deleteMeta work from plain threads and processes alike")
  void metadata() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      record Setting(String name) {}
      Registry rooms = Registry.unique("rooms");
      Pid p = RegistryMember.spawn(node, inbox);

      assertThat(rooms.meta("capacity")).isEmpty();
      rooms.putMeta("capacity", 10);
      run(inbox, p, () -> rooms.putMeta(new Setting("motd"), "welcome"));

      assertThat(call(inbox, p, () -> rooms.meta("capacity"))).isEqualTo(Optional.of(10));
      assertThat(rooms.meta(new Setting("motd"))).contains("welcome");

      rooms.putMeta("capacity", 20);
      assertThat(rooms.meta("capacity")).contains(20);
      rooms.deleteMeta("capacity");
      rooms.deleteMeta("never set");
      assertThat(rooms.meta("capacity")).isEmpty();
      assertThat(rooms.count()).as("metadata is not entries").isZero();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("processOnlyOperations")
  @DisplayName("R2: the operations that act for the calling process throw NotAProcessException on a plain thread")
  void processOnlyOperationsFromAPlainThread(String operation, Runnable action) {
    assertThatThrownBy(action::run)
        .isInstanceOf(NotAProcessException.class)
        .hasMessageStartingWith(operation + " can only be called inside a process");
  }

  static Stream<Arguments> processOnlyOperations() {
    Registry rooms = Registry.unique("rooms");
    return Stream.of(
        Arguments.of("Registry.register", (Runnable) () -> rooms.register("lobby", 1)),
        Arguments.of("Registry.register", (Runnable) () -> rooms.registerIfAbsent("lobby", 1)),
        Arguments.of("Registry.unregister", (Runnable) () -> rooms.unregister("lobby")),
        Arguments.of("Registry.unregisterMatch", (Runnable) () -> rooms.unregisterMatch("lobby", v -> true)),
        Arguments.of("Registry.updateValue", (Runnable) () -> rooms.updateValue("lobby", v -> v)));
  }

  @Test
  @DisplayName("misuse: null keys, predicates, functions and metadata values are refused with what to pass instead")
  void nullArguments() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Registry rooms = Registry.unique("rooms");
      Pid p = RegistryMember.spawn(node, inbox);
      String nullKey = "registry 'rooms': a key cannot be null; use any other object (a String, a record...)";
      String nullPredicate = " cannot be null: to accept every entry, pass v -> true";

      String nullMetaKey = "registry 'rooms': a metadata key cannot be null; use any other object (a String, a "
          + "record...)";
      record Refused(String message, ThrowingCallable action) {}

      List<Refused> fromAnyThread = List.of(
          new Refused(nullKey, () -> rooms.lookup(null)),
          new Refused(nullKey, () -> rooms.dispatch(null, entries -> {})),
          new Refused("action: give the function to call with the entries", () -> rooms.dispatch("k", null)),
          new Refused(nullKey, () -> rooms.match(null, v -> true)),
          new Refused("valuePredicate" + nullPredicate, () -> rooms.match("k", null)),
          new Refused("valuePredicate" + nullPredicate, () -> rooms.countMatch("k", null)),
          new Refused("predicate" + nullPredicate, () -> rooms.select(null)),
          new Refused("predicate" + nullPredicate, () -> rooms.countSelect(null)),
          new Refused(nullKey, () -> rooms.values(null, p)),
          new Refused("pid", () -> rooms.keys(null)),
          new Refused(nullKey, () -> rooms.whereisName(null)),
          new Refused(nullKey, () -> rooms.registerName(null, p)),
          new Refused(nullKey, () -> rooms.unregisterName(null)),
          new Refused(nullMetaKey, () -> rooms.meta(null)),
          new Refused(nullMetaKey, () -> rooms.putMeta(null, 1)),
          new Refused(nullMetaKey, () -> rooms.deleteMeta(null)),
          new Refused("the metadata value cannot be null: use deleteMeta(key) to remove a key",
              () -> rooms.putMeta("k", null)));
      for (Refused refused : fromAnyThread) {
        assertThatThrownBy(refused.action()).isInstanceOf(NullPointerException.class).hasMessage(refused.message());
      }

      List<Refused> inAProcess = List.of(
          new Refused(nullKey, () -> rooms.register(null, 1)),
          new Refused(nullKey, () -> rooms.unregister(null)),
          new Refused(nullKey, () -> rooms.unregisterMatch(null, v -> true)),
          new Refused("valuePredicate" + nullPredicate, () -> rooms.unregisterMatch("k", null)),
          new Refused(nullKey, () -> rooms.updateValue(null, v -> v)),
          new Refused("update: give the function that makes the new value from the old one",
              () -> rooms.updateValue("k", null)));
      for (Refused refused : inAProcess) {
        Object outcome = call(inbox, p, () -> catchThrowable(refused.action()));
        assertThat(outcome).isInstanceOf(NullPointerException.class).hasFieldOrPropertyWithValue("message",
            refused.message());
      }

      assertThat(rooms.count()).isZero();
    }
  }

  @Test
  @DisplayName("R1 misuse: bad options are refused with what was expected, what was given and how to fix it")
  void badOptions() {
    assertThatThrownBy(() -> Registry.Options.defaults().withPartitions(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a registry needs at least 1 partition, but partitions was 0: use 1 (the default) for an "
            + "unpartitioned table, or the number of cores to spread the writes to a duplicate registry's hot keys");
    assertThatThrownBy(() -> Registry.Options.defaults().withListeners(Name.local("audit"), null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("listeners[1] is null: a listener is a Pid or a Name");
    assertThatThrownBy(() -> new Registry.Options(1, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("listeners: give an empty list for a registry without listeners");
    assertThatThrownBy(() -> Registry.duplicate("topics", null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("options: use Registry.Options.defaults()");
    assertThatThrownBy(() -> Registry.unique(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("name: a registry needs a name, used in its error messages");
  }
}
