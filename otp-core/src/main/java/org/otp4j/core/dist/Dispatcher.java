package org.otp4j.core.dist;

import org.otp4j.core.Pid;
import org.otp4j.core.Ref;

/**
 * The node's side of distribution, handed to its {@link TransportFactory}: the engine reports node
 * membership and hands over the signals that arrive. Every method may be called from the engine's
 * own threads; none blocks.
 */
public interface Dispatcher {

  /** This node's cluster-wide name. */
  String nodeName();

  /** This node's creation (incarnation): differs between two runs of a node under the same name. */
  int creation();

  /**
   * The node {@code node}, run in its incarnation {@code creation}, is now connected. Process and
   * node monitors see it once; a repeated report for the same incarnation is ignored, and a report
   * with a new incarnation first takes the old one down.
   */
  void nodeUp(String node, int creation);

  /**
   * The node {@code node} is no longer connected: every link to one of its processes delivers an
   * exit with reason {@code noconnection}, every monitor a down with {@code noconnection}, each
   * once, and node monitors a {@link org.otp4j.core.NodeDown} with {@code reason}. Ignored for a
   * node that is not connected.
   */
  void nodeDown(String node, String reason);

  /**
   * Applies a signal that arrived from the node {@code fromNode}. Signals from a node that is not
   * connected are dropped.
   */
  void receive(String fromNode, Signal signal);

  /**
   * The pid for a process given by its node name, creation and serial, as decoded from a frame: a
   * local process's own pid if the node is this one, else a remote pid.
   */
  Pid pid(String node, int creation, long serial);

  /** The reference given by its node name, creation and serial, as decoded from a frame. */
  Ref ref(RefId id);

  /** The values that identify {@code ref} on the wire. */
  RefId refId(Ref ref);

  /**
   * The values that identify {@code from}, the reply channel of a call, on the wire: the node the
   * caller waits on, the channel's number there, and the calling process. A channel of this node is
   * registered so that a {@link Signal.Reply} finds it, until its call ends.
   *
   * @throws UnencodableMessageException if {@code from} is no reply channel of the runtime
   */
  FromId fromId(org.otp4j.core.From from);

  /** The reply channel given by its wire values: a reply to it goes to its node as a {@link Signal.Reply}. */
  org.otp4j.core.From from(FromId id);

  /**
   * A call's reply channel as it travels.
   *
   * @param node the node the caller waits on
   * @param id the channel's number on that node
   * @param caller the calling process; null for a plain thread
   */
  record FromId(String node, long id, Pid caller) {}

  /**
   * A reference as it travels: the node it was made on, that node's creation, and its serial number
   * (Erlang's NEWER_REFERENCE_EXT holds the same three).
   *
   * @param node the node name
   * @param creation the node's creation
   * @param serial the reference's number on that node
   */
  record RefId(String node, int creation, long serial) {}
}
