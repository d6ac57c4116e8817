package org.otp4j.core;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A unique reference, as made by Erlang's {@code make_ref()}: it identifies a monitor, a timer, or
 * a request whose reply should be told apart from every other message.
 *
 * <p>References made in this JVM are unique within it. A reference can travel to another node in a
 * message and come back: it is then equal to the original ({@link #equals}), though not always the
 * same object. Compare references with {@code equals}, not {@code ==}, when they may have travelled.
 * A reference received from another node carries that node's name and creation, as Erlang's do.
 */
public final class Ref {
  private static final AtomicLong SERIAL = new AtomicLong();

  private final long serial;
  private final String node; // null for a reference made in this JVM
  private final int creation;

  // Runtime data attached to the reference (the monitor it names); never exposed.
  private volatile Object attachment;

  private Ref() {
    this(SERIAL.incrementAndGet(), null, 0);
  }

  private Ref(long serial, String node, int creation) {
    this.serial = serial;
    this.node = node;
    this.creation = creation;
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

      @Override
      public Ref remoteRef(String node, int creation, long serial) {
        return new Ref(serial, Objects.requireNonNull(node, "node"), creation);
      }

      @Override
      public Ref localRef(long serial) {
        return new Ref(serial, null, 0);
      }

      @Override
      public String node(Ref ref) {
        return ref.node;
      }

      @Override
      public int creation(Ref ref) {
        return ref.creation;
      }

      @Override
      public long serial(Ref ref) {
        return ref.serial;
      }
    });
  }

  /**
   * Equal to itself, and to any copy of it that came back from another node; a reference made on
   * another node is equal to another copy of the same one.
   */
  @Override
  public boolean equals(Object o) {
    return o == this
        || o instanceof Ref r && r.serial == serial && r.creation == creation && Objects.equals(r.node, node);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(serial);
  }

  @Override
  public String toString() {
    return node == null ? "#Ref<" + serial + ">" : "#Ref<" + node + "." + serial + ">";
  }
}
