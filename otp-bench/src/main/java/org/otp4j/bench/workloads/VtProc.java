package org.otp4j.bench.workloads;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.LinkedTransferQueue;
import java.util.function.Predicate;

/**
 * The floor: a "process" that is nothing but a JDK virtual thread and a
 * {@link LinkedTransferQueue} mailbox. No links, monitors, names, exit signals or process table.
 *
 * <p>Selective receive is what a plain queue gives: messages taken off the queue that do not match
 * are kept, in order, in a save list that a later selective receive scans first. For a reply to a
 * fresh reference it has a receive marker too, as OTP does: {@link #mark()} before the request,
 * then {@link #receive(Predicate, int)} looks only at what arrived after the mark, so a backlog
 * costs nothing per receive (each message moves to the save list once).
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

  /**
   * A receive marker: moves every message that has arrived so far to the save list and returns its
   * length. A {@link #receive(Predicate, int)} with this mark skips all of them: it is for a reply
   * that cannot have arrived before the mark (it carries a reference made after it). The mark holds
   * until the next receive.
   */
  int mark() {
    if (saved == null) {
      saved = new ArrayDeque<>();
    }
    mailbox.drainTo(saved);
    return saved.size();
  }

  /**
   * Takes the oldest message matching {@code filter} among those that arrived after {@code mark}
   * (see {@link #mark()}): the end of the save list past the mark, then the queue.
   */
  Object receive(Predicate<Object> filter, int mark) throws InterruptedException {
    ArrayDeque<Object> s = saved;
    int after = s.size() - mark;
    if (after > 0) {
      Object found = null;
      Iterator<Object> it = s.descendingIterator(); // newest first: the oldest match is the last one seen
      for (int i = 0; i < after; i++) {
        Object m = it.next();
        if (filter.test(m)) {
          found = m;
        }
      }
      if (found != null) {
        s.removeLastOccurrence(found); // within the part after the mark (an equal message, if not this one)
        return found;
      }
    }
    for (;;) {
      Object m = mailbox.take();
      if (filter.test(m)) {
        return m;
      }
      s.add(m);
    }
  }

  /** Drops every message, saved or queued; returns how many there were. */
  int flush() {
    int n = mark();
    saved.clear();
    return n;
  }

  void join() throws InterruptedException {
    thread.join();
  }

  void kill() {
    thread.interrupt();
  }
}
