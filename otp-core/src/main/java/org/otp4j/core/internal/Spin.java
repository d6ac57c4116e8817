package org.otp4j.core.internal;

/**
 * Adaptive spin-before-park for waits in the runtime (receive, call replies).
 *
 * <p>Parking a virtual thread and being unparked from another carrier costs microseconds (an idle
 * carrier thread is woken, a stack is frozen and thawed), while the reply in a request/response
 * exchange between two running processes arrives within a few hundred nanoseconds. So a waiter may
 * spin briefly first. Spinning also has a useful side effect: the partner, queued behind the spinner
 * on the same carrier, gets stolen by the other carrier, and the two end up running side by side,
 * exchanging messages with no park at all.
 *
 * <p>But spinning holds the carrier thread: in a ring of a thousand processes the next message is
 * far away, and on a single carrier the partner cannot run at all while we spin. Each process keeps
 * a spin budget, adapted the way adaptive mutexes adapt theirs:
 * <ul>
 *   <li>a spin that catches the message doubles the budget (up to {@link #MAX});</li>
 *   <li>a spin that runs out, followed by a short park (under {@value #SHORT_WAIT_NANOS} ns: the
 *       message was close behind), also doubles it: a longer spin may catch the next one, or move
 *       the partner to the other carrier;</li>
 *   <li>a long park halves it: this process's messages are far apart;</li>
 *   <li>after {@value #PATIENCE} spins in a row that ran out, the process stops spinning and only
 *       probes again after exponentially growing pauses (2, 4, 8... waits), so a process whose spins
 *       never pay off, on a busy machine say, stops wasting its carrier;</li>
 *   <li>with a single carrier thread nobody spins;</li>
 *   <li>on a node's own scheduler ({@link LocalScheduler}) nobody spins either: there, a process
 *       woken by a process is queued on its waker's carrier, so the partner a waiter would spin for
 *       runs on the waiter's own carrier, and only once the waiter parks.</li>
 * </ul>
 * A process whose waits are long (a ring, a server's clients) never grows a budget.
 */
final class Spin {
  private Spin() {}

  /**
   * Largest budget on the JDK's scheduler, in {@link Thread#onSpinWait()} iterations (about 25 ns
   * each on x86, so about 50 microseconds): long enough for an idle carrier thread to wake up and
   * take the partner, which is how two processes in conversation end up on two carriers. A node
   * says its own largest budget ({@link NodeRuntime#spinMax()}).
   */
  static final int MAX;
  /** Budget of a new process. */
  static final int INITIAL;
  /** A park shorter than this means a spin might have caught the message. */
  static final long SHORT_WAIT_NANOS = 20_000;
  /** Misses in a row before regrowth is rationed. */
  static final int PATIENCE = 8;

  static {
    int carriers = Integer.getInteger("jdk.virtualThreadScheduler.parallelism",
        Runtime.getRuntime().availableProcessors());
    MAX = carriers > 1 ? Integer.getInteger("otp4j.spin.max", 2048) : 0;
    INITIAL = Math.min(MAX, 16);
  }

  /** The spin of {@code spins} iterations caught the message. */
  static void hit(Mailbox p, int spins) {
    // NOTE: write only on change; see ProcessCore.touchEpoch() on why owner writes must be rare
    short budget = (short) Math.min(max(p), Math.max(spins, p.spinBudget) << 1);
    if (p.spinBudget != budget) {
      p.spinBudget = budget;
    }
    if (p.spinMisses != 0) {
      p.spinMisses = 0;
    }
  }

  /** The spin of {@code spins} iterations ran out. */
  static void miss(Mailbox p, int spins) {
    if (spins == 0) {
      return;
    }
    if (p.spinMisses < PATIENCE + 12) {
      p.spinMisses++;
    }
    if (p.spinMisses >= PATIENCE) {
      p.spinBudget = 0;
      p.spinCooldown = (short) (1 << (p.spinMisses - PATIENCE + 1));
    }
  }

  /**
   * The wait parked for {@code parkedNanos} before its message came. Only short parks move a
   * process towards spinning (and towards its next probe, once it has given up): a process whose
   * messages are far apart, a member of a long ring, never probes.
   */
  static void parked(Mailbox p, long parkedNanos) {
    if (parkedNanos >= SHORT_WAIT_NANOS) {
      if (p.spinBudget != 0) {
        p.spinBudget = (short) (p.spinBudget >> 1);
      }
    } else if (max(p) > 0) {
      if (p.spinMisses < PATIENCE) {
        p.spinBudget = (short) Math.min(max(p), Math.max(8, p.spinBudget << 1));
      } else if (p.spinCooldown > 0 && --p.spinCooldown == 0) {
        p.spinBudget = (short) max(p); // a probe: the next wait spins in full
      }
    }
  }

  /** The largest budget on the node of {@code p}: {@link #MAX}, or 0 on a node's own scheduler. */
  private static int max(Mailbox p) {
    return p.runtime().spinMax();
  }
}
