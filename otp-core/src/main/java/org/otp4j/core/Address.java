package org.otp4j.core;

/**
 * Where a message can be sent: a {@link Pid}, a {@link Name}, or either of them typed by the
 * messages it handles (a {@link ServerRef}).
 *
 * <p>Sending to a pid never fails, even if the process is gone (the message is dropped, as in
 * Erlang). Sending to a name looks the name up at that moment and fails with
 * {@link NoSuchNameException} if nothing is registered under it.
 */
public sealed interface Address permits Pid, Name, ServerRef {}
