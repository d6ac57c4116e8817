package org.otp4j.core.internal;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.EventType;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * The runtime's Java Flight Recorder events. Each is emitted only while a recording has it enabled
 * (checked with one flag), so they cost nothing otherwise. Read them with {@code jfr print --events
 * org.otp4j.*} or JDK Mission Control.
 */
final class FlightEvents {
  private FlightEvents() {}

  static final EventType SPAWN = EventType.getEventType(ProcessSpawn.class);
  static final EventType EXIT = EventType.getEventType(ProcessExited.class);
  static final EventType HIGH_WATER = EventType.getEventType(MailboxHighWater.class);

  @Name("org.otp4j.ProcessSpawn")
  @Label("Process Spawn")
  @Category({"otp4j", "Processes"})
  @Description("A process was started")
  @StackTrace(false)
  static final class ProcessSpawn extends Event {
    @Label("Pid")
    String pid;

    @Label("Parent")
    String parent;

    @Label("Node")
    String node;
  }

  @Name("org.otp4j.ProcessExit")
  @Label("Process Exit")
  @Category({"otp4j", "Processes"})
  @Description("A process terminated")
  @StackTrace(false)
  static final class ProcessExited extends Event {
    @Label("Pid")
    String pid;

    @Label("Reason")
    String reason;

    @Label("Abnormal")
    @Description("Not normal, shutdown or {shutdown, _}")
    boolean abnormal;

    @Label("Node")
    String node;
  }

  @Name("org.otp4j.MailboxHighWater")
  @Label("Mailbox High-Water Mark")
  @Category({"otp4j", "Processes"})
  @Description("A process's mailbox reached a new high-water mark (sampled by the watchdog)")
  @StackTrace(false)
  static final class MailboxHighWater extends Event {
    @Label("Pid")
    String pid;

    @Label("Messages")
    int length;
  }

  static void spawned(ProcessImpl child, ProcessImpl parent) {
    if (SPAWN.isEnabled()) {
      ProcessSpawn e = new ProcessSpawn();
      e.pid = child.displayName();
      e.parent = parent == null ? null : parent.displayName();
      e.node = child.runtime().name();
      e.commit();
    }
  }

  static void exited(ProcessImpl p, org.otp4j.core.ExitReason reason) {
    if (EXIT.isEnabled()) {
      ProcessExited e = new ProcessExited();
      e.pid = p.displayName();
      e.reason = String.valueOf(reason);
      e.abnormal = reason != null && !reason.isOrderly();
      e.node = p.runtime().name();
      e.commit();
    }
  }

  static void highWater(ProcessImpl p, int length) {
    MailboxHighWater e = new MailboxHighWater();
    e.pid = p.displayName();
    e.length = length;
    e.commit();
  }
}
