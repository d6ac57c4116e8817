package org.otp4j.examples.iot;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.lifecycle.MqttDisconnectSource;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAck;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.otp4j.behaviours.stage.BufferKeep;
import org.otp4j.behaviours.stage.GenStage;
import org.otp4j.behaviours.stage.Producer;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.examples.PlatformThread;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The head of the pipeline: a {@link Producer} fed by the node's MQTT clients, one per session
 * ({@code iot.sessions}, see {@link MqttSessions}).
 *
 * <h2>Shared subscriptions</h2>
 * Each session subscribes to {@code $share/platform/devices/+/telemetry}, {@code .../status} and
 * {@code .../acks} at QoS 1: the broker gives each message to one of the sessions of all the
 * platform's nodes.
 *
 * <h2>Back-pressure down to the broker</h2>
 * A message holds one of {@code iot.inFlight} permits (shared by the node's sessions) from the
 * moment its client hands it over until it is acknowledged ({@link Delivery#ack()}, by hand, once
 * processed) together with every message its client delivered before it (the client sends its
 * acknowledgements in that order: see {@link AckWindow}). When every permit is taken (the stages
 * downstream stopped asking: a slow database), the client's callback waits for one on the
 * client's own I/O thread, so the client stops reading its socket; TCP's flow control then
 * stops the broker, which keeps the rest in its queue for this session, not in this JVM. Neither
 * the producer's buffer nor a client's queue of messages to acknowledge therefore ever holds more
 * than {@code iot.inFlight} messages; the buffer is left unbounded. Acknowledging does not need
 * that thread to be free (the client queues the PUBACK), so the wait always ends when a message is
 * processed.
 *
 * <p>MQTT 5's receive maximum would be the protocol's own way to say this, but Debian's mosquitto
 * (2.0.11) sends more than a client's receive maximum once the first acknowledgement returns,
 * which the client takes as a protocol violation and disconnects: the platform keeps the client's
 * default (65,535) and bounds itself.
 *
 * <h2>Sessions taken over</h2>
 * On several nodes, this process may hold more clients than its own: the sessions of nodes that
 * left, which {@link Placement} tells it to take over ({@link #adopt(MqttSessions)}) and give back
 * ({@link #release(MqttSessions)}). They feed the same pipeline and share its permits; they do not
 * reconnect by themselves, since the broker closes one when its own node takes its session back.
 *
 * <h2>Failure</h2>
 * The session is persistent (a fixed client id, no clean start): if a stage crashes, the pipeline
 * restarts as a whole (one for all), this process connects again, and the broker delivers again
 * what was never acknowledged. If this process is killed, the client's callback finds it dead and
 * disconnects the old client.
 *
 * <p>When the broker goes away each client of its own sessions reconnects by itself, and then
 * subscribes again: the broker may have lost the session (restarted without its saved state), and
 * even a session it kept may not deliver (mosquitto 2.0.11 restores saved shared subscriptions
 * without delivering to them); subscribing again is harmless when the subscriptions are in place.
 */
final class Ingest extends Producer<Ingest.State, Delivery> {
  static final List<String> TOPICS = List.of("$share/platform/devices/+/telemetry",
      "$share/platform/devices/+/status", "$share/platform/devices/+/acks");

  private static final long CONNECT_SECONDS = 15;
  private static final Logger LOG = LoggerFactory.getLogger(Ingest.class);

  private record Arrived(Delivery delivery) {}

  /** Take over the MQTT sessions of another node (it left): see {@link Placement}. */
  private record Adopt(MqttSessions sessions) {}

  /** Give the sessions of another node back (it is back). */
  private record Release(MqttSessions sessions) {}

  static final class State {
    /** The clients of this node's own sessions; the first also publishes (commands to devices). */
    final List<Mqtt5AsyncClient> own;
    final ExecutorService io;
    final Semaphore room;
    final Map<MqttSessions, List<Mqtt5AsyncClient>> adopted = new HashMap<>();

    State(List<Mqtt5AsyncClient> own, ExecutorService io, Semaphore room) {
      this.own = own;
      this.io = io;
      this.room = room;
    }

    @Override
    public String toString() {
      return "Ingest[" + own.size() + " sessions of " + own.getFirst().getConfig().getClientIdentifier()
          + ", taken over " + adopted.keySet() + "]";
    }
  }

  private final Iot iot;

  private Ingest(Iot iot) {
    this.iot = iot;
  }

  static Pid startLink(Iot iot) {
    return GenStage.startLink(Iot.INGEST, new Ingest(iot));
  }

  @Override
  protected Init<State> init() throws Exception {
    Proc.trapExits(true); // so that terminate disconnects the client
    IotConfig c = iot.config();
    // The client's first use loads hundreds of classes: on a platform thread, not a process's carrier.
    // Its own I/O thread: the callback below may hold it (back-pressure), which must not stall the
    // other MQTT clients of this JVM, who would otherwise share the library's threads.
    ExecutorService io = Executors.newThreadPerTaskExecutor(Thread.ofPlatform().name("iot-mqtt-io-", 0).factory());
    Semaphore room = new Semaphore(c.inFlight());
    List<Mqtt5AsyncClient> own = new ArrayList<>();
    try {
      for (String id : c.mqttSessions().ids()) {
        Mqtt5AsyncClient client = connect(id, true, io, room);
        own.add(client);
        subscribe(client).get(CONNECT_SECONDS, TimeUnit.SECONDS);
      }
    } catch (Exception e) {
      disconnect(own); // those connected already: the next attempt connects them again
      io.shutdown();
      throw e;
    }
    iot.mqtt().set(own.getFirst());
    State state = new State(List.copyOf(own), io, room);
    if (iot.directory() instanceof ClusterDeviceDirectory) {
      // Sessions this node took over before the pipeline restarted: taken again.
      for (MqttSessions other : Placement.sessions()) {
        if (!other.equals(c.mqttSessions())) {
          state.adopted.put(other, adopt(other, io, room));
        }
      }
    }
    return Init.ok(state, Options.defaults().withBufferSize(Options.UNBOUNDED).withBufferKeep(BufferKeep.FIRST));
  }

  /**
   * Clients of the sessions of another node, connected, whose messages come to this process (a
   * session that cannot be taken over is said in the log; the others are taken).
   */
  private List<Mqtt5AsyncClient> adopt(MqttSessions sessions, ExecutorService io, Semaphore room) {
    List<Mqtt5AsyncClient> clients = new ArrayList<>();
    for (String id : sessions.ids()) {
      try {
        // The session keeps its shared subscriptions: its share of new messages comes here too.
        clients.add(connect(id, false, io, room));
      } catch (Exception e) {
        Placement.LOG.warn("could not take over MQTT session {}: {}", id, e.toString());
      }
    }
    return clients;
  }

  /**
   * A client of the session {@code clientId}, connected, whose messages come to this process; its
   * own session reconnects by itself, a session taken over does not (if its node takes it back, the
   * broker closes this connection, and that is the end of it).
   */
  private Mqtt5AsyncClient connect(String clientId, boolean reconnect, ExecutorService io, Semaphore room)
      throws Exception {
    IotConfig c = iot.config();
    Pid self = Proc.self();
    // After a reconnect of its own session the shared subscriptions are made again, even when the
    // broker says it kept the session: mosquitto (2.0.11) restores a saved session's shared
    // subscriptions without delivering to them, so only a new SUBSCRIBE brings the messages back.
    AtomicBoolean first = new AtomicBoolean(true);
    AtomicReference<Mqtt5AsyncClient> made = new AtomicReference<>();
    Mqtt5AsyncClient client = PlatformThread.call("iot-mqtt-start", () -> {
      var builder = Mqtt5Client.builder()
          .identifier(clientId).serverHost(c.mqttHost()).serverPort(c.mqttPort())
          .executorConfig().nettyExecutor(io).nettyThreads(1).applyExecutorConfig();
      return (reconnect ? builder.automaticReconnectWithDefaultConfig().addConnectedListener(context -> {
            if (!first.getAndSet(false)) {
              resubscribe(made.get());
            }
          }) : builder)
          // A client whose process is gone (killed, its node stopped) must not take the session back
          // from the node that took it over: it stays disconnected.
          .addDisconnectedListener(context -> {
            if (!Proc.isAlive(self)) {
              context.getReconnector().reconnect(false);
            } else if (context.getSource() != MqttDisconnectSource.USER) {
              // Said, since what the broker held for the session comes again (dup), and so does the
              // share of new messages the session missed meanwhile.
              LOG.warn("MQTT session {} lost its connection ({}): {}", clientId, context.getSource(),
                  context.getCause().toString());
            }
          })
          .buildAsync();
    });
    made.set(client);
    IotMetrics metrics = iot.metrics();
    AckWindow window = new AckWindow(room);
    // Registered before connecting, so that what the broker kept for this session is not missed.
    client.publishes(MqttGlobalPublishFilter.ALL, publish -> {
      if (!Proc.isAlive(self)) {
        client.disconnect(); // killed: let a new incarnation take the session over
        return;
      }
      if (!takeRoom(room, self)) {
        client.disconnect(); // stopped while it waited
        return;
      }
      Delivery d = Delivery.of(publish, metrics, window);
      metrics.received();
      Proc.send(self, new Arrived(d));
    }, true);
    client.connectWith().cleanStart(false).sessionExpiryInterval(TimeUnit.HOURS.toSeconds(1)).send().get(CONNECT_SECONDS, TimeUnit.SECONDS);
    return client;
  }

  /** Subscribes {@code client} to the shared topics at QoS 1. */
  private static CompletableFuture<Mqtt5SubAck> subscribe(Mqtt5AsyncClient client) {
    var subscribe = client.subscribeWith().addSubscription().topicFilter(TOPICS.get(0)).qos(MqttQos.AT_LEAST_ONCE)
        .applySubscription();
    for (String topic : TOPICS.subList(1, TOPICS.size())) {
      subscribe = subscribe.addSubscription().topicFilter(topic).qos(MqttQos.AT_LEAST_ONCE).applySubscription();
    }
    return subscribe.send();
  }

  /** Subscribes again after a reconnect (on the client's thread: the answer is not waited for). */
  private static void resubscribe(Mqtt5AsyncClient client) {
    subscribe(client).whenComplete((ack, e) -> {
      if (e != null) {
        LOG.warn("subscribing again after a reconnect failed; the next reconnect tries again", e);
      } else if (ack.getReasonCodes().stream().anyMatch(code -> code.isError())) {
        LOG.warn("the broker refused a subscription after a reconnect: {}", ack.getReasonCodes());
      } else {
        LOG.info("reconnected to the broker and subscribed again to {}", TOPICS);
      }
    });
  }

  /** Asks this node's ingest to take over another node's MQTT sessions (nothing if it does not run). */
  static void adopt(MqttSessions sessions) {
    Proc.whereis(Iot.INGEST).ifPresent(pid -> Proc.send(pid, new Adopt(sessions)));
  }

  /** Asks this node's ingest to give another node's MQTT sessions back. */
  static void release(MqttSessions sessions) {
    Proc.whereis(Iot.INGEST).ifPresent(pid -> Proc.send(pid, new Release(sessions)));
  }

  /**
   * Waits for a permit of the pipeline's room, on the client's I/O thread (see the class notes);
   * false if the ingest process stopped meanwhile.
   */
  private static boolean takeRoom(Semaphore room, Pid ingest) {
    try {
      while (!room.tryAcquire(100, TimeUnit.MILLISECONDS)) {
        if (!Proc.isAlive(ingest)) {
          return false;
        }
      }
      return Proc.isAlive(ingest);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Override
  protected CastResult<State, Delivery> handleDemand(long demand, State state) {
    return noReply(state); // messages are emitted as they arrive; the broker holds the rest
  }

  @Override
  protected CastResult<State, Delivery> handleInfo(Object message, State state) {
    if (message instanceof Arrived(Delivery d)) {
      return noReply(List.of(d), state);
    }
    if (message instanceof Adopt(MqttSessions sessions) && !state.adopted.containsKey(sessions)) {
      state.adopted.put(sessions, adopt(sessions, state.io, state.room));
    }
    if (message instanceof Release(MqttSessions sessions) && state.adopted.containsKey(sessions)) {
      for (Mqtt5AsyncClient client : state.adopted.remove(sessions)) {
        client.disconnect(); // what it did not acknowledge stays in the session
      }
    }
    return noReply(state); // an EXIT from a linked process other than the parent: nothing to do
  }

  @Override
  protected void terminate(ExitReason reason, State state) {
    iot.mqtt().compareAndSet(state.own.getFirst(), null);
    for (List<Mqtt5AsyncClient> others : state.adopted.values()) {
      others.forEach(Mqtt5AsyncClient::disconnect);
    }
    disconnect(state.own);
    state.io.shutdown();
  }

  /** Disconnects {@code clients}, waiting a little for each to say so to the broker. */
  private static void disconnect(List<Mqtt5AsyncClient> clients) {
    List<CompletableFuture<Void>> done = clients.stream().map(Mqtt5AsyncClient::disconnect).toList();
    for (CompletableFuture<Void> d : done) {
      try {
        d.get(5, TimeUnit.SECONDS);
      } catch (Exception e) {
        // already disconnected, or the broker is gone: the session resumes at the next connect
      }
    }
  }
}
