package org.otp4j.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.otp4j.core.RegistryMember.call;
import static org.otp4j.core.RegistryMember.run;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@DisplayName("Table: ETS-like shared tables: kinds, reads and writes, counters, queries")
class TableTest {

  /** Creates a table in a fresh owner process and returns it; the owner then runs what the test sends. */
  private static <K, V> Table<K, V> createIn(Inbox inbox, Pid owner, Table.Options options) {
    Object created = call(inbox, owner, () -> Table.create(options));
    assertThat(created).isInstanceOf(Table.class);
    @SuppressWarnings("unchecked")
    Table<K, V> table = (Table<K, V>) created;
    return table;
  }

  @Test
  @DisplayName("the class example: a named public table, written and read from a plain thread")
  void classExample() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid owner = RegistryMember.spawn(node, inbox);
      run(inbox, owner, () -> {
        // region: table-create
        // in the owner process
        Table<String, Long> hits = Table.create(Table.Options.set().named("hits").withAccess(Table.Access.PUBLIC));
        hits.insert("/", 0L);
        // endregion: table-create
      });
      node.run(() -> {
        // region: table-use
        // anywhere: another process, or a plain thread
        Table<String, Long> table = Table.named("hits");
        long now = table.updateCounter("/", 1);             // atomic
        Optional<Long> home = table.get("/");
        // endregion: table-use
        assertThat(now).isEqualTo(1);
        assertThat(home).contains(1L);
      });
    }
  }

  @Test
  @DisplayName("set: one value per key; insert replaces, insertNew does not; get, lookup, member, delete, take")
  void set() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid owner = RegistryMember.spawn(node, inbox);
      Table<String, Integer> t = createIn(inbox, owner, Table.Options.set().withAccess(Table.Access.PUBLIC));

      t.insert("a", 1);
      t.insert("a", 2);
      assertThat(t.insertNew("a", 3)).isFalse();
      assertThat(t.insertNew("b", 4)).isTrue();

      assertThat(t.get("a")).contains(2);
      assertThat(t.lookup("a")).containsExactly(2);
      assertThat(t.lookup("zz")).isEmpty();
      assertThat(t.get("zz")).isEmpty();
      assertThat(t.member("b")).isTrue();
      assertThat(t.size()).isEqualTo(2);

      t.deleteObject("a", 99); // another value: nothing removed
      assertThat(t.get("a")).contains(2);
      t.deleteObject("a", 2);
      assertThat(t.member("a")).isFalse();
      assertThat(t.take("b")).containsExactly(4);
      assertThat(t.take("b")).isEmpty();
      t.insert("c", 5);
      t.delete("c");
      t.delete("never there");
      assertThat(t.size()).isZero();
    }
  }

  @Test
  @DisplayName("bag: several values per key in insertion order, each once; deleteObject removes one value")
  void bag() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid owner = RegistryMember.spawn(node, inbox);
      Table<String, String> t = createIn(inbox, owner, Table.Options.bag().withAccess(Table.Access.PUBLIC));

      t.insert("fruit", "apple");
      t.insert("fruit", "pear");
      t.insert("fruit", "apple");
      assertThat(t.lookup("fruit")).containsExactly("apple", "pear");
      assertThat(t.size()).isEqualTo(2);
      assertThat(t.insertNew("fruit", "fig")).as("insertNew: the key has values").isFalse();

      t.deleteObject("fruit", "apple");
      assertThat(t.lookup("fruit")).containsExactly("pear");
      assertThat(t.take("fruit")).containsExactly("pear");
      assertThat(t.member("fruit")).isFalse();
      assertThat(t.size()).isZero();
    }
  }

  @Test
  @DisplayName("duplicate bag: copies are kept; deleteObject removes every copy")
  void duplicateBag() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid owner = RegistryMember.spawn(node, inbox);
      Table<String, String> t = createIn(inbox, owner, Table.Options.duplicateBag().withAccess(Table.Access.PUBLIC));

      t.insert("log", "x");
      t.insert("log", "y");
      t.insert("log", "x");
      assertThat(t.lookup("log")).containsExactly("x", "y", "x");
      assertThat(t.size()).isEqualTo(3);

      t.deleteObject("log", "x");
      assertThat(t.lookup("log")).containsExactly("y");
      assertThat(t.size()).isEqualTo(1);
      t.delete("log");
      assertThat(t.size()).isZero();
    }
  }

  @Test
  @DisplayName("ordered set: keys in order; first, next, last, prev, also from a key not in the table; "
      + "iteration, select and foldl in key order, foldr reversed")
  void orderedSet() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid owner = RegistryMember.spawn(node, inbox);
      Table<Integer, String> t = createIn(inbox, owner, Table.Options.orderedSet().withAccess(Table.Access.PUBLIC));
      for (int k : new int[] {30, 10, 20}) {
        t.insert(k, "v" + k);
      }

      assertThat(t.first()).contains(10);
      assertThat(t.next(10)).contains(20);
      assertThat(t.next(15)).as("from a key not in the table").contains(20);
      assertThat(t.next(30)).isEmpty();
      assertThat(t.last()).contains(30);
      assertThat(t.prev(30)).contains(20);
      assertThat(t.prev(10)).isEmpty();
      assertThat(t.stream().map(Table.Entry::key).toList()).containsExactly(10, 20, 30);
      assertThat(t.select((k, v) -> k > 10)).containsExactly(new Table.Entry<>(20, "v20"), new Table.Entry<>(30, "v30"));
      assertThat(t.foldl("", (acc, e) -> acc + e.key() + ";")).isEqualTo("10;20;30;");
      assertThat(t.foldr("", (acc, e) -> acc + e.key() + ";")).isEqualTo("30;20;10;");

      t.deleteAllObjects();
      assertThat(t.first()).isEmpty();
      assertThat(t.last()).isEmpty();
    }
  }

  @Test
  @DisplayName("ordered set with a comparator: keys that compare equal are one key")
  void orderedByComparator() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid owner = RegistryMember.spawn(node, inbox);
      Table<String, Integer> t = createIn(inbox, owner, Table.Options.orderedSet()
          .orderedBy(String.CASE_INSENSITIVE_ORDER).withAccess(Table.Access.PUBLIC));
      t.insert("b", 1);
      t.insert("A", 2);
      t.insert("a", 3);

      assertThat(t.size()).isEqualTo(2);
      assertThat(t.get("A")).contains(3);
      assertThat(t.first()).contains("A");
    }
  }

  @Test
  @DisplayName("updateCounter: increments a Long atomically; an initial value starts a counter; a threshold wraps "
      + "upwards and downwards")
  void updateCounter() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid owner = RegistryMember.spawn(node, inbox);
      Table<String, Long> t = createIn(inbox, owner, Table.Options.set().withAccess(Table.Access.PUBLIC));
      t.insert("n", 5L);

      assertThat(t.updateCounter("n", 3)).isEqualTo(8);
      assertThat(t.updateCounter("n", -10)).isEqualTo(-2);
      assertThat(t.updateCounter("fresh", 2, 100)).as("initial + increment").isEqualTo(102);
      assertThat(t.get("fresh")).contains(102L);
      assertThat(t.size()).isEqualTo(2);

      t.insert("wrap", 8L);
      Table.Increment upToNine = Table.Increment.by(1).withThreshold(9, 0);
      assertThat(t.updateCounter("wrap", upToNine)).isEqualTo(9);
      assertThat(t.updateCounter("wrap", upToNine)).as("past 9: set to 0").isEqualTo(0);
      Table.Increment downToZero = Table.Increment.by(-1).withThreshold(0, 9);
      assertThat(t.updateCounter("wrap", downToZero)).as("below 0: set to 9").isEqualTo(9);
      assertThat(t.updateCounter("new", downToZero, 0)).isEqualTo(9);
    }
  }

  @Test
  @DisplayName("updateCounter: bad input is named: a missing key, a value that is not a Long, an overflow, a bag")
  void updateCounterErrors() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid owner = RegistryMember.spawn(node, inbox);
      Table<String, Object> t = createIn(inbox, owner, Table.Options.set().named("c").withAccess(Table.Access.PUBLIC));
      Table<String, Long> b = createIn(inbox, owner, Table.Options.bag().withAccess(Table.Access.PUBLIC));
      t.insert("text", "seven");
      t.insert("max", Long.MAX_VALUE);

      assertThatThrownBy(() -> t.updateCounter("missing", 1)).isInstanceOf(NoSuchElementException.class)
          .hasMessage("updateCounter: table 'c' has no counter under key missing; pass an initial value, "
              + "updateCounter(key, increment, initial), to start one");
      assertThatThrownBy(() -> t.updateCounter("text", 1)).isInstanceOf(IllegalArgumentException.class)
          .hasMessage("updateCounter: the value under key text in table 'c' is a java.lang.String (seven), not a "
              + "Long; a counter is a Long");
      assertThatThrownBy(() -> t.updateCounter("max", 1)).isInstanceOf(ArithmeticException.class);
      assertThat(t.lookup("max")).as("a failed update changes nothing").containsExactly(Long.MAX_VALUE);
      assertThat(t.member("missing")).isFalse();
      assertThatThrownBy(() -> b.updateCounter("k", 1)).isInstanceOf(UnsupportedOperationException.class)
          .hasMessageStartingWith("updateCounter needs a set or an ordered set, but table #")
          .hasMessageContaining("is a BAG");
    }
  }

  @Test
  @DisplayName("wrong kind: get on a bag, next on a set, a comparator on a set, a key that is not Comparable in "
      + "an ordered set, nulls")
  void wrongKindAndBadInput() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid owner = RegistryMember.spawn(node, inbox);
      Table<String, String> bag = createIn(inbox, owner, Table.Options.bag().named("b"));
      Table<String, String> set = createIn(inbox, owner, Table.Options.set().named("s"));
      Table<Object, String> ordered = createIn(inbox, owner, Table.Options.orderedSet().named("o"));

      assertThatThrownBy(() -> bag.get("k")).isInstanceOf(UnsupportedOperationException.class)
          .hasMessage("get needs a set or an ordered set, but table 'b' is a BAG; use lookup(key), which returns "
              + "every value under the key");
      assertThatThrownBy(() -> set.next("k")).isInstanceOf(UnsupportedOperationException.class)
          .hasMessageStartingWith("next needs an ordered set, but table 's' is a SET");
      assertThatThrownBy(set::first).isInstanceOf(UnsupportedOperationException.class);
      assertThatThrownBy(() -> Table.Options.set().orderedBy(Comparator.naturalOrder()))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("only an ordered set orders its keys");
      assertThatThrownBy(() -> ordered.lookup(new Object())).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("is not Comparable");
      assertThatThrownBy(() -> set.lookup(null)).isInstanceOf(NullPointerException.class)
          .hasMessageStartingWith("table 's': a key cannot be null");
      assertThatThrownBy(() -> Table.Options.set().named(" ")).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> set.select((k, v) -> true, 0)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("a limit is at least 1, got 0");
    }
  }

  @Test
  @DisplayName("select, selectCount, selectDelete, match, foldl over a set")
  void queries() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid owner = RegistryMember.spawn(node, inbox);
      Table<String, Integer> ages = createIn(inbox, owner, Table.Options.set().withAccess(Table.Access.PUBLIC));
      ages.insert("ann", 31);
      ages.insert("bob", 17);
      ages.insert("cy", 45);
      Table<String, Integer> scores = createIn(inbox, owner, Table.Options.bag().withAccess(Table.Access.PUBLIC));
      scores.insert("ann", 3);
      scores.insert("ann", 8);
      scores.insert("bob", 9);

      assertThat(ages.select((name, age) -> age >= 18)).extracting(Table.Entry::key).containsExactlyInAnyOrder("ann", "cy");
      assertThat(ages.selectCount((name, age) -> age < 40)).isEqualTo(2);
      assertThat(ages.foldl(0, (sum, e) -> sum + e.value())).isEqualTo(93);
      assertThat(scores.match("ann", s -> s > 5)).containsExactly(8);
      assertThat(scores.match("nobody", s -> true)).isEmpty();

      assertThat(scores.selectDelete((name, s) -> s > 5)).isEqualTo(2);
      assertThat(scores.lookup("ann")).containsExactly(3);
      assertThat(scores.member("bob")).isFalse();
      assertThat(scores.size()).isEqualTo(1);
    }
  }

  @Test
  @DisplayName("select with a limit returns chunks that together are the whole selection; a chunk continues once")
  void selectInChunks() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid owner = RegistryMember.spawn(node, inbox);
      Table<Integer, String> table = createIn(inbox, owner, Table.Options.set().withAccess(Table.Access.PUBLIC));
      for (int i = 0; i < 55; i++) {
        table.insert(i, "v" + i);
      }
      List<Table.Entry<Integer, String>> seen = new ArrayList<>();
      List<Integer> sizes = new ArrayList<>();

      // region: table-chunks
      Table.Chunk<Integer, String> chunk = table.select((k, v) -> k % 2 == 0, 10);
      while (true) {
        seen.addAll(chunk.entries());
        if (!chunk.hasMore()) {
          break;
        }
        chunk = chunk.next();
      }
      // endregion: table-chunks
      Table.Chunk<Integer, String> first = table.select((k, v) -> true, 50);
      sizes.add(first.entries().size());
      Table.Chunk<Integer, String> second = first.next();
      sizes.add(second.entries().size());

      assertThat(seen).extracting(Table.Entry::key).containsExactlyInAnyOrderElementsOf(
          java.util.stream.IntStream.range(0, 55).filter(i -> i % 2 == 0).boxed().toList());
      assertThat(sizes).containsExactly(50, 5);
      assertThat(second.hasMore()).isFalse();
      assertThatThrownBy(first::next).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("continues it once");
      assertThatThrownBy(second::next).isInstanceOf(NoSuchElementException.class);
      assertThat(table.select((k, v) -> false, 5).entries()).isEmpty();
    }
  }

  @Test
  @DisplayName("info: name, kind, access, owner, heir, size, and a memory estimate that grows with the table")
  void info() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid owner = RegistryMember.spawn(node, inbox);
      Pid heir = RegistryMember.spawn(node, inbox);
      Table<Integer, Integer> t = createIn(inbox, owner, Table.Options.set().named("nums").withHeir(heir, "h"));
      Table.Info empty = t.info();
      run(inbox, owner, () -> {
        for (int i = 0; i < 1000; i++) {
          t.insert(i, i);
        }
      });
      Table.Info full = t.info();

      assertThat(empty).isEqualTo(new Table.Info(Optional.of("nums"), Table.Kind.SET, Table.Access.PROTECTED, owner,
          Optional.of(heir), 0, empty.memory()));
      assertThat(full.size()).isEqualTo(1000);
      assertThat(full.memory()).isGreaterThan(empty.memory() + 1000 * 16);
      assertThat(t.toString()).isEqualTo("Table[nums,SET,PROTECTED]");
    }
  }

  @ParameterizedTest
  @EnumSource(Table.Kind.class)
  @DisplayName("iteration is safe under concurrent writes: no failure, every object present throughout seen once")
  void iterationUnderWrites(Table.Kind kind) throws Exception {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid owner = RegistryMember.spawn(node, inbox);
      Table<Integer, Integer> t = createIn(inbox, owner,
          new Table.Options(kind, Table.Access.PUBLIC, null, null, null));
      for (int i = 0; i < 2000; i += 2) {
        t.insert(i, i); // even keys stay for the whole test
      }
      Thread writer = Thread.ofPlatform().start(() -> {
        for (int round = 0; round < 20; round++) {
          for (int i = 1; i < 2000; i += 2) {
            t.insert(i, i);
          }
          for (int i = 1; i < 2000; i += 2) {
            t.delete(i);
          }
        }
      });
      List<Integer> evens = new ArrayList<>();
      int traversals = 0;
      while (writer.isAlive() || traversals == 0) {
        evens.clear();
        for (Table.Entry<Integer, Integer> e : t) {
          if (e.key() % 2 == 0) {
            evens.add(e.key());
          }
        }
        assertThat(evens).hasSize(1000).doesNotHaveDuplicates();
        traversals++;
      }
      writer.join();
      assertThat(t.size()).isEqualTo(1000);
    }
  }

  @Test
  @DisplayName("deleteAllObjects empties the table at once; writes afterwards land in the empty table")
  void deleteAllObjects() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid owner = RegistryMember.spawn(node, inbox);
      Table<String, Integer> t = createIn(inbox, owner, Table.Options.duplicateBag().withAccess(Table.Access.PUBLIC));
      t.insert("a", 1);
      t.insert("a", 1);
      t.deleteAllObjects();
      assertThat(t.size()).isZero();
      assertThat(t.lookup("a")).isEmpty();
      t.insert("a", 2);
      assertThat(t.lookup("a")).containsExactly(2);
    }
  }

  @Test
  @DisplayName("next() of a chunk on a deleted table throws NoSuchTableException")
  void chunkOfDeletedTable() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid owner = RegistryMember.spawn(node, inbox);
      Table<Integer, Integer> t = createIn(inbox, owner, Table.Options.set().withAccess(Table.Access.PUBLIC));
      t.insert(1, 1);
      t.insert(2, 2);
      Table.Chunk<Integer, Integer> chunk = t.select((k, v) -> true, 1);
      t.delete();
      assertThatThrownBy(chunk::next).isInstanceOf(NoSuchTableException.class);
    }
  }
}
