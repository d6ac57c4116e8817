package org.otp4j.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Proc.sendRequest: requests whose replies are collected later (OTP-SEMANTICS G13)")
class SendRequestTest {
  private static final Duration WAIT = TestSupport.WAIT;

  record Double(From from, int n) {}

  record Quit(From from, ExitReason reason) {}

  /** Doubles numbers; exits without replying on Quit. */
  private static void server() {
    while (true) {
      switch (Proc.receive()) {
        case Double(From from, int n) -> from.reply(n * 2);
        case Quit(From from, ExitReason reason) -> Proc.exit(reason);
        default -> { }
      }
    }
  }

  @Test
  @DisplayName("A process sends two requests before taking either reply; its mailbox is empty afterwards")
  void fromAProcess() throws Exception {
    try (Node node = Node.start()) {
      Pid s = node.spawn(SendRequestTest::server);
      CompletableFuture<List<Object>> result = new CompletableFuture<>();
      node.spawn(() -> {
        RequestId<Object> a = Proc.sendRequest(s, from -> new Double(from, 1));
        RequestId<Object> b = Proc.sendRequest(s, from -> new Double(from, 2));
        int rb = (int) b.receiveResponse(WAIT);
        int ra = (int) a.receiveResponse(WAIT);
        result.complete(List.of(ra, rb, Proc.flush()));
      });
      assertThat(result.get(10, TimeUnit.SECONDS)).containsExactly(2, 4, List.of());
    }
  }

  @Test
  @DisplayName("A plain thread not bound to any node sends a request to a pid and takes the reply")
  void fromAPlainThread() {
    try (Node node = Node.start()) {
      Pid s = node.spawn(SendRequestTest::server);
      int before = node.processCount();
      RequestId<Object> id = Proc.sendRequest(s, from -> new Double(from, 21));
      assertThat(node.processCount()).as("the request's private mailbox").isEqualTo(before + 1);
      int reply = (int) id.receiveResponse(WAIT);
      assertThat(reply).isEqualTo(42);
      TestSupport.awaitProcessCount(node, before);
    }
  }

  @Test
  @DisplayName("A server that exits without replying: the response is its exit reason, checked on the message itself")
  void serverExits() throws Exception {
    try (Node node = Node.start()) {
      Pid s = node.spawn(SendRequestTest::server);
      CompletableFuture<Object> result = new CompletableFuture<>();
      node.spawn(() -> {
        RequestId<Object> id = Proc.sendRequest(s, from -> new Quit(from, ExitReason.of("bye")));
        Object m = Proc.receive();
        if (!id.isResponse(m)) {
          result.complete("not the response: " + m);
          return;
        }
        CallException e = catchThrowableOfType(CallException.class, () -> id.response(m));
        result.complete(e == null ? "no exception" : e.reason());
      });
      assertThat(result.get(10, TimeUnit.SECONDS)).isEqualTo(ExitReason.of("bye"));
    }
  }
}
