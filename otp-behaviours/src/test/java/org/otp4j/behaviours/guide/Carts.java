package org.otp4j.behaviours.guide;

import java.util.HashMap;
import java.util.Map;
import org.otp4j.behaviours.Agent;
import org.otp4j.behaviours.ChildSpec;
import org.otp4j.core.ServerRef;

/** Chapter 9: a shopping cart kept in an agent. */
final class Carts {
  private Carts() {}

  // region: cart
  /** The cart: item to quantity, an immutable map replaced at every change. */
  static final ServerRef<Agent.Request<Map<String, Integer>>> CART = ServerRef.local("cart");

  static ChildSpec childSpec() {
    return Agent.childSpec("cart", CART, Map::of);
  }

  static void add(String item, int quantity) {
    Agent.update(CART, items -> {
      Map<String, Integer> next = new HashMap<>(items);
      next.merge(item, quantity, Integer::sum);
      return Map.copyOf(next);
    });
  }

  static int quantity(String item) {
    return Agent.get(CART, items -> items.getOrDefault(item, 0));
  }

  /** Empties the cart and returns what was in it, in one step. */
  static Map<String, Integer> checkOut() {
    return Agent.getAndUpdate(CART, items -> Agent.pair(items, Map.of()));
  }
  // endregion: cart
}
