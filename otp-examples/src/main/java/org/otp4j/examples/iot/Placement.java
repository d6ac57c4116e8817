package org.otp4j.examples.iot;

import java.util.LinkedHashSet;
import java.util.Set;
import org.otp4j.behaviours.DynamicSupervisor;
import org.otp4j.behaviours.GenServer;
import org.otp4j.core.Call;
import org.otp4j.core.From;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.core.ServerRef;
import org.otp4j.dist.Pg;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A platform's membership in the cluster (runs only on a node prepared by {@link IotCluster#start}):
 * it joins the {@code platform} group, so that devices are placed on this node, and the group of
 * the MQTT session it holds ({@code session:CLIENTID}); it follows both.
 * <ul>
 *   <li>When a platform node joins, the device processes of this node that the new node now owns
 *       stop; the next message or look at them starts them on their owner, from the store.</li>
 *   <li>When the last holder of an MQTT session leaves (its node died), one survivor, the session's
 *       owner by the same rendezvous hashing, takes the session over: the ingest connects with that
 *       client id, so the broker hands it what it kept for the session (the messages delivered and
 *       never acknowledged, and those queued for the shared subscription while nobody was
 *       connected) and the session's share of new ones. When a node that holds that client id
 *       joins again, the survivor gives the session back.</li>
 * </ul>
 */
final class Placement extends GenServer<Placement.State, Placement.Request> {
  static final Logger LOG = LoggerFactory.getLogger(Placement.class);
  static final ServerRef<Request> NAME = ServerRef.local("iot_placement");

  /** What others ask of it. */
  sealed interface Request {
    /** The client ids of the MQTT sessions this node holds, its own first. */
    record Sessions() implements Request, Call<Set<String>> {}
  }

  static final class State {
    final Set<String> sessions = new LinkedHashSet<>();

    @Override
    public String toString() {
      return "Placement" + sessions;
    }
  }

  private final Iot iot;

  private Placement(Iot iot) {
    this.iot = iot;
  }

  static Pid startLink(Iot iot) {
    return GenServer.startLink(NAME, new Placement(iot)).pid();
  }

  /** The client ids of the MQTT sessions this node holds (its own, and those it took over). */
  static Set<String> sessions() {
    return GenServer.call(NAME, new Request.Sessions());
  }

  @Override
  protected Init<State> init() {
    State s = new State();
    Pg.monitorScope(IotCluster.SCOPE);
    Pg.join(IotCluster.SCOPE, IotCluster.PLATFORM, Proc.self());
    String own = iot.config().clientId();
    Pg.join(IotCluster.SCOPE, IotCluster.SESSION + own, Proc.self());
    s.sessions.add(own);
    LOG.info("platform nodes: {}", IotCluster.members());
    return Init.ok(s);
  }

  @Override
  protected CallResult<State> handleCall(Request request, From from, State s) {
    return switch (request) {
      case Request.Sessions q -> reply(q, Set.copyOf(s.sessions), s);
    };
  }

  @Override
  protected CastResult<State> handleInfo(Object message, State s) {
    if (!(message instanceof Pg.Notification n)) {
      return noReply(s);
    }
    String self = Node.current().name();
    boolean fromOthers = n.pids().stream().anyMatch(p -> !p.nodeName().equals(self));
    if (n.group().equals(IotCluster.PLATFORM)) {
      LOG.info("platform nodes: {}", IotCluster.members());
      if (n.change() == Pg.Change.JOIN && fromOthers) {
        handOver(self);
      }
    } else if (n.group().startsWith(IotCluster.SESSION)) {
      String clientId = n.group().substring(IotCluster.SESSION.length());
      if (n.change() == Pg.Change.LEAVE && Pg.members(IotCluster.SCOPE, n.group()).isEmpty()
          && IotCluster.owner(n.group(), IotCluster.members()).equals(self)) {
        LOG.info("node {} holds MQTT session {} no more: taking it over", n.pids().getFirst().nodeName(), clientId);
        Pg.join(IotCluster.SCOPE, n.group(), Proc.self());
        s.sessions.add(clientId);
        Ingest.adopt(clientId);
      } else if (n.change() == Pg.Change.JOIN && fromOthers && s.sessions.contains(clientId)
          && !clientId.equals(iot.config().clientId())) {
        LOG.info("node {} holds MQTT session {} again: giving it back", n.pids().getFirst().nodeName(), clientId);
        s.sessions.remove(clientId);
        Pg.leave(IotCluster.SCOPE, n.group(), Proc.self());
        Ingest.release(clientId);
      }
    }
    return noReply(s);
  }

  /** Stops the device processes of this node that another node owns now. */
  private void handOver(String self) {
    ClusterDeviceDirectory directory = (ClusterDeviceDirectory) iot.directory();
    int moved = 0;
    for (String id : directory.local().devices()) {
      if (!directory.ownerOf(id).equals(self)) {
        directory.local().whereis(id).ifPresent(pid -> DynamicSupervisor.terminateChild(Iot.DEVICES, pid));
        moved++;
      }
    }
    if (moved > 0) {
      LOG.info("{} device processes moved to the node that joined", moved);
    }
  }
}
