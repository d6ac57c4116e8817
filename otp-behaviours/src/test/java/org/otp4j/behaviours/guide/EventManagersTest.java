package org.otp4j.behaviours.guide;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.otp4j.behaviours.guide.GuideTestKit.await;
import static org.otp4j.behaviours.guide.GuideTestKit.exitReason;
import static org.otp4j.behaviours.guide.GuideTestKit.next;

import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.otp4j.behaviours.BehaviourTestKit.CaptureReports;
import org.otp4j.behaviours.BehaviourTestKit.Reports;
import org.otp4j.behaviours.EventHandler;
import org.otp4j.behaviours.GenEvent;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Inbox;
import org.otp4j.core.NoSuchNameException;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.core.ServerRef;

@DisplayName("Guide, chapter 6: event managers")
@ExtendWith(CaptureReports.class)
class EventManagersTest {

  private static void onNode(Consumer<Inbox> test) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> test.accept(inbox));
    }
  }

  private static final Alarms.Alarm DISK = new Alarms.Alarm("disk", "90% full");
  private static final Alarms.Alarm CPU = new Alarms.Alarm("cpu", "too hot");

  @Test
  @DisplayName("notify, syncNotify, and a call to one handler")
  void firstUse() {
    onNode(inbox -> assertThat(Alarms.firstUse()).containsExactly(CPU, DISK));
  }

  @Test
  @DisplayName("a pager supervised by the on-call process: removed when that process ends")
  void supervisedHandler() {
    onNode(inbox -> {
      ServerRef<Alarms.Alarm> manager = GenEvent.startLink(Alarms.NAME);
      Pid onCall = Alarms.onCall(inbox.pid());
      await().until(() -> GenEvent.whichHandlers(manager).size() == 1);
      GenEvent.syncNotify(manager, DISK);
      assertThat(next(inbox)).isEqualTo("page: disk 90% full");
      Proc.send(onCall, "off duty");
      assertThat(exitReason(onCall)).isEqualTo(ExitReason.NORMAL);
      await().until(() -> GenEvent.whichHandlers(manager).isEmpty());
    });
  }

  @Test
  @DisplayName("the supervising process is told when its handler leaves, and why")
  void handlerExit() {
    onNode(inbox -> {
      ServerRef<Alarms.Alarm> manager = GenEvent.startLink(Alarms.NAME);
      Pid onCall = Alarms.onCall(inbox.pid());
      await().until(() -> GenEvent.whichHandlers(manager).size() == 1);
      EventHandler<?, ?> pager = GenEvent.whichHandlers(manager).getFirst();
      assertThat(GenEvent.deleteHandler(manager, pager, null)).isEqualTo(new GenEvent.Deleted(null));
      assertThat(next(inbox)).isEqualTo("pager gone: normal");
      exitReason(onCall);
    });
  }

  /** Fails on alarms from one source. */
  static final class Fragile extends EventHandler<Integer, Alarms.Alarm> {
    @Override
    protected InitResult<Integer> init() {
      return InitResult.ok(0);
    }

    @Override
    protected EventResult<Integer> handleEvent(Alarms.Alarm alarm, Integer n) {
      if (alarm.source().equals("cpu")) {
        throw new IllegalStateException("cannot handle cpu alarms");
      }
      return EventResult.ok(n + 1);
    }
  }

  @Test
  @DisplayName("a handler that throws is removed alone; the manager and the other handlers carry on")
  void crashIsolation(Reports reports) {
    onNode(inbox -> {
      ServerRef<Alarms.Alarm> manager = GenEvent.startLink(Alarms.NAME);
      Alarms.Recent recent = new Alarms.Recent(10);
      Fragile fragile = new Fragile();
      GenEvent.addHandler(manager, recent);
      GenEvent.addHandler(manager, fragile);
      GenEvent.syncNotify(manager, CPU);
      assertThat(GenEvent.whichHandlers(manager)).containsExactly(recent);
      assertThat(Proc.isAlive(manager.pid())).isTrue();
      List<Alarms.Alarm> kept = GenEvent.call(manager, Alarms.Recent.ID, new Alarms.Recent.Latest());
      assertThat(kept).containsExactly(CPU);
      assertThat(reports.withLabel("gen_event_handler_crash")).singleElement()
          .satisfies(kv -> assertThat(kv.get("reason").toString()).contains("cannot handle cpu alarms"));
      assertThatThrownBy(() -> GenEvent.call(manager, fragile, "anything"))
          .isInstanceOfSatisfying(GenEvent.HandlerException.class, e -> assertThat(e.notFound()).isTrue());
    });
  }

  @Test
  @DisplayName("swapping Recent for Counting hands over what Recent kept")
  void swap() {
    onNode(inbox -> {
      ServerRef<Alarms.Alarm> manager = GenEvent.startLink(Alarms.NAME);
      GenEvent.addHandler(manager, new Alarms.Recent(10));
      GenEvent.syncNotify(manager, DISK);
      GenEvent.syncNotify(manager, CPU);
      assertThat(Alarms.swap()).isEqualTo(2);
      GenEvent.syncNotify(manager, DISK);
      EventHandler<?, ?> counting = GenEvent.whichHandlers(manager).getFirst();
      assertThat(counting).isInstanceOf(Alarms.Counting.class);
      int count = GenEvent.call(manager, counting, new Alarms.Counting.Total());
      assertThat(count).isEqualTo(3);
      assertThat(GenEvent.whichHandlers(manager)).singleElement().isSameAs(counting);
    });
  }

  @Test
  @DisplayName("a pager without a pid is not added: its init says why")
  void initError() {
    onNode(inbox -> {
      ServerRef<Alarms.Alarm> manager = GenEvent.startLink();
      assertThat(GenEvent.addHandler(manager, new Alarms.Pager(null)))
          .isEqualTo(new GenEvent.InitFailed("expected the pid of the person on call"));
      assertThat(GenEvent.whichHandlers(manager)).isEmpty();
    });
  }

  @Test
  @DisplayName("an event of the wrong type, sent through the untyped pid, makes a handler fail, and it is removed")
  void wrongEventType(Reports reports) {
    onNode(inbox -> {
      ServerRef<Alarms.Alarm> manager = GenEvent.startLink();
      GenEvent.addHandler(manager, new Alarms.Recent(10));
      GenEvent.syncNotify(manager.pid(), "not an alarm"); // GenEvent.syncNotify(manager, "...") does not compile
      assertThat(GenEvent.whichHandlers(manager)).isEmpty();
      assertThat(reports.withLabel("gen_event_handler_crash")).singleElement()
          .satisfies(kv -> assertThat(kv.get("reason").toString()).contains("ClassCastException"));
    });
  }

  @Test
  @DisplayName("stopping the manager tells the supervising process: shutdown")
  void stopTellsSupervisingProcess() {
    onNode(inbox -> {
      ServerRef<Alarms.Alarm> manager = GenEvent.startLink(Alarms.NAME);
      Pid onCall = Alarms.onCall(inbox.pid());
      await().until(() -> GenEvent.whichHandlers(manager).size() == 1);
      GenEvent.stop(manager);
      assertThat(next(inbox)).isEqualTo("pager gone: shutdown");
      exitReason(onCall);
    });
  }

  /** Records why it left, for the tests of Removal. */
  static final class Witness extends EventHandler<String, Alarms.Alarm> {
    private final Pid tell;

    Witness(Pid tell) {
      this.tell = tell;
    }

    @Override
    protected InitResult<String> init() {
      return InitResult.ok("");
    }

    @Override
    protected Object terminate(Removal why, String state) {
      Proc.send(tell, why);
      return null;
    }
  }

  @Test
  @DisplayName("one handler per id: a second Recent is refused; a handler is deleted by its id, terminate's result returned")
  void ids() {
    onNode(inbox -> {
      ServerRef<Alarms.Alarm> manager = GenEvent.startLink();
      assertThat(GenEvent.addHandler(manager, new Alarms.Recent(10))).isEqualTo(new GenEvent.Added());
      assertThat(GenEvent.addHandler(manager, new Alarms.Recent(5))).isEqualTo(new GenEvent.AlreadyPresent());
      assertThat(GenEvent.addHandler(manager, new Alarms.Counting())).isEqualTo(new GenEvent.Added());
      assertThat(GenEvent.addHandler(manager, new Alarms.Counting())).as("another object, another id")
          .isEqualTo(new GenEvent.Added());
      GenEvent.syncNotify(manager, DISK);
      assertThat(GenEvent.deleteHandler(manager, Alarms.Recent.ID, null)).isEqualTo(new GenEvent.Deleted(List.of(DISK)));
      assertThat(GenEvent.deleteHandler(manager, Alarms.Recent.ID, null)).isEqualTo(new GenEvent.NotFound());
    });
  }

  @Test
  @DisplayName("terminate is told why: the manager stopped, or the supervising process exited")
  void removalReasons() {
    onNode(inbox -> {
      ServerRef<Alarms.Alarm> manager = GenEvent.startLink();
      GenEvent.addHandler(manager, new Witness(inbox.pid()));
      GenEvent.stop(manager);
      assertThat(next(inbox)).isEqualTo(new EventHandler.Removal.ManagerStopped());
      ServerRef<Alarms.Alarm> other = GenEvent.startLink();
      Pid owner = Proc.spawn(() -> {
        GenEvent.addSupervisedHandler(other, new Witness(inbox.pid()));
        Proc.exit(ExitReason.of("gone"));
      });
      assertThat(next(inbox)).isEqualTo(new EventHandler.Removal.OwnerExited(ExitReason.of("gone")));
      exitReason(owner);
    });
  }

  @Test
  @DisplayName("notify to a name nobody holds fails")
  void notifyToNobody() {
    onNode(inbox -> assertThatThrownBy(() -> GenEvent.notify(Alarms.NAME, DISK))
        .isInstanceOf(NoSuchNameException.class));
  }
}
