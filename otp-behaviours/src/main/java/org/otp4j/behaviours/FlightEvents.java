package org.otp4j.behaviours;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.EventType;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Threshold;

/**
 * The behaviours' Java Flight Recorder events (the process events are in otp-core): supervisor
 * restarts and slow callbacks. A callback is timed only while a recording has the slow-handler event
 * enabled; its default threshold is 100 ms and can be changed in the recording settings.
 */
final class FlightEvents {
  private FlightEvents() {}

  static final EventType RESTART = EventType.getEventType(ChildRestart.class);
  static final EventType SLOW = EventType.getEventType(SlowHandler.class);

  @Name("org.otp4j.ChildRestart")
  @Label("Child Restart")
  @Category({"otp4j", "Supervision"})
  @Description("A supervisor restarted a child that had terminated")
  @StackTrace(false)
  static final class ChildRestart extends Event {
    @Label("Supervisor")
    String supervisor;

    @Label("Child Id")
    String childId;

    @Label("New Pid")
    String pid;

    @Label("Reason")
    @Description("Why the child that was replaced terminated")
    String reason;
  }

  @Name("org.otp4j.SlowHandler")
  @Label("Slow Handler")
  @Category({"otp4j", "Behaviours"})
  @Description("A behaviour callback took longer than the threshold: every caller of the process waited")
  @Threshold("100 ms")
  @StackTrace(false)
  static final class SlowHandler extends Event {
    @Label("Process")
    String process;

    @Label("Behaviour")
    String behaviour;

    @Label("Callback")
    String callback;

    @Label("Message")
    String message;
  }

  static void restarted(String supervisor, Object childId, org.otp4j.core.Pid pid, Object reason) {
    if (RESTART.isEnabled()) {
      ChildRestart e = new ChildRestart();
      e.supervisor = supervisor;
      e.childId = String.valueOf(childId);
      e.pid = String.valueOf(pid);
      e.reason = String.valueOf(reason);
      e.commit();
    }
  }

  /** Starts timing a callback if slow handlers are recorded; else returns null. */
  static SlowHandler beginCallback() {
    if (!SLOW.isEnabled()) {
      return null;
    }
    SlowHandler e = new SlowHandler();
    e.begin();
    return e;
  }

  static void endCallback(SlowHandler e, org.otp4j.core.Pid process, String behaviour, String callback, Object message) {
    if (e == null) {
      return;
    }
    e.end();
    if (e.shouldCommit()) {
      e.process = String.valueOf(process);
      e.behaviour = behaviour;
      e.callback = callback;
      e.message = message == null ? null : message.getClass().getName();
      e.commit();
    }
  }
}
