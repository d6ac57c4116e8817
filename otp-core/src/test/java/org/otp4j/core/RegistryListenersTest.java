package org.otp4j.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.otp4j.core.RegistryMember.call;
import static org.otp4j.core.RegistryMember.run;
import static org.otp4j.core.TestSupport.exitReason;
import static org.otp4j.core.TestSupport.next;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A listener hears of every registration and unregistration (R6). The notices about one process
 * are delivered in order, so a test proves that nothing else was sent by ending with a change whose
 * notice must come next (a fence), or with the process's {@code Down}, which comes after them all.
 */
@DisplayName("Registry listeners: Registered and Unregistered notices (R1, R6)")
class RegistryListenersTest {

  private static Registry.Options listenedBy(Address... listeners) {
    return Registry.Options.defaults().withListeners(listeners);
  }

  /** The next {@code n} registry notices in {@code inbox}, leaving other messages in place. */
  private static List<Registry.Event> events(Inbox inbox, int n) {
    List<Registry.Event> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(next(inbox, Registry.Event.class));
    }
    return out;
  }

  @Test
  @DisplayName("R6: a Registered for every entry, one Unregistered when the process unregisters the key, none for "
      + "a key it does not hold")
  void registerAndUnregister() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Registry topics = Registry.duplicate("topics", listenedBy(inbox.pid()));
      Pid p = RegistryMember.spawn(node, inbox);

      run(inbox, p, () -> topics.register("news", 1));
      run(inbox, p, () -> topics.register("news", 2));
      run(inbox, p, () -> topics.unregister("news"));
      run(inbox, p, () -> topics.unregister("sports"));
      run(inbox, p, () -> topics.register("fence", 0));

      assertThat(events(inbox, 4)).containsExactly(
          new Registry.Registered(topics, "news", p, 1),
          new Registry.Registered(topics, "news", p, 2),
          new Registry.Unregistered(topics, "news", p),
          new Registry.Registered(topics, "fence", p, 0));
    }
  }

  @Test
  @DisplayName("R6: unregisterMatch reports Unregistered only when the process's last entry under the key goes")
  void unregisterMatch() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Registry topics = Registry.duplicate("topics", listenedBy(inbox.pid()));
      Pid p = RegistryMember.spawn(node, inbox);
      run(inbox, p, () -> topics.register("news", "a"));
      run(inbox, p, () -> topics.register("news", "b"));
      events(inbox, 2);

      run(inbox, p, () -> topics.unregisterMatch("news", "a"::equals));
      run(inbox, p, () -> topics.unregisterMatch("news", "zzz"::equals));
      run(inbox, p, () -> topics.unregisterMatch("news", "b"::equals));
      run(inbox, p, () -> topics.register("fence", 0));

      assertThat(events(inbox, 2)).containsExactly(
          new Registry.Unregistered(topics, "news", p),
          new Registry.Registered(topics, "fence", p, 0));
    }
  }

  @ParameterizedTest(name = "partitions={0}")
  @ValueSource(ints = {1, 4})
  @DisplayName("R6 (differs: Elixir does not report a crash): a terminating process's keys are each reported "
      + "Unregistered, before its Down")
  void terminationIsReportedBeforeTheDown(int partitions) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Registry topics = Registry.duplicate("topics", listenedBy(inbox.pid()).withPartitions(partitions));
      Registry rooms = Registry.unique("rooms", listenedBy(inbox.pid()).withPartitions(partitions));
      Pid p = RegistryMember.spawn(node, inbox);
      run(inbox, p, () -> topics.register("news", 1));
      run(inbox, p, () -> topics.register("sports", 2));
      run(inbox, p, () -> topics.register("news", 3));
      run(inbox, p, () -> rooms.register("lobby", 4));
      events(inbox, 4);
      Ref ref = inbox.monitor(p);

      Proc.exit(p, ExitReason.of("crash"));

      List<Object> beforeDown = new ArrayList<>();
      for (Object m = next(inbox); !(m instanceof Down); m = next(inbox)) {
        beforeDown.add(m);
      }
      assertThat(inbox.flush()).isEmpty();
      assertThat(exitReason(p)).isEqualTo(ExitReason.of("crash"));
      assertThat(beforeDown).containsExactlyInAnyOrder(
          new Registry.Unregistered(topics, "news", p),
          new Registry.Unregistered(topics, "sports", p),
          new Registry.Unregistered(rooms, "lobby", p));
      assertThat(beforeDown).as("one registry's notices in registration order").containsSubsequence(
          new Registry.Unregistered(topics, "news", p),
          new Registry.Unregistered(topics, "sports", p));
    }
  }

  @Test
  @DisplayName("R5, R6: a via name registered for a process, unregistered, and released when it dies, is reported "
      + "each time")
  void viaNames() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Registry services = Registry.unique("services", listenedBy(inbox.pid()));
      Name name = Name.via(services, "svc");
      Pid p = node.spawn(TestSupport::idle);

      Proc.register(name, p);
      services.unregisterName("svc");
      services.unregisterName("svc");
      Proc.register(name, p);
      Ref ref = inbox.monitor(p);
      Proc.exit(p, ExitReason.KILL);

      assertThat(List.of(next(inbox), next(inbox), next(inbox), next(inbox), next(inbox))).containsExactly(
          new Registry.Registered(services, "svc", p, null),
          new Registry.Unregistered(services, "svc", p),
          new Registry.Registered(services, "svc", p, null),
          new Registry.Unregistered(services, "svc", p),
          new Down(ref, p, ExitReason.KILLED));
    }
  }

  @Test
  @DisplayName("R6: updateValue is not reported")
  void updateValueIsNotReported() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Registry rooms = Registry.unique("rooms", listenedBy(inbox.pid()));
      Pid p = RegistryMember.spawn(node, inbox);
      run(inbox, p, () -> rooms.register("lobby", 1));

      call(inbox, p, () -> rooms.updateValue("lobby", v -> 2));
      run(inbox, p, () -> rooms.register("fence", 0));

      assertThat(events(inbox, 2)).containsExactly(
          new Registry.Registered(rooms, "lobby", p, 1),
          new Registry.Registered(rooms, "fence", p, 0));
    }
  }

  @Test
  @DisplayName("P19: a process's Registered reaches a listener before the messages it sends afterwards")
  void noticeBeforeLaterMessages() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid me = inbox.pid();
      Registry rooms = Registry.unique("rooms", listenedBy(me));
      Pid p = RegistryMember.spawn(node, inbox);

      run(inbox, p, () -> {
        rooms.register("lobby", 1);
        Proc.send(me, "after");
      });

      assertThat(List.of(next(inbox), next(inbox))).containsExactly(new Registry.Registered(rooms, "lobby", p, 1),
          "after");
    }
  }

  @Test
  @DisplayName("R1: a listener given by name is looked up at each change: notices go to whoever holds the name, "
      + "and are dropped while nobody does")
  void listenerByName() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Registry rooms = Registry.unique("rooms", listenedBy(Name.local("audit")));
      Pid p = RegistryMember.spawn(node, inbox);

      assertThat(run(inbox, p, () -> rooms.register("before", 1))).isEqualTo("ok");
      Proc.register("audit", inbox.pid());
      run(inbox, p, () -> rooms.register("after", 2));

      assertThat(next(inbox, Registry.Event.class)).isEqualTo(new Registry.Registered(rooms, "after", p, 2));
      assertThat(rooms.keys(p)).containsExactly("before", "after");
    }
  }

  @Test
  @DisplayName("R1: a dead listener does not fail registrations")
  void deadListener() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid listener = node.spawn(TestSupport::idle);
      Proc.exit(listener, ExitReason.KILL);
      exitReason(listener);
      Registry rooms = Registry.unique("rooms", listenedBy(listener));
      Pid p = RegistryMember.spawn(node, inbox);

      assertThat(run(inbox, p, () -> rooms.register("lobby", 1))).isEqualTo("ok");
      assertThat(rooms.lookup("lobby")).containsExactly(new Registry.Entry(p, 1));
      assertThat(run(inbox, p, () -> rooms.unregister("lobby"))).isEqualTo("ok");
      assertThat(rooms.lookup("lobby")).isEmpty();
    }
  }

  @Test
  @DisplayName("a listener whose bounded mailbox is full misses the notice (counted as dropped); the registration "
      + "stands")
  void listenerWithAFullMailbox() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid listener = node.spawn(SpawnOptions.defaults().withMailbox(1, MailboxOverflow.REJECT),
          () -> Proc.receive(m -> false));
      Registry rooms = Registry.unique("rooms", listenedBy(listener, inbox.pid()));
      Pid p = RegistryMember.spawn(node, inbox);

      assertThat(run(inbox, p, () -> rooms.register("lobby", 1))).isEqualTo("ok");
      assertThat(run(inbox, p, () -> rooms.register("kitchen", 2))).isEqualTo("ok");

      assertThat(Proc.info(listener).orElseThrow().droppedMessages()).isEqualTo(1);
      assertThat(events(inbox, 2)).as("the other listener hears of both").containsExactly(
          new Registry.Registered(rooms, "lobby", p, 1), new Registry.Registered(rooms, "kitchen", p, 2));
      assertThat(rooms.keys(p)).containsExactly("lobby", "kitchen");
    }
  }

  @Test
  @DisplayName("a listener whose mailbox overflows with policy EXIT exits with mailbox_overflow; the registration "
      + "stands")
  void listenerThatExitsOnOverflow() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid listener = node.spawn(SpawnOptions.defaults().withMailbox(1, MailboxOverflow.EXIT),
          () -> Proc.receive(m -> false));
      Registry rooms = Registry.unique("rooms", listenedBy(listener));
      Pid p = RegistryMember.spawn(node, inbox);

      assertThat(run(inbox, p, () -> rooms.register("lobby", 1))).isEqualTo("ok");
      assertThat(run(inbox, p, () -> rooms.register("kitchen", 2))).isEqualTo("ok");

      assertThat(exitReason(listener)).isEqualTo(ExitReason.of("mailbox_overflow"));
      assertThat(Proc.isAlive(p)).isTrue();
      assertThat(rooms.keys(p)).containsExactly("lobby", "kitchen");
    }
  }

  @Test
  @DisplayName("the Javadoc's listener example: an audit process named \"audit\" hears of logins and logouts")
  void javadocListenerExample() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid me = inbox.pid();
      // region: registry-listener
      Pid audit = node.spawn(() -> {
        while (true) {
          switch (Proc.receive()) {
            case Registry.Registered(var registry, var key, var pid, var value) -> Proc.send(me, key + " logged in");
            case Registry.Unregistered(var registry, var key, var pid) -> Proc.send(me, key + " left");
            default -> {}
          }
        }
      });
      Proc.register("audit", audit);
      Registry sessions = Registry.unique("sessions", Registry.Options.defaults().withListeners(Name.local("audit")));
      // endregion: registry-listener
      Pid p = RegistryMember.spawn(node, inbox);

      run(inbox, p, () -> sessions.register("ada", "token"));
      assertThat(next(inbox, String.class)).isEqualTo("ada logged in");
      Proc.exit(p, ExitReason.KILL);
      assertThat(next(inbox, String.class)).isEqualTo("ada left");
    }
  }
}
