/**
 * Distribution for otp4j nodes on JGroups: nodes that find each other, remote pids, messages, links
 * and monitors across JVMs, {@code noconnection} when a node goes down. Start with
 * {@link org.otp4j.dist.Cluster}.
 */
module org.otp4j.dist {
  requires transitive org.otp4j.core;
  requires org.slf4j;
  requires org.jgroups;

  exports org.otp4j.dist;
  // JGroups makes the authentication token reflectively when a join request arrives.
  opens org.otp4j.dist.internal to org.jgroups;
}
