package org.otp4j.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.otp4j.core.TestSupport.exitReason;
import static org.otp4j.core.TestSupport.next;
import static org.otp4j.core.TestSupport.onNode;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Sending (P20)")
class SendTest {

  @Test
  @DisplayName("send(null) is rejected with a clear NullPointerException, from a thread, an inbox or a process")
  void nullMessage() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid me = inbox.pid();
      String expected = "cannot send null: a message must be an object";

      assertThatThrownBy(() -> inbox.send(me, null)).isInstanceOf(NullPointerException.class).hasMessage(expected);
      assertThatThrownBy(() -> onNode(node, () -> Proc.send(me, null)))
          .isInstanceOf(NullPointerException.class).hasMessage(expected);
      Pid p = node.spawn(() -> {
        try {
          Proc.send(me, null);
        } catch (NullPointerException e) {
          Proc.send(me, e.getMessage());
        }
      });

      assertThat(next(inbox)).isEqualTo(expected);
      assertThat(exitReason(p)).isEqualTo(ExitReason.NORMAL);
      assertThat(inbox.flush()).isEmpty();
    }
  }

  @Test
  @DisplayName("send to a null address is rejected with a clear NullPointerException")
  void nullAddress() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      assertThatThrownBy(() -> inbox.send((Name) null, "x"))
          .isInstanceOf(NullPointerException.class)
          .hasMessage("cannot send to a null address");
    }
  }

  @Test
  @DisplayName("P20: sending to a dead pid, or to a closed inbox, is silently dropped")
  void sendToTheDead() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid me = inbox.pid();
      Pid dead = node.spawn(() -> {});
      exitReason(dead);
      Inbox closed = node.openInbox();
      closed.close();
      Pid p = node.spawn(() -> {
        Proc.send(dead, "hello");
        Proc.send(closed.pid(), "hello");
        Proc.send(me, "sent without error");
      });

      inbox.send(dead, "hello");
      inbox.send(closed.pid(), "hello");

      assertThat(next(inbox)).isEqualTo("sent without error");
      assertThat(exitReason(p)).isEqualTo(ExitReason.NORMAL);
      assertThat(Proc.info(closed.pid())).isEmpty();
    }
  }

  @Test
  @DisplayName("A process sends to a process of another node by pid")
  void sendAcrossNodes() {
    try (Node a = Node.start(); Node b = Node.start(); Inbox inbox = b.openInbox()) {
      Pid me = inbox.pid();
      Pid onA = a.spawn(() -> Proc.send(me, "from node " + Node.current().index()));

      assertThat(next(inbox)).isEqualTo("from node " + a.index());
      exitReason(onA);
    }
  }

  @Test
  @DisplayName("Messages are passed by reference: the receiver gets the very object that was sent")
  void messagesAreNotCopied() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid me = inbox.pid();
      Object payload = new Object();
      Pid echo = node.spawn(() -> Proc.send(me, Proc.receive()));

      inbox.send(echo, payload);

      assertThat(next(inbox)).isSameAs(payload);
    }
  }
}
