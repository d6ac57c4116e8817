package org.otp4j.core.internal;

import org.otp4j.core.Address;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Ref;

/**
 * A monitor held by a process: it sits in the owner's {@code monitors} set and in the target's
 * {@code monitoredBy} set, and is attached to its {@link Ref} so that demonitor can find it.
 */
final class MonitorEntry implements Watcher {
  final ProcessImpl owner;
  final Ref ref;
  final ProcessImpl target;
  final Address shownAs;
  // for a monitor of a name on another node: the name, resolved there; the target is then that node's
  // anchor (see Distribution#anchor), which fires the monitor when the connection goes down
  final String remoteName;

  MonitorEntry(ProcessImpl owner, Ref ref, ProcessImpl target, Address shownAs) {
    this(owner, ref, target, shownAs, null);
  }

  MonitorEntry(ProcessImpl owner, Ref ref, ProcessImpl target, Address shownAs, String remoteName) {
    this.owner = owner;
    this.ref = ref;
    this.target = target;
    this.shownAs = shownAs;
    this.remoteName = remoteName;
  }

  @Override
  public void processDown(ProcessImpl target, ExitReason reason) {
    owner.monitorFired(this, reason);
  }
}
