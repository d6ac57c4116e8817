package org.otp4j.behaviours.guide;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.otp4j.behaviours.guide.GuideTestKit.await;
import static org.otp4j.behaviours.guide.GuideTestKit.next;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.otp4j.behaviours.BehaviourTestKit;
import org.otp4j.behaviours.GenStatem;
import org.otp4j.behaviours.Sys;
import org.otp4j.core.CallException;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Inbox;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.core.ServerRef;

@DisplayName("Guide, chapter 5: state machines")
class StateMachinesTest {

  private static void onNode(Consumer<Inbox> test) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> test.accept(inbox));
    }
  }

  @Test
  @DisplayName("the traffic light starts red and cycles green, yellow, red on its state timeouts")
  void trafficLight() {
    onNode(inbox -> BehaviourTestKit.untilUndisturbed("the colour and the sink within the first 300 ms", () -> {
      Duration red = Duration.ofMillis(300);
      long start = System.nanoTime(); // the light turns green `red` after this at the earliest
      ServerRef<TrafficLight.Msg> light = TrafficLight.startLink(new TrafficLight.Timings(red, Duration.ofMillis(40), Duration.ofMillis(20)));
      TrafficLight.Color first = TrafficLight.color(light);
      List<Object> changes = new CopyOnWriteArrayList<>();
      Sys.install(light, (pid, event) -> {
        if (event instanceof Sys.Event.StateChange change) {
          changes.add(change.to());
        }
      });
      if (!BehaviourTestKit.within(start, red)) {
        GenStatem.stop(light); // this thread was slower than the red phase: the light may have changed
        return false;
      }
      assertThat(first).isEqualTo(TrafficLight.Color.RED);
      await().until(() -> changes.size() >= 4);
      assertThat(changes.subList(0, 4)).containsExactly(TrafficLight.Color.GREEN, TrafficLight.Color.YELLOW,
          TrafficLight.Color.RED, TrafficLight.Color.GREEN);
      GenStatem.stop(light);
      return true;
    }));
  }

  @Test
  @DisplayName("the breaker opens at the threshold, refuses calls, goes half-open, and closes after a good trial")
  void circuitBreaker() {
    onNode(inbox -> BehaviourTestKit.untilUndisturbed("the checks while the circuit is open", () -> {
      Duration reset = Duration.ofMillis(200);
      ServerRef<CircuitBreaker.Msg> breaker = CircuitBreaker.startLink(3, reset);
      long opening = 0;
      for (int i = 0; i < 3; i++) {
        opening = System.nanoTime(); // the third failure opens the circuit for `reset` after this
        assertThatThrownBy(() -> CircuitBreaker.callThrough(breaker, () -> {
          throw new IllegalStateException("service down");
        })).isInstanceOf(IllegalStateException.class);
      }
      // the outcome casts and this call come from the same caller, so they arrive in order
      CircuitBreaker.State state = CircuitBreaker.state(breaker);
      Throwable refused = catchThrowable(() -> CircuitBreaker.callThrough(breaker, () -> "x"));
      if (!BehaviourTestKit.within(opening, reset)) {
        GenStatem.stop(breaker); // this thread was slower than the reset timeout: it may be half-open
        return false;
      }
      assertThat(state).isEqualTo(CircuitBreaker.State.OPEN);
      assertThat(refused).isInstanceOf(CircuitBreaker.OpenCircuitException.class);
      await().until(() -> CircuitBreaker.state(breaker) == CircuitBreaker.State.HALF_OPEN);
      assertThat(CircuitBreaker.callThrough(breaker, () -> "ok")).isEqualTo("ok");
      assertThat(CircuitBreaker.state(breaker)).isEqualTo(CircuitBreaker.State.CLOSED);
      GenStatem.stop(breaker);
      return true;
    }));
  }


  /** A network that refuses connections until it is switched on. */
  static final class Network implements Connection.Network {
    final AtomicBoolean up;
    final List<String> sent = new CopyOnWriteArrayList<>();

    Network(boolean up) {
      this.up = new AtomicBoolean(up);
    }

    @Override
    public boolean connect() {
      return up.get();
    }

    @Override
    public void send(String payload) {
      sent.add(payload);
    }
  }

  @Test
  @DisplayName("sends made before the connection is up are postponed, then served in order once it is")
  void postponedUntilConnected() {
    onNode(inbox -> {
      Network network = new Network(false);
      ServerRef<Connection.Msg> connection = Connection.startLink(network, Duration.ofMillis(20));
      List<Object> postponed = new CopyOnWriteArrayList<>();
      Sys.install(connection, (pid, event) -> {
        if (event instanceof Sys.Event.Postpone p) {
          postponed.add(p.event());
        }
      });
      CompletableFuture<String> first = GuideTestKit.async(() -> Connection.send(connection, "one"));
      await().until(() -> postponed.size() == 1);
      CompletableFuture<String> second = GuideTestKit.async(() -> Connection.send(connection, "two"));
      await().until(() -> postponed.size() == 2);
      assertThat(first).isNotDone();
      network.up.set(true); // the next retry connects
      assertThat(first.join()).isEqualTo("sent");
      assertThat(second.join()).isEqualTo("sent");
      assertThat(network.sent).containsExactly("one", "two");
      GenStatem.StateAndData sd = (GenStatem.StateAndData) Sys.getState(connection);
      assertThat(sd.state()).isEqualTo(Connection.State.CONNECTED);
      assertThat(((Connection.Data) sd.data()).attempts()).isGreaterThan(1);
      GenStatem.stop(connection);
    });
  }

  @Test
  @DisplayName("a send with a timeout gives up while the connection is down; one without waits until it is up")
  void sendWithTimeout() {
    onNode(inbox -> {
      Network network = new Network(false);
      ServerRef<Connection.Msg> connection = Connection.startLink(network, Duration.ofMillis(20));
      assertThatThrownBy(() -> Connection.send(connection, "hurried", Duration.ofMillis(50)))
          .isInstanceOfSatisfying(CallException.class, e -> assertThat(e.reason()).isEqualTo(ExitReason.TIMEOUT));
      CompletableFuture<String> patient = GuideTestKit.async(() -> Connection.send(connection, "patient"));
      network.up.set(true);
      assertThat(patient.join()).isEqualTo("sent");
      GenStatem.stop(connection);
    });
  }

  @Test
  @DisplayName("when the link drops, the connection reconnects at once through an inserted event")
  void reconnects() {
    onNode(inbox -> {
      Network network = new Network(true);
      ServerRef<Connection.Msg> connection = Connection.startLink(network, Duration.ofMillis(30));
      assertThat(Connection.send(connection, "one")).isEqualTo("sent");
      Proc.send(connection.pid(), new Connection.Dropped());
      assertThat(Connection.send(connection, "two")).isEqualTo("sent");
      assertThat(((Connection.Data) ((GenStatem.StateAndData) Sys.getState(connection)).data()).attempts()).isEqualTo(2);
      GenStatem.stop(connection);
    });
  }

  private static Door.Data door(Inbox panel, Duration autoLock, Duration ajarAfter, Duration serviceEvery) {
    return new Door.Data("1234", autoLock, ajarAfter, serviceEvery, panel.pid());
  }

  @Test
  @DisplayName("the state timeout locks the door although events keep coming; the event timeout warns first")
  void stateAndEventTimeouts() {
    onNode(inbox -> BehaviourTestKit.untilUndisturbed("five passes within the ajar time", () -> {
      Duration ajarAfter = Duration.ofMillis(100);
      ServerRef<Door.Msg> d = Door.startLink(door(inbox, Duration.ofMillis(400), ajarAfter, Duration.ofHours(1)));
      assertThat(Door.unlock(d, "0000")).isEqualTo("wrong code");
      long opening = System.nanoTime(); // the door sets its timeouts after this, as it opens
      assertThat(Door.unlock(d, "1234")).isEqualTo("open");
      for (int i = 0; i < 5; i++) {
        Door.pass(d); // each one sets the event timeout again; none touches the state timeout
      }
      if (!BehaviourTestKit.within(opening, ajarAfter)) {
        GenStatem.stop(d); // this thread was slower than the event timeout: more than one "ajar" may come
        inbox.flush();
        return false;
      }
      assertThat(next(inbox)).isEqualTo("ajar");
      assertThat(next(inbox)).isEqualTo("locked");
      assertThat(((GenStatem.StateAndData) Sys.getState(d)).state()).isEqualTo(Door.State.LOCKED);
      GenStatem.stop(d);
      return true;
    }));
  }

  @Test
  @DisplayName("a generic timeout survives state changes")
  void genericTimeout() {
    onNode(inbox -> {
      ServerRef<Door.Msg> d = Door.startLink(door(inbox, Duration.ofHours(1), Duration.ofHours(1), Duration.ofMillis(150)));
      assertThat(Door.unlock(d, "1234")).isEqualTo("open"); // a state change before it fires
      assertThat(next(inbox)).isEqualTo("service due");
      assertThat(next(inbox)).isEqualTo("service due"); // and it was set again
      GenStatem.stop(d);
    });
  }
}
