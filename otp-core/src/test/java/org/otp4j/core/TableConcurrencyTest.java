package org.otp4j.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.otp4j.core.RegistryMember.call;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Many readers and writers at once, on platform threads (so they run in parallel on every core):
 * counters add up, readers never see a torn or stale-then-fresh-then-stale object, a bag's list under a
 * key is always one the writers made.
 */
@DisplayName("Table: concurrent readers and writers")
class TableConcurrencyTest {
  private static final int THREADS = 4;

  /** A value that says which key it belongs under and how many times its key was written. */
  record Versioned(int key, long version) {}

  private static <K, V> Table<K, V> publicTable(Node node, Inbox inbox, Table.Kind kind) {
    Pid owner = RegistryMember.spawn(node, inbox);
    Object created = call(inbox, owner, () -> Table.create(new Table.Options(kind, Table.Access.PUBLIC, null, null,
        null)));
    @SuppressWarnings("unchecked")
    Table<K, V> table = (Table<K, V>) created;
    return table;
  }

  /** Runs {@code work} on {@code n} platform threads started together; returns what they threw. */
  private static List<Throwable> together(int n, java.util.function.IntConsumer work) throws InterruptedException {
    CountDownLatch start = new CountDownLatch(1);
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int index = i;
      threads.add(Thread.ofPlatform().start(() -> {
        try {
          start.await();
          work.accept(index);
        } catch (Throwable t) {
          failures.add(t);
        }
      }));
    }
    start.countDown();
    for (Thread t : threads) {
      t.join();
    }
    return new ArrayList<>(failures);
  }

  @ParameterizedTest
  @EnumSource(value = Table.Kind.class, names = {"SET", "ORDERED_SET"})
  @DisplayName("updateCounter is atomic: concurrent increments from many threads add up exactly, with and without "
      + "an initial value")
  void countersAddUp(Table.Kind kind) throws Exception {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Table<Integer, Long> t = publicTable(node, inbox, kind);
      int perThread = 20_000;

      List<Throwable> failures = together(THREADS, i -> {
        for (int n = 0; n < perThread; n++) {
          t.updateCounter(n % 8, 1, 0);
          t.updateCounter(100, Table.Increment.by(2), 0);
        }
      });

      assertThat(failures).isEmpty();
      for (int key = 0; key < 8; key++) {
        assertThat(t.get(key)).contains((long) THREADS * perThread / 8);
      }
      assertThat(t.get(100)).contains(2L * THREADS * perThread);
      assertThat(t.size()).isEqualTo(9);
    }
  }

  @ParameterizedTest
  @EnumSource(value = Table.Kind.class, names = {"SET", "ORDERED_SET"})
  @DisplayName("one writer per key, many readers: a value is never under another key, and a reader never sees a "
      + "key's version go back")
  void readersSeeConsistentValues(Table.Kind kind) throws Exception {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Table<Integer, Versioned> t = publicTable(node, inbox, kind);
      int keys = 64;
      AtomicBoolean writing = new AtomicBoolean(true);
      CountDownLatch writersDone = new CountDownLatch(2);

      List<Throwable> failures = together(THREADS + 2, i -> {
        if (i < 2) { // writers: even keys for one, odd keys for the other
          for (long version = 1; version <= 3_000; version++) {
            for (int key = i; key < keys; key += 2) {
              t.insert(key, new Versioned(key, version));
            }
          }
          writersDone.countDown();
          if (writersDone.getCount() == 0) {
            writing.set(false);
          }
          return;
        }
        long[] seen = new long[keys];
        do {
          for (int key = 0; key < keys; key++) {
            Versioned v = t.get(key).orElse(null);
            if (v == null) {
              continue;
            }
            if (v.key() != key || v.version() < seen[key]) { // plain checks: AssertJ would slow the readers down
              throw new AssertionError("under key " + key + ", after version " + seen[key] + ", read " + v);
            }
            seen[key] = v.version();
          }
        } while (writing.get());
      });

      assertThat(failures).isEmpty();
      assertThat(t.size()).isEqualTo(keys);
      assertThat(t.select((k, v) -> v.version() == 3_000)).hasSize(keys);
    }
  }

  @ParameterizedTest
  @EnumSource(value = Table.Kind.class, names = {"BAG", "DUPLICATE_BAG"})
  @DisplayName("bags: a key's list changes as a whole: readers never see a copy in it, each writer's values stay in "
      + "insertion order, and the size adds up")
  void bagsStayWhole(Table.Kind kind) throws Exception {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Table<String, Integer> t = publicTable(node, inbox, kind);
      AtomicBoolean writing = new AtomicBoolean(true);
      CountDownLatch writersDone = new CountDownLatch(2);

      List<Throwable> failures = together(THREADS + 2, i -> {
        if (i < 2) { // each writer adds its own values and removes the odd ones again
          for (int n = 0; n < 1_500; n++) {
            int value = i * 1_000_000 + n;
            t.insert("hot", value);
            if (n % 2 == 1) {
              t.deleteObject("hot", value);
            }
          }
          writersDone.countDown();
          if (writersDone.getCount() == 0) {
            writing.set(false);
          }
          return;
        }
        do {
          List<Integer> values = t.lookup("hot");
          int[] last = {-1, -1};
          for (int v : values) { // no copies, and each writer's values keep their insertion order
            int writer = v / 1_000_000;
            if (v % 1_000_000 <= last[writer]) {
              throw new AssertionError("a copy, or values out of insertion order: " + values);
            }
            last[writer] = v % 1_000_000;
          }
        } while (writing.get());
      });

      assertThat(failures).isEmpty();
      assertThat(t.lookup("hot")).hasSize(1_500).allMatch(v -> v % 2 == 0).doesNotHaveDuplicates();
      assertThat(t.size()).isEqualTo(1_500);
    }
  }
}
