package org.otp4j.dist;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.otp4j.core.Inbox;
import org.otp4j.core.Node;
import org.otp4j.core.NodeConfig;
import org.otp4j.core.Proc;
import org.otp4j.core.dist.Dispatcher;
import org.otp4j.core.dist.Signal;
import org.otp4j.core.dist.Transport;
import org.otp4j.testkit.Ports;

/** Helpers for the distribution tests: bounded waits, no sleeps. */
final class TestNodes {
  private TestNodes() {}

  static final Duration WAIT = Duration.ofSeconds(10);

  static Object next(Inbox inbox) {
    return inbox.receive(WAIT).orElseGet(() -> fail("no message arrived in " + inbox + " within " + WAIT));
  }

  static <T> T next(Inbox inbox, Class<T> type) {
    return next(inbox, type, WAIT);
  }

  static <T> T next(Inbox inbox, Class<T> type, Duration patience) {
    Object m = inbox.receive(type::isInstance, patience)
        .orElseGet(() -> fail("no " + type.getSimpleName() + " arrived in " + inbox + " within " + patience));
    return type.cast(m);
  }

  static void spinUntil(BooleanSupplier condition, Supplier<String> what) {
    spinUntil(condition, what, WAIT);
  }

  static void spinUntil(BooleanSupplier condition, Supplier<String> what, Duration patience) {
    long deadline = System.nanoTime() + patience.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        fail("timed out after " + patience + " waiting for " + what.get());
      }
      Thread.onSpinWait();
      Thread.yield();
    }
  }

  /** A free loopback port for a server that binds it later: see {@link Ports#free()}. */
  static int freePort() throws IOException {
    return Ports.free();
  }


  /** Starts a process of {@code node} that forwards every node event to {@code to}; returns once it watches. */
  static void forwardNodeEvents(Node node, Inbox to) {
    node.spawn(() -> {
      Proc.monitorNodes(true);
      Proc.send(to.pid(), "ready");
      while (true) {
        Proc.send(to.pid(), Proc.receive());
      }
    });
    if (!"ready".equals(next(to))) {
      fail("the node events' forwarder did not start");
    }
  }

  static void awaitConnected(Node x, Node y) {
    spinUntil(() -> x.connectedNodes().contains(y.name()) && y.connectedNodes().contains(x.name()),
        () -> x.name() + " and " + y.name() + " to see each other, they see " + x.connectedNodes() + " and "
            + y.connectedNodes());
  }

  /** The nodes a test starts, closed after it in reverse order. */
  static final class Started implements AutoCloseable {
    private final List<Node> nodes = new ArrayList<>();

    /** Starts the node {@code name} on {@code transport}. */
    Node start(String name, Cluster transport) {
      Node n = Node.start(name, NodeConfig.defaults().withTransport(transport));
      nodes.add(n);
      return n;
    }

    /** Stops {@code node} now (the test takes it down on purpose). */
    void stop(Node node) {
      nodes.remove(node);
      node.close();
    }

    @Override
    public void close() {
      for (Node n : nodes.reversed()) {
        n.close();
      }
      nodes.clear();
    }
  }

  /** A node with a transport that sends nothing, and its dispatcher: for codec tests. */
  record Detached(Node node, Dispatcher dispatcher) implements AutoCloseable {
    static Detached start(String name) {
      Dispatcher[] captured = new Dispatcher[1];
      Node node = Node.start(name, NodeConfig.defaults().withTransport(d -> {
        captured[0] = d;
        return new Transport() {
          @Override
          public void send(String to, Signal signal) {}

          @Override
          public void close() {}
        };
      }));
      return new Detached(node, captured[0]);
    }

    @Override
    public void close() {
      node.close();
    }
  }
}
