/**
 * Distribution on JGroups. A {@link org.otp4j.dist.Cluster} is the transport factory a node is
 * started with ({@link org.otp4j.core.NodeConfig#withTransport}); JGroups gives membership, failure
 * detection, ordered reliable delivery and authentication, and a {@link org.otp4j.dist.Codec} turns
 * signals into frames ({@link org.otp4j.dist.TermCodec} by default, which decodes only the types it
 * is allowed to).
 *
 * <p>On top of it, OTP's distributed services: {@link org.otp4j.dist.Rpc} (rpc, erpc and remote spawn
 * of the {@link org.otp4j.dist.EntryPoints} a node serves), {@link org.otp4j.dist.Pg} (process groups)
 * and {@link org.otp4j.dist.Global} (cluster-wide names). Calls and casts to a behaviour of another
 * node need nothing more than its request and reply records allowed by the codec on every node.
 */
package org.otp4j.dist;
