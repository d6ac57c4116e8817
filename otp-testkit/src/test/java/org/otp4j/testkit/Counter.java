package org.otp4j.testkit;

import org.otp4j.behaviours.GenServer;
import org.otp4j.core.Call;
import org.otp4j.core.ServerRef;

/** The guide's counter, as the code under test of the kit's examples. */
public final class Counter extends GenServer<Integer, Counter.Msg> {
  /** Its protocol. */
  public sealed interface Msg {
    /** Adds {@code by} and returns the new count. */
    record Bump(int by) implements Msg, Call<Integer> {}
  }

  private final int initial;

  private Counter(int initial) {
    this.initial = initial;
  }

  /** Starts a counter at {@code initial}, not linked to the caller. */
  public static ServerRef<Msg> start(int initial) {
    return GenServer.start(new Counter(initial));
  }

  /** Adds {@code by} and returns the new count. */
  public static int bump(ServerRef<Msg> counter, int by) {
    return GenServer.call(counter, new Msg.Bump(by));
  }

  @Override
  protected Init<Integer> init() {
    return Init.ok(initial);
  }

  @Override
  protected CallResult<Integer> handleCall(Msg msg, org.otp4j.core.From from, Integer n) {
    return switch (msg) {
      case Msg.Bump bump -> reply(bump, n + bump.by(), n + bump.by());
    };
  }
}
