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

  MonitorEntry(ProcessImpl owner, Ref ref, ProcessImpl target, Address shownAs) {
    this.owner = owner;
    this.ref = ref;
    this.target = target;
    this.shownAs = shownAs;
  }

  @Override
  public void processDown(ProcessImpl target, ExitReason reason) {
    owner.monitorFired(this, reason);
  }
}
