package org.otp4j.core.internal;

import org.otp4j.core.Pid;
import org.otp4j.core.Ref;

/**
 * Gives the engine access to the package-private parts of the public types ({@link Pid} wraps a
 * {@link ProcessImpl}; a {@link Ref} can carry the monitor it names) without making them public.
 * Each public type installs its accessor from its static initialiser; {@link #ensure} forces that
 * initialiser to run before first use.
 */
public final class Bridge {
  private Bridge() {}

  /** Access to {@link Pid}. */
  public interface Pids {
    Pid newPid(ProcessImpl process);

    Pid remotePid(NodeRuntime via, String node, int creation, long serial);

    ProcessImpl process(Pid pid);

    NodeRuntime via(Pid pid);
  }

  /** Access to {@link Ref}. */
  public interface Refs {
    Object attachment(Ref ref);

    void attach(Ref ref, Object value);

    Ref remoteRef(String node, int creation, long serial);

    Ref localRef(long serial);

    /** The node name a remote reference was made on, or null for one made in this JVM. */
    String node(Ref ref);

    int creation(Ref ref);

    long serial(Ref ref);
  }

  private static Pids pids;
  private static Refs refs;

  public static void installPids(Pids access) {
    pids = access;
  }

  public static void installRefs(Refs access) {
    refs = access;
  }

  static Pids pids() {
    Pids p = pids;
    return p != null ? p : ensure(Pid.class).pids;
  }

  static Refs refs() {
    Refs r = refs;
    return r != null ? r : ensure(Ref.class).refs;
  }

  /** The process behind a pid. */
  public static ProcessImpl process(Pid pid) {
    return pids().process(pid);
  }

  /** The local node a pid is reached through: its own node, or the one that received a remote pid. */
  public static NodeRuntime via(Pid pid) {
    return pids().via(pid);
  }

  private static final class Holder {
    Pids pids;
    Refs refs;
  }

  private static Holder ensure(Class<?> type) {
    try {
      Class.forName(type.getName(), true, type.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException(e);
    }
    Holder h = new Holder();
    h.pids = pids;
    h.refs = refs;
    return h;
  }
}
