package org.otp4j.behaviours.pubsub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.otp4j.behaviours.BehaviourTestKit.exitReasonOf;
import static org.otp4j.behaviours.BehaviourTestKit.expect;
import static org.otp4j.behaviours.BehaviourTestKit.expectNone;
import static org.otp4j.behaviours.BehaviourTestKit.inProcess;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Inbox;
import org.otp4j.core.Node;
import org.otp4j.core.NotAProcessException;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;

/** Phoenix.PubSub on the duplicate-key Registry: subscribe, unsubscribe, broadcast, broadcast_from, local_broadcast, dispatchers. */
class PubSubTest {

  private static void onNode(Consumer<Inbox> test) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> test.accept(inbox));
    }
  }

  // region: topic
  record PriceChanged(String symbol, long cents) {}
  Topic<PriceChanged> prices = Topic.of("prices:EUR");
  // endregion: topic

  /** A subscriber of {@code topics} on {@code pubsub} that forwards what it receives to {@code to}, tagged. */
  private static Pid subscriber(PubSub pubsub, Inbox to, String tag, Object metadata, Topic<?>... topics) {
    Pid me = to.pid();
    Pid p = Proc.spawn(() -> {
      for (Topic<?> t : topics) {
        pubsub.subscribe(t, metadata);
      }
      Proc.send(me, tag + " subscribed");
      while (true) {
        Object m = Proc.receive();
        if (m.equals("unsubscribe")) {
          for (Topic<?> t : topics) {
            pubsub.unsubscribe(t);
          }
          Proc.send(me, tag + " unsubscribed");
        } else {
          Proc.send(me, tag + ": " + m);
        }
      }
    });
    expect(to, tag + " subscribed");
    return p;
  }

  @Test
  @DisplayName("Phoenix.PubSub.subscribe/broadcast: every subscriber of a topic receives the message as it was broadcast, typed by the topic")
  void overview() {
    onNode(inbox -> {
      Pid me = inbox.pid();
      // region: overview
      PubSub pubsub = PubSub.create("prices");
      Topic<PriceChanged> eur = Topic.of("prices:EUR");
      Pid subscriber = Proc.spawn(() -> {
        pubsub.subscribe(eur);
        Proc.send(me, "subscribed");
        PriceChanged change = (PriceChanged) Proc.receive();
        Proc.send(me, change.symbol() + " " + change.cents());
      });
      inbox.receive(Duration.ofSeconds(5));                  // "subscribed"
      pubsub.broadcast(eur, new PriceChanged("EUR", 108));   // javac checks: a PriceChanged
      // endregion: overview
      expect(inbox, "EUR 108");
      assertThat(inbox.flush()).as("only the subscribed notice came before").isEmpty();
      assertThat(exitReasonOf(subscriber)).isEqualTo(ExitReason.NORMAL);
      assertThat(pubsub.subscribers(eur)).as("cleaned up when the subscriber ended").isEmpty();
      assertThat(pubsub.name()).isEqualTo("prices");
      assertThat(prices.name()).isEqualTo("prices:EUR");
    });
  }

  private static final Topic<String> ROOM = Topic.of("room:1");
  private static final Topic<String> OTHER = Topic.of("room:2");

  @Test
  @DisplayName("broadcast_from reaches every subscriber but the sender; local_broadcast reaches this node's subscribers; other topics hear nothing")
  void broadcastFromAndLocal() {
    onNode(inbox -> {
      PubSub pubsub = PubSub.create("chat", 4);
      Pid alice = subscriber(pubsub, inbox, "alice", null, ROOM);
      Pid bob = subscriber(pubsub, inbox, "bob", null, ROOM);
      subscriber(pubsub, inbox, "carol", null, OTHER);
      assertThat(pubsub.subscribers(ROOM)).containsExactlyInAnyOrder(alice, bob);
      pubsub.broadcastFrom(alice, ROOM, "hi from alice");
      expect(inbox, "bob: hi from alice");
      expectNone(inbox, m -> m.toString().startsWith("alice:") || m.toString().startsWith("carol:"), "a message to alice or carol");
      pubsub.localBroadcast(ROOM, "local");
      expect(inbox, "alice: local");
      expect(inbox, "bob: local");
      pubsub.localBroadcastFrom(bob, ROOM, "from bob");
      expect(inbox, "alice: from bob");
      inProcess(() -> {
        pubsub.broadcast(OTHER, "from a process");
        return null;
      });
      expect(inbox, "carol: from a process");
      expectNone(inbox, m -> true, "anything else");
    });
  }

  @Test
  @DisplayName("unsubscribe stops delivery; a process that subscribes twice gets each message twice; a dead subscriber is removed")
  void subscriptions() {
    onNode(inbox -> {
      PubSub pubsub = PubSub.create("chat");
      Pid twice = subscriber(pubsub, inbox, "twice", null, ROOM, ROOM);
      assertThat(pubsub.subscribers(ROOM)).containsExactly(twice, twice);
      assertThat(pubsub.topics(twice)).containsExactly(ROOM, ROOM);
      pubsub.broadcast(ROOM, "one");
      expect(inbox, "twice: one");
      expect(inbox, "twice: one");
      Proc.send(twice, "unsubscribe");
      expect(inbox, "twice unsubscribed");
      assertThat(pubsub.subscribers(ROOM)).isEmpty();
      pubsub.broadcast(ROOM, "two");
      expectNone(inbox, m -> true, "a message after unsubscribing");

      Pid doomed = subscriber(pubsub, inbox, "doomed", null, ROOM);
      Proc.exit(doomed, ExitReason.KILL);
      assertThat(exitReasonOf(doomed)).isEqualTo(ExitReason.KILLED);
      assertThat(pubsub.subscribers(ROOM)).as("removed before its exit was reported").isEmpty();
    });
  }

  @Test
  @DisplayName("a custom dispatcher decides whom to send what, from the subscriptions' metadata (Phoenix's dispatcher hook)")
  void dispatcher() {
    onNode(inbox -> {
      PubSub pubsub = PubSub.create("chat", 2);
      Pid loud = subscriber(pubsub, inbox, "loud", "loud", ROOM);
      subscriber(pubsub, inbox, "quiet", "quiet", ROOM);
      Pid loudSender = subscriber(pubsub, inbox, "sender", "loud", ROOM);
      // region: dispatcher
      // only to the subscribers whose metadata is "loud", and shouted
      Dispatcher loudOnly = (subscribers, from, message) -> subscribers.stream()
          .filter(s -> "loud".equals(s.value()) && !from.equals(Optional.of(s.pid())))
          .forEach(s -> Proc.send(s.pid(), message.toString().toUpperCase()));
      // endregion: dispatcher
      pubsub.broadcast(ROOM, "hello", loudOnly);
      expect(inbox, "loud: HELLO");
      expect(inbox, "sender: HELLO");
      pubsub.broadcastFrom(loudSender, ROOM, "again", loudOnly);
      expect(inbox, "loud: AGAIN");
      pubsub.localBroadcast(ROOM, "local", loudOnly);
      expect(inbox, "loud: LOCAL");
      expect(inbox, "sender: LOCAL");
      expectNone(inbox, m -> m.toString().startsWith("quiet") || m.toString().startsWith("sender: AGAIN"),
          "a message the dispatcher did not send");
      assertThat(Proc.isAlive(loud)).isTrue();
    });
  }

  @Test
  @DisplayName("bad input: subscribing from a plain thread, null or empty topics, null messages and dispatchers are refused, naming the fix")
  void badInput() {
    onNode(inbox -> {
      PubSub pubsub = PubSub.create("chat");
      assertThatThrownBy(() -> pubsub.subscribe(ROOM)).isInstanceOf(NotAProcessException.class)
          .hasMessageContaining("PubSub.subscribe");
      assertThatThrownBy(() -> pubsub.unsubscribe(ROOM)).isInstanceOf(NotAProcessException.class)
          .hasMessageContaining("PubSub.unsubscribe");
      assertThatThrownBy(() -> pubsub.broadcast(null, "x")).isInstanceOf(NullPointerException.class)
          .hasMessageContaining("Topic.of");
      assertThatThrownBy(() -> pubsub.broadcast(ROOM, null)).isInstanceOf(NullPointerException.class)
          .hasMessageContaining("cannot broadcast null on topic room:1");
      assertThatThrownBy(() -> pubsub.broadcast(ROOM, "x", null)).isInstanceOf(NullPointerException.class)
          .hasMessageContaining("Dispatcher.DEFAULT");
      assertThatThrownBy(() -> pubsub.broadcastFrom(null, ROOM, "x")).isInstanceOf(NullPointerException.class)
          .hasMessageContaining("from");
      assertThatThrownBy(() -> Topic.of("")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty");
      assertThatThrownBy(() -> PubSub.create("p", 0)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("at least 1 partition");
      pubsub.broadcast(ROOM, "nobody listens"); // not an error
      assertThat(List.of(pubsub.toString())).containsExactly("PubSub[chat]");
    });
  }
}
