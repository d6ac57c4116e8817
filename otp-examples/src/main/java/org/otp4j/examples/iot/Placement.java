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
 * the MQTT sessions it holds ({@link MqttSessions#group()}); it follows both.
 * <ul>
 *   <li>When a platform node joins, the device processes of this node that the new node now owns
 *       stop; the next message or look at them starts them on their owner, from the store.</li>
 *   <li>When the last holder of a node's MQTT sessions leaves (the node died), one survivor, their
 *       owner by the same rendezvous hashing, takes the sessions over: the ingest connects with their
 *       client ids, so the broker hands it what it kept for them (the messages delivered and never
 *       acknowledged, and those queued for the shared subscription while nobody was connected) and
 *       their share of new ones. When a node that holds that client id joins again, the survivor
 *       gives the sessions back.</li>
 * </ul>
 */
final class Placement extends GenServer<Placement.State, Placement.Request> {
  static final Logger LOG = LoggerFactory.getLogger(Placement.class);
  static final ServerRef<Request> NAME = ServerRef.local("iot_placement");

  /** What others ask of it. */
  sealed interface Request {
    /** The MQTT sessions this node holds, its own first. */
    record Sessions() implements Request, Call<Set<MqttSessions>> {}
  }

  static final class State {
    final Set<MqttSessions> sessions = new LinkedHashSet<>();

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

  /** The MQTT sessions this node holds (its own, and those it took over). */
  static Set<MqttSessions> sessions() {
    return GenServer.call(NAME, new Request.Sessions());
  }

  @Override
  protected Init<State> init() {
    State s = new State();
    Pg.monitorScope(IotCluster.SCOPE);
    Pg.join(IotCluster.SCOPE, IotCluster.PLATFORM, Proc.self());
    MqttSessions own = iot.config().mqttSessions();
    Pg.join(IotCluster.SCOPE, own.group(), Proc.self());
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
    } else {
      MqttSessions.ofGroup(n.group()).ifPresent(sessions -> follow(sessions, n, fromOthers, self, s));
    }
    return noReply(s);
  }

  /** Takes over the MQTT sessions of a node that left, or gives them back to it when it is back. */
  private void follow(MqttSessions sessions, Pg.Notification n, boolean fromOthers, String self, State s) {
    String clientId = sessions.clientId();
    if (n.change() == Pg.Change.LEAVE && Pg.members(IotCluster.SCOPE, n.group()).isEmpty()
        && IotCluster.owner(n.group(), IotCluster.members()).equals(self)) {
      LOG.info("node {} holds MQTT session {} no more: taking it over", n.pids().getFirst().nodeName(), clientId);
      Pg.join(IotCluster.SCOPE, n.group(), Proc.self());
      s.sessions.add(sessions);
      Ingest.adopt(sessions);
    } else if (n.change() == Pg.Change.JOIN && fromOthers && s.sessions.contains(sessions)
        && !sessions.equals(iot.config().mqttSessions())) {
      LOG.info("node {} holds MQTT session {} again: giving it back", n.pids().getFirst().nodeName(), clientId);
      s.sessions.remove(sessions);
      Pg.leave(IotCluster.SCOPE, n.group(), Proc.self());
      Ingest.release(sessions);
    }
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
