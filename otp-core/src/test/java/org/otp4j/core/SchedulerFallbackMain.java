package org.otp4j.core;

import java.time.Duration;

/**
 * Started by {@link SchedulerTest} in a JVM of its own, with or without the flag that the local
 * scheduler needs: starts two nodes, says which scheduler each runs on, and runs a process on each.
 */
final class SchedulerFallbackMain {
  private SchedulerFallbackMain() {}

  public static void main(String[] args) {
    try (Node first = Node.start(); Node second = Node.start()) {
      System.out.println("node 1: " + kind(first.scheduler()));
      System.out.println("node 2: " + kind(second.scheduler()));
      Pid a = first.spawn(() -> Proc.receive(Duration.ofMillis(10)));
      Pid b = second.spawn(() -> Proc.receive(Duration.ofMillis(10)));
      boolean ran = Proc.awaitExit(a, Duration.ofSeconds(10)).isPresent()
          && Proc.awaitExit(b, Duration.ofSeconds(10)).isPresent();
      System.out.println(ran ? "both ran" : "a process did not end");
    }
  }

  private static String kind(Scheduler scheduler) {
    return switch (scheduler) {
      case Scheduler.Local local -> "local";
      case Scheduler.Jdk jdk -> "jdk";
    };
  }
}
