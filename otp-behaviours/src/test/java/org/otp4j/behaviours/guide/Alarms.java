package org.otp4j.behaviours.guide;

import java.util.List;
import java.util.stream.Stream;
import org.otp4j.behaviours.EventHandler;
import org.otp4j.behaviours.GenEvent;
import org.otp4j.core.Call;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.core.ServerRef;

/** Chapter 6: an alarm manager and its handlers. */
final class Alarms {
  private Alarms() {}

  /** The one event type of this manager. */
  record Alarm(String source, String text) {}

  // region: handlers
  /** Keeps the last few alarms, newest first, and answers with them when called. */
  static final class Recent extends EventHandler<List<Alarm>, Alarm> {
    /** Its id in the manager: call, delete or swap it by this name. */
    static final String ID = "recent";

    /** The one call it answers: a request whose reply is a List<Alarm>. */
    record Latest() implements Call<List<Alarm>> {}

    private final int keep;

    Recent(int keep) { // its arguments go to the constructor; init takes none
      this.keep = keep;
    }

    @Override
    public Object id() {
      return ID;
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
      return switch (request) {
        case Latest latest -> CallResult.reply(latest, recent, recent); // javac checks: a List<Alarm>
        default -> throw new IllegalArgumentException("unexpected call " + request);
      };
    }

    @Override
    protected Object terminate(Removal why, List<Alarm> recent) {
      return recent; // what deleteHandler returns, and what a swapped-in handler starts from
    }
  }

  /** Passes every alarm to the person on call: a process, given to the constructor. */
  static final class Pager extends EventHandler<Pid, Alarm> {
    private final Pid onCall;

    Pager(Pid onCall) { // no id(): the handler object itself is its id
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
    record Total() implements Call<Integer> {}

    @Override
    protected InitResult<Integer> init() { // added with addHandler: count from zero
      return InitResult.ok(0);
    }

    @Override
    protected InitResult<Integer> initSwapped(Object terminateResult) { // swapped in: what the old one returned
      return InitResult.ok(terminateResult instanceof List<?> kept ? kept.size() : 0);
    }

    @Override
    protected EventResult<Integer> handleEvent(Alarm alarm, Integer count) {
      return EventResult.ok(count + 1);
    }

    @Override
    protected CallResult<Integer> handleCall(Object request, Integer count) {
      return switch (request) {
        case Total total -> CallResult.reply(total, count, count);
        default -> throw new IllegalArgumentException("unexpected call " + request);
      };
    }
  }
  // endregion: counting

  /** The manager's name, typed by the events it takes. */
  static final ServerRef<Alarm> NAME = ServerRef.local("alarms");

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
    ServerRef<Alarm> alarms = GenEvent.startLink(NAME); // a manager of Alarms, registered as "alarms"
    GenEvent.addHandler(alarms, new Recent(10));

    GenEvent.notify(alarms, new Alarm("disk", "90% full"));  // returns at once
    GenEvent.syncNotify(alarms, new Alarm("cpu", "too hot")); // returns once every handler has it
    List<Alarm> last = GenEvent.call(alarms, Recent.ID, new Recent.Latest()); // [cpu too hot, disk 90% full]
    // endregion: first-use
    return last;
  }

  static int swap() {
    // region: swap
    Counting counting = new Counting(); // no id of its own: keep the object to call it
    GenEvent.swapHandler(NAME, Recent.ID, "archived", counting);
    int count = GenEvent.call(NAME, counting, new Counting.Total()); // the alarms Recent had kept
    // endregion: swap
    return count;
  }
}
