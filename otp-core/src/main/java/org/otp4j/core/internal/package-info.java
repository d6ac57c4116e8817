/**
 * The engine behind {@code org.otp4j.core} (not exported).
 *
 * <h2>Rooms</h2>
 * <ul>
 *   <li><b>The process</b>, one object per process, its source split by concern into a chain of
 *       classes (see {@link org.otp4j.core.internal.ProcessCore}): {@code MailboxNode} &larr;
 *       {@code ProcessCore} (identity, lifecycle, busy guard) &larr; {@code Mailbox} (send,
 *       selective receive, spin and park; tuned by {@code Spin}) &larr; {@code Signals} (links,
 *       monitors, exit signals, names, termination) &larr; {@code ProcessImpl} (run, crash,
 *       snapshot). Its helpers: {@code CompactSet}, {@code MailboxLimit}, {@code MonitorEntry},
 *       {@code Watcher}, {@code ExitHook}.</li>
 *   <li><b>The operations</b> processes and plain threads perform, Erlang's BIFs:
 *       {@code Kernel}, with {@code CallSlot} (a call's reply channel) and
 *       {@code PendingRequest} (a request whose reply is collected later).</li>
 *   <li><b>The node</b>: {@code NodeRuntime} (spawning, stopping, counters) with its parts,
 *       {@code ProcessTable}, {@code Names}, {@code Timer}s on one scheduler, the
 *       {@code Watchdog}, and {@code RegistryTable}s for Elixir-style registries (their
 *       notices to listeners in {@code RegistryListeners}).</li>
 *   <li><b>The scheduler</b> a node runs its processes' virtual threads on, unless it uses the
 *       JDK's: {@code LocalScheduler} (the shared queue, idle carriers, the monitor, shutdown) and
 *       its {@code Carrier}s, each a {@code RunQueue} (Go's per-processor run queue) with a
 *       dispatch loop; {@code VirtualThreads} reaches the JDK internals it needs.</li>
 *   <li><b>Edges</b>: {@code ProcessThreads} (the one place threads are created), {@code Bridge}
 *       (the faces' package-private parts), {@code FlightEvents} (JFR).</li>
 * </ul>
 *
 * <h2>Conventions</h2>
 * <ul>
 *   <li>Engine classes are named for what they are ({@code Mailbox}, {@code Timer},
 *       {@code RegistryTable}); a class whose public face has the same role is named so that the
 *       two do not clash ({@code PendingRequest} behind {@code RequestId}, {@code RegistryTable}
 *       behind {@code Registry}).</li>
 *   <li>Hot, shared fields are read and written through {@link java.lang.invoke.VarHandle}s named
 *       after the field in capitals ({@code TAIL}, {@code STATE}); the access mode at each use
 *       ({@code getVolatile}, {@code setRelease}, {@code getAcquire}) is the memory ordering that
 *       place needs, and every subtle one carries a {@code NOTE:} saying why.</li>
 *   <li>Every state machine has its transition table beside its constants.</li>
 *   <li>A process's lock is its own monitor; no code holds two process locks, or blocks while
 *       holding one. Signals are applied by their sender under the receiver's lock.</li>
 * </ul>
 */
package org.otp4j.core.internal;
