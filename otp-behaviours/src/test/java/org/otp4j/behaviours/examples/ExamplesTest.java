package org.otp4j.behaviours.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;
import static org.otp4j.behaviours.BehaviourTestKit.untilUndisturbed;
import static org.otp4j.behaviours.BehaviourTestKit.within;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.otp4j.behaviours.GenStatem;
import org.otp4j.behaviours.Sys;
import org.otp4j.behaviours.guide.CircuitBreaker;
import org.otp4j.behaviours.guide.TrafficLight;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;
import org.otp4j.core.ServerRef;

class ExamplesTest {

  /** The colour a traffic light shows after {@code color}. */
  static TrafficLight.Color after(TrafficLight.Color color) {
    return switch (color) {
      case RED -> TrafficLight.Color.GREEN;
      case GREEN -> TrafficLight.Color.YELLOW;
      case YELLOW -> TrafficLight.Color.RED;
    };
  }

  @Test
  void trafficLightCyclesThroughItsColoursOnStateTimeouts() {
    try (Node node = Node.start()) {
      node.run(() -> {
        ServerRef<TrafficLight.Msg> light = TrafficLight.startLink(new TrafficLight.Timings(
            Duration.ofMillis(60), Duration.ofMillis(40), Duration.ofMillis(20)));
        List<Object> changes = new ArrayList<>();
        // The light changes colour every few tens of milliseconds from its start: hold it while the
        // sink goes in, so that the changes the sink sees start from a colour the test knows.
        Sys.suspend(light);
        TrafficLight.Color now = (TrafficLight.Color) ((GenStatem.StateAndData) Sys.getState(light)).state();
        Sys.install(light, (pid, event) -> {
          if (event instanceof Sys.Event.StateChange change) {
            synchronized (changes) {
              changes.add(change.to());
            }
          }
        });
        Sys.resume(light);
        await().atMost(Duration.ofSeconds(5)).until(() -> {
          synchronized (changes) {
            return changes.size() >= 4;
          }
        });
        synchronized (changes) {
          assertThat(changes.subList(0, 4)).containsExactly(
              after(now), after(after(now)), after(after(after(now))), after(now));
        }
        assertThat(TrafficLight.color(light)).isIn((Object[]) TrafficLight.Color.values());
      });
    }
  }

  @Test
  void circuitBreakerOpensAtTheThresholdAndClosesAfterASuccessfulTrial() {
    try (Node node = Node.start()) {
      node.run(() -> untilUndisturbed("the checks while the circuit is open", () -> {
        Duration reset = Duration.ofSeconds(1);
        ServerRef<CircuitBreaker.Msg> breaker = CircuitBreaker.startLink(3, reset);
        long opening = 0;
        for (int i = 0; i < 3; i++) {
          opening = System.nanoTime(); // the third failure opens the circuit for `reset` after this
          assertThatThrownBy(() -> CircuitBreaker.callThrough(breaker, () -> {
            throw new IllegalStateException("service down");
          })).isInstanceOf(IllegalStateException.class);
        }
        // The outcome casts and this call come from the same caller, so they arrive in order.
        CircuitBreaker.State state = CircuitBreaker.state(breaker);
        Throwable refused = catchThrowable(() -> CircuitBreaker.callThrough(breaker, () -> "x"));
        if (!within(opening, reset)) {
          GenStatem.stop(breaker); // this thread was slower than the reset timeout: it may be half-open
          return false;
        }
        assertThat(state).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(refused).isInstanceOf(CircuitBreaker.OpenCircuitException.class)
            .hasMessageContaining("open");
        await().atMost(Duration.ofSeconds(5))
            .until(() -> CircuitBreaker.state(breaker) == CircuitBreaker.State.HALF_OPEN);
        assertThat(CircuitBreaker.callThrough(breaker, () -> "ok")).isEqualTo("ok");
        await().atMost(Duration.ofSeconds(2)).until(() -> CircuitBreaker.state(breaker) == CircuitBreaker.State.CLOSED);
        return true;
      }));
    }
  }

}
