package org.otp4j.behaviours.guide;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.otp4j.behaviours.GenServer;
import org.otp4j.core.Call;
import org.otp4j.core.From;
import org.otp4j.core.Proc;
import org.otp4j.core.ServerRef;

/** Prices, loaded after start with a continue; a slow export handed to another process. */
public final class Catalog extends GenServer<Map<String, Integer>, Catalog.Msg> {

  public sealed interface Msg {
    record Price(String item) implements Msg, Call<Optional<Integer>> {}

    record Export() implements Msg, Call<String> {}
  }

  /** The continuation that loads the prices. */
  record Load() {}

  private final Supplier<Map<String, Integer>> source;

  private Catalog(Supplier<Map<String, Integer>> source) {
    this.source = source;
  }

  public static ServerRef<Msg> startLink(Supplier<Map<String, Integer>> source) {
    return GenServer.startLink(new Catalog(source));
  }

  public static Optional<Integer> price(ServerRef<Msg> catalog, String item) {
    return GenServer.call(catalog, new Msg.Price(item));
  }

  public static String export(ServerRef<Msg> catalog) {
    return GenServer.call(catalog, new Msg.Export());
  }

  // region: continue
  @Override
  protected Init<Map<String, Integer>> init() {
    // Return at once, so that startLink (and the supervisor that calls it) does not wait for
    // the load; the continuation runs before any message is handled.
    return Init.ok(Map.of(), Action.continueWith(new Load()));
  }

  @Override
  protected CastResult<Map<String, Integer>> handleContinue(Object continuation, Map<String, Integer> prices) {
    return switch (continuation) {
      case Load() -> noReply(Map.copyOf(source.get()));
      default -> noReply(prices);
    };
  }
  // endregion: continue

  @Override
  protected CallResult<Map<String, Integer>> handleCall(Msg msg, From from, Map<String, Integer> prices) {
    return switch (msg) {
      case Msg.Price price -> reply(price, Optional.ofNullable(prices.get(price.item())), prices);
      // region: hand-off
      case Msg.Export() -> {
        // Rendering may take long: do it in another process, from an immutable snapshot, and
        // keep serving. The worker replies to the caller directly.
        Proc.spawn(() -> from.reply(render(prices)));
        yield noReply(prices);
      }
      // endregion: hand-off
    };
  }

  private static String render(Map<String, Integer> prices) {
    StringBuilder sb = new StringBuilder();
    new TreeMap<>(prices).forEach((item, cents) -> sb.append(item).append(',').append(cents).append('\n'));
    return sb.toString();
  }
}
