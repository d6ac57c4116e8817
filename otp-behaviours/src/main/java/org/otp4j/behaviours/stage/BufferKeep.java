package org.otp4j.behaviours.stage;

/** Which events a full producer buffer keeps (Elixir's {@code :buffer_keep}). */
public enum BufferKeep {
  /** Keep the oldest events, discard the newcomers. */
  FIRST,
  /** Keep the newest events, discard the oldest (the default). */
  LAST
}
