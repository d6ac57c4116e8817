package org.otp4j.behaviours.guide;

import org.otp4j.behaviours.GenServer;
import org.otp4j.core.Call;
import org.otp4j.core.From;
import org.otp4j.core.ServerRef;

/** The README's first server, as the README shows it. */
// region: counter
public final class Counter extends GenServer<Integer, Counter.Msg> {
  public sealed interface Msg {
    record Get() implements Msg, Call<Integer> {}        // a call whose reply is an Integer
    record Bump(int by) implements Msg, Call<Integer> {}
  }
  static final ServerRef<Msg> NAME = ServerRef.local("counter");

  private final int initial;
  private Counter(int initial) { this.initial = initial; }

  // client API: runs in the caller, a process or any Java thread
  public static ServerRef<Msg> startLink(int initial) { return GenServer.startLink(NAME, new Counter(initial)); }
  public static int bump(int by)                      { return GenServer.call(NAME, new Msg.Bump(by)); }

  // server callbacks: run in the server process, one message at a time
  @Override protected Init<Integer> init() { return Init.ok(initial); }
  @Override protected CallResult<Integer> handleCall(Msg msg, From from, Integer n) {
    return switch (msg) {
      case Msg.Get get   -> reply(get, n, n);                 // the reply's type is checked: Integer
      case Msg.Bump bump -> reply(bump, n + bump.by(), n + bump.by());
    };
  }
}
// endregion: counter
