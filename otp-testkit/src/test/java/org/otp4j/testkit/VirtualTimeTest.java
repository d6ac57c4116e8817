package org.otp4j.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.otp4j.testkit.OtpAssertions.assertReceive;
import static org.otp4j.testkit.OtpAssertions.refuteReceive;
import static org.otp4j.testkit.OtpAssertions.self;

import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.otp4j.behaviours.GenServer;
import org.otp4j.behaviours.GenStatem;
import org.otp4j.core.Call;
import org.otp4j.core.CallException;
import org.otp4j.core.ExitReason;
import org.otp4j.core.From;
import org.otp4j.core.ManualClock;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.core.ServerRef;

@DisplayName("Virtual time: behaviour timeouts fire when the test advances the node's manual clock")
class VirtualTimeTest {
  @RegisterExtension
  static final OtpExtension OTP = OtpExtension.create().withManualClock();

  private static final Duration WAIT = Duration.ofSeconds(5);

  /** A door that locks itself 30 minutes after it is opened, and tells a watcher. */
  static final class Door extends GenStatem<Door.State, Pid, Door.Msg> {
    enum State { LOCKED, OPEN }

    sealed interface Msg {
      record Open() implements Msg, Call<State> {}

      record Status() implements Msg, Call<State> {}
    }

    record Locked() {}

    private final Pid watcher;

    Door(Pid watcher) {
      this.watcher = watcher;
    }

    @Override
    protected Init<State, Pid> init() {
      return Init.ok(State.LOCKED, watcher);
    }

    @Override
    protected Result<State, Pid> handleEvent(Event<Msg> event, State state, Pid data) {
      return switch (event) {
        case Event.Call(From from, Msg.Open open) -> nextState(State.OPEN, data, Action.reply(from, open, State.OPEN),
            Action.stateTimeout(Duration.ofMinutes(30), "lock"));
        case Event.Call(From from, Msg.Status status) -> keepStateAndData(Action.reply(from, status, state));
        case Event.StateTimeout<Msg> t -> {
          Proc.send(data, new Locked());
          yield nextState(State.LOCKED, data);
        }
        default -> keepStateAndData();
      };
    }
  }

  @Test
  @DisplayName("T: a 30-minute GenStatem state timeout fires when the clock passes it, in no real time")
  void stateTimeout(ManualClock clock) {
    long start = System.nanoTime();
    // region: stateTimeout
    ServerRef<Door.Msg> door = GenStatem.start(new Door(self()), org.otp4j.behaviours.StartOptions.defaults());
    GenStatem.call(door, new Door.Msg.Open());
    assertThat(clock.awaitPending(1, WAIT)).isTrue();   // the state timeout is set
    clock.advance(Duration.ofMinutes(29));
    assertThat(GenStatem.call(door, new Door.Msg.Status())).isEqualTo(Door.State.OPEN);
    clock.advance(Duration.ofMinutes(1));
    assertReceive(Door.Locked.class);
    assertThat(GenStatem.call(door, new Door.Msg.Status())).isEqualTo(Door.State.LOCKED);
    // endregion: stateTimeout
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
    GenStatem.stop(door.pid());
  }

  /** A machine that arms an event timeout and a generic timeout on a cast, and reports which fired. */
  static final class Timed extends GenStatem<String, Pid, String> {
    private final Pid watcher;

    Timed(Pid watcher) {
      this.watcher = watcher;
    }

    @Override
    protected Init<String, Pid> init() {
      return Init.ok("idle", watcher);
    }

    @Override
    protected Result<String, Pid> handleEvent(Event<String> event, String state, Pid data) {
      return switch (event) {
        case Event.Cast<String>(String s) when s.equals("arm") -> keepStateAndData(
            Action.eventTimeout(Duration.ofHours(1), "quiet for an hour"),
            Action.genericTimeout("daily", Duration.ofDays(1), "a day passed"));
        case Event.Timeout<String>(Object content) -> {
          Proc.send(data, "event: " + content);
          yield keepStateAndData();
        }
        case Event.GenericTimeout<String>(Object name, Object content) -> {
          Proc.send(data, name + ": " + content);
          yield keepStateAndData();
        }
        default -> keepStateAndData();
      };
    }
  }

  @Test
  @DisplayName("T: GenStatem event and generic timeouts run on the clock too")
  void eventAndGenericTimeouts(ManualClock clock) {
    ServerRef<String> machine = GenStatem.start(new Timed(self()), org.otp4j.behaviours.StartOptions.defaults());
    GenStatem.cast(machine, "arm");
    assertThat(clock.awaitPending(2, WAIT)).isTrue(); // the event timeout's receive and the generic timer
    clock.advance(Duration.ofMinutes(59));
    refuteReceive();
    clock.advance(Duration.ofMinutes(1));
    assertThat(assertReceive(String.class)).isEqualTo("event: quiet for an hour");
    assertThat(clock.awaitPending(1, WAIT)).isTrue();
    clock.advance(Duration.ofHours(23));
    assertThat(assertReceive(String.class)).isEqualTo("daily: a day passed");
    GenStatem.stop(machine.pid());
  }

  /** A server that, after a cast, waits an hour for another message before it tells its watcher. */
  static final class Idle extends GenServer<Pid, String> {
    private final Pid watcher;

    Idle(Pid watcher) {
      this.watcher = watcher;
    }

    @Override
    protected Init<Pid> init() {
      return Init.ok(watcher);
    }

    @Override
    protected CastResult<Pid> handleCast(String request, Pid state) {
      return noReply(state, Action.timeout(Duration.ofHours(1)));
    }

    @Override
    protected CastResult<Pid> handleInfo(Object message, Pid state) {
      if (message instanceof GenServer.Timeout) {
        Proc.send(state, "idle for an hour");
      }
      return noReply(state);
    }
  }

  @Test
  @DisplayName("G: a GenServer's idle timeout runs on the clock")
  void genServerTimeout(ManualClock clock) {
    ServerRef<String> server = GenServer.start(new Idle(self()));
    GenServer.cast(server, "poke");
    assertThat(clock.awaitPending(1, WAIT)).isTrue();
    clock.advance(Duration.ofMinutes(59));
    refuteReceive();
    clock.advance(Duration.ofMinutes(1));
    assertReceive("idle for an hour");
    GenServer.stop(server.pid());
  }

  @Test
  @DisplayName("G: a call made by a process times out on the clock; the probe it called sees the call")
  void callTimeout(Node node, ManualClock clock, Probe server) {
    Pid me = self();
    node.spawn(() -> {
      try {
        GenServer.call(server.pid(), "anyone?", Duration.ofMinutes(10));
      } catch (CallException e) {
        Proc.send(me, e.reason());
      }
    });
    server.expectCall(String.class);
    assertThat(clock.awaitPending(1, WAIT)).isTrue();
    clock.advance(Duration.ofMinutes(9));
    refuteReceive();
    clock.advance(Duration.ofMinutes(1));
    assertReceive(ExitReason.TIMEOUT);
  }

  @Test
  @DisplayName("A ManualClock parameter without the manual clock is refused, saying how to turn it on")
  void clockNeedsTheOption() {
    Launched run = Launched.run(WithoutClock.class);
    assertThat(run.failureMessage("wantsAClock")).contains("OtpExtension.create().withManualClock()");
    assertThatThrownBy(() -> new ManualClock().advance(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @org.junit.jupiter.api.extension.ExtendWith(OtpExtension.class)
  static class WithoutClock {
    @Test
    void wantsAClock(ManualClock clock) {
      clock.advance(Duration.ofSeconds(1));
    }
  }
}
