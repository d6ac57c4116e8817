package org.otp4j.behaviours.guide;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.otp4j.behaviours.guide.GuideTestKit.await;
import static org.otp4j.behaviours.guide.GuideTestKit.exitReason;
import static org.otp4j.behaviours.guide.GuideTestKit.next;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.otp4j.behaviours.BehaviourTestKit;
import org.otp4j.behaviours.BehaviourTestKit.CaptureReports;
import org.otp4j.behaviours.BehaviourTestKit.Reports;
import org.otp4j.behaviours.ChildSpec;
import org.otp4j.behaviours.DynamicSupervisor;
import org.otp4j.behaviours.GenServer;
import org.otp4j.behaviours.StartException;
import org.otp4j.behaviours.StartResult;
import org.otp4j.behaviours.Supervisor;
import org.otp4j.core.CallException;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Inbox;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.core.ServerRef;
import org.otp4j.core.SpawnOptions;

@DisplayName("Guide, chapter 4: supervision")
@ExtendWith(CaptureReports.class)
class SupervisionTest {

  private static void onNode(Consumer<Inbox> test) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> test.accept(inbox));
    }
  }

  private static Map<Object, Pid> children(Pid sup) {
    return Supervisor.whichChildren(sup).stream()
        .filter(c -> c.pid() != null)
        .collect(Collectors.toMap(Supervisor.Child::id, Supervisor.Child::pid));
  }

  /** The child ids of the child_terminated reports so far, with their reasons, as "id:reason". */
  private static List<String> terminated(Reports reports) {
    return reports.supervisorReports("child_terminated").stream()
        .map(r -> r.get("childId") + ":" + r.get("reason")).toList();
  }

  /** Waits until the child {@code id} runs with a pid other than {@code old}; returns it. */
  private static Pid restarted(Pid sup, Object id, Pid old) {
    await().until(() -> {
      Pid now = children(sup).get(id);
      return now != null && !now.equals(old);
    });
    return children(sup).get(id);
  }

  @Test
  @DisplayName("the tree starts its children; a crashed store comes back with a new pid and a fresh state")
  void tree(Reports reports) {
    onNode(inbox -> {
      Pid top = Supervision.startTree();
      assertThat(children(top).keySet()).containsExactlyInAnyOrder("store", "rooms");
      KvStore.put(Supervision.STORE, "k", "v");
      Pid before = Supervision.STORE.pid();
      Proc.exit(before, ExitReason.of("boom"));
      Pid after = restarted(top, "store", before);
      assertThat(Supervision.STORE.pid()).isEqualTo(after);
      assertThat(KvStore.get(Supervision.STORE, "k")).as("the new store starts empty").isEmpty();
      assertThat(terminated(reports)).containsExactly("store:boom");
      Supervisor.stop(top);
    });
  }

  @Test
  @DisplayName("rooms: one process per room, found by name; a crashed room is restarted under its name")
  void rooms(Reports reports) {
    onNode(inbox -> {
      Pid top = Supervision.startTree();
      Pid lobby = Rooms.open("lobby").pid();
      assertThat(Rooms.open("lobby").pid()).isEqualTo(lobby);
      assertThat(Room.join("lobby", "ada")).containsExactly("ada");
      Proc.exit(lobby, ExitReason.of("boom"));
      await().until(() -> Room.ROOMS.lookup("lobby").stream().anyMatch(e -> !e.pid().equals(lobby)));
      assertThat(Room.members("lobby")).isEmpty();
      assertThat(reports.supervisorReports("child_terminated")).singleElement()
          .satisfies(r -> assertThat(r.get("pid")).isEqualTo(lobby));
      Supervisor.stop(top);
      assertThat(Room.ROOMS.lookup("lobby")).isEmpty();
    });
  }

  @ParameterizedTest(name = "{0}: crashing b restarts {1}")
  @CsvSource({"ONE_FOR_ONE, b", "ONE_FOR_ALL, a b c", "REST_FOR_ONE, b c"})
  @DisplayName("the strategies decide which siblings restart with the one that crashed")
  void strategies(Supervisor.Strategy strategy, String restartedIds, Reports reports) {
    onNode(inbox -> {
      Supervisor.Flags flags = new Supervisor.Flags(strategy, 1, Duration.ofSeconds(5), Supervisor.AutoShutdown.NEVER);
      Pid sup = Supervisor.startLink(flags, ChildSpec.worker("a", KvStore::startLink),
          ChildSpec.worker("b", KvStore::startLink), ChildSpec.worker("c", KvStore::startLink));
      Map<Object, Pid> before = children(sup);
      Proc.exit(before.get("b"), ExitReason.of("boom"));
      restarted(sup, "b", before.get("b"));
      Map<Object, Pid> after = children(sup);
      List<String> changed = List.of("a", "b", "c").stream()
          .filter(id -> !after.get(id).equals(before.get(id))).toList();
      assertThat(String.join(" ", changed)).isEqualTo(restartedIds);
      assertThat(terminated(reports)).as("only the crash is reported").containsExactly("b:boom");
      Supervisor.stop(sup);
    });
  }

  @Test
  @DisplayName("more restarts than the intensity within the period: the supervisor gives up with shutdown")
  void intensity(Reports reports) {
    onNode(inbox -> {
      Pid sup = Supervisor.startLink(Supervisor.oneForOne().withIntensity(2, Duration.ofMinutes(1)),
          ChildSpec.worker("store", KvStore::startLink));
      inbox.monitor(sup);
      for (int i = 0; i < 2; i++) {
        Pid child = children(sup).get("store");
        Proc.exit(child, ExitReason.of("boom"));
        restarted(sup, "store", child);
      }
      Proc.exit(children(sup).get("store"), ExitReason.of("boom"));
      assertThat(exitReason(sup)).isEqualTo(ExitReason.SHUTDOWN);
      assertThat(terminated(reports)).containsExactly("store:boom", "store:boom", "store:boom");
      assertThat(reports.supervisorReports("shutdown")).hasSize(1);
    });
  }

  @Test
  @DisplayName("OTP's default intensity, 1 restart in 5 seconds: the second crash ends the supervisor")
  void defaultIntensity(Reports reports) {
    onNode(inbox -> {
      Duration period = Duration.ofSeconds(5);
      Pid sup = Supervisor.startLink(Supervisor.oneForOne(), ChildSpec.worker("store", KvStore::startLink));
      Pid child = children(sup).get("store");
      long[] previousCrash = {System.nanoTime()};
      Proc.exit(child, ExitReason.of("boom"));
      Pid[] current = {restarted(sup, "store", child)};
      // The second crash within 5 s ends the supervisor. Only if it came a whole period after the
      // first (a very slow machine) may the supervisor restart the child instead; then a third is tried.
      BehaviourTestKit.untilUndisturbed("a second crash within the default period", () -> {
        long crash = System.nanoTime();
        Proc.exit(current[0], ExitReason.of("boom"));
        Map<Object, Pid> now;
        try {
          now = children(sup); // served after the supervisor dealt with the crash
        } catch (CallException gaveUp) {
          return true;
        }
        assertThat(BehaviourTestKit.within(previousCrash[0], period))
            .as("the supervisor restarted a second time within %s", period).isFalse();
        previousCrash[0] = crash;
        current[0] = now.get("store");
        return false;
      });
      assertThat(exitReason(sup)).isEqualTo(ExitReason.SHUTDOWN);
      assertThat(terminated(reports)).hasSizeGreaterThanOrEqualTo(2).containsOnly("store:boom");
      assertThat(reports.supervisorReports("shutdown")).hasSize(1);
    });
  }

  /** A worker that exits with the reason it is told. */
  static final class Quitter extends GenServer<String, ExitReason> {
    static ServerRef<ExitReason> startLink() {
      return GenServer.startLink(new Quitter());
    }

    @Override
    protected Init<String> init() {
      return Init.ok("");
    }

    @Override
    protected CastResult<String> handleCast(ExitReason reason, String state) {
      return stop(reason, state);
    }
  }

  @ParameterizedTest(name = "{0} child exiting {1}: restarted {2}")
  @CsvSource({
      "PERMANENT, normal, true", "PERMANENT, crash, true",
      "TRANSIENT, normal, false", "TRANSIENT, shutdown, false", "TRANSIENT, crash, true",
      "TEMPORARY, normal, false", "TEMPORARY, crash, false"})
  @DisplayName("restart types: permanent always, transient after an abnormal exit, temporary never")
  void restartTypes(ChildSpec.Restart restart, String how, boolean restartedExpected, Reports reports) {
    onNode(inbox -> {
      Pid sup = Supervisor.startLink(Supervisor.oneForOne().withIntensity(5, Duration.ofSeconds(5)),
          ChildSpec.worker("q", Quitter::startLink).withRestart(restart),
          ChildSpec.worker("marker", KvStore::startLink));
      Pid q = children(sup).get("q");
      ExitReason reason = switch (how) {
        case "normal" -> ExitReason.NORMAL;
        case "shutdown" -> ExitReason.shutdown("done");
        default -> ExitReason.of("crash");
      };
      GenServer.cast(q, reason);
      assertThat(exitReason(q)).isEqualTo(reason);
      if (restartedExpected) {
        restarted(sup, "q", q);
      } else {
        // the supervisor handles the exit before this call, which comes after it
        await().until(() -> !q.equals(children(sup).get("q")));
        assertThat(children(sup)).doesNotContainKey("q");
        boolean specKept = Supervisor.getChildSpec(sup, "q").isPresent();
        assertThat(specKept).as("spec kept").isEqualTo(restart != ChildSpec.Restart.TEMPORARY);
      }
      // A crash is reported by the server and by the supervisor; a permanent child's normal exit by the
      // supervisor only (it is restarted); the other orderly exits not at all.
      boolean crash = how.equals("crash");
      assertThat(reports.withLabel("gen_server_terminate")).hasSize(crash ? 1 : 0);
      assertThat(terminated(reports)).hasSize(crash || restart == ChildSpec.Restart.PERMANENT ? 1 : 0);
      Supervisor.stop(sup);
    });
  }

  @Test
  @DisplayName("the child specs of the chapter have the restart and shutdown they claim")
  void specs() {
    onNode(inbox -> {
      List<ChildSpec> specs = Supervision.specs(inbox.pid(), true);
      assertThat(specs).extracting(ChildSpec::restart).containsExactly(ChildSpec.Restart.PERMANENT,
          ChildSpec.Restart.TRANSIENT, ChildSpec.Restart.TEMPORARY, ChildSpec.Restart.PERMANENT);
      assertThat(specs).extracting(ChildSpec::shutdown).containsExactly(
          ChildSpec.Shutdown.timeout(Duration.ofSeconds(5)), ChildSpec.Shutdown.timeout(Duration.ofSeconds(1)),
          ChildSpec.Shutdown.brutalKill(), ChildSpec.Shutdown.infinity());
      Pid sup = Supervisor.startLink(Supervisor.oneForOne(), specs.toArray(ChildSpec[]::new));
      await().until(() -> !children(sup).containsKey("warm-up")); // the temporary one ended and is gone
      Supervisor.stop(sup);
      assertThat(next(inbox)).as("the session's terminate ran on shutdown")
          .isEqualTo(new Session.Ended("ada", 0, ExitReason.SHUTDOWN));
    });
  }

  @Test
  @DisplayName("a start function that returns StartResult.ignore() starts nothing; a temporary child's spec goes")
  void ignoredChild() {
    onNode(inbox -> {
      Pid sup = Supervisor.startLink(Supervisor.oneForOne(), Supervision.specs(inbox.pid(), false)
          .toArray(ChildSpec[]::new));
      assertThat(children(sup).keySet()).containsExactlyInAnyOrder("store", "session", "rooms");
      assertThat(Supervisor.getChildSpec(sup, "warm-up")).as("a temporary child that was ignored").isEmpty();
      assertThat(Supervisor.startChild(sup, ChildSpec.worker("later", StartResult::ignore)))
          .isEqualTo(new StartResult.Ignored());
      assertThat(Supervisor.getChildSpec(sup, "later")).as("a permanent child that was ignored").isPresent();
      assertThat(Supervision.ensureRunning(sup, "later")).isEqualTo("its start function ignored it");
      Supervisor.stop(sup);
    });
  }

  @Test
  @DisplayName("a start function's error, and what restartChild answers in each case")
  void restartChildResults() {
    onNode(inbox -> {
      Pid sup = Supervisor.startLink(Supervisor.oneForOne(), ChildSpec.worker("store", KvStore::startLink));
      assertThat(Supervision.ensureRunning(sup, "store")).isEqualTo("it is running");
      assertThat(Supervision.ensureRunning(sup, "nothing")).isEqualTo("no child nothing");
      assertThat(Supervisor.terminateChild(sup, "store")).isEqualTo(new Supervisor.Terminated());
      assertThat(Supervision.ensureRunning(sup, "store")).startsWith("restarted as <");
      ChildSpec broken = ChildSpec.worker("broken", () -> StartResult.error(ExitReason.of("no database")));
      assertThat(Supervisor.startChild(sup, broken)).isEqualTo(new StartResult.Failed(ExitReason.of("no database")));
      Pid dynamic = Rooms.startLink();
      assertThat(Supervision.ensureRunning(dynamic, "lobby")).startsWith("a dynamic supervisor");
      Supervisor.stop(dynamic);
      Supervisor.stop(sup);
    });
  }

  @Test
  @DisplayName("a child that ignores the shutdown signal is killed after its shutdown timeout")
  void shutdownTimeout(Reports reports) {
    onNode(inbox -> {
      ChildSpec stubborn = ChildSpec.worker("stubborn", () -> Proc.spawnLink(
              SpawnOptions.defaults().withTrapExits(true), () -> Proc.receive(m -> false)))
          .withShutdown(ChildSpec.Shutdown.timeout(Duration.ofMillis(50)));
      Pid sup = Supervisor.startLink(Supervisor.oneForOne(), stubborn);
      Pid child = children(sup).get("stubborn");
      assertThat(Supervisor.terminateChild(sup, "stubborn")).isEqualTo(new Supervisor.Terminated());
      assertThat(exitReason(child)).isEqualTo(ExitReason.KILLED);
      assertThat(reports.supervisorReports("shutdown_error")).singleElement()
          .satisfies(r -> assertThat(r.get("reason")).isEqualTo(ExitReason.KILLED));
      Supervisor.stop(sup);
    });
  }

  @Test
  @DisplayName("a job supervisor with a significant child ends when the import ends normally")
  void significantChild() {
    onNode(inbox -> {
      CountDownLatch done = new CountDownLatch(1);
      Pid job = Supervision.startImportJob(() -> {
        try {
          done.await();
        } catch (InterruptedException e) {
          throw new IllegalStateException(e);
        }
      });
      assertThat(children(job).keySet()).containsExactlyInAnyOrder("progress", "import");
      assertThat(Proc.isAlive(job)).isTrue();
      done.countDown();
      assertThat(exitReason(job)).isEqualTo(ExitReason.SHUTDOWN);
    });
  }

  @Test
  @DisplayName("the supervisor API: start, terminate, restart, count, delete, which")
  void api() {
    onNode(inbox -> {
      Pid sup = Supervisor.startLink(Supervisor.oneForOne(), ChildSpec.supervisor("rooms", Rooms::startLink));
      List<Object> r = Supervision.api(sup);
      assertThat(r.get(0)).isInstanceOf(StartResult.Started.class);
      Pid first = ((StartResult.Started) r.get(0)).pid();
      assertThat(r.get(1)).isEqualTo(new StartResult.AlreadyStarted(first));
      assertThat(r.get(2)).isEqualTo(new Supervisor.Terminated());
      assertThat(r.get(3)).isInstanceOfSatisfying(StartResult.Started.class,
          s -> assertThat(s.pid()).isNotEqualTo(first));
      assertThat(r.get(4)).isEqualTo(new Supervisor.Counts(2, 2, 1, 1));
      assertThat(r.get(5)).isEqualTo(new Supervisor.Terminated());
      assertThat(r.get(6)).isEqualTo(new Supervisor.Deleted());
      assertThat(r.get(7)).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.LIST)
          .singleElement().isInstanceOfSatisfying(Supervisor.Child.class, c -> {
            assertThat(c.id()).isEqualTo("rooms");
            assertThat(c.state()).isEqualTo(Supervisor.ChildState.RUNNING);
            assertThat(c.type()).isEqualTo(ChildSpec.Type.SUPERVISOR);
          });
      Supervisor.stop(sup);
    });
  }

  @Test
  @DisplayName("rest_for_one: a crash of the store restarts the rooms; a crash of the rooms leaves the store")
  void chatSupervisor(Reports reports) {
    onNode(inbox -> {
      Pid top = Supervisor.startLink(new Supervision.ChatSupervisor());
      Map<Object, Pid> before = children(top);
      // a supervisor traps exits: an exit signal from a stranger is ignored, so kill it
      Proc.exit(before.get("rooms"), ExitReason.of("boom"));
      assertThat(Supervisor.countChildren(before.get("rooms")).active()).isZero(); // served after the signal
      assertThat(Proc.isAlive(before.get("rooms"))).isTrue();
      Proc.exit(before.get("rooms"), ExitReason.KILL);
      Pid rooms = restarted(top, "rooms", before.get("rooms"));
      assertThat(children(top).get("store")).isEqualTo(before.get("store"));
      Proc.exit(before.get("store"), ExitReason.of("boom"));
      restarted(top, "store", before.get("store"));
      assertThat(children(top).get("rooms")).isNotEqualTo(rooms);
      assertThat(terminated(reports)).containsExactly("rooms:killed", "store:boom");
      Supervisor.stop(top);
    });
  }

  @Test
  @DisplayName("Supervisor.of and tryStartLink: a named tree started without throwing; a second start finds it")
  void supervisorOf() {
    onNode(inbox -> {
      StartResult first = Supervision.tryStartChat();
      assertThat(first).isInstanceOf(StartResult.Started.class);
      Pid chat = ((StartResult.Started) first).pid();
      assertThat(Proc.whereis("chat")).contains(chat);
      assertThat(children(chat).keySet()).containsExactlyInAnyOrder("store", "rooms");
      assertThat(Supervision.tryStartChat()).isEqualTo(new StartResult.AlreadyStarted(chat));
      Supervisor.stop(chat);
    });
  }

  @Test
  @DisplayName("a child that fails to start fails the supervisor's start with failed_to_start_child")
  void failedToStartChild(Reports reports) {
    onNode(inbox -> {
      assertThatThrownBy(() -> Supervisor.startLink(Supervisor.oneForOne(),
              ChildSpec.worker("store", KvStore::startLink),
              ChildSpec.worker("broken", () -> {
                throw new IllegalStateException("no database");
              })))
          .isInstanceOfSatisfying(StartException.class, e -> {
            ExitReason reason = ((StartResult.Failed) e.result()).reason();
            assertThat(reason.toString()).startsWith("{shutdown,{failed_to_start_child,broken,")
                .contains("no database");
          });
      assertThat(reports.supervisorReports("start_error")).singleElement()
          .satisfies(r -> assertThat(r.get("childId")).isEqualTo("broken"));
    });
  }


  @Test
  @DisplayName("a dynamic supervisor refuses children past its maximum")
  void maxChildren() {
    onNode(inbox -> {
      Pid sup = DynamicSupervisor.startLink(DynamicSupervisor.Options.defaults().withMaxChildren(1),
          DynamicSupervisor.Template.worker((String room) -> Room.startLink(room)));
      assertThat(DynamicSupervisor.startChildWith(sup, "one")).isInstanceOf(StartResult.Started.class);
      assertThat(DynamicSupervisor.startChildWith(sup, "two")).isEqualTo(new DynamicSupervisor.MaxChildren());
      Supervisor.stop(sup);
    });
  }

  @Test
  @DisplayName("a permanent child cannot be significant")
  void permanentCannotBeSignificant() {
    assertThatThrownBy(() -> ChildSpec.worker("w", KvStore::startLink).withSignificant(true))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("a permanent child cannot be significant");
  }
}
