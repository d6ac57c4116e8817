/**
 * The contract between a node and the engine that connects it to other nodes.
 *
 * <p>otp-core defines what distribution means (remote pids, links and monitors across nodes, the
 * {@code noconnection} exit of every link and monitor to a node that goes down, node monitoring);
 * an engine module (otp-dist) moves the bytes. The node hands its engine a {@link
 * org.otp4j.core.dist.Dispatcher}; the engine sends {@link org.otp4j.core.dist.Signal}s to other
 * nodes through its {@link org.otp4j.core.dist.Transport}, reports which nodes are up and down, and
 * gives the dispatcher what arrives. Configure it with
 * {@link org.otp4j.core.NodeConfig#withTransport(org.otp4j.core.dist.TransportFactory)}.
 *
 * <p>Every signal names its pids as {@link org.otp4j.core.Pid}s and its references as
 * {@link org.otp4j.core.Ref}s; a pid maps onto Erlang's external term format (node name, creation and
 * serial number), and so does a reference ({@link org.otp4j.core.dist.Dispatcher#refId}).
 */
package org.otp4j.core.dist;
