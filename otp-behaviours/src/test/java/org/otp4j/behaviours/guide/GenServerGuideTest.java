package org.otp4j.behaviours.guide;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.otp4j.behaviours.guide.GuideTestKit.await;
import static org.otp4j.behaviours.guide.GuideTestKit.exitReason;
import static org.otp4j.behaviours.guide.GuideTestKit.expect;
import static org.otp4j.behaviours.guide.GuideTestKit.inProcess;
import static org.otp4j.behaviours.guide.GuideTestKit.next;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.otp4j.behaviours.BehaviourTestKit;
import org.otp4j.behaviours.BehaviourTestKit.CaptureReports;
import org.otp4j.behaviours.BehaviourTestKit.Reports;
import org.otp4j.behaviours.ChildSpec;
import org.otp4j.behaviours.GenServer;
import org.otp4j.behaviours.StartException;
import org.otp4j.behaviours.StartResult;
import org.otp4j.behaviours.Supervisor;
import org.otp4j.behaviours.Sys;
import org.otp4j.core.CallException;
import org.otp4j.core.Down;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Inbox;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.core.Ref;
import org.otp4j.core.ServerRef;

@DisplayName("Guide, chapter 3: GenServer")
@ExtendWith(CaptureReports.class)
class GenServerGuideTest {

  private static void onNode(Consumer<Inbox> test) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> test.accept(inbox));
    }
  }

  @Test
  @DisplayName("put by cast, get by call")
  void firstUse() {
    onNode(inbox -> assertThat(GenServerUsage.firstUse()).contains("teal"));
  }

  @Test
  @DisplayName("await replies at once if the key is there, else when it is put; all waiters get it")
  void deferredReplies() {
    onNode(inbox -> {
      ServerRef<KvStore.Msg> store = KvStore.startLink();
      KvStore.put(store, "a", "1");
      assertThat(KvStore.await(store, "a", Duration.ofSeconds(5))).isEqualTo("1");
      CompletableFuture<String> first = GuideTestKit.async(() -> KvStore.await(store, "b", Duration.ofSeconds(5)));
      CompletableFuture<String> second = GuideTestKit.async(
          () -> inProcess(() -> KvStore.await(store, "b", Duration.ofSeconds(5))));
      await().until(() -> ((KvStore.State) Sys.getState(store)).waiting().getOrDefault("b", List.of()).size() == 2);
      assertThat(first).isNotDone();
      KvStore.put(store, "b", "2");
      assertThat(first.join()).isEqualTo("2");
      assertThat(second.join()).isEqualTo("2");
      assertThat(((KvStore.State) Sys.getState(store)).waiting()).isEmpty();
    });
  }

  @Test
  @DisplayName("a call that times out throws CallException(timeout) naming the call; its late reply is dropped")
  void callTimeout() {
    onNode(inbox -> {
      ServerRef<KvStore.Msg> store = KvStore.startLink();
      CallException e = GenServerUsage.awaitTimesOut(store);
      assertThat(e.reason()).isEqualTo(ExitReason.TIMEOUT);
      assertThat(e.getMessage())
          .isEqualTo("GenServer.call(" + store + ", Await[key=missing], 100 ms) failed: timeout: no reply within 100 ms");
      List<Object> left = inProcess(() -> {
        try {
          KvStore.await(store, "late", Duration.ofMillis(20));
        } catch (CallException timeout) {
          // expected
        }
        KvStore.put(store, "late", "too late"); // the server now replies to the caller that gave up
        KvStore.get(store, "late");             // and this call is served after that reply
        return Proc.flush();
      });
      assertThat(left).as("nothing left in the caller's mailbox").isEmpty();
    });
  }

  @Test
  @DisplayName("two requests sent without waiting, their replies taken afterwards; a timeout names the request")
  void sendRequest() {
    onNode(inbox -> {
      ServerRef<KvStore.Msg> eu = KvStore.startLink();
      ServerRef<KvStore.Msg> us = KvStore.startLink();
      KvStore.put(eu, "colour", "teal");
      assertThat(GenServerUsage.fromTwoStores(eu, us)).containsExactly(Optional.of("teal"), Optional.empty());
      CallException e = inProcess(() -> {
        try {
          GenServer.sendRequest(eu, new KvStore.Msg.Await("missing")).receiveResponse(Duration.ofMillis(50));
          throw new AssertionError("unreachable: nobody puts that key");
        } catch (CallException timeout) {
          return timeout;
        }
      });
      assertThat(e.getMessage()).startsWith("receiveResponse(" + eu + ", Await[key=missing], 50 ms) failed: timeout");
    });
  }

  @Test
  @DisplayName("a cast of a call-only message crashes the server; a call to it then fails with the crash")
  void misuseCrashes(Reports reports) {
    onNode(inbox -> {
      ServerRef<KvStore.Msg> store = KvStore.startLink();
      GenServer.cast(store, new KvStore.Msg.Get("x"));
      ExitReason reason = exitReason(store.pid());
      assertThat(reason.toString()).contains("Get[key=x] is a call, not a cast");
      assertThat(reports.withLabel("gen_server_terminate")).singleElement()
          .satisfies(r -> assertThat(r.get("reason")).isEqualTo(reason));
      assertThatThrownBy(() -> KvStore.get(store, "x")).isInstanceOfSatisfying(CallException.class,
          e -> assertThat(e.reason()).isEqualTo(ExitReason.NOPROC));
    });
  }

  @Test
  @DisplayName("the same server through its untyped pid: calls return Objects; ServerRef.of types it again")
  void untypedPid() {
    onNode(inbox -> {
      ServerRef<KvStore.Msg> store = KvStore.startLink();
      KvStore.put(store, "colour", "teal");
      GenServerUsage.Untyped untyped = GenServerUsage.untyped(store);
      assertThat(untyped.reply()).isEqualTo(Optional.of("teal"));
      assertThat(untyped.typedAgain()).contains("teal");
    });
  }

  @Test
  @DisplayName("an untyped call with a message outside the protocol compiles, and crashes the server")
  void untypedMisuse(Reports reports) {
    onNode(inbox -> {
      ServerRef<KvStore.Msg> store = KvStore.startLink();
      assertThatThrownBy(() -> GenServer.call(store.pid(), "colour"))
          .isInstanceOfSatisfying(CallException.class,
              e -> assertThat(e.reason().toString()).contains("ClassCastException"));
      assertThat(exitReason(store.pid()).toString()).contains("ClassCastException");
      assertThat(reports.withLabel("gen_server_terminate")).hasSize(1);
    });
  }

  @Test
  @DisplayName("start or find: the second start under a name finds the first server")
  void startOrFind() {
    onNode(inbox -> {
      ServerRef<KvStore.Msg> name = ServerRef.local("shared");
      ServerRef<KvStore.Msg> first = GenServerUsage.startOrFind(name);
      ServerRef<KvStore.Msg> second = GenServerUsage.startOrFind(name);
      assertThat(second.pid()).isEqualTo(first.pid());
      KvStore.put(first, "k", "v");
      assertThat(KvStore.get(second, "k")).contains("v");
    });
  }

  @Test
  @DisplayName("names: a local name and a via name reach their servers")
  void naming() {
    onNode(inbox -> {
      assertThat(GenServerUsage.byName()).contains("teal");
      assertThat(Proc.whereis("kv")).isPresent();
    });
  }

  @Test
  @DisplayName("stop runs terminate and returns once the server has ended with that reason")
  void stopping() {
    onNode(inbox -> {
      ServerRef<KvStore.Msg> a = KvStore.startLink();
      ServerRef<KvStore.Msg> b = KvStore.startLink();
      Ref ra = inbox.monitor(a);
      Ref rb = inbox.monitor(b);
      GenServerUsage.stop(a, b);
      assertThat(Proc.isAlive(a.pid())).isFalse();
      assertThat(Proc.isAlive(b.pid())).isFalse();
      assertThat(((Down) expect(inbox, m -> m instanceof Down d && d.ref() == ra, "a down")).reason())
          .isEqualTo(ExitReason.NORMAL);
      assertThat(((Down) expect(inbox, m -> m instanceof Down d && d.ref() == rb, "b down")).reason())
          .isEqualTo(ExitReason.shutdown("maintenance"));
    });
  }

  @Test
  @DisplayName("an idle session stops itself with {shutdown,idle}; terminate tells the audit process")
  void idleTimeout() {
    onNode(inbox -> BehaviourTestKit.untilUndisturbed("two touches within the idle time", () -> {
      Duration idle = Duration.ofMillis(100);
      long armed = System.nanoTime(); // the session sets its idle timeout after this
      ServerRef<Session.Msg> session = Session.startLink("ada", "s3cret", idle, inbox.pid());
      for (int requests = 1; requests <= 2; requests++) {
        long touching = System.nanoTime();
        try {
          assertThat(Session.touch(session)).isEqualTo(requests);
        } catch (CallException ended) {
          if (BehaviourTestKit.within(armed, idle)) {
            throw ended; // the touch came within the idle time: the session must not have ended
          }
          assertThat(next(inbox)).isInstanceOf(Session.Ended.class); // this thread stalled: try again
          return false;
        }
        armed = touching; // the touch set the timeout again
      }
      assertThat(next(inbox)).isEqualTo(new Session.Ended("ada", 2, ExitReason.shutdown("idle")));
      assertThat(exitReason(session.pid())).isEqualTo(ExitReason.shutdown("idle"));
      return true;
    }));
  }

  @Test
  @DisplayName("terminate runs when the supervisor shuts down a server that traps exits")
  void terminateOnShutdown() {
    onNode(inbox -> {
      Pid sup = Supervisor.startLink(Supervisor.oneForOne(),
          ChildSpec.worker("session", () -> Session.startLink("bob", "t0ken", Duration.ofMinutes(5), inbox.pid())));
      Supervisor.stop(sup);
      assertThat(next(inbox)).isEqualTo(new Session.Ended("bob", 0, ExitReason.SHUTDOWN));
    });
  }

  @Test
  @DisplayName("formatStatus keeps the token out of the status")
  void formatStatus() {
    onNode(inbox -> {
      ServerRef<Session.Msg> session = Session.startLink("ada", "s3cret", Duration.ofMinutes(5), inbox.pid());
      Sys.Status status = Sys.getStatus(session);
      assertThat(status.state()).isEqualTo(new Session.State("ada", "<redacted>", 0));
      assertThat(((Session.State) Sys.getState(session)).token()).isEqualTo("s3cret");
      GenServer.stop(session);
    });
  }

  @Test
  @DisplayName("startLink returns before the load; the first call is served after it")
  void continueAfterInit() {
    onNode(inbox -> {
      CountDownLatch loading = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      ServerRef<Catalog.Msg> catalog = Catalog.startLink(() -> {
        loading.countDown();
        try {
          release.await();
        } catch (InterruptedException e) {
          throw new IllegalStateException(e);
        }
        return Map.of("tea", 350);
      });
      // startLink has returned while the load is still blocked
      try {
        loading.await();
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
      // a call made now waits: the continuation runs before any message is handled
      CompletableFuture<Optional<Integer>> price = GuideTestKit.async(() -> Catalog.price(catalog, "tea"));
      await().until(() -> Proc.info(catalog.pid()).orElseThrow().mailboxLength() == 1);
      assertThat(price).isNotDone();
      release.countDown();
      assertThat(price.join()).contains(350);
      assertThat(Catalog.price(catalog, "tea")).contains(350);
    });
  }

  @Test
  @DisplayName("a slow export is handed to another process; the server keeps serving")
  void handOff() {
    onNode(inbox -> {
      ServerRef<Catalog.Msg> catalog = Catalog.startLink(() -> Map.of("tea", 350, "coffee", 420));
      assertThat(Catalog.export(catalog)).isEqualTo("coffee,420\ntea,350\n");
      assertThat(Catalog.price(catalog, "coffee")).contains(420);
    });
  }

  @Test
  @DisplayName("an unknown name fails the call with noproc")
  void unknownName() {
    onNode(inbox -> assertThatThrownBy(() -> KvStore.get(ServerRef.local("nobody"), "x"))
        .isInstanceOfSatisfying(CallException.class, e -> assertThat(e.reason()).isEqualTo(ExitReason.NOPROC)));
  }

  /** A server whose init returns what it is given. */
  static final class Starter extends GenServer<String, String> {
    private final GenServer.Init<String> init;

    Starter(GenServer.Init<String> init) {
      this.init = init;
    }

    @Override
    protected Init<String> init() {
      return init;
    }
  }

  @Test
  @DisplayName("what the starter gets for each init result")
  void initResults(Reports reports) {
    onNode(inbox -> {
      assertThat(Proc.isAlive(GenServer.start(new Starter(GenServer.Init.ok("s"))).pid())).isTrue();
      assertThatThrownBy(() -> GenServer.start(new Starter(GenServer.Init.ignore())))
          .isInstanceOfSatisfying(StartException.class,
              e -> assertThat(e.result()).isEqualTo(new StartResult.Ignored()));
      assertThatThrownBy(() -> GenServer.start(new Starter(GenServer.Init.stop(ExitReason.of("no disk")))))
          .isInstanceOfSatisfying(StartException.class,
              e -> assertThat(e.result()).isEqualTo(new StartResult.Failed(ExitReason.of("no disk"))));
      assertThat(reports.withLabel("crash_report")).as("the report of init stop(no disk)").singleElement()
          .satisfies(r -> assertThat(r.get("reason")).isEqualTo(ExitReason.of("no disk")));
      assertThatThrownBy(() -> GenServer.start(new Starter(GenServer.Init.error(ExitReason.of("no disk")))))
          .isInstanceOfSatisfying(StartException.class,
              e -> assertThat(e.result()).isEqualTo(new StartResult.Failed(ExitReason.of("no disk"))));
      assertThat(reports.withLabel("crash_report")).as("init error exits normal: not reported").hasSize(1);
      ServerRef<KvStore.Msg> holder = KvStore.startLink(ServerRef.local("taken"));
      assertThatThrownBy(() -> KvStore.startLink(ServerRef.local("taken")))
          .isInstanceOfSatisfying(StartException.class,
              e -> assertThat(e.result()).isEqualTo(new StartResult.AlreadyStarted(holder.pid())));
    });
  }

  @Test
  @DisplayName("a cast to a name nobody holds does nothing")
  void castToNobody() {
    onNode(inbox -> KvStore.put(ServerRef.local("nobody"), "k", "v"));
  }
}
