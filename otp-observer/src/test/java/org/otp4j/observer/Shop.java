package org.otp4j.observer;

import java.util.function.UnaryOperator;
import org.otp4j.behaviours.AppDescriptor;
import org.otp4j.behaviours.Application;
import org.otp4j.behaviours.ChildSpec;
import org.otp4j.behaviours.GenServer;
import org.otp4j.behaviours.Supervisor;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Name;
import org.otp4j.core.Node;
import org.otp4j.core.NodeConfig;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.core.ServerRef;

/**
 * The application the observer's tests look at: a node running "shop", whose top supervisor has two
 * workers ("cashier", registered, and "clerk") and a supervisor "stock" with one worker "shelf";
 * and a process "stuffed" outside any tree with a mailbox full of messages it does not read. The
 * node is a test's ({@link #NODE}): its reports go to an {@link ObserverReports} feed, which the
 * observer shows, and on to the test kit's capture.
 */
final class Shop implements AutoCloseable {
  static final String CASHIER = "cashier";
  static final int STUFFED_MESSAGES = 40;

  /** A worker: a counter that crashes when told to. */
  static final class Worker extends GenServer<Integer, Worker.Msg> {
    sealed interface Msg {
      record Bump() implements Msg {}

      record Crash(String why) implements Msg {}
    }

    @Override
    protected Init<Integer> init() {
      return Init.ok(0);
    }

    @Override
    protected CastResult<Integer> handleCast(Msg msg, Integer n) {
      return switch (msg) {
        case Msg.Bump() -> noReply(n + 1);
        case Msg.Crash(String why) -> throw new IllegalStateException(why);
      };
    }

    static ServerRef<Msg> launch(String name) {
      return name == null ? GenServer.startLink(new Worker()) : GenServer.startLink(Name.local(name), new Worker());
    }
  }

  /** The application: its top supervisor and what it supervises. */
  static final class ShopApp extends Application {
    @Override
    protected Pid start(Type type) {
      return Supervisor.startLink(Supervisor.oneForOne(),
          ChildSpec.worker("cashier", () -> Worker.launch(CASHIER)),
          ChildSpec.worker("clerk", () -> Worker.launch(null)),
          ChildSpec.supervisor("stock", () -> Supervisor.startLink(Supervisor.oneForOne(),
              ChildSpec.worker("shelf", () -> Worker.launch(null)))));
    }
  }

  /** The settings of a test's node for the shop: named "shop", its reports through a feed to the kit. */
  static final UnaryOperator<NodeConfig> NODE = config -> config.withName("shop")
      .withReportHandler(ObserverReports.create(500, config.reportHandler().orElseThrow()));

  final Node node;
  final Pid stuffed;

  /** Starts the shop on {@code node}, a node started with {@link #NODE}. */
  Shop(Node node) {
    this.node = node;
    node.run(() -> {
      Application.load(AppDescriptor.of("shop", ShopApp::new));
      Application.ensureAllStarted("shop", Application.Type.TEMPORARY);
    });
    stuffed = node.spawn(() -> Proc.receive(m -> m.equals("the one it waits for")));
    node.run(() -> Proc.register("stuffed", stuffed));
    for (int i = 0; i < STUFFED_MESSAGES; i++) {
      node.run(() -> Proc.send(stuffed, "unread"));
    }
  }

  /** The pid of child {@code id} of the top supervisor. */
  Pid child(String id) {
    return node.call(() -> Supervisor.whichChildren(Application.topSupervisor("shop").orElseThrow()).stream()
        .filter(c -> c.id().equals(id)).findFirst().orElseThrow().pid());
  }

  /** Stops the application and the stuffed process: the test leaves no process behind. */
  @Override
  public void close() {
    node.run(() -> {
      Application.stop("shop");
      Proc.exit(stuffed, ExitReason.KILL);
    });
  }
}
