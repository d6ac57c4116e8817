package org.otp4j.behaviours.stage;

import java.util.Objects;
import org.otp4j.core.Pid;
import org.otp4j.core.Ref;

/**
 * One subscription between a producer and a consumer, as each side sees the other (Elixir's
 * {@code from}, the {@code {pid, tag}} pair).
 *
 * <p>In a consumer's callbacks ({@link GenStage#handleSubscribe}, {@link Consumer#handleEvents},
 * {@link GenStage#handleCancel}) {@code pid} is the producer; in a producer's it is the consumer. The
 * tag is the same on both sides and names the subscription: {@link GenStage#ask} and
 * {@link GenStage#cancel} take it.
 *
 * @param pid the stage at the other end
 * @param tag the subscription's tag
 */
public record Subscription(Pid pid, Ref tag) {
  /** Checks both parts. */
  public Subscription {
    Objects.requireNonNull(pid, "pid");
    Objects.requireNonNull(tag, "tag");
  }
}
