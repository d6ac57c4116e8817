package org.otp4j.behaviours.guide;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.otp4j.behaviours.GenServer;
import org.otp4j.core.Call;
import org.otp4j.core.From;
import org.otp4j.core.ServerRef;

// region: kv-store
public final class KvStore extends GenServer<KvStore.State, KvStore.Msg> {

  /** The protocol: Get and Await are calls (each names its reply's type), Put is a cast. */
  public sealed interface Msg {
    record Put(String key, String value) implements Msg {}

    record Get(String key) implements Msg, Call<Optional<String>> {}

    record Await(String key) implements Msg, Call<String> {}
  }

  /** The state, a value: the data, and the callers waiting for keys that have no value yet. */
  public record State(Map<String, String> data, Map<String, List<From>> waiting) {
    State put(String key, String value) {
      Map<String, String> newData = new HashMap<>(data);
      newData.put(key, value);
      Map<String, List<From>> newWaiting = new HashMap<>(waiting);
      newWaiting.remove(key);
      return new State(Map.copyOf(newData), Map.copyOf(newWaiting));
    }

    Optional<String> value(String key) {
      return Optional.ofNullable(data.get(key));
    }

    State await(String key, From from) {
      Map<String, List<From>> newWaiting = new HashMap<>(waiting);
      newWaiting.merge(key, List.of(from), (old, more) -> Stream.concat(old.stream(), more.stream()).toList());
      return new State(data, Map.copyOf(newWaiting));
    }
  }

  private KvStore() {}

  // ---- client API: runs in the caller, a process or any thread

  public static ServerRef<Msg> startLink() {
    return GenServer.startLink(new KvStore());
  }

  public static ServerRef<Msg> startLink(ServerRef<Msg> name) {
    return GenServer.startLink(name, new KvStore());
  }

  public static void put(ServerRef<Msg> store, String key, String value) {
    GenServer.cast(store, new Msg.Put(key, value));
  }

  public static Optional<String> get(ServerRef<Msg> store, String key) {
    return GenServer.call(store, new Msg.Get(key));
  }

  /** Returns the value of {@code key}, waiting for it to be put if need be. */
  public static String await(ServerRef<Msg> store, String key, Duration timeout) {
    return GenServer.call(store, new Msg.Await(key), timeout);
  }

  // ---- server callbacks: run in the server process, one message at a time

  @Override
  protected Init<State> init() {
    return Init.ok(new State(Map.of(), Map.of()));
  }

  @Override
  protected CallResult<State> handleCall(Msg msg, From from, State state) {
    return switch (msg) {
      case Msg.Get get -> reply(get, state.value(get.key()), state); // javac checks: an Optional<String>
      // region: deferred
      case Msg.Await await when state.value(await.key()).isPresent() ->
          reply(await, state.value(await.key()).get(), state);
      case Msg.Await await -> noReply(state.await(await.key(), from)); // no reply yet: the caller waits
      // endregion: deferred
      case Msg.Put _ -> throw new IllegalArgumentException("Put is a cast, not a call");
    };
  }

  @Override
  protected CastResult<State> handleCast(Msg msg, State state) {
    return switch (msg) {
      case Msg.Put(String key, String value) -> {
        // region: deferred-reply
        for (From waiter : state.waiting().getOrDefault(key, List.of())) {
          waiter.reply(value); // the replies deferred by Await
        }
        // endregion: deferred-reply
        yield noReply(state.put(key, value));
      }
      case Msg.Get _, Msg.Await _ -> throw new IllegalArgumentException(msg + " is a call, not a cast");
    };
  }
}
// endregion: kv-store
