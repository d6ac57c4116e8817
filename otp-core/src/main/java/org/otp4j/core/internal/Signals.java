package org.otp4j.core.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.otp4j.core.Address;
import org.otp4j.core.Down;
import org.otp4j.core.ExitMessage;
import org.otp4j.core.ExitReason;
import org.otp4j.core.NoProcException;
import org.otp4j.core.Pid;
import org.otp4j.core.Ref;

/**
 * The third layer of a process (see {@link ProcessCore}): its signal state (trap flag, links,
 * monitors held and watchers, registered name, exit hooks) and its termination.
 *
 * <h2>Implementation notes</h2>
 *
 * <p><b>Signals are applied by their sender.</b> Exit, link, unlink, monitor and down signals are
 * applied synchronously by the thread that sends them, under the receiver's lock
 * ({@code synchronized (this)}; no lock is ever held while taking another, or while blocking).
 * Because a sender finishes each operation before starting the next, all signals and messages from
 * one sender reach a receiver in the order they were sent: OTP's per-pair ordering guarantee. The
 * only exception would be a process that is killed while it is sending: its exit signals must not
 * overtake the message it is sending. The busy guard closes that window (see
 * {@link ProcessCore#enterOp()}).
 *
 * <p><b>Termination</b> ({@link #terminateChain}) runs on whichever thread won the transition out
 * of ALIVE, in OTP's order: names freed, exit hooks run, exit signals to linked processes, down
 * signals to watchers, monitors held dropped, the process table left, DEAD, and the thread
 * interrupted. Exit signals that bring linked processes down are finished in the same loop,
 * iteratively, so a long chain of links cannot overflow the stack.
 *
 * <p>Sets are {@link CompactSet}s: null, one element, or an array, since most processes have no
 * link or one.
 *
 * <p><b>Remote processes.</b> A process on another node is represented here by a local stand-in
 * (kind {@code REMOTE}, see {@link Distribution}) that takes part in links and monitors like any
 * process. What a stand-in receives (an exit signal through a link, an exit signal, a down of a
 * monitor it holds) is forwarded to its node instead of being applied; what a local process does to
 * a stand-in (link, unlink, monitor, demonitor) is applied locally and also sent to the remote node,
 * inside the process's busy section so that it leaves before any exit signal of the process. When
 * the connection to a node goes down, each of its stand-ins terminates with {@code noconnection},
 * which fires every link and monitor to it exactly once, by the ordinary termination.
 */
abstract sealed class Signals extends Mailbox permits ProcessImpl {

  // ---- signal state, guarded by synchronized (this)
  private boolean trapExits;
  private Object links; // CompactSet of ProcessImpl
  private Object monitoredBy; // CompactSet of Watcher
  private Extras extras; // rarely used signal state, allocated on first use

  /** Signal state that most processes never use; guarded by the process's lock. */
  private static final class Extras {
    Object monitors; // CompactSet of MonitorEntry held by this process
    String registeredName;
    Object exitHooks; // CompactSet of ExitHook
    int runawayEpoch = -1; // the runEpoch of the stretch the watchdog reported as a runaway
  }

  private Extras extras() {
    Extras e = extras;
    if (e == null) {
      e = new Extras();
      extras = e;
    }
    return e;
  }

  Signals(NodeRuntime runtime, long serial, byte kind, MailboxLimit limit, boolean trapExits, Pid remotePid) {
    super(runtime, serial, kind, limit, remotePid);
    this.trapExits = trapExits;
  }

  // =====================================================================================
  // termination

  /**
   * Finishes the termination of {@code first} and of every process that its exit signals bring
   * down, iteratively (a long chain of links must not overflow the stack).
   */
  static void terminateChain(ProcessImpl first) {
    ArrayDeque<ProcessImpl> work = null;
    Signals p = first;
    while (p != null) {
      work = p.finishExit(work);
      p = work == null ? null : work.poll();
    }
  }

  /**
   * Does everything that follows the transition to EXITING (see the class notes); returns
   * {@code work} with the linked processes that this exit brought down added.
   */
  private ArrayDeque<ProcessImpl> finishExit(ArrayDeque<ProcessImpl> work) {
    Thread current = Thread.currentThread();
    if (kind != PROCESS || current != thread) {
      awaitNotBusy();
    }
    String name;
    Object hooks;
    Object linked;
    Object watchers;
    Object held;
    synchronized (this) {
      Extras e = extras;
      extras = null;
      name = e == null ? null : e.registeredName;
      hooks = e == null ? null : e.exitHooks;
      held = e == null ? null : e.monitors;
      linked = links;
      links = null;
      watchers = monitoredBy;
      monitoredBy = null;
    }
    ProcessImpl me = self();
    ExitReason reason = exitReason;
    if (kind == PROCESS && !reason.isOrderly()) {
      // counted before any link or monitor hears of the exit, so whoever sees it also sees the count;
      // once per process, since only the thread that won the exit gets here
      runtime().countAbnormalExit();
    }
    if (blockedOn instanceof CallSlot slot) {
      slot.callerGone(); // a reply that comes now must report that it reached no one
    }
    if (name != null) {
      runtime().names().releaseName(name, me);
    }
    runExitHooks(hooks);
    work = signalLinks(linked, reason, work);
    signalWatchers(watchers, reason);
    for (MonitorEntry m : CompactSet.<MonitorEntry>toList(held)) {
      m.target.removeWatcher(m);
    }
    runtime().table().remove(me);
    STATE.setVolatile(this, DEAD);
    if (kind != REMOTE) {
      runtime().processExited(me, reason);
    }
    Thread t = thread;
    if (kind == PROCESS) {
      if (t != null && t != current) {
        runtime().zombieStarted(me);
        t.interrupt();
      }
    } else {
      wakeInboxOwner();
    }
    return work;
  }

  private void runExitHooks(Object hooks) {
    for (ExitHook hook : CompactSet.<ExitHook>toList(hooks)) {
      try {
        hook.processExited(self());
      } catch (RuntimeException e) {
        runtime().log().error("exit hook failed for process {}", displayName(), e);
      }
    }
  }

  /** Sends the exit signals; returns {@code work} with the processes they bring down added. */
  private ArrayDeque<ProcessImpl> signalLinks(Object linked, ExitReason reason, ArrayDeque<ProcessImpl> work) {
    for (ProcessImpl peer : CompactSet.<ProcessImpl>toList(linked)) {
      if (((Signals) peer).linkExit(self(), reason)) {
        if (work == null) {
          work = new ArrayDeque<>();
        }
        work.add(peer);
      }
    }
    return work;
  }

  private void signalWatchers(Object watchers, ExitReason reason) {
    for (Watcher w : CompactSet.<Watcher>toList(watchers)) {
      try {
        w.processDown(self(), reason);
      } catch (RuntimeException e) {
        runtime().log().error("down notification failed for process {}", displayName(), e);
      }
    }
  }

  /**
   * An exit signal with the link flag, from {@code from}, which has terminated with {@code reason}.
   *
   * @return true if this process must now die (the caller finishes it)
   */
  private boolean linkExit(ProcessImpl from, ExitReason reason) {
    if (kind == REMOTE) {
      synchronized (this) {
        if (state != ALIVE || !CompactSet.contains(links, from)) {
          return false;
        }
        links = CompactSet.remove(links, from);
      }
      runtime().distribution().forwardLinkExit(from, self(), reason);
      return false;
    }
    synchronized (this) {
      if (state != ALIVE || !CompactSet.contains(links, from)) {
        return false; // dead, or the link was removed by unlink: the signal is dropped
      }
      links = CompactSet.remove(links, from);
      if (trapExits) {
        deliverSystem(new ExitMessage(from.pid(), reason));
        return false;
      }
      if (reason == ExitReason.NORMAL) {
        return false;
      }
      // NOTE: a kill that travels through a link stays `kill` (OTP), unlike a direct exit(P, kill).
      return beginExit(reason);
    }
  }

  /**
   * An exit signal without the link flag ({@code exit(Pid, Reason)}).
   *
   * @param from the sender, or null for a plain thread (shown as the node's root pid)
   * @return true if this process must now die (the caller finishes it)
   */
  boolean exitSignal(ProcessImpl from, ExitReason reason) {
    if (kind == REMOTE) {
      if (state == ALIVE) {
        runtime().distribution().forwardExit(from != null ? from : runtime().root(), self(), reason);
      }
      return false;
    }
    synchronized (this) {
      if (state != ALIVE) {
        return false;
      }
      if (reason == ExitReason.KILL) {
        return beginExit(ExitReason.KILLED);
      }
      if (trapExits) {
        Pid sender = from != null ? from.pid() : runtime().root().pid();
        deliverSystem(new ExitMessage(sender, reason));
        return false;
      }
      if (reason == ExitReason.NORMAL) {
        return from == this && beginExit(ExitReason.NORMAL);
      }
      return beginExit(reason);
    }
  }


  // =====================================================================================
  // links and flags (called by the owner unless stated)

  public boolean setTrapExits(boolean on) {
    synchronized (this) {
      boolean old = trapExits;
      trapExits = on;
      return old;
    }
  }

  synchronized boolean trapsExits() {
    return trapExits;
  }

  /** Links this process (the caller's own) with {@code other}. */
  public void link(ProcessImpl otherProcess) {
    Signals other = otherProcess; // NOTE: widened, so that this class may touch its private fields
    if (other == this) {
      return;
    }
    boolean otherDead;
    boolean diesOfNoConnection = false;
    enterOp();
    try {
      synchronized (this) {
        if (CompactSet.contains(links, other)) {
          return; // already linked: a repeated link is a no-op (its exit signal may be on its way)
        }
        links = CompactSet.add(links, otherProcess);
      }
      synchronized (other) {
        otherDead = other.state != ALIVE;
        if (!otherDead) {
          other.links = CompactSet.add(other.links, self());
        }
      }
      if (!otherDead && other.kind == REMOTE) {
        runtime().distribution().forwardLink(self(), otherProcess);
      }
      if (otherDead) {
        // A stand-in is dead because its node is unreachable (noconnection) or the process is gone.
        ExitReason reason = other.kind == REMOTE ? other.exitReason : ExitReason.NOPROC;
        boolean trapping;
        synchronized (this) {
          links = CompactSet.remove(links, other);
          trapping = trapExits;
          if (trapping) {
            deliverSystem(new ExitMessage(other.pid(), reason));
          } else if (reason != ExitReason.NOPROC) {
            diesOfNoConnection = beginExit(reason);
          }
        }
        if (!trapping && reason == ExitReason.NOPROC) {
          throw new NoProcException(other.pid(), "link");
        }
      }
    } finally {
      exitOp();
    }
    if (diesOfNoConnection) {
      terminateChain(self());
      throw terminated();
    }
  }

  /** Links a process that has not started yet to this one (spawnLink); cannot fail. */
  void linkUnstarted(ProcessImpl childProcess) {
    Signals child = childProcess;
    synchronized (this) {
      links = CompactSet.add(links, childProcess);
    }
    synchronized (child) {
      child.links = CompactSet.add(child.links, self());
    }
  }

  public void unlink(ProcessImpl otherProcess) {
    Signals other = otherProcess;
    enterOp();
    try {
      synchronized (this) {
        links = CompactSet.remove(links, other);
      }
      boolean wasLinked;
      synchronized (other) {
        wasLinked = CompactSet.contains(other.links, this);
        other.links = CompactSet.remove(other.links, this);
      }
      if (other.kind == REMOTE && wasLinked) {
        runtime().distribution().forwardUnlink(self(), otherProcess);
      }
    } finally {
      exitOp();
    }
  }

  // =====================================================================================
  // monitors

  /**
   * Adds {@code w} to this process's watchers. If the process is not alive, returns false and the
   * caller reports the target as {@code noproc}.
   */
  boolean addWatcher(Watcher w) {
    synchronized (this) {
      if (state != ALIVE) {
        return false;
      }
      monitoredBy = CompactSet.add(monitoredBy, w);
      return true;
    }
  }

  /** Removes {@code w}; true if it was still there (the target has not terminated). */
  boolean removeWatcher(Watcher w) {
    synchronized (this) {
      boolean present = CompactSet.contains(monitoredBy, w);
      if (present) {
        monitoredBy = CompactSet.remove(monitoredBy, w);
      }
      return present;
    }
  }

  /** This process (the caller's own) starts monitoring {@code target}, shown in DOWN as {@code shownAs}. */
  Ref monitor(ProcessImpl target, Address shownAs) {
    return monitor(target, shownAs, null);
  }

  /**
   * Monitors the process registered as {@code name} on the node of {@code anchor} (that node's
   * anchor, see {@link Distribution#anchor}): the name is resolved there when the monitor arrives,
   * and the connection going down fires the monitor with {@code noconnection}.
   */
  Ref monitorRemoteName(ProcessImpl anchor, String name, Address shownAs) {
    return monitor(anchor, shownAs, Objects.requireNonNull(name, "name"));
  }

  private Ref monitor(ProcessImpl target, Address shownAs, String remoteName) {
    Ref ref = Ref.make();
    if (target == this) {
      return ref; // OTP: monitoring oneself makes no monitor; no DOWN ever comes, demonitor says false
    }
    enterOp();
    try {
      MonitorEntry entry = new MonitorEntry(self(), ref, target, shownAs, remoteName);
      Bridge.refs().attach(ref, entry);
      synchronized (this) {
        Extras e = extras();
        e.monitors = CompactSet.add(e.monitors, entry);
      }
      if (target == null || !target.addWatcher(entry)) {
        monitorFired(entry, target != null && target.kind == REMOTE ? target.exitReason : ExitReason.NOPROC);
      } else if (remoteName != null) {
        runtime().distribution().forwardMonitorName(self(), target, remoteName, ref);
      } else if (target.kind == REMOTE) {
        runtime().distribution().forwardMonitor(self(), target, ref);
      }
    } finally {
      exitOp();
    }
    return ref;
  }

  /** Monitors a process that has not started yet (spawnMonitor); cannot fail. */
  Ref monitorUnstarted(ProcessImpl child) {
    Ref ref = Ref.make();
    MonitorEntry entry = new MonitorEntry(self(), ref, child, child.pid());
    Bridge.refs().attach(ref, entry);
    synchronized (this) {
      Extras e = extras();
      e.monitors = CompactSet.add(e.monitors, entry);
    }
    child.addWatcher(entry);
    return ref;
  }

  /** A monitor held by this process fired: queue the DOWN unless it was demonitored first. */
  void monitorFired(MonitorEntry entry, ExitReason reason) {
    if (kind == REMOTE) {
      synchronized (this) {
        Extras e = extras;
        if (state != ALIVE || e == null || !CompactSet.contains(e.monitors, entry)) {
          return;
        }
        e.monitors = CompactSet.remove(e.monitors, entry);
      }
      runtime().distribution().forwardDown(entry.target, self(), entry.ref, reason);
      return;
    }
    synchronized (this) {
      Extras e = extras;
      if (state != ALIVE || e == null || !CompactSet.contains(e.monitors, entry)) {
        return;
      }
      e.monitors = CompactSet.remove(e.monitors, entry);
      deliverSystem(new Down(entry.ref, entry.shownAs, reason));
    }
  }

  /**
   * Removes the monitor {@code ref} held by this process (the caller's own).
   *
   * @return true if the monitor was active and is now removed; false if it had already fired (its
   *     DOWN may be in the mailbox) or was not a monitor of this process
   */
  public boolean demonitor(Ref ref, boolean flush) {
    if (!(Bridge.refs().attachment(ref) instanceof MonitorEntry entry) || entry.owner != this) {
      return false;
    }
    boolean active;
    enterOp();
    try {
      synchronized (this) {
        Extras e = extras;
        active = e != null && CompactSet.contains(e.monitors, entry);
        if (active) {
          e.monitors = CompactSet.remove(e.monitors, entry);
        }
      }
      if (active && entry.target != null) {
        entry.target.removeWatcher(entry);
        if (entry.remoteName != null) {
          runtime().distribution().forwardDemonitorName(self(), entry.target, entry.remoteName, ref);
        } else if (entry.target.kind == REMOTE) {
          runtime().distribution().forwardDemonitor(self(), entry.target, ref);
        }
      }
    } finally {
      exitOp();
    }
    if (!active && flush) {
      receive(m -> m instanceof Down d && d.ref() == ref, 0, null);
    }
    return active;
  }

  // =====================================================================================
  // signals from another node (see the class notes); called on the distribution's receiving thread

  /**
   * The remote process behind {@code standIn} linked itself to this one.
   *
   * @return false if this process is not alive (the caller answers with {@code noproc})
   */
  boolean remoteLink(ProcessImpl standIn) {
    synchronized (this) {
      if (state != ALIVE) {
        return false;
      }
      links = CompactSet.add(links, standIn);
    }
    boolean added;
    synchronized (standIn) {
      added = ((Signals) standIn).state == ALIVE;
      if (added) {
        ((Signals) standIn).links = CompactSet.add(((Signals) standIn).links, self());
      }
    }
    if (!added) {
      synchronized (this) {
        links = CompactSet.remove(links, standIn); // its node went down meanwhile: no link is left
      }
    }
    return true;
  }

  /** The remote process behind {@code standIn} removed its link to this one. */
  void remoteUnlink(ProcessImpl standIn) {
    synchronized (this) {
      links = CompactSet.remove(links, standIn);
    }
    synchronized (standIn) {
      ((Signals) standIn).links = CompactSet.remove(((Signals) standIn).links, this);
    }
  }

  /**
   * The remote process behind {@code standIn}, linked to this one, terminated with {@code reason}.
   *
   * @return true if this process must now die (the caller finishes it)
   */
  boolean remoteLinkExit(ProcessImpl standIn, ExitReason reason) {
    synchronized (standIn) {
      ((Signals) standIn).links = CompactSet.remove(((Signals) standIn).links, this);
    }
    return linkExit(standIn, reason);
  }

  /**
   * The remote process behind {@code standIn} monitors this one under {@code ref}: the monitor is
   * held by the stand-in, so that the down goes back to its node (or is dropped with the stand-in).
   */
  void remoteMonitor(ProcessImpl standIn, Ref ref) {
    MonitorEntry entry = new MonitorEntry(standIn, ref, self(), pid());
    Signals owner = standIn;
    synchronized (owner) {
      if (owner.state != ALIVE) {
        return;
      }
      Extras e = owner.extras();
      e.monitors = CompactSet.add(e.monitors, entry);
    }
    if (!addWatcher(entry)) {
      owner.monitorFired(entry, ExitReason.NOPROC);
    }
  }

  /** The remote process behind {@code standIn} removed its monitor {@code ref} of this one. */
  void remoteDemonitor(ProcessImpl standIn, Ref ref) {
    Signals owner = standIn;
    MonitorEntry found = null;
    synchronized (owner) {
      Extras e = owner.extras;
      if (e != null) {
        for (MonitorEntry m : CompactSet.<MonitorEntry>toList(e.monitors)) {
          if (m.target == this && m.ref.equals(ref)) {
            found = m;
            e.monitors = CompactSet.remove(e.monitors, m);
            break;
          }
        }
      }
    }
    if (found != null) {
      removeWatcher(found);
    }
  }

  /**
   * The remote process behind {@code standIn} (null if this node has none), monitored by this one
   * under {@code ref} by pid or, through {@code anchor} (the anchor of its node; null if none), by
   * name, terminated.
   */
  void remoteDown(ProcessImpl standIn, ProcessImpl anchor, Ref ref, ExitReason reason) {
    MonitorEntry found = null;
    synchronized (this) {
      Extras e = extras;
      if (e != null) {
        for (MonitorEntry m : CompactSet.<MonitorEntry>toList(e.monitors)) {
          boolean byTarget = m.remoteName == null ? standIn != null && m.target == standIn
              : anchor != null && m.target == anchor;
          if (byTarget && m.ref.equals(ref)) {
            found = m;
            break;
          }
        }
      }
    }
    if (found != null) {
      found.target.removeWatcher(found);
      monitorFired(found, reason);
    }
  }

  // =====================================================================================
  // names and exit hooks

  /** Registers {@code name} for this process; null if done, else why not (for the error). */
  String registerName(String name) {
    synchronized (this) {
      if (state != ALIVE) {
        return "process " + displayName() + " is not alive";
      }
      Extras e = extras();
      if (e.registeredName != null) {
        return "process " + displayName() + " is already registered as '" + e.registeredName
            + "'; unregister it first";
      }
      ProcessImpl holder = runtime().names().putIfAbsent(name, self());
      if (holder != null) {
        return "the name '" + name + "' is already registered to " + holder.displayName();
      }
      e.registeredName = name;
      return null;
    }
  }

  /** Clears the local name if it is {@code name}. */
  void clearName(String name) {
    synchronized (this) {
      if (extras != null && name.equals(extras.registeredName)) {
        extras.registeredName = null;
      }
    }
  }

  synchronized String registeredName() {
    return extras == null ? null : extras.registeredName;
  }

  /** Adds a hook run during termination, before signals go out; false if the process is not alive. */
  public boolean addExitHook(ExitHook hook) {
    synchronized (this) {
      if (state != ALIVE) {
        return false;
      }
      Extras e = extras();
      e.exitHooks = CompactSet.add(e.exitHooks, hook);
      return true;
    }
  }

  public void removeExitHook(ExitHook hook) {
    synchronized (this) {
      if (extras != null) {
        extras.exitHooks = CompactSet.remove(extras.exitHooks, hook);
      }
    }
  }

  // =====================================================================================
  // introspection

  /** A consistent copy of the signal state, for process info. */
  synchronized SignalState signalState() {
    List<Pid> linkedPids = new ArrayList<>();
    for (ProcessImpl p : CompactSet.<ProcessImpl>toList(links)) {
      linkedPids.add(p.pid());
    }
    List<Address> monitoring = new ArrayList<>();
    for (MonitorEntry m : CompactSet.<MonitorEntry>toList(extras == null ? null : extras.monitors)) {
      monitoring.add(m.shownAs);
    }
    List<Pid> watchedBy = new ArrayList<>();
    for (Watcher w : CompactSet.<Watcher>toList(monitoredBy)) {
      if (w instanceof MonitorEntry m) {
        watchedBy.add(m.owner.pid());
      } else if (w instanceof CallSlot slot && slot.callerProcess() != null) {
        watchedBy.add(slot.callerProcess().pid());
      }
    }
    return new SignalState(linkedPids, monitoring, watchedBy, trapExits,
        extras == null ? null : extras.registeredName);
  }

  record SignalState(List<Pid> links, List<Address> monitors, List<Pid> monitoredBy, boolean trapExits,
      String registeredName) {}

  /** Whether the watchdog reported the current stretch of this process as a runaway. */
  synchronized boolean isRunaway() {
    return extras != null && extras.runawayEpoch == runEpoch;
  }

  /** Whether the watchdog has reported the stretch that began at {@code epoch} already. */
  synchronized boolean reportedAsRunaway(int epoch) {
    return extras != null && extras.runawayEpoch == epoch;
  }

  /** Records that the watchdog reported the stretch that began at {@code epoch} as a runaway. */
  synchronized void markRunaway(int epoch) {
    extras().runawayEpoch = epoch;
  }
}
