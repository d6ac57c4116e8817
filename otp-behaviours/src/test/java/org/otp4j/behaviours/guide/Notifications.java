package org.otp4j.behaviours.guide;

import java.util.Optional;
import org.otp4j.behaviours.pubsub.Dispatcher;
import org.otp4j.behaviours.pubsub.PubSub;
import org.otp4j.behaviours.pubsub.Topic;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;

/** Chapter 9: notifications to users' sessions over a pubsub. */
final class Notifications {
  private Notifications() {}

  // region: pubsub
  /** What is published to a user's sessions. */
  sealed interface Notice {
    record Message(String from, String text) implements Notice {}
    record Urgent(String text) implements Notice {}
  }

  static final PubSub NOTICES = PubSub.create("notices");

  /** A user's topic: every session of the user subscribes to it. */
  static Topic<Notice> user(String name) {
    return Topic.of("user:" + name);
  }
  // endregion: pubsub

  /** A session of {@code name}: forwards every notice to {@code screen}, tagged with {@code device}. */
  static Pid session(String name, String device, Pid screen) {
    // region: session
    Pid session = Proc.spawn(() -> {
      NOTICES.subscribe(user(name), device);   // the metadata: which device this session runs on
      Proc.send(screen, device + " online");
      while (true) {
        switch (Proc.receive()) {
          case Notice.Message(String from, String text) -> Proc.send(screen, device + ": " + from + " says " + text);
          case Notice.Urgent(String text) -> Proc.send(screen, device + ": URGENT " + text);
          default -> {}
        }
      }
    });
    // endregion: session
    return session;
  }

  static void send(String to, String from, String text, Pid fromSession) {
    // region: broadcast
    NOTICES.broadcast(user(to), new Notice.Message(from, text));                 // every session of `to`
    NOTICES.broadcastFrom(fromSession, user(from), new Notice.Message(from, text)); // the sender's other sessions
    // endregion: broadcast
  }

  // region: dispatcher
  /** Urgent notices go to phones only. */
  static final Dispatcher PHONES_ONLY = (sessions, from, notice) -> sessions.stream()
      .filter(s -> "phone".equals(s.value()) && !from.equals(Optional.of(s.pid())))
      .forEach(s -> Proc.send(s.pid(), notice));

  static void urgent(String to, String text) {
    NOTICES.broadcast(user(to), new Notice.Urgent(text), PHONES_ONLY);
  }
  // endregion: dispatcher
}
