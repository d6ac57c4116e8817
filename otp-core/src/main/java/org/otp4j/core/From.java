package org.otp4j.core;

/**
 * Where the reply to a call goes: the caller waiting in {@link Proc#call}.
 *
 * <p>A reply can be given once, from any process or thread, at any time before the caller gives up:
 * {@code from.reply(value)}. A reply after the caller timed out, or a second reply, is dropped, so a
 * late reply never reaches the caller's mailbox.
 */
public interface From {

  /** The calling process, or empty if the caller is a plain Java thread. */
  java.util.Optional<Pid> caller();

  /**
   * Replies to the caller.
   *
   * @param value the reply (null is delivered as null)
   * @return true if the reply reached a caller that was still waiting
   */
  boolean reply(Object value);
}
