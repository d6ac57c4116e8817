package org.otp4j.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.otp4j.core.RegistryMember.call;
import static org.otp4j.core.RegistryMember.run;
import static org.otp4j.core.TestSupport.exitReason;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every case runs on an unpartitioned registry and on one with four partitions (R1). */
@DisplayName("Registry queries: lookup, match, select, counts and dispatch, with and without partitions (R1, R4)")
class RegistryQueryTest {

  private static Registry.Options partitioned(int partitions) {
    return Registry.Options.defaults().withPartitions(partitions);
  }

  @ParameterizedTest(name = "partitions={0}")
  @ValueSource(ints = {1, 4})
  @DisplayName("R4: match and countMatch test the values under one key with a predicate (the Javadoc's example)")
  void matchAndCountMatch(int partitions) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Registry people = Registry.duplicate("people", partitioned(partitions));
      Pid a = RegistryMember.spawn(node, inbox);
      Pid b = RegistryMember.spawn(node, inbox);
      run(inbox, a, () -> people.register("members", 12));
      run(inbox, a, () -> people.register("members", 30));
      run(inbox, b, () -> people.register("members", 17));
      run(inbox, b, () -> people.register("members", null));
      run(inbox, a, () -> people.register("members", 45));
      run(inbox, b, () -> people.register("staff", 50));

      // region: registry-match
      List<Registry.Entry> adults = people.match("members", v -> v instanceof Integer age && age >= 18);
      // endregion: registry-match

      assertThat(adults).as("a process's entries keep their order").containsSubsequence(new Registry.Entry(a, 30),
          new Registry.Entry(a, 45)).hasSize(2);
      assertThat(people.countMatch("members", v -> v instanceof Integer age && age >= 18)).isEqualTo(2);
      assertThat(people.match("members", v -> v == null)).containsExactly(new Registry.Entry(b, null));
      assertThat(people.countMatch("members", v -> true)).isEqualTo(5);
      assertThat(people.match("nobody", v -> true)).isEmpty();
      assertThat(people.countMatch("staff", v -> v.equals(50))).isEqualTo(1);
    }
  }

  @ParameterizedTest(name = "partitions={0}")
  @ValueSource(ints = {1, 4})
  @DisplayName("R4: a predicate that throws fails the query, in the calling thread")
  void throwingPredicate(int partitions) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Registry rooms = Registry.unique("rooms", partitioned(partitions));
      Pid p = RegistryMember.spawn(node, inbox);
      run(inbox, p, () -> rooms.register("lobby", "not a number"));

      assertThatThrownBy(() -> rooms.match("lobby", v -> (Integer) v > 1)).isInstanceOf(ClassCastException.class);
      assertThat(rooms.lookup("lobby")).containsExactly(new Registry.Entry(p, "not a number"));
    }
  }

  @ParameterizedTest(name = "partitions={0}")
  @ValueSource(ints = {1, 4})
  @DisplayName("R4: select and countSelect see every entry with its key, pid and value (the Javadoc's example)")
  void selectAndCountSelect(int partitions) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Registry rooms = Registry.unique("rooms", partitioned(partitions));
      Pid a = RegistryMember.spawn(node, inbox);
      Pid b = RegistryMember.spawn(node, inbox);
      run(inbox, a, () -> rooms.register("lobby", 25));
      run(inbox, a, () -> rooms.register("kitchen", 3));
      run(inbox, b, () -> rooms.register("garden", 11));
      run(inbox, b, () -> rooms.register("attic", null));

      // region: registry-select
      List<Object> busyRooms = rooms.select(r -> r.value() instanceof Integer n && n > 10)
          .stream().map(Registry.Registration::key).toList();
      // endregion: registry-select

      assertThat(busyRooms).containsExactlyInAnyOrder("lobby", "garden");
      assertThat(rooms.select(r -> true)).containsExactlyInAnyOrder(new Registry.Registration("lobby", a, 25),
          new Registry.Registration("kitchen", a, 3), new Registry.Registration("garden", b, 11),
          new Registry.Registration("attic", b, null));
      assertThat(rooms.select(r -> r.pid().equals(b))).extracting(Registry.Registration::key)
          .containsExactlyInAnyOrder("garden", "attic");
      assertThat(rooms.countSelect(r -> r.key() instanceof String k && k.startsWith("k"))).isEqualTo(1);
      assertThat(rooms.countSelect(r -> false)).isZero();

      Proc.exit(a, ExitReason.KILL);
      exitReason(a);

      assertThat(rooms.select(r -> true)).extracting(Registry.Registration::pid).containsOnly(b).hasSize(2);
      assertThat(rooms.countSelect(r -> true)).isEqualTo(2);
    }
  }

  @ParameterizedTest(name = "partitions={0}")
  @ValueSource(ints = {1, 4})
  @DisplayName("R1, R4: in a duplicate registry lookup, keys, values, select and count see the entries of every "
      + "partition, and termination removes them all")
  void duplicateAcrossPartitions(int partitions) {
    int members = 16;
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Registry topics = Registry.duplicate("topics", partitioned(partitions));
      List<Pid> pids = new ArrayList<>();
      for (int i = 0; i < members; i++) {
        Pid p = RegistryMember.spawn(node, inbox);
        int n = i;
        run(inbox, p, () -> topics.register("news", n));
        run(inbox, p, () -> topics.register("news", -n));
        run(inbox, p, () -> topics.register("sports", n));
        pids.add(p);
      }

      assertThat(topics.lookup("news")).hasSize(2 * members);
      assertThat(topics.count()).isEqualTo(3 * members);
      assertThat(topics.countSelect(r -> true)).isEqualTo(3 * members);
      for (int i = 0; i < members; i++) {
        Pid p = pids.get(i);
        assertThat(topics.lookup("news")).as("member %d's entries, in order", i)
            .containsSubsequence(new Registry.Entry(p, i), new Registry.Entry(p, -i));
        assertThat(topics.keys(p)).containsExactly("news", "news", "sports");
        assertThat(topics.values("news", p)).containsExactly(i, -i);
      }

      for (Pid p : pids.subList(0, members / 2)) {
        run(inbox, p, () -> topics.unregister("news"));
      }
      assertThat(topics.lookup("news")).hasSize(members);
      assertThat(topics.count()).isEqualTo(2 * members);

      for (Pid p : pids) {
        Proc.exit(p, ExitReason.KILL);
        exitReason(p);
      }
      assertThat(topics.lookup("news")).isEmpty();
      assertThat(topics.lookup("sports")).isEmpty();
      assertThat(topics.select(r -> true)).isEmpty();
      assertThat(topics.count()).isZero();
    }
  }

  @ParameterizedTest(name = "partitions={0}")
  @ValueSource(ints = {1, 4})
  @DisplayName("R1, R2: in a partitioned unique registry each key still has one holder; a second process is told "
      + "who holds it")
  void uniqueAcrossPartitions(int partitions) {
    int keys = 32;
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Registry rooms = Registry.unique("rooms", partitioned(partitions));
      Pid first = RegistryMember.spawn(node, inbox);
      Pid second = RegistryMember.spawn(node, inbox);
      for (int i = 0; i < keys; i++) {
        String key = "room-" + i;
        run(inbox, first, () -> rooms.register(key, 1));
        assertThat(call(inbox, second, () -> rooms.registerIfAbsent(key, 2))).isEqualTo(Optional.of(first));
        assertThat(rooms.whereisName(key)).contains(first);
      }
      assertThat(rooms.count()).isEqualTo(keys);
      assertThat(rooms.keys(first)).hasSize(keys);
      assertThat(rooms.keys(second)).isEmpty();

      Object update = call(inbox, first, () -> rooms.updateValue("room-7", v -> 8));
      run(inbox, first, () -> rooms.unregister("room-0"));

      assertThat(update).isEqualTo(Optional.of(new Registry.Update(8, 1)));
      assertThat(rooms.lookup("room-7")).containsExactly(new Registry.Entry(first, 8));
      assertThat(run(inbox, second, () -> rooms.register("room-0", 2))).isEqualTo("ok");
      assertThat(rooms.count()).isEqualTo(keys);
    }
  }

  @ParameterizedTest(name = "partitions={0}")
  @ValueSource(ints = {1, 4})
  @DisplayName("R4: dispatch calls its action once per partition that has entries under the key, together all of "
      + "them, each process's entries in one call")
  void dispatchPerPartition(int partitions) {
    int members = 12;
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Registry topics = Registry.duplicate("topics", partitioned(partitions));
      for (int i = 0; i < members; i++) {
        Pid p = RegistryMember.spawn(node, inbox);
        run(inbox, p, () -> topics.register("news", "first"));
        run(inbox, p, () -> topics.register("news", "second"));
      }

      List<List<Registry.Entry>> calls = new ArrayList<>();
      topics.dispatch("news", calls::add);

      assertThat(calls).hasSizeBetween(1, partitions).allSatisfy(entries -> assertThat(entries).isNotEmpty());
      assertThat(calls.stream().flatMap(List::stream).toList()).containsExactlyInAnyOrderElementsOf(
          topics.lookup("news")).hasSize(2 * members);
      Set<Pid> seen = new HashSet<>();
      for (List<Registry.Entry> call : calls) {
        Set<Pid> inThisCall = new HashSet<>(call.stream().map(Registry.Entry::pid).toList());
        assertThat(seen).as("a process in two calls").doesNotContainAnyElementsOf(inThisCall);
        seen.addAll(inThisCall);
      }
    }
  }
}
