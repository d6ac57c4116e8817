package org.otp4j.core;

import java.util.Objects;

/**
 * How to start a process, beyond its code: Erlang's {@code spawn_opt} options that make sense on the
 * JVM. Immutable; start from {@link #defaults()}.
 *
 * <!-- snippet: org.otp4j.core.JavadocExamplesTest#bounded -->
 * {@snippet :
 * Pid worker = Proc.spawn(SpawnOptions.defaults().withMailbox(10_000, MailboxOverflow.DROP_NEWEST),
 *     () -> Proc.receive());
 * }
 */
public final class SpawnOptions {
  private static final SpawnOptions DEFAULTS = new SpawnOptions(0, MailboxOverflow.DROP_NEWEST, false);

  private final int mailboxCapacity;
  private final MailboxOverflow overflow;
  private final boolean trapExits;

  private SpawnOptions(int mailboxCapacity, MailboxOverflow overflow, boolean trapExits) {
    this.mailboxCapacity = mailboxCapacity;
    this.overflow = overflow;
    this.trapExits = trapExits;
  }

  /** An unbounded mailbox, not trapping exits. */
  public static SpawnOptions defaults() {
    return DEFAULTS;
  }

  /**
   * A bounded mailbox: once {@code capacity} messages wait, {@code overflow} decides what happens to
   * the next one. Exit and down signals are always delivered, whatever the policy.
   *
   * @throws IllegalArgumentException if {@code capacity} is not positive
   */
  public SpawnOptions withMailbox(int capacity, MailboxOverflow overflow) {
    if (capacity <= 0) {
      throw new IllegalArgumentException("a mailbox capacity must be positive, got " + capacity
          + "; leave the mailbox unbounded with SpawnOptions.defaults()");
    }
    return new SpawnOptions(capacity, Objects.requireNonNull(overflow, "overflow"), trapExits);
  }

  /** Whether the process starts trapping exits (as if its first action were {@code trapExits(true)}). */
  public SpawnOptions withTrapExits(boolean trap) {
    return new SpawnOptions(mailboxCapacity, overflow, trap);
  }

  /** The mailbox capacity, or 0 if unbounded. */
  public int mailboxCapacity() {
    return mailboxCapacity;
  }

  /** The overflow policy of a bounded mailbox. */
  public MailboxOverflow overflow() {
    return overflow;
  }

  /** Whether the process starts trapping exits. */
  public boolean trapExits() {
    return trapExits;
  }

  @Override
  public String toString() {
    return "SpawnOptions[mailbox=" + (mailboxCapacity == 0 ? "unbounded" : mailboxCapacity + "/" + overflow)
        + ", trapExits=" + trapExits + "]";
  }
}
