package org.otp4j.behaviours.guide;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Node;
import org.otp4j.core.NotAProcessException;
import org.otp4j.core.Proc;

@DisplayName("Guide, chapter 1: getting started")
class GettingStartedTest {

  @Test
  @DisplayName("the first program prints a greeting from the greeter's pid")
  void helloPrintsAGreeting() {
    try (Node node = Node.start()) {
      String out = GuideTestKit.captureOut(() -> node.run(() -> Hello.main(new String[0])));
      assertThat(out).matches("hello, world, from <" + node.index() + "\\.\\d+\\.0>\\R");
    }
  }

  @Test
  @DisplayName("the inbox of a plain thread is gone after close, the greeter ended normally")
  void helloLeavesNothingBehind() {
    try (Node node = Node.start()) {
      node.run(() -> assertThat(Hello.greet("Joe")).startsWith("hello, Joe, from <"));
      GuideTestKit.await().until(() -> node.processCount() == 0);
    }
  }

  @Test
  @DisplayName("a node of one's own: its pids start with its index, and close() stops it")
  void ownNode() {
    String out = GuideTestKit.captureOut(GettingStarted::greetOnOwnNode);
    assertThat(out).startsWith("hello, billing, from <").doesNotContain("<0.");
  }

  @Test
  @DisplayName("two nodes in one JVM: each call acts on its node and returns the action's result")
  void twoNodes() {
    List<String> greetings = GettingStarted.greetOnTwoNodes();
    assertThat(greetings).hasSize(2);
    assertThat(greetings.get(0)).startsWith("hello, billing, from <");
    assertThat(greetings.get(1)).startsWith("hello, shipping, from <");
    String billingNode = greetings.get(0).replaceAll(".*<(\\d+)\\..*", "$1");
    String shippingNode = greetings.get(1).replaceAll(".*<(\\d+)\\..*", "$1");
    assertThat(billingNode).isNotEqualTo(shippingNode).isNotEqualTo("0");
    assertThat(shippingNode).isNotEqualTo("0");
  }

  @Test
  @DisplayName("a plain thread can spawn and wait for a process, but cannot receive")
  void plainThreads() {
    try (Node node = Node.start()) {
      node.run(() -> {
        assertThat(GettingStarted.waitForAProcess()).contains(ExitReason.NORMAL);
        assertThatThrownBy(Proc::receive)
            .isInstanceOf(NotAProcessException.class)
            .hasMessageContaining("receive can only be called inside a process")
            .hasMessageContaining("open an Inbox");
      });
    }
  }
}
