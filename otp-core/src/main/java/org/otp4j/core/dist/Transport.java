package org.otp4j.core.dist;

/**
 * The sending side of a distribution engine, one per node, made by a {@link TransportFactory} when
 * the node starts.
 *
 * <p>Contract:
 * <ul>
 *   <li>{@link #send} is called on the sending process's thread, in the order the process acts; the
 *       engine delivers the signals of one node to another in the order they were sent (per node
 *       pair), which gives OTP's per-process-pair ordering of messages and signals.</li>
 *   <li>A signal to a node that is not connected is dropped: the engine reports every node that
 *       goes down through {@link Dispatcher#nodeDown}, and that report fires the links and monitors.</li>
 *   <li>A message the engine cannot encode fails the send with
 *       {@link UnencodableMessageException}, naming the type.</li>
 * </ul>
 */
public interface Transport extends AutoCloseable {

  /**
   * Sends {@code signal} to the node named {@code node}.
   *
   * @throws UnencodableMessageException if the signal carries something the engine cannot encode
   */
  void send(String node, Signal signal);

  /** Leaves the cluster: every other node sees this one go down. */
  @Override
  void close();
}
