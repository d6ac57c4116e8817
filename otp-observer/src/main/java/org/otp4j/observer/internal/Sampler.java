package org.otp4j.observer.internal;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.otp4j.core.Node;
import org.otp4j.core.ProcessInfo;
import org.otp4j.core.ProcessStatus;

/**
 * Takes one sample of a node's load a second, on a daemon thread of its own, and keeps the samples
 * of the last {@code history}. Rates (messages, spawns and crashes a second) are the differences of the
 * node's counters between two samples.
 */
public final class Sampler implements AutoCloseable {
  /**
   * One sample.
   *
   * @param time when it was taken, in milliseconds since the epoch
   * @param processes processes alive
   * @param running processes running or ready to run (the run queue, with those on a carrier)
   * @param waiting processes waiting in the runtime (receive, call)
   * @param blocked processes blocked outside the runtime (I/O, locks)
   * @param queued messages waiting in all mailboxes
   * @param messagesPerSecond messages taken from mailboxes a second since the previous sample
   * @param spawnsPerSecond processes spawned a second since the previous sample
   * @param crashesPerSecond processes crashed a second since the previous sample
   * @param heapUsed JVM heap in use, in bytes
   * @param heapMax JVM heap limit, in bytes
   */
  public record Sample(long time, int processes, int running, int waiting, int blocked, long queued,
      double messagesPerSecond, double spawnsPerSecond, double crashesPerSecond, long heapUsed, long heapMax) {

    /** The sample as a JSON object's fields. */
    public Map<String, Object> toMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("time", time);
      m.put("processes", processes);
      m.put("running", running);
      m.put("waiting", waiting);
      m.put("blocked", blocked);
      m.put("queuedMessages", queued);
      m.put("messagesPerSecond", messagesPerSecond);
      m.put("spawnsPerSecond", spawnsPerSecond);
      m.put("crashesPerSecond", crashesPerSecond);
      m.put("heapUsed", heapUsed);
      m.put("heapMax", heapMax);
      return m;
    }
  }

  private final Node node;
  private final int keep;
  private final ReentrantLock lock = new ReentrantLock();
  private final ArrayDeque<Sample> samples = new ArrayDeque<>();
  private final ScheduledExecutorService timer;
  private long lastNanos;
  private Node.Stats lastStats;
  private long lastReceived;

  /** Starts sampling {@code node} now and every second after, keeping {@code history} of samples. */
  public Sampler(Node node, Duration history) {
    this.node = node;
    this.keep = (int) Math.max(1, history.toSeconds());
    this.timer = Executors.newSingleThreadScheduledExecutor(
        Thread.ofPlatform().daemon().name("observer-sampler-" + node.name()).factory());
    timer.scheduleAtFixedRate(this::sampleQuietly, 0, 1, TimeUnit.SECONDS);
  }

  private void sampleQuietly() {
    try {
      sample();
    } catch (RuntimeException e) {
      // the node may be stopping; the next tick tries again
    }
  }

  /** Takes a sample now, keeps it and returns it. */
  public Sample sample() {
    long now = System.nanoTime();
    Node.Stats stats = node.stats();
    long received = node.messagesReceived();
    List<ProcessInfo> all = node.processes();
    int running = 0;
    int waiting = 0;
    int blocked = 0;
    long queued = 0;
    for (ProcessInfo p : all) {
      queued += p.mailboxLength();
      if (p.status() == ProcessStatus.RUNNING) {
        running++;
      } else if (p.status() == ProcessStatus.WAITING) {
        waiting++;
      } else if (p.status() == ProcessStatus.BLOCKED) {
        blocked++;
      }
    }
    Runtime rt = Runtime.getRuntime();
    lock.lock();
    try {
      double seconds = lastStats == null ? 0 : (now - lastNanos) / 1e9;
      double spawns = seconds <= 0 ? 0 : (stats.spawned() - lastStats.spawned()) / seconds;
      double crashes = seconds <= 0 ? 0 : (stats.crashed() - lastStats.crashed()) / seconds;
      // NOTE: the node's count can dip for a moment while a process ends (see Node.messagesReceived):
      // a negative difference is read as none.
      double messages = seconds <= 0 ? 0 : Math.max(0, received - lastReceived) / seconds;
      Sample s = new Sample(System.currentTimeMillis(), all.size(), running, waiting, blocked, queued, messages,
          spawns, crashes, rt.totalMemory() - rt.freeMemory(), rt.maxMemory());
      lastNanos = now;
      lastStats = stats;
      lastReceived = Math.max(lastReceived, received);
      samples.addLast(s);
      while (samples.size() > keep) {
        samples.removeFirst();
      }
      return s;
    } finally {
      lock.unlock();
    }
  }

  /** The samples kept, oldest first. */
  public List<Sample> history() {
    lock.lock();
    try {
      return List.copyOf(samples);
    } finally {
      lock.unlock();
    }
  }

  /** The latest sample, taking one if there is none yet. */
  public Sample latest() {
    lock.lock();
    try {
      if (!samples.isEmpty()) {
        return samples.getLast();
      }
    } finally {
      lock.unlock();
    }
    return sample();
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
