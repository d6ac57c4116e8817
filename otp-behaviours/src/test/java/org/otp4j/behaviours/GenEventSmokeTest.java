package org.otp4j.behaviours;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.otp4j.behaviours.BehaviourTestKit.CaptureReports;
import org.otp4j.behaviours.BehaviourTestKit.Reports;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Inbox;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;

@ExtendWith(CaptureReports.class)
class GenEventSmokeTest {

  static final class Counting extends EventHandler<Integer, Object> {
    @Override
    protected InitResult<Integer> init() {
      return InitResult.ok(0);
    }

    @Override
    protected EventResult<Integer> handleEvent(Object event, Integer n) {
      if ("boom".equals(event)) {
        throw new IllegalStateException("boom");
      }
      return EventResult.ok(n + 1);
    }

    @Override
    protected CallResult<Integer> handleCall(Object request, Integer n) {
      return CallResult.ok(n, n);
    }

    @Override
    protected Object terminate(Removal why, Integer n) {
      return "bye after " + n;
    }
  }

  static final class Fragile extends EventHandler<String, Object> {
    @Override
    protected InitResult<String> init() {
      return InitResult.ok("fine");
    }

    @Override
    protected EventResult<String> handleEvent(Object event, String s) {
      if ("boom".equals(event)) {
        throw new IllegalStateException("fragile broke");
      }
      return EventResult.ok(s);
    }
  }

  @Test
  void handlersGetEventsAndACrashingOneIsRemovedAlone(Reports reports) {
    try (Node node = Node.start()) {
      node.run(() -> {
        Pid mgr = GenEvent.start(StartOptions.defaults()).pid();
        Counting counting = new Counting();
        Fragile fragile = new Fragile();
        assertThat(GenEvent.addHandler(mgr, counting)).isInstanceOf(GenEvent.Added.class);
        assertThat(GenEvent.addHandler(mgr, counting)).isInstanceOf(GenEvent.AlreadyPresent.class);
        assertThat(GenEvent.addHandler(mgr, fragile)).isInstanceOf(GenEvent.Added.class);
        assertThat(GenEvent.whichHandlers(mgr)).containsExactly(fragile, counting);
        GenEvent.notify(mgr, "a");
        GenEvent.syncNotify(mgr, "b");
        assertThat((Integer) GenEvent.call(mgr, counting, "count?")).isEqualTo(2);
        assertThatThrownBy(() -> GenEvent.call(mgr, fragile, "x"))
            .isInstanceOf(GenEvent.HandlerException.class);
        assertThat(GenEvent.whichHandlers(mgr)).containsExactly(counting); // fragile failed the call and left
        assertThat(GenEventTestSupport.handlerCrashReported(reports, mgr, fragile)).asString()
            .contains("handleCall is not implemented");
        assertThat(GenEvent.addHandler(mgr, fragile)).isInstanceOf(GenEvent.Added.class);
        GenEvent.syncNotify(mgr, "c");
        assertThat(GenEvent.whichHandlers(mgr)).containsExactly(fragile, counting);
        assertThat(GenEvent.deleteHandler(mgr, counting, "args")).isEqualTo(new GenEvent.Deleted("bye after 3"));
        assertThat(GenEvent.deleteHandler(mgr, counting, "args")).isInstanceOf(GenEvent.NotFound.class);
        assertThatThrownBy(() -> GenEvent.call(mgr, counting, "x"))
            .isInstanceOf(GenEvent.HandlerException.class).hasMessageContaining("not installed");
        GenEvent.stop(mgr);
      });
    }
  }

  @Test
  void theOwnerOfASupervisedHandlerIsToldWhyItWent(Reports reports) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid mgr = GenEvent.start(StartOptions.defaults()).pid();
        Fragile fragile = new Fragile();
        Pid owner = node.spawn(() -> {
          GenEvent.addSupervisedHandler(mgr, fragile);
          Proc.send(inbox.pid(), "added");
          Proc.send(inbox.pid(), Proc.receive(m -> m instanceof GenEvent.HandlerExit));
        });
        assertThat(inbox.receive(Duration.ofSeconds(5))).contains("added");
        GenEvent.syncNotify(mgr, "boom");
        Object exit = inbox.receive(Duration.ofSeconds(5)).orElseThrow();
        assertThat(exit).isInstanceOfSatisfying(GenEvent.HandlerExit.class, e -> {
          assertThat(e.handler()).isSameAs(fragile);
          assertThat(e.reason()).isInstanceOf(ExitReason.Crash.class);
        });
        assertThat(GenEventTestSupport.handlerCrashReported(reports, mgr, fragile)).asString().contains("fragile broke");
        assertThat(Proc.awaitExit(owner, Duration.ofSeconds(5))).contains(ExitReason.NORMAL);
        assertThat(GenEvent.whichHandlers(mgr)).isEmpty();
        GenEvent.stop(mgr);
      });
    }
  }
}
