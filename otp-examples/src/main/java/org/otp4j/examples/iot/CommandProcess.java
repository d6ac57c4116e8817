package org.otp4j.examples.iot;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.otp4j.behaviours.ChildSpec;
import org.otp4j.behaviours.DynamicSupervisor;
import org.otp4j.behaviours.GenStatem;
import org.otp4j.behaviours.StartOptions;
import org.otp4j.behaviours.StartResult;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Name;
import org.otp4j.core.Pid;
import org.otp4j.examples.iot.DeviceMessage.Ack;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A command to a device as a process: it publishes the command on {@code devices/{id}/commands}
 * (QoS 1), waits for the device's ack on {@code devices/{id}/acks}, sends it again when no ack came
 * within {@code iot.commandTimeout}, and gives up after {@code iot.commandAttempts} sends.
 *
 * <pre>
 * state      event                          then
 * AWAITING   state timeout, attempts left   publish (again), attempts + 1, wait commandTimeout
 * AWAITING   state timeout, none left       expired; stop
 * AWAITING   ack "ok"                       done (a new interval or firmware is recorded); stop
 * AWAITING   ack "error"                    failed, with the device's detail; stop
 * </pre>
 *
 * <p>It registers under its command's id in the {@code iot.commands} registry (its via name), which
 * is where the route stage sends acks. Every step is in the store's {@code commands} table first,
 * and the device's process lists the command as pending until it ends: a command process that dies
 * is started again by its supervisor (transient) and carries on from the stored attempts; after a
 * restart of the platform the commands still under way are taken up again ({@link #resume}).
 * The same command sent twice carries the same id, so a device that received both acks twice;
 * the second ack finds no process and is only logged.
 */
final class CommandProcess extends GenStatem<CommandProcess.State, CommandProcess.Data, Void> {
  static final Logger LOG = LoggerFactory.getLogger(CommandProcess.class);

  /** The one state: the command is out and an ack is awaited. */
  enum State { AWAITING }

  /**
   * What a command process is started with.
   *
   * @param id the command's id
   * @param device the device
   * @param type its wire type
   * @param args its arguments, as JSON
   */
  record Spec(String id, String device, String type, String args) {}

  /** The command and how many times it was published. */
  static final class Data {
    final Spec spec;
    int attempts;

    Data(Spec spec, int attempts) {
      this.spec = spec;
      this.attempts = attempts;
    }

    @Override
    public String toString() {
      return "Command[" + spec.id() + " " + spec.type() + " to " + spec.device() + ", attempts=" + attempts + "]";
    }
  }

  private static final String SEND = "send";

  private final Iot iot;
  private final Spec spec;

  private CommandProcess(Iot iot, Spec spec) {
    this.iot = iot;
    this.spec = spec;
  }

  // =====================================================================================
  // client API

  /** The commands supervisor's template: transient command processes, each under its command's id. */
  static DynamicSupervisor.Template<Spec> template(Iot iot) {
    return DynamicSupervisor.Template.worker((Spec s) -> GenStatem.tryStartLink(new CommandProcess(iot, s),
        StartOptions.defaults().withName(nameOf(iot, s.id())))).withRestart(ChildSpec.Restart.TRANSIENT);
  }

  /** The via name of command {@code id}'s process. */
  static Name nameOf(Iot iot, String id) {
    return Name.via(iot.commands(), id);
  }

  /**
   * Sends {@code command} to device {@code device}: records it, starts its process and returns its
   * id at once; the outcome is in the store ({@link IotStore#command}) when the process ends.
   *
   * @throws IllegalArgumentException if {@code device} is not a device id ({@code d-} and six digits)
   * @throws IllegalStateException if its process could not be started
   */
  static String send(Iot iot, String device, Command command) {
    if (device == null || !DeviceMessage.DEVICE_ID.matcher(device).matches()) {
      throw new IllegalArgumentException("device id '" + device + "' is not d- and six digits");
    }
    String id = "c-" + UUID.randomUUID();
    String args = DeviceMessage.Json.MAPPER.writeValueAsString(command.args());
    iot.db().insertCommand(id, device, command.type(), args, System.currentTimeMillis());
    start(new Spec(id, device, command.type(), args));
    return id;
  }

  /** Starts a process for every command the store has under way (after a restart of the platform). */
  static int resume(Iot iot) {
    int n = 0;
    for (IotStore.StoredCommand c : iot.db().commandsUnderWay()) {
      start(new Spec(c.id(), c.device(), c.type(), c.args()));
      n++;
    }
    return n;
  }

  private static Pid start(Spec spec) {
    return switch (DynamicSupervisor.startChildWith(Iot.COMMANDS, spec)) {
      case StartResult.Started s -> s.pid();
      case StartResult.AlreadyStarted a -> a.pid();
      case StartResult.Ignored i -> throw new IllegalStateException("command " + spec.id() + " has ended already");
      case StartResult.Failed f -> throw new IllegalStateException("command " + spec.id() + "'s process did not start: "
          + f.reason());
      case DynamicSupervisor.MaxChildren m -> throw new IllegalStateException("too many commands under way");
    };
  }

  // =====================================================================================
  // state machine

  @Override
  protected Init<State, Data> init() {
    Optional<IotStore.StoredCommand> stored = iot.db().command(spec.id());
    if (stored.isPresent() && !stored.get().state().equals("sent")) {
      return Init.ignore(); // it ended in an earlier incarnation
    }
    if (stored.isEmpty()) {
      iot.db().insertCommand(spec.id(), spec.device(), spec.type(), spec.args(), System.currentTimeMillis());
    }
    DeviceServer.pending(iot, spec.device(), spec.id(), false);
    return Init.ok(State.AWAITING, new Data(spec, stored.map(IotStore.StoredCommand::attempts).orElse(0)),
        Action.stateTimeout(Duration.ZERO, SEND));
  }

  @Override
  protected Result<State, Data> handleEvent(Event<Void> event, State state, Data data) {
    return switch (event) {
      case Event.StateTimeout<Void> t -> {
        if (data.attempts >= iot.config().commandAttempts()) {
          yield end(data, "expired", "no ack after " + data.attempts + " attempts, "
              + iot.config().commandTimeout().toMillis() + " ms apart");
        }
        publish(data);
        data.attempts++;
        iot.db().updateCommand(spec.id(), "sent", data.attempts, "", System.currentTimeMillis());
        yield keepState(data, Action.stateTimeout(iot.config().commandTimeout(), SEND));
      }
      case Event.Info<Void>(Ack a) when a.commandId().equals(spec.id()) && a.device().equals(spec.device()) -> {
        if (a.ok()) {
          configured(a);
        }
        yield end(data, a.ok() ? "done" : "failed", a.detail());
      }
      case Event.Info<Void>(Object other) -> {
        LOG.warn("command {} to {} ignores an unexpected message: {}", spec.id(), spec.device(), other);
        yield keepStateAndData();
      }
      default -> keepStateAndData();
    };
  }

  /** Publishes the command; a client that is not connected makes the attempt count all the same. */
  private void publish(Data data) {
    Optional<Mqtt5AsyncClient> client = iot.client();
    if (client.isEmpty()) {
      LOG.warn("command {} to {}: the MQTT client is not connected; attempt {} is lost", spec.id(), spec.device(),
          data.attempts + 1);
      return;
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("command_id", spec.id());
    body.put("type", spec.type());
    body.put("args", DeviceMessage.Json.MAPPER.readTree(spec.args()));
    byte[] payload = DeviceMessage.Json.MAPPER.writeValueAsString(body).getBytes(StandardCharsets.UTF_8);
    // Not waited for: the ack (or the state timeout) says what became of it.
    client.get().publishWith().topic("devices/" + spec.device() + "/commands").qos(MqttQos.AT_LEAST_ONCE)
        .payload(payload).send().whenComplete((result, e) -> {
          if (e != null) {
            LOG.warn("command {} to {} was not published: {}", spec.id(), spec.device(), e.toString());
          }
        });
  }

  /** A set_config or firmware the device carried out: its new configuration, in the store and its process. */
  private void configured(Ack a) {
    var args = DeviceMessage.Json.MAPPER.readTree(spec.args());
    Long interval = spec.type().equals("set_config") ? args.get("interval_ms").longValue() : null;
    String firmware = spec.type().equals("firmware") ? args.get("version").stringValue() : null;
    if (interval != null || firmware != null) {
      iot.db().setDeviceConfig(spec.device(), interval, firmware);
      DeviceServer.configured(iot, spec.device(), interval, firmware);
    }
  }

  private Result<State, Data> end(Data data, String outcome, String detail) {
    iot.db().updateCommand(spec.id(), outcome, data.attempts, detail, System.currentTimeMillis());
    DeviceServer.pending(iot, spec.device(), spec.id(), true);
    if (!outcome.equals("done")) {
      LOG.info("command {} ({}) to {} {}: {}", spec.id(), spec.type(), spec.device(), outcome, detail);
    }
    return stop(ExitReason.NORMAL);
  }
}
