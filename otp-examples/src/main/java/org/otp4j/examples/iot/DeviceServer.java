package org.otp4j.examples.iot;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.otp4j.behaviours.ChildSpec;
import org.otp4j.behaviours.DynamicSupervisor;
import org.otp4j.behaviours.GenServer;
import org.otp4j.behaviours.StartOptions;
import org.otp4j.core.Call;
import org.otp4j.core.CallException;
import org.otp4j.core.From;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.core.RequestId;
import org.otp4j.core.ServerRef;
import org.otp4j.examples.iot.DeviceMessage.Telemetry;

/**
 * A device as a process: its last reading, whether it is online, its configuration and the commands
 * it has not yet answered. One per device, started on demand (by its first message, or a look at
 * its page) under the {@code devices} {@link DynamicSupervisor}, found through the
 * {@link DeviceDirectory}.
 *
 * <h2>Nothing it holds is the only copy</h2>
 * A permanent child: killed or crashed, its supervisor starts it again, and its {@code init}
 * rebuilds the state from the store (the newest stored reading, the last status, the configuration
 * the device acknowledged, the commands still under way). Readings that were in the pipeline at the
 * time are stored all the same: their messages are acknowledged to the broker only once written.
 *
 * <h2>On another node</h2>
 * Its requests and replies are records the cluster's codec allows ({@link IotCluster#codec()}), so
 * a device process that runs on another node is called through its pid like a local one.
 *
 * <h2>Duplicates</h2>
 * The last reading again (same time and sequence number) is answered {@link Recorded.Duplicate}:
 * the broker delivers a QoS 1 message again when its acknowledgement was lost, and it must count
 * once. A reading older than the last one is {@link Recorded.Late}: with several platform nodes the
 * broker hands a device's messages to any of them, so they can reach its process out of order.
 * Neither replaces the last reading nor reaches the rules, and both go on to the store all the same,
 * which keeps a reading once (by its key) and counts one it already holds as a
 * {@link BadMessage.Reason#DUPLICATE}: this process seeing a reading does not mean it was stored (the
 * node that routed it may have died before writing it, and the broker gives it to another). A device
 * that restarts numbers from 1 again, with a newer time, and is accepted.
 */
public final class DeviceServer extends GenServer<DeviceServer.State, DeviceServer.Request> {
  /** What the platform asks of a device's process. */
  public sealed interface Request {
    /** A new reading: accepted (with the previous one, for the rules) or refused as a duplicate. */
    record Record(Telemetry reading) implements Request, Call<Recorded> {}

    /** A status message: answers whether it changed the device's online state. */
    record SetStatus(DeviceMessage.Status status) implements Request, Call<Boolean> {}

    /** The device's state, for the dashboard and tests. */
    record Get() implements Request, Call<Snapshot> {}

    /** A command for the device is under way ({@code done} false) or finished. */
    record Pending(String commandId, boolean done) implements Request {}

    /** The device acknowledged a new configuration or firmware (either may be null). */
    record Configured(Long intervalMs, String firmware) implements Request {}
  }

  /** What {@link Request.Record} answers. */
  public sealed interface Recorded {
    /**
     * Accepted as the newest reading.
     *
     * @param previous the reading before it, null if none
     */
    record Accepted(Telemetry previous) implements Recorded {
      /** The reading before it, if any. */
      public Optional<Telemetry> before() {
        return Optional.ofNullable(previous);
      }
    }

    /** Older than the last reading (it came late): to be stored, but not the device's last. */
    record Late(Telemetry last) implements Recorded {}

    /** The last reading again: to be stored (the store keeps it once), but not passed to the rules. */
    record Duplicate(Telemetry last) implements Recorded {}
  }

  /**
   * A device's state as it travels between nodes: {@link DeviceView} with nulls for what is unknown.
   *
   * @param id the device
   * @param group its group, or null
   * @param online whether it is online
   * @param last its last reading, or null
   * @param intervalMs its reporting interval, or null
   * @param firmware its firmware version, or null
   * @param pending the commands sent to it and not yet answered
   * @param pid its process
   */
  public record Snapshot(String id, String group, boolean online, Telemetry last, Long intervalMs, String firmware,
      List<String> pending, Pid pid) {
    DeviceView view() {
      return new DeviceView(id, Optional.ofNullable(group), online, Optional.ofNullable(last),
          Optional.ofNullable(intervalMs), Optional.ofNullable(firmware), List.copyOf(pending), pid);
    }
  }

  /**
   * A device's state as others see it.
   *
   * @param id the device
   * @param group its group, once known
   * @param online whether it is online
   * @param last its last reading
   * @param intervalMs its reporting interval, if it was ever configured
   * @param firmware its firmware version, if it was ever installed
   * @param pending the commands sent to it and not yet answered
   * @param pid its process
   */
  public record DeviceView(String id, Optional<String> group, boolean online, Optional<Telemetry> last,
      Optional<Long> intervalMs, Optional<String> firmware, List<String> pending, Pid pid) {}

  static final class State {
    final String id;
    String group;
    boolean online;
    long statusTs;
    Telemetry last;
    Long intervalMs;
    String firmware;
    final Set<String> pending = new LinkedHashSet<>();

    State(String id) {
      this.id = id;
    }

    @Override
    public String toString() {
      return "Device[" + id + ", online=" + online + ", last=" + (last == null ? "-" : last.seq()) + "]";
    }
  }

  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
  private static final int ATTEMPTS = 20;

  private final Iot iot;
  private final String id;

  private DeviceServer(Iot iot, String id) {
    this.iot = iot;
    this.id = id;
  }

  // =====================================================================================
  // client API

  /** The devices supervisor's template: permanent device processes, each under its via name. */
  static DynamicSupervisor.Template<String> template(Iot iot, LocalDeviceDirectory directory) {
    return DynamicSupervisor.Template.worker((String id) -> GenServer.tryStartLink(new DeviceServer(iot, id),
        StartOptions.defaults().withName(directory.nameOf(id)))).withRestart(ChildSpec.Restart.PERMANENT);
  }

  /** Records a reading in its device's process (started if needed). */
  static Recorded record(Iot iot, Telemetry reading) {
    return ask(iot, reading.device(), new Request.Record(reading));
  }

  /** The state of device {@code id} (its process is started if needed, from the store). */
  static DeviceView view(Iot iot, String id) {
    return ask(iot, id, new Request.Get()).view();
  }

  /** Tells device {@code id}'s process that a command is under way, or finished. */
  static void pending(Iot iot, String id, String commandId, boolean done) {
    GenServer.cast(ServerRef.<Request>of(iot.directory().ensure(id)), new Request.Pending(commandId, done));
  }

  /** Tells device {@code id}'s process its new configuration or firmware. */
  static void configured(Iot iot, String id, Long intervalMs, String firmware) {
    GenServer.cast(ServerRef.<Request>of(iot.directory().ensure(id)), new Request.Configured(intervalMs, firmware));
  }

  /**
   * Gives each reading or status of {@code messages} to its device's process, all the requests in
   * flight at once: a batch costs about one round trip to the other nodes, not one per message. The
   * answers come in the order of {@code messages}: a {@link Recorded} for a reading, a
   * {@link Boolean} (the device's online state changed) for a status. A request whose process died
   * under it, or could not be found, is asked again alone, with retries. Two messages of one device
   * go to the same process one after the other, so it sees them in order.
   *
   * @throws IllegalArgumentException for a message that is neither a reading nor a status
   */
  static List<Object> recordAll(Iot iot, List<? extends DeviceMessage> messages) {
    List<Request> requests = new ArrayList<>(messages.size());
    List<Pid> pids = new ArrayList<>(messages.size());
    List<RequestId<Object>> sent = new ArrayList<>(messages.size());
    for (DeviceMessage m : messages) {
      Request request = switch (m) {
        case Telemetry t -> new Request.Record(t);
        case DeviceMessage.Status st -> new Request.SetStatus(st);
        default -> throw new IllegalArgumentException("only readings and statuses go to a device's process: " + m);
      };
      requests.add(request);
      Pid pid = null;
      RequestId<Object> id = null;
      try {
        pid = iot.directory().ensureForCall(m.device());
        id = GenServer.sendRequest(pid, request);
      } catch (IllegalStateException e) {
        // not found nor started now: asked alone below, with retries
      }
      pids.add(pid);
      sent.add(id);
    }
    long deadline = System.nanoTime() + CALL_TIMEOUT.toNanos();
    List<Object> answers = new ArrayList<>(messages.size());
    for (int i = 0; i < messages.size(); i++) {
      String device = messages.get(i).device();
      RequestId<Object> id = sent.get(i);
      Object answer = null;
      boolean answered = false;
      if (id != null) {
        try {
          answer = id.receiveResponse(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
          answered = true;
        } catch (CallException e) {
          iot.directory().forget(device, pids.get(i));
        }
      }
      answers.add(answered ? answer : askRetrying(iot, device, requests.get(i)));
    }
    return answers;
  }

  /**
   * Asks device {@code id}'s process, starting it if needed; if it dies under the request (killed,
   * restarting) it is found or started again and asked again: every request is idempotent.
   */
  @SuppressWarnings("unchecked") // a request's reply is of its Call type: see handleCall
  private static <Q extends Request & Call<R>, R> R ask(Iot iot, String id, Q request) {
    return (R) askRetrying(iot, id, request);
  }

  private static Object askRetrying(Iot iot, String id, Request request) {
    Object lastFailure = null;
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      Pid pid = null;
      try {
        pid = iot.directory().ensureForCall(id);
        return GenServer.call(pid, request, CALL_TIMEOUT);
      } catch (CallException e) {
        lastFailure = e.reason();
        iot.directory().forget(id, pid);
      } catch (IllegalStateException e) {
        lastFailure = e.getMessage();
      }
      Proc.sleep(Duration.ofMillis(Math.min(100, 2L << attempt)));
    }
    throw new IllegalStateException("device " + id + "'s process could not be reached (" + lastFailure + ")");
  }

  // =====================================================================================
  // server callbacks

  @Override
  protected Init<State> init() {
    IotStore.StoredDevice stored = iot.db().device(id);
    State s = new State(id);
    s.group = stored.group().orElse(null);
    s.online = stored.online();
    s.last = stored.last().orElse(null);
    s.intervalMs = stored.intervalMs().orElse(null);
    s.firmware = stored.firmware().orElse(null);
    s.pending.addAll(iot.db().pendingCommands(id));
    return Init.ok(s);
  }

  @Override
  protected CallResult<State> handleCall(Request request, From from, State s) {
    return switch (request) {
      case Request.Record r -> {
        Telemetry t = r.reading();
        Telemetry last = s.last;
        if (last != null && t.ts() == last.ts() && t.seq() == last.seq()) {
          yield reply(r, new Recorded.Duplicate(last), s);
        }
        if (last != null && (t.ts() < last.ts() || (t.ts() == last.ts() && t.seq() < last.seq()))) {
          yield reply(r, new Recorded.Late(last), s);
        }
        s.last = t;
        s.group = t.group();
        yield reply(r, new Recorded.Accepted(last), s);
      }
      case Request.SetStatus st -> {
        DeviceMessage.Status status = st.status();
        boolean changed = false;
        if (status.ts() >= s.statusTs) {
          changed = s.online != status.online();
          s.online = status.online();
          s.statusTs = status.ts();
        }
        yield reply(st, changed, s);
      }
      case Request.Get g -> reply(g, new Snapshot(id, s.group, s.online, s.last, s.intervalMs, s.firmware,
          List.copyOf(s.pending), Proc.self()), s);
      case Request.Pending p -> noReply(s);
      case Request.Configured c -> noReply(s);
    };
  }

  @Override
  protected CastResult<State> handleCast(Request request, State s) {
    switch (request) {
      case Request.Pending(String commandId, boolean done) -> {
        if (done) {
          s.pending.remove(commandId);
        } else {
          s.pending.add(commandId);
        }
      }
      case Request.Configured(Long intervalMs, String firmware) -> {
        if (intervalMs != null) {
          s.intervalMs = intervalMs;
        }
        if (firmware != null) {
          s.firmware = firmware;
        }
      }
      case Request.Record r -> { }
      case Request.SetStatus st -> { }
      case Request.Get g -> { }
    }
    return noReply(s);
  }
}
