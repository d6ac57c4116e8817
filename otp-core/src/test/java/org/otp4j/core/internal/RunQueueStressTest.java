package org.otp4j.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("stress")
@DisplayName("Stress: a run queue's owner and two thieves; every task runs exactly once")
class RunQueueStressTest {

  static final class Queue extends RunQueue {}

  @Test
  @DisplayName("One owner offering and taking, two thieves stealing into their own queues")
  void everyTaskOnce() throws InterruptedException {
    int tasks = 2_000_000;
    AtomicIntegerArray runs = new AtomicIntegerArray(tasks);
    Queue owner = new Queue();
    AtomicBoolean done = new AtomicBoolean();
    CountDownLatch thievesDone = new CountDownLatch(2);
    Runnable thief = () -> {
      Queue mine = new Queue();
      while (!done.get()) {
        Runnable r = mine.stealFrom(owner, 1);
        while (r != null) {
          r.run();
          r = mine.poll();
        }
        Thread.onSpinWait();
      }
      thievesDone.countDown();
    };
    Thread.ofPlatform().start(thief);
    Thread.ofPlatform().start(thief);
    for (int i = 0; i < tasks; i++) {
      int id = i;
      Runnable task = () -> runs.incrementAndGet(id);
      while (owner.offer(task) < 0) {
        Runnable r = owner.poll();
        if (r != null) {
          r.run();
        }
      }
      if ((i & 3) == 0) {
        Runnable r = owner.poll();
        if (r != null) {
          r.run();
        }
      }
    }
    Runnable r;
    while ((r = owner.poll()) != null) {
      r.run();
    }
    done.set(true);
    assertThat(thievesDone.await(30, TimeUnit.SECONDS)).isTrue();
    for (int i = 0; i < tasks; i++) {
      assertThat(runs.get(i)).as("runs of task %d", i).isEqualTo(1);
    }
  }
}
