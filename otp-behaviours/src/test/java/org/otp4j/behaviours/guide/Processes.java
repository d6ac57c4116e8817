package org.otp4j.behaviours.guide;

import static org.otp4j.core.Proc.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.otp4j.core.Down;
import org.otp4j.core.From;
import org.otp4j.core.Inbox;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.core.Ref;

/** Chapter 2: spawning, messages, receive. */
final class Processes {
  private Processes() {}

  // region: store
  /** What the store understands. Records are immutable, so they are safe to hand to another process. */
  sealed interface StoreMsg {
    record Put(String key, String value) implements StoreMsg {}

    record Get(Pid replyTo, String key) implements StoreMsg {}
  }

  /** The answer to a Get. */
  record Value(String key, Optional<String> value) {}

  static Pid startStore() {
    return spawn(() -> {
      Map<String, String> data = new HashMap<>(); // owned by this process alone: no lock needed
      while (true) {
        switch (receive()) {
          case StoreMsg.Put(String key, String value) -> data.put(key, value);
          case StoreMsg.Get(Pid replyTo, String key) ->
              send(replyTo, new Value(key, Optional.ofNullable(data.get(key))));
          default -> { } // anything else is taken out of the mailbox and dropped
        }
      }
    });
  }
  // endregion: store

  static Value putThenGet() {
    // region: store-client
    try (Inbox inbox = Node.current().openInbox()) {
      Pid store = startStore();
      inbox.send(store, new StoreMsg.Put("language", "Erlang"));
      inbox.send(store, new StoreMsg.Get(inbox.pid(), "language"));
      Value answer = (Value) inbox.receive(Duration.ofSeconds(1)).orElseThrow();
      // answer.value() is Optional[Erlang]: both messages came from one sender, so they arrived in order
      return answer;
    }
    // endregion: store-client
  }

  // region: selective
  record Job(int id) {}

  record Urgent(int id) {}

  /** Takes every urgent job waiting in the mailbox, then the rest; each group in arrival order. */
  static List<Object> takeUrgentFirst() {
    List<Object> taken = new ArrayList<>();
    Optional<Object> next;
    while ((next = receive(m -> m instanceof Urgent, Duration.ZERO)).isPresent()) {
      taken.add(next.get());
    }
    taken.addAll(flush()); // whatever is left, oldest first
    return taken;
  }
  // endregion: selective

  // region: timeout
  record Ping(Pid from) {}

  static String ping(Pid peer, Duration patience) {
    send(peer, new Ping(self()));
    return receive(m -> m.equals("pong"), patience) // Erlang: receive pong -> ... after T -> ... end
        .map(pong -> "pong")
        .orElse("no answer within " + patience.toMillis() + " ms");
  }
  // endregion: timeout

  // region: ask
  record Request(Pid replyTo, Ref ref, Object question) {}

  record Reply(Ref ref, Object answer) {}

  static Object ask(Pid server, Object question, Duration timeout) {
    Ref ref = makeRef(); // a new reference; it also marks the current end of the mailbox
    send(server, new Request(self(), ref, question));
    // Only messages that arrived after makeRef() are examined: a long backlog costs nothing here.
    return receiveAfter(ref, m -> m instanceof Reply r && r.ref() == ref, timeout)
        .map(m -> ((Reply) m).answer())
        .orElseThrow(() -> new IllegalStateException("no reply to " + question + " within " + timeout));
  }
  // endregion: ask

  /** A server for {@link #ask}: answers each question with its upper-case text. */
  static Pid shouter() {
    return spawn(() -> {
      while (true) {
        if (receive() instanceof Request(Pid replyTo, Ref ref, Object question)) {
          send(replyTo, new Reply(ref, question.toString().toUpperCase(java.util.Locale.ROOT)));
        }
      }
    });
  }

  // region: call
  record Measure(From from, String text) {}

  static Pid measurer() {
    return spawn(() -> {
      while (true) {
        if (receive() instanceof Measure(From from, String text)) {
          from.reply(text.length());
        }
      }
    });
  }

  static int measure(Pid measurer, String text) {
    return (int) Proc.call(measurer, from -> new Measure(from, text), Duration.ofSeconds(1));
  }
  // endregion: call

  // region: request-by-hand
  static Optional<Object> request(Pid server, Object question, Duration timeout) {
    Ref ref = monitor(server); // if the server dies first, a Down with this ref says so
    send(server, new Request(self(), ref, question));
    Optional<Object> answer = receive(m -> m instanceof Reply r && r.ref() == ref
        || m instanceof Down d && d.ref() == ref, timeout);
    demonitorFlush(ref); // done: no Down for ref stays behind, even one that arrived meanwhile
    return answer.filter(m -> m instanceof Reply).map(m -> ((Reply) m).answer());
  }
  // endregion: request-by-hand
}
