/**
 * Processes with Erlang's semantics on virtual threads: the public face of otp4j's runtime.
 *
 * <p>Start with {@link org.otp4j.core.Proc} (Erlang's process built-ins, meant for
 * {@code import static org.otp4j.core.Proc.*}) and {@link org.otp4j.core.Node} (a runtime of
 * processes; a default one serves the simple case).
 *
 * <h2>What is here</h2>
 * This package holds the API only; the engine behind it lives in {@code org.otp4j.core.internal},
 * which the module does not export. The files fall into four groups:
 * <ul>
 *   <li><b>Faces</b>, thin classes whose methods check their arguments and delegate to the engine:
 *       {@link org.otp4j.core.Proc}, {@link org.otp4j.core.Node}, {@link org.otp4j.core.Inbox},
 *       {@link org.otp4j.core.Registry}, {@link org.otp4j.core.RequestId},
 *       {@link org.otp4j.core.TimerRef}.</li>
 *   <li><b>Identities and values</b>: {@link org.otp4j.core.Pid}, {@link org.otp4j.core.Ref},
 *       {@link org.otp4j.core.Name}, {@link org.otp4j.core.Address},
 *       {@link org.otp4j.core.ExitReason}, {@link org.otp4j.core.From}, the messages the runtime
 *       delivers ({@link org.otp4j.core.ExitMessage}, {@link org.otp4j.core.Down},
 *       {@link org.otp4j.core.TimeoutMessage}) and what introspection returns
 *       ({@link org.otp4j.core.ProcessInfo}, {@link org.otp4j.core.ProcessStatus}).</li>
 *   <li><b>Options</b>: {@link org.otp4j.core.NodeConfig}, {@link org.otp4j.core.SpawnOptions},
 *       {@link org.otp4j.core.MailboxOverflow}, {@link org.otp4j.core.Timeouts}, and the
 *       {@link org.otp4j.core.NameRegistry} contract for pluggable names.</li>
 *   <li><b>Exceptions</b>, each naming what was wrong: {@link org.otp4j.core.CallException} (every
 *       way a call fails, with the exit reason), {@link org.otp4j.core.NoProcException},
 *       {@link org.otp4j.core.NoSuchNameException}, {@link org.otp4j.core.NameConflictException},
 *       {@link org.otp4j.core.NotAProcessException}, {@link org.otp4j.core.MailboxFullException},
 *       {@link org.otp4j.core.NodeStoppedException}, and the two that unwind a process,
 *       {@link org.otp4j.core.ProcessExit} and {@link org.otp4j.core.ProcessTerminated}.</li>
 * </ul>
 *
 * <h2>How the faces reach the engine</h2>
 * A {@link org.otp4j.core.Pid} wraps the engine's process object and a {@link org.otp4j.core.Ref}
 * can carry the monitor or marker it names; the engine reads and makes them through
 * {@code internal.Bridge}, which each of the two classes fills in from its static initialiser (the
 * JDK's {@code SharedSecrets} idiom), so nothing of the engine is public. The engine knows the
 * faces only through those two value types and the process body type, {@link org.otp4j.core.Proc.Body};
 * it holds a {@link org.otp4j.core.Node} as an opaque object.
 */
package org.otp4j.core;
