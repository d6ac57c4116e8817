package org.otp4j.dist;

import org.otp4j.core.dist.Dispatcher;
import org.otp4j.core.dist.Signal;
import org.otp4j.core.dist.UnencodableMessageException;

/**
 * Turns the signals of one node into frames for another, and back. The default is
 * {@link TermCodec}; another codec (Erlang's external term format, say) plugs in through
 * {@link Cluster#withCodec(Codec)}. A codec is shared by the threads of a node and must be
 * thread-safe.
 */
public interface Codec {

  /**
   * Encodes {@code signal}; pids and references are written through {@code dispatcher} (see
   * {@link Dispatcher#refId}).
   *
   * @throws UnencodableMessageException if the signal holds a value this codec cannot encode, naming
   *     its type
   */
  byte[] encode(Signal signal, Dispatcher dispatcher);

  /**
   * Decodes a frame made by {@link #encode}; pids and references are made through {@code dispatcher}.
   *
   * @throws MalformedFrameException if the frame is not one this codec makes, or names a type it is
   *     not allowed to decode
   */
  Signal decode(byte[] frame, int offset, int length, Dispatcher dispatcher);
}
