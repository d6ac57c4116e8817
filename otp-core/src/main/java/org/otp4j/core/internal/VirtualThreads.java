package org.otp4j.core.internal;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.Executor;

/**
 * The three things of the JDK's virtual-thread implementation that {@link LocalScheduler} needs and
 * that the JDK does not make public, reached through {@code --add-opens java.base/java.lang=...}:
 * <ul>
 *   <li>the package-private constructor {@code ThreadBuilders.VirtualThreadBuilder(Executor)}: a
 *       builder of virtual threads whose continuations run on the given executor (JDK 21 to 25 have
 *       it; it is how the JDK's own tests use custom schedulers);</li>
 *   <li>{@code Thread.currentCarrierThread()}: on a virtual thread, the platform thread it is mounted
 *       on. The JDK submits a woken virtual thread to its scheduler from the waker's own thread, so
 *       when the waker is a virtual thread, {@code Thread.currentThread()} names the virtual thread,
 *       and only this tells which carrier the submission comes from;</li>
 *   <li>{@code VirtualThread.defaultScheduler()}: the JDK's scheduler, where a stopped node sends the
 *       continuations of virtual threads that outlive it.</li>
 * </ul>
 * If any of them is missing or closed, {@link #unavailableReason()} says why, and nodes run on the
 * JDK's scheduler.
 */
final class VirtualThreads {
  private VirtualThreads() {}

  private static final MethodHandle NEW_BUILDER; // (Executor) -> Thread.Builder.OfVirtual
  private static final MethodHandle CURRENT_CARRIER; // () -> Thread
  private static final Executor JDK_SCHEDULER;
  private static final String UNAVAILABLE;

  static {
    MethodHandle newBuilder = null;
    MethodHandle currentCarrier = null;
    Executor jdkScheduler = null;
    String unavailable = null;
    try {
      MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(Thread.class, MethodHandles.lookup());
      Class<?> builder = Class.forName("java.lang.ThreadBuilders$VirtualThreadBuilder");
      newBuilder = lookup.findConstructor(builder, MethodType.methodType(void.class, Executor.class))
          .asType(MethodType.methodType(Thread.Builder.OfVirtual.class, Executor.class));
      currentCarrier = lookup.findStatic(Thread.class, "currentCarrierThread", MethodType.methodType(Thread.class));
      Class<?> virtualThread = Class.forName("java.lang.VirtualThread");
      jdkScheduler = (Executor) lookup.findStatic(virtualThread, "defaultScheduler",
          MethodType.methodType(Executor.class)).invoke();
      // The constructor refuses where the VM has no continuations (-XX:-VMContinuations).
      Object probe = newBuilder.invoke((Executor) Runnable::run);
      if (!(probe instanceof Thread.Builder.OfVirtual)) {
        unavailable = "the JDK's virtual-thread builder is not what otp4j expects";
      }
    } catch (IllegalAccessException e) {
      unavailable = "java.base does not open java.lang to " + moduleName();
    } catch (ReflectiveOperationException e) {
      unavailable = "this JDK (" + Runtime.version() + ") has no " + e.getMessage();
    } catch (Throwable e) {
      unavailable = e.toString();
    }
    NEW_BUILDER = newBuilder;
    CURRENT_CARRIER = currentCarrier;
    JDK_SCHEDULER = jdkScheduler;
    UNAVAILABLE = unavailable;
  }

  /** Null if a node can run its own scheduler, else why not. */
  static String unavailableReason() {
    return UNAVAILABLE;
  }

  /** The JVM flag that opens what this class needs, for otp4j where it is loaded. */
  static String openFlag() {
    return "--add-opens java.base/java.lang=" + moduleName();
  }

  private static String moduleName() {
    Module m = VirtualThreads.class.getModule();
    return m.isNamed() ? m.getName() : "ALL-UNNAMED";
  }

  /** A builder of virtual threads that run on {@code scheduler}. Only if available. */
  static Thread.Builder.OfVirtual builder(Executor scheduler) {
    try {
      return (Thread.Builder.OfVirtual) NEW_BUILDER.invokeExact(scheduler);
    } catch (Throwable e) {
      throw new IllegalStateException("cannot build a virtual thread on otp4j's scheduler", e);
    }
  }

  /** The platform thread the current thread runs on: itself, or a virtual thread's carrier. */
  static Thread currentCarrier() {
    try {
      return (Thread) CURRENT_CARRIER.invokeExact();
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  /** The JDK's default virtual-thread scheduler. Only if available. */
  static Executor jdkScheduler() {
    return JDK_SCHEDULER;
  }
}
