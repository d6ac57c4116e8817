package org.otp4j.behaviours.pubsub;

import java.util.Objects;

/**
 * A topic of a {@link PubSub}, typed by the messages published on it, so that javac checks what is
 * broadcast. Two topics with the same name are the same topic, whatever their type: the type is a
 * promise of the code that names it.
 *
 * <!-- snippet: org.otp4j.behaviours.pubsub.PubSubTest#topic -->
 * {@snippet :
 * record PriceChanged(String symbol, long cents) {}
 * Topic<PriceChanged> prices = Topic.of("prices:EUR");
 * }
 *
 * @param name the topic's name, as Phoenix.PubSub's topic strings ({@code "room:42"})
 * @param <M> the messages published on it
 */
public record Topic<M>(String name) {

  /** Checks the name. */
  public Topic {
    Objects.requireNonNull(name, "a topic needs a name, such as \"room:42\"");
    if (name.isEmpty()) {
      throw new IllegalArgumentException("a topic name cannot be empty; use a name such as \"room:42\"");
    }
  }

  /** The topic named {@code name}, carrying messages of type {@code M}. */
  public static <M> Topic<M> of(String name) {
    return new Topic<>(name);
  }

  @Override
  public String toString() {
    return name;
  }
}
