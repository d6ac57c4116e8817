package org.otp4j.behaviours.guide;

// region: hello
import java.time.Duration;
import org.otp4j.core.Inbox;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;

public final class Hello {

  /** The one message the greeter understands: who asks, and whom to greet. */
  record Greet(Pid replyTo, String name) {}

  public static void main(String[] args) {
    System.out.println(greet("world"));
  }

  static String greet(String name) {
    // A process: its own thread, its own mailbox. It waits for one message, answers, and ends.
    Pid greeter = Proc.spawn(() -> {
      if (Proc.receive() instanceof Greet(Pid replyTo, String who)) {
        Proc.send(replyTo, "hello, " + who + ", from " + Proc.self());
      }
    });

    // main is a plain thread, not a process: an inbox gives it a pid and a mailbox.
    try (Inbox inbox = Node.current().openInbox()) {
      inbox.send(greeter, new Greet(inbox.pid(), name));
      return (String) inbox.receive(Duration.ofSeconds(1)).orElseThrow();
    }
  }
}
// endregion: hello
