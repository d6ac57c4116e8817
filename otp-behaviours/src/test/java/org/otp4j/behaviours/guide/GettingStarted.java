package org.otp4j.behaviours.guide;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Node;
import org.otp4j.core.NodeConfig;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;

/** The smaller examples of chapter 1. */
final class GettingStarted {
  private GettingStarted() {}

  static void greetOnOwnNode() {
    // region: own-node
    try (Node node = Node.start(NodeConfig.defaults().withName("billing"))) {
      // On this thread, until run returns, Proc.spawn and friends act on `node`.
      node.run(() -> System.out.println(Hello.greet("billing")));
    } // close() stops the node: processes still running are killed
    // endregion: own-node
  }

  static List<String> greetOnTwoNodes() {
    // region: node-call
    try (Node billing = Node.start(NodeConfig.defaults().withName("billing"));
        Node shipping = Node.start(NodeConfig.defaults().withName("shipping"))) {
      // like run, the action acts on that node; unlike run, what it returns comes back
      String fromBilling = billing.call(() -> Hello.greet("billing"));    // hello, billing, from <1.1.0>
      String fromShipping = shipping.call(() -> Hello.greet("shipping")); // hello, shipping, from <2.1.0>
      return List.of(fromBilling, fromShipping);
    }
    // endregion: node-call
  }

  static Optional<ExitReason> waitForAProcess() {
    // region: await-exit
    Pid worker = Proc.spawn(() -> Proc.sleep(Duration.ofMillis(10)));
    Optional<ExitReason> reason = Proc.awaitExit(worker, Duration.ofSeconds(5)); // Optional[normal]
    // endregion: await-exit
    return reason;
  }
}
