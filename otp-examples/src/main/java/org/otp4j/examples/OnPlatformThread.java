package org.otp4j.examples;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Runs a task on a new platform thread and waits for it: for work that would hold a process's
 * carrier thread too long, such as building and starting Jetty, which loads and initialises
 * hundreds of classes (a second or more of CPU the first time) and would get the process reported
 * as a runaway.
 */
public final class OnPlatformThread {
  private OnPlatformThread() {}

  /**
   * Runs {@code task} on a platform thread named {@code name}; returns its result, or throws what it threw.
   *
   * @param name the thread's name
   * @param task the work
   * @param <T> the result's type
   * @return what {@code task} returned
   * @throws Exception what {@code task} threw
   */
  public static <T> T call(String name, Callable<T> task) throws Exception {
    CompletableFuture<T> done = new CompletableFuture<>();
    Thread.ofPlatform().name(name).start(() -> {
      try {
        done.complete(task.call());
      } catch (Throwable t) {
        done.completeExceptionally(t);
      }
    });
    try {
      return done.join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    }
  }
}
