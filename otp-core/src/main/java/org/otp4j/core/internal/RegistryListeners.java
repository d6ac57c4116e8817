package org.otp4j.core.internal;

import java.util.ArrayList;
import java.util.List;
import org.otp4j.core.Address;
import org.otp4j.core.MailboxFullException;
import org.otp4j.core.Pid;

/**
 * The listeners of one registry (see {@link RegistryTable}): the addresses it was created with, and
 * the way its notices reach them.
 *
 * <h2>Implementation notes</h2>
 * <ul>
 *   <li>An address is resolved at each change, on the node of the process the change is about: a
 *       name reaches whoever holds it then, and a notice for a name that nobody holds is dropped, as
 *       a message to a dead pid is. Resolving happens before the table takes its owner lock, so a
 *       via name's registry (user code) never runs under that lock.</li>
 *   <li>A notice is put straight into each listener's mailbox by the thread that made the change,
 *       while it holds the owner lock of the process the change is about; so the notices about one
 *       process reach each listener in the order of the changes, and the notices of a terminating
 *       process arrive before its exit and down signals, which go out after its exit hooks.</li>
 *   <li>A notice never fails the change it reports. A listener whose bounded mailbox refuses it
 *       misses it (its mailbox counts the drop); one whose overflow policy is to exit is finished by
 *       {@link Delivery#finish()} once the lock is released, because a termination runs exit hooks,
 *       which may need the same lock.</li>
 * </ul>
 */
final class RegistryListeners {
  private final List<Address> addresses;
  private final RegistryTable.Notices notices;
  private final Delivery none = new Delivery(List.of());

  RegistryListeners(List<Address> addresses, RegistryTable.Notices notices) {
    this.addresses = List.copyOf(addresses);
    this.notices = notices;
  }

  /** A delivery for the changes to {@code p}'s entries, to the listeners as they are now. */
  Delivery about(ProcessImpl p) {
    if (addresses.isEmpty()) {
      return none;
    }
    List<ProcessImpl> targets = new ArrayList<>(addresses.size());
    for (Address a : addresses) {
      ProcessImpl target = Kernel.resolve(p.runtime(), a);
      if (target != null) {
        targets.add(target);
      }
    }
    return new Delivery(targets);
  }

  /** The notices of one operation on the way to the listeners; used by one thread. */
  final class Delivery {
    private final List<ProcessImpl> targets;
    private List<ProcessImpl> exiting; // listeners whose mailbox overflowed with policy EXIT

    private Delivery(List<ProcessImpl> targets) {
      this.targets = targets;
    }

    void registered(Object key, Pid pid, Object value) {
      if (!targets.isEmpty()) {
        send(notices.registered(key, pid, value));
      }
    }

    void unregistered(Object key, Pid pid) {
      if (!targets.isEmpty()) {
        send(notices.unregistered(key, pid));
      }
    }

    private void send(Object notice) {
      for (ProcessImpl target : targets) {
        try {
          if (target.deliver(notice)) {
            if (exiting == null) {
              exiting = new ArrayList<>(1);
            }
            exiting.add(target);
          }
        } catch (MailboxFullException refused) {
          // The listener's mailbox counted the drop; the change it reports stands.
        }
      }
    }

    /**
     * Finishes the exits that the notices caused (a listener whose mailbox overflowed with policy
     * exit); if the calling process was one of them, it unwinds, as after a send.
     */
    void finish() {
      ProcessImpl self = finishExits();
      if (self != null) {
        throw self.terminated();
      }
    }

    /** As {@link #finish()}, but never throws: for an exit hook, which runs during a termination. */
    void finishInHook() {
      finishExits();
    }

    /** Returns the calling process if it was one of the listeners that exited, else null. */
    private ProcessImpl finishExits() {
      if (exiting == null) {
        return null;
      }
      List<ProcessImpl> done = exiting;
      exiting = null;
      for (ProcessImpl listener : done) {
        ProcessImpl.terminateChain(listener);
      }
      ProcessImpl self = ProcessImpl.current();
      return self != null && done.contains(self) ? self : null;
    }
  }
}
