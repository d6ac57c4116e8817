package org.otp4j.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.otp4j.testkit.OtpAssertions.assertReceive;
import static org.otp4j.testkit.OtpAssertions.refuteReceive;
import static org.otp4j.testkit.OtpAssertions.self;

import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.core.Ref;

@DisplayName("assertReceive / refuteReceive on the test thread's mailbox")
@ExtendWith(OtpExtension.class)
class OtpAssertionsTest {

  record Done(int value) {}

  @Test
  @DisplayName("assertReceive takes what processes sent to self(), by type, value or predicate")
  void assertReceiveTakes(Node node) {
    Pid me = self();
    assertThat(me.node()).isSameAs(node);
    node.spawn(() -> {
      Proc.send(me, "hello");
      Proc.send(me, new Done(1));
      Proc.send(me, new Done(2));
    });
    assertThat(assertReceive(Done.class)).isEqualTo(new Done(1));
    assertThat(assertReceive(m -> m instanceof Done d && d.value() == 2)).isEqualTo(new Done(2));
    assertThat(assertReceive("hello")).isEqualTo("hello");
    refuteReceive();
  }

  @Test
  @DisplayName("assertReceive fails after its timeout, listing what the mailbox held")
  void assertReceiveFails() {
    Proc.send(self(), "unrelated");
    assertThatThrownBy(() -> assertReceive(Done.class, Duration.ofMillis(30)))
        .isInstanceOf(AssertionError.class)
        .hasMessage("expected a " + Done.class.getName() + " in probe " + self() + " within 30 ms, its mailbox holds 1:"
            + "\n  unrelated");
    assertThat(assertReceive("unrelated")).isEqualTo("unrelated");
  }

  @Test
  @DisplayName("refuteReceive fails on a matching message already there, or one that comes within its time")
  void refuteReceiveFails(Node node) {
    Pid me = self();
    Proc.send(me, new Done(7));
    Proc.send(me, "other");
    refuteReceive(String.class.getName()); // no message equal to that string
    assertThatThrownBy(() -> refuteReceive(Done.class)).isInstanceOf(AssertionError.class)
        .hasMessageContaining("expected no message of type " + Done.class.getName() + " in the test's mailbox " + me
            + " for 100 ms")
        .hasMessageContaining("but Done[value=7] came; besides it its mailbox holds 1:\n  other");
    assertThatThrownBy(() -> refuteReceive()).isInstanceOf(AssertionError.class).hasMessageContaining("other");

    Ref go = Proc.makeRef();
    Pid late = node.spawn(() -> {
      Proc.receive(go::equals);
      Proc.send(me, new Done(8));
    });
    Proc.send(late, go);
    assertThatThrownBy(() -> refuteReceive(Done.class, Duration.ofSeconds(5))).isInstanceOf(AssertionError.class)
        .hasMessageContaining("Done[value=8] came");
  }

  @Test
  @DisplayName("refuteReceive waits 100 ms by default, and passes when nothing matching comes")
  void refuteDefault() {
    long start = System.nanoTime();
    refuteReceive(Done.class);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(OtpAssertions.REFUTE_TIMEOUT);
  }

  @Test
  @DisplayName("The mailbox is the test's own: each test gets a new one")
  void mailboxPerTest() {
    assertThat(OtpAssertions.mailbox().messages()).isEmpty();
    assertThat(OtpAssertions.mailbox().pid()).isEqualTo(self());
  }
}
