/**
 * Distribution on JGroups. A {@link org.otp4j.dist.Cluster} is the transport factory a node is
 * started with ({@link org.otp4j.core.NodeConfig#withTransport}); JGroups gives membership, failure
 * detection, ordered reliable delivery and authentication, and a {@link org.otp4j.dist.Codec} turns
 * signals into frames ({@link org.otp4j.dist.TermCodec} by default, which decodes only the types it
 * is allowed to).
 */
package org.otp4j.dist;
