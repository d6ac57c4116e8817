package org.otp4j.bench.jmh;

import java.util.concurrent.Semaphore;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;

/**
 * A process that runs a job each time JMH asks, so that JMH (whose threads are plain threads) can
 * time code that must run inside a process: receive, selective receive, send as a process.
 *
 * <p>The hand-off uses semaphores, not messages, so that it never touches the mailbox being
 * measured. It costs two virtual-thread wake-ups (some microseconds) per invocation, which is why
 * the benchmarks run a batch of operations per invocation ({@code @OperationsPerInvocation}).
 */
final class Driver implements AutoCloseable {
  /** Code run inside the driver process. */
  @FunctionalInterface
  interface Job {
    void run() throws Exception;
  }

  private final Semaphore go = new Semaphore(0);
  private final Semaphore done = new Semaphore(0);
  private volatile Job job;
  private volatile boolean closing;
  private volatile Throwable failure;
  private final Pid pid;

  Driver(Node node) {
    this.pid = node.spawn(() -> {
      for (;;) {
        go.acquire();
        if (closing) {
          done.release();
          return;
        }
        try {
          job.run();
        } catch (Throwable t) {
          failure = t;
        }
        done.release();
      }
    });
  }

  Pid pid() {
    return pid;
  }

  /** Runs {@code j} in the driver process and waits until it has finished. */
  void run(Job j) {
    job = j;
    go.release();
    done.acquireUninterruptibly();
    Throwable t = failure;
    if (t != null) {
      failure = null;
      throw new IllegalStateException("the job failed in the driver process", t);
    }
  }

  @Override
  public void close() {
    closing = true;
    go.release();
    done.acquireUninterruptibly();
  }
}
