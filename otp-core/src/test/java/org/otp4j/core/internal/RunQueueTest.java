package org.otp4j.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A carrier's run queue: order, capacity, stealing")
class RunQueueTest {

  static final class Queue extends RunQueue {}

  private static Runnable task(List<Integer> ran, int id) {
    return () -> ran.add(id);
  }

  @Test
  @DisplayName("The owner takes its tasks oldest first, and offer says the length after")
  void fifo() {
    Queue q = new Queue();
    List<Integer> ran = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      assertThat(q.offer(task(ran, i))).isEqualTo(i + 1);
    }
    assertThat(q.size()).isEqualTo(5);
    Runnable r;
    while ((r = q.poll()) != null) {
      r.run();
    }
    assertThat(ran).containsExactly(0, 1, 2, 3, 4);
    assertThat(q.size()).isZero();
    assertThat(q.ownSize()).isZero();
  }

  @Test
  @DisplayName("A full queue refuses a task; takeHalf hands out its older half in order")
  void fullAndHalf() {
    Queue q = new Queue();
    List<Integer> ran = new ArrayList<>();
    for (int i = 0; i < RunQueue.CAPACITY; i++) {
      assertThat(q.offer(task(ran, i))).isPositive();
    }
    assertThat(q.offer(task(ran, -1))).isEqualTo(-1);
    Runnable[] half = q.takeHalf();
    assertThat(half).hasSize(RunQueue.CAPACITY / 2);
    for (Runnable r : half) {
      r.run();
    }
    assertThat(ran).hasSize(RunQueue.CAPACITY / 2).startsWith(0, 1, 2).endsWith(RunQueue.CAPACITY / 2 - 1);
    assertThat(q.size()).isEqualTo(RunQueue.CAPACITY / 2);
    assertThat(q.takeHalf()).as("not full").isNull();
  }

  @Test
  @DisplayName("A thief takes half (rounded up), runs the newest of them, and queues the rest in order")
  void stealHalf() {
    Queue victim = new Queue();
    Queue thief = new Queue();
    List<Integer> ran = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      victim.offer(task(ran, i));
    }
    Runnable now = thief.stealFrom(victim, 2);
    now.run();
    assertThat(ran).containsExactly(2);
    assertThat(thief.size()).isEqualTo(2);
    assertThat(victim.size()).isEqualTo(2);
    Runnable r;
    while ((r = thief.poll()) != null) {
      r.run();
    }
    while ((r = victim.poll()) != null) {
      r.run();
    }
    assertThat(ran).containsExactly(2, 0, 1, 3, 4);
  }

  @Test
  @DisplayName("A single task is stolen only when the thief may take one")
  void singleTask() {
    Queue victim = new Queue();
    Queue thief = new Queue();
    List<Integer> ran = new ArrayList<>();
    victim.offer(task(ran, 7));
    assertThat(thief.stealFrom(victim, 2)).isNull();
    assertThat(victim.size()).isEqualTo(1);
    thief.stealFrom(victim, 1).run();
    assertThat(ran).containsExactly(7);
    assertThat(victim.size()).isZero();
    assertThat(thief.size()).isZero();
    assertThat(thief.stealFrom(victim, 1)).isNull();
  }

  @Test
  @DisplayName("The ring's slots are reused lap after lap, in order")
  void laps() {
    Queue q = new Queue();
    List<Integer> ran = new ArrayList<>();
    int next = 0;
    for (int lap = 0; lap < 10; lap++) {
      for (int i = 0; i < 200; i++) {
        assertThat(q.offer(task(ran, next++))).isPositive();
      }
      for (int i = 0; i < 198; i++) {
        q.poll().run();
      }
    }
    assertThat(q.size()).isEqualTo(20);
    Runnable r;
    while ((r = q.poll()) != null) {
      r.run();
    }
    assertThat(ran).isSorted().doesNotHaveDuplicates().hasSize(next);
  }
}
