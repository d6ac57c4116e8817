package org.otp4j.core.dist;

/**
 * Makes the {@link Transport} of a node as it starts: joins the cluster and begins reporting to the
 * {@code dispatcher}.
 */
@FunctionalInterface
public interface TransportFactory {

  /**
   * Opens the transport of the node that {@code dispatcher} belongs to.
   *
   * @throws RuntimeException if the node cannot join its cluster; the node's start then fails with it
   */
  Transport open(Dispatcher dispatcher);
}
