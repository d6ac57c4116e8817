package org.otp4j.bench.workloads;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.LinkedTransferQueue;
import java.util.function.Predicate;

/**
 * The floor: a "process" that is nothing but a JDK virtual thread and a
 * {@link LinkedTransferQueue} mailbox. No links, monitors, names, exit signals or process table.
 *
 * <p>Selective receive is the naive one (what a plain queue gives): messages taken off the queue
 * that do not match are kept, in order, in a save list that every later selective receive scans
 * first. There is no receive marker, so a backlog is scanned on every receive.
 */
final class VtProc implements Runnable {
  interface Body {
    void run(VtProc self) throws Exception;
  }

  private final LinkedTransferQueue<Object> mailbox = new LinkedTransferQueue<>();
  private final Body body;
  private ArrayDeque<Object> saved; // owner thread only
  final Thread thread;

  private VtProc(Body body) {
    this.body = body;
    this.thread = Thread.ofVirtual().unstarted(this);
  }

  static VtProc spawn(Body body) {
    VtProc p = new VtProc(body);
    p.thread.start();
    return p;
  }

  @Override
  public void run() {
    try {
      body.run(this);
    } catch (InterruptedException e) {
      // killed: the floor has no exit reasons
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  void send(Object m) {
    mailbox.add(m);
  }

  /** Takes the oldest message (the save list first, if a selective receive left any there). */
  Object receive() throws InterruptedException {
    ArrayDeque<Object> s = saved;
    if (s != null && !s.isEmpty()) {
      return s.poll();
    }
    return mailbox.take();
  }

  /** Takes the oldest message matching {@code filter}: scans the save list, then the queue. */
  Object receive(Predicate<Object> filter) throws InterruptedException {
    ArrayDeque<Object> s = saved;
    if (s != null) {
      for (Iterator<Object> it = s.iterator(); it.hasNext(); ) {
        Object m = it.next();
        if (filter.test(m)) {
          it.remove();
          return m;
        }
      }
    }
    for (;;) {
      Object m = mailbox.take();
      if (filter.test(m)) {
        return m;
      }
      if (saved == null) {
        saved = new ArrayDeque<>();
      }
      saved.add(m);
    }
  }

  void join() throws InterruptedException {
    thread.join();
  }

  void kill() {
    thread.interrupt();
  }
}
