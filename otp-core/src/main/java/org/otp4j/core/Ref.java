package org.otp4j.core;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A unique reference, as made by Erlang's {@code make_ref()}: it identifies a monitor, a timer, or
 * a request whose reply should be told apart from every other message.
 *
 * <p>References are unique within the JVM and compared by identity.
 */
public final class Ref {
  private static final AtomicLong SERIAL = new AtomicLong();

  private final long serial;

  // Runtime data attached to the reference (the monitor it names); never exposed.
  private volatile Object attachment;

  private Ref() {
    this.serial = SERIAL.incrementAndGet();
  }

  /**
   * Makes a new reference. Inside a process, {@link Proc#makeRef()} also lets
   * {@link Proc#receiveAfter(Ref, java.util.function.Predicate, java.time.Duration)} skip every
   * message that arrived before the reference was made.
   */
  public static Ref make() {
    return new Ref();
  }

  static {
    org.otp4j.core.internal.Bridge.installRefs(new org.otp4j.core.internal.Bridge.Refs() {
      @Override
      public Object attachment(Ref ref) {
        return ref.attachment;
      }

      @Override
      public void attach(Ref ref, Object value) {
        ref.attachment = value;
      }
    });
  }

  @Override
  public String toString() {
    return "#Ref<" + serial + ">";
  }
}
