package org.otp4j.behaviours.guide;

import java.util.List;
import java.util.stream.Stream;
import org.otp4j.behaviours.EventHandler;
import org.otp4j.behaviours.GenEvent;
import org.otp4j.core.Name;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;

/** Chapter 6: an alarm manager and its handlers. */
final class Alarms {
  private Alarms() {}

  /** The one event type of this manager. */
  record Alarm(String source, String text) {}

  // region: handlers
  /** Keeps the last few alarms, newest first, and answers with them when called. */
  static final class Recent extends EventHandler<List<Alarm>, Alarm> {
    private final int keep;

    Recent(int keep) {
      this.keep = keep;
    }

    @Override
    protected InitResult<List<Alarm>> init() {
      return InitResult.ok(List.of());
    }

    @Override
    protected EventResult<List<Alarm>> handleEvent(Alarm alarm, List<Alarm> recent) {
      return EventResult.ok(Stream.concat(Stream.of(alarm), recent.stream()).limit(keep).toList());
    }

    @Override
    protected CallResult<List<Alarm>> handleCall(Object request, List<Alarm> recent) {
      return CallResult.ok(recent, recent);
    }

    @Override
    protected Object terminate(Removal why, List<Alarm> recent) {
      return recent; // what deleteHandler returns, and what a swapped-in handler starts from
    }
  }

  /** Passes every alarm to the person on call: a process, given to the handler's constructor. */
  static final class Pager extends EventHandler<Pid, Alarm> {
    private final Pid onCall;

    Pager(Pid onCall) {
      this.onCall = onCall;
    }

    @Override
    protected InitResult<Pid> init() {
      return onCall != null ? InitResult.ok(onCall) : InitResult.error("expected the pid of the person on call");
    }

    @Override
    protected EventResult<Pid> handleEvent(Alarm alarm, Pid onCall) {
      Proc.send(onCall, "page: " + alarm.source() + " " + alarm.text());
      return EventResult.ok(onCall);
    }
  }
  // endregion: handlers

  // region: counting
  /** Counts alarms; swapped in for a Recent, it starts from the alarms that one kept. */
  static final class Counting extends EventHandler<Integer, Alarm> {
    @Override
    protected InitResult<Integer> init() {
      return InitResult.ok(0);
    }

    @Override
    protected InitResult<Integer> initSwapped(Object terminateResult) {
      return InitResult.ok(terminateResult instanceof List<?> kept ? kept.size() : 0);
    }

    @Override
    protected EventResult<Integer> handleEvent(Alarm alarm, Integer count) {
      return EventResult.ok(count + 1);
    }

    @Override
    protected CallResult<Integer> handleCall(Object request, Integer count) {
      return CallResult.ok(count, count);
    }
  }
  // endregion: counting

  static final Name NAME = Name.local("alarms");

  // region: on-call
  /** Someone on call: their pager stays in the manager for as long as this process lives. */
  static Pid onCall(Pid phone) {
    return Proc.spawn(() -> {
      GenEvent.addSupervisedHandler(NAME, new Pager(phone));
      Object m = Proc.receive(x -> x.equals("off duty") || x instanceof GenEvent.HandlerExit);
      if (m instanceof GenEvent.HandlerExit exit) {
        Proc.send(phone, "pager gone: " + exit.reason()); // deleted, crashed, or the manager stopped
      }
      // Returning ends this process; a pager still installed is removed with it.
    });
  }
  // endregion: on-call

  static List<Alarm> firstUse() {
    // region: first-use
    GenEvent.startLink(NAME);
    Recent recent = new Recent(10); // the handler object is its identity in the manager: keep it
    GenEvent.addHandler(NAME, recent);

    GenEvent.notify(NAME, new Alarm("disk", "90% full"));  // returns at once
    GenEvent.syncNotify(NAME, new Alarm("cpu", "too hot")); // returns once every handler has it
    @SuppressWarnings("unchecked")
    List<Alarm> last = (List<Alarm>) GenEvent.call(NAME, recent, "recent"); // [cpu too hot, disk 90% full]
    // endregion: first-use
    return last;
  }

  static int swap(Recent recent) {
    // region: swap
    Counting counting = new Counting();
    GenEvent.swapHandler(NAME, recent, "archived", counting);
    int count = (int) GenEvent.call(NAME, counting, "count"); // the alarms Recent had kept
    // endregion: swap
    return count;
  }
}
