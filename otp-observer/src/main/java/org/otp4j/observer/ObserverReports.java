package org.otp4j.observer;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.otp4j.core.NodeReport;

/**
 * The recent reports of a node (process crashes, supervisor reports, servers terminating), kept for
 * an {@link Observer}. A node hands its reports to one handler, chosen when it starts, so the feed
 * is given to the node's configuration:
 *
 * <!-- snippet: org.otp4j.observer.ObserverGuideTest#hook -->
 * {@snippet :
 * ObserverReports feed = ObserverReports.create();
 * Node node = Node.start(NodeConfig.defaults().withReportHandler(feed));
 * Observer observer = Observer.start(node);   // finds the feed in the node's configuration
 * }
 *
 * <p>A feed keeps the last {@code capacity} reports, each with a sequence number, and hands every
 * report on: by default to the JDK's {@link System.Logger} of the report's logger name, with its
 * level, text and throwable (which reaches SLF4J when a bridge to it is installed), so that the node
 * still logs what it reports.
 */
public final class ObserverReports implements Consumer<NodeReport> {
  /** How many reports {@link #create()} keeps. */
  public static final int DEFAULT_CAPACITY = 200;

  /**
   * One report as the feed keeps it.
   *
   * @param seq its number in the feed, from 1
   * @param time when the feed received it
   * @param report the report
   */
  public record Entry(long seq, Instant time, NodeReport report) {}

  private final int capacity;
  private final Consumer<NodeReport> next;
  private final ReentrantLock lock = new ReentrantLock();
  private final ArrayDeque<Entry> entries = new ArrayDeque<>();
  private long seq;

  private ObserverReports(int capacity, Consumer<NodeReport> next) {
    this.capacity = capacity;
    this.next = next;
  }

  /** A feed of the last {@value #DEFAULT_CAPACITY} reports that also logs each report. */
  public static ObserverReports create() {
    return new ObserverReports(DEFAULT_CAPACITY, ObserverReports::log);
  }

  /**
   * A feed of the last {@code capacity} reports that hands each report to {@code next} instead of
   * logging it (a test's capture, another handler).
   *
   * @throws IllegalArgumentException if {@code capacity} is not positive
   */
  public static ObserverReports create(int capacity, Consumer<NodeReport> next) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
    }
    return new ObserverReports(capacity, Objects.requireNonNull(next, "next: use r -> {} to hand reports nowhere"));
  }

  /** Keeps {@code report} (dropping the oldest past the capacity), then hands it on. */
  @Override
  public void accept(NodeReport report) {
    Objects.requireNonNull(report, "report");
    lock.lock();
    try {
      entries.addLast(new Entry(++seq, Instant.now(), report));
      if (entries.size() > capacity) {
        entries.removeFirst();
      }
    } finally {
      lock.unlock();
    }
    next.accept(report);
  }

  /** The reports kept whose sequence number is above {@code afterSeq}, oldest first. */
  public List<Entry> since(long afterSeq) {
    lock.lock();
    try {
      List<Entry> out = new ArrayList<>();
      for (Entry e : entries) {
        if (e.seq() > afterSeq) {
          out.add(e);
        }
      }
      return out;
    } finally {
      lock.unlock();
    }
  }

  /** Every report kept, oldest first. */
  public List<Entry> recent() {
    return since(0);
  }

  private static void log(NodeReport report) {
    System.Logger logger = System.getLogger(report.logger());
    if (report.cause().isPresent()) {
      logger.log(report.level(), report.text(), report.cause().get());
    } else {
      logger.log(report.level(), report.text());
    }
  }
}
