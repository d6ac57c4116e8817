package org.otp4j.examples;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Runs a task on a new platform thread and waits for it. Building and starting Jetty loads and
 * initialises hundreds of classes, a second or more of CPU the first time, which would hold a
 * process's carrier thread (and get the process reported as a runaway): the web endpoints start
 * and stop their servers this way.
 */
public final class PlatformThread {
  private PlatformThread() {}

  /**
   * Runs {@code task} on a platform thread named {@code name} and returns its result.
   *
   * @param <T> the result type
   * @param name the thread's name
   * @param task the work
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
