package org.otp4j.behaviours;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.otp4j.behaviours.BehaviourTestKit.WAIT;
import static org.otp4j.behaviours.BehaviourTestKit.await;
import static org.otp4j.behaviours.BehaviourTestKit.awaitDown;
import static org.otp4j.behaviours.BehaviourTestKit.expect;
import static org.otp4j.behaviours.BehaviourTestKit.exitReasonOf;
import static org.otp4j.behaviours.BehaviourTestKit.inProcess;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.otp4j.behaviours.BehaviourTestKit.CaptureReports;
import org.otp4j.behaviours.BehaviourTestKit.Reports;
import org.otp4j.core.Down;
import org.otp4j.core.ExitReason;
import org.otp4j.core.From;
import org.otp4j.core.Inbox;
import org.otp4j.core.Name;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.core.Ref;

/** Starting a GenServer: init results, names, links and monitors: OTP-SEMANTICS G3, G17-G21, Y7. */
@ExtendWith(CaptureReports.class)
class GenServerStartTest {

  static final ExitReason BOOM = ExitReason.of("boom");

  /** What the test server's init does. */
  enum Outcome {
    OK, OK_CONTINUE, OK_TIMEOUT, IGNORE, STOP, ERROR, THROW, EXIT, NULL, BLOCK;

    boolean starts() {
      return this == OK || this == OK_CONTINUE || this == OK_TIMEOUT;
    }
  }

  /** The exception the THROW outcome throws (one instance, to check identity). */
  static final IllegalArgumentException INIT_ERROR = new IllegalArgumentException("bad init");

  /** A server whose init does what {@code outcome} says, recording its pid and each init call. */
  static final class Server extends GenServer<String, String> {
    private final Outcome outcome;
    private final Pid observer;
    private final AtomicReference<Pid> self;
    private final AtomicInteger inits;

    Server(Outcome outcome, Pid observer, AtomicReference<Pid> self, AtomicInteger inits) {
      this.outcome = outcome;
      this.observer = observer;
      this.self = self;
      this.inits = inits;
    }

    Server(Outcome outcome, Pid observer) {
      this(outcome, observer, new AtomicReference<>(), new AtomicInteger());
    }

    @Override
    protected Init<String> init() {
      self.set(Proc.self());
      inits.incrementAndGet();
      return switch (outcome) {
        case OK -> Init.ok("ready");
        case OK_CONTINUE -> Init.ok("ready", Action.continueWith("go"));
        case OK_TIMEOUT -> Init.ok("ready", Action.timeout(Duration.ofMillis(20)));
        case IGNORE -> Init.ignore();
        case STOP -> Init.stop(BOOM);
        case ERROR -> Init.error(BOOM);
        case THROW -> throw INIT_ERROR;
        case EXIT -> {
          Proc.exit(BOOM);
          yield Init.ok("unreachable");
        }
        case NULL -> null;
        case BLOCK -> {
          Proc.receive(m -> false); // init never returns: the start timeout must end it
          yield Init.ok("unreachable");
        }
      };
    }

    @Override
    protected CallResult<String> handleCall(String request, From from, String state) {
      return reply(state, state);
    }

    @Override
    protected CastResult<String> handleContinue(Object continuation, String state) {
      Proc.send(observer, "continued:" + continuation);
      return noReply(state + "+" + continuation);
    }

    @Override
    protected CastResult<String> handleInfo(Object message, String state) {
      if (message instanceof Timeout) {
        Proc.send(observer, "timeout");
      }
      return noReply(state);
    }
  }

  /** The start result expected for a failing outcome. */
  static StartResult expectedResult(Outcome outcome) {
    return switch (outcome) {
      case IGNORE -> new StartResult.Ignored();
      case STOP, ERROR, EXIT -> new StartResult.Failed(BOOM);
      case THROW -> new StartResult.Failed(ExitReason.crash(INIT_ERROR));
      case NULL -> new StartResult.Failed(ExitReason.of(BadReturn.value(null)));
      case BLOCK -> new StartResult.Failed(ExitReason.TIMEOUT);
      default -> throw new IllegalArgumentException(outcome + " starts");
    };
  }

  /** The exit reason of the process of a failing outcome. */
  static ExitReason expectedExit(Outcome outcome) {
    return switch (outcome) {
      case IGNORE, ERROR -> ExitReason.NORMAL;
      case STOP, EXIT -> BOOM;
      case THROW -> ExitReason.crash(INIT_ERROR);
      case NULL -> ExitReason.of(BadReturn.value(null));
      case BLOCK -> ExitReason.KILLED;
      default -> throw new IllegalArgumentException(outcome + " starts");
    };
  }

  /** Whether a failed init with this outcome is reported (a crash_report): unless its exit is orderly or a start timeout (Y6, Y7). */
  static boolean reported(Outcome outcome) {
    return switch (outcome) {
      case STOP, THROW, EXIT, NULL -> true;
      case IGNORE, ERROR, BLOCK -> false;
      default -> throw new IllegalArgumentException(outcome + " starts");
    };
  }

  /** Asserts that {@code failedStarts} failed starts of {@code outcome} logged a crash_report each, or none. */
  static void assertCrashReports(Reports reports, Outcome outcome, int failedStarts) {
    assertThat(reports.withLabel("crash_report")).as("crash reports of %d failed starts with init %s", failedStarts,
        outcome).hasSize(reported(outcome) ? failedStarts : 0).allSatisfy(r -> {
          assertThat(r.get("phase")).isEqualTo("init");
          assertThat(r.get("reason")).isEqualTo(expectedExit(outcome));
        });
  }

  static StartOptions options(Outcome outcome) {
    return outcome == Outcome.BLOCK
        ? StartOptions.defaults().withTimeout(Duration.ofMillis(100)) : StartOptions.defaults();
  }

  @ParameterizedTest(name = "init {0}")
  @EnumSource(value = Outcome.class, names = {"IGNORE", "STOP", "ERROR", "THROW", "EXIT", "NULL", "BLOCK"})
  @DisplayName("G18/Y7: a failing init gives its StartResult in a StartException, and no process is left")
  void failingInit(Outcome outcome, Reports reports) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        int baseline = node.processCount();
        AtomicReference<Pid> self = new AtomicReference<>();
        StartException e = catchThrowableOfType(StartException.class, () ->
            GenServer.start(new Server(outcome, inbox.pid(), self, new AtomicInteger()), options(outcome)));
        assertThat(e).as("GenServer.start with init %s", outcome).isNotNull();
        assertThat(e.result()).isEqualTo(expectedResult(outcome));
        assertThat(e).hasMessageStartingWith("GenServer.start");
        switch (outcome) {
          case IGNORE -> assertThat(e).hasMessageContaining("ignore");
          case THROW -> assertThat(e).hasCause(INIT_ERROR);
          case BLOCK -> assertThat(e).hasMessageContaining("start timeout").hasMessageContaining("killed");
          default -> assertThat(e).hasMessageContaining(((StartResult.Failed) e.result()).reason().toString());
        }
        // The process is gone by the time start returned (OTP 26: start returns after it died).
        assertThat(Proc.isAlive(self.get())).as("the process of a failed start").isFalse();
        assertThat(exitReasonOf(self.get())).isEqualTo(expectedExit(outcome));
        await().until(() -> node.processCount() == baseline);
        assertCrashReports(reports, outcome, 1);
        if (reported(outcome)) {
          assertThat(reports.withLabel("crash_report").getFirst().get("process")).isEqualTo(self.get().toString());
        }
      });
    }
  }

  @ParameterizedTest(name = "init {0}")
  @EnumSource(value = Outcome.class, names = {"IGNORE", "STOP", "ERROR", "THROW", "EXIT", "NULL", "BLOCK"})
  @DisplayName("G18: tryStartLink returns the failing result without throwing")
  void tryStartLinkReturnsTheResult(Outcome outcome, Reports reports) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        StartResult r = inProcess(() -> {
          Proc.trapExits(true);
          return GenServer.tryStartLink(new Server(outcome, inbox.pid()), options(outcome));
        });
        assertThat(r).isEqualTo(expectedResult(outcome));
        assertCrashReports(reports, outcome, 1);
      });
    }
  }

  @ParameterizedTest(name = "init {0}")
  @EnumSource(value = Outcome.class, names = {"OK", "OK_CONTINUE", "OK_TIMEOUT"})
  @DisplayName("G18: init ok, ok+continue, ok+timeout start the server; the action runs")
  void successfulInit(Outcome outcome) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        AtomicReference<Pid> self = new AtomicReference<>();
        Pid s = GenServer.start(new Server(outcome, inbox.pid(), self, new AtomicInteger())).pid();
        assertThat(s).isEqualTo(self.get());
        assertThat(Proc.isAlive(s)).isTrue();
        switch (outcome) {
          case OK_CONTINUE -> {
            expect(inbox, "continued:go");
            assertThat((Object) GenServer.call(s, "get")).isEqualTo("ready+go");
          }
          case OK_TIMEOUT -> expect(inbox, "timeout");
          default -> assertThat((Object) GenServer.call(s, "get")).isEqualTo("ready");
        }
        assertThat(inbox.flush()).isEmpty();
        GenServer.stop(s);
      });
    }
  }

  @ParameterizedTest(name = "init {0}")
  @EnumSource(value = Outcome.class, names = {"IGNORE", "STOP", "ERROR", "THROW", "EXIT", "NULL", "BLOCK"})
  @DisplayName("G19: a failed start releases the name before returning: an immediate restart under it works")
  void nameReleasedOnFailedStart(Outcome outcome, Reports reports) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Name name = Name.local("srv");
        StartException e = catchThrowableOfType(StartException.class, () ->
            GenServer.start(new Server(outcome, inbox.pid()), options(outcome).withName(name)));
        assertThat(e).isNotNull();
        assertThat(Proc.whereis(name)).isEmpty();
        Pid s = GenServer.start(name, new Server(Outcome.OK, inbox.pid())).pid();
        assertThat(Proc.whereis(name)).contains(s);
        GenServer.stop(name);
        // And from a linked, trapping process, the same.
        Pid again = inProcess(() -> {
          Proc.trapExits(true);
          StartResult r = GenServer.tryStartLink(new Server(outcome, inbox.pid()), options(outcome).withName(name));
          assertThat(r).isEqualTo(expectedResult(outcome));
          Pid p = GenServer.startLink(name, new Server(Outcome.OK, inbox.pid())).pid();
          Proc.unlink(p);
          return p;
        });
        assertThat(Proc.whereis(name)).contains(again);
        GenServer.stop(again);
        assertCrashReports(reports, outcome, 2);
      });
    }
  }

  @Test
  @DisplayName("G19: the name is free when a failed start returns, even when the process is slow to finish exiting")
  void nameReleasedOnFailedStartRepeated(Reports reports) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        org.otp4j.core.Registry registry = org.otp4j.core.Registry.unique("many-keys");
        Name name = Name.local("contested");
        for (int i = 0; i < 20; i++) {
          int round = i;
          StartException e = catchThrowableOfType(StartException.class, () -> GenServer.start(
              new GenServer<Integer, String>() {
                @Override
                protected Init<Integer> init() {
                  for (int k = 0; k < 5_000; k++) {
                    registry.register(round + ":" + k, k); // a slow exit: many entries to release
                  }
                  return Init.stop(BOOM);
                }
              }, StartOptions.defaults().withName(name)));
          assertThat(e.result()).isEqualTo(new StartResult.Failed(BOOM));
          Pid s = GenServer.start(name, new Server(Outcome.OK, inbox.pid())).pid();
          assertThat(Proc.whereis(name)).contains(s);
          GenServer.stop(s);
        }
        assertCrashReports(reports, Outcome.STOP, 20);
      });
    }
  }

  @Test
  @DisplayName("G18: a taken name gives AlreadyStarted with the running pid; the second init is not called")
  void alreadyStarted() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Name name = Name.local("only");
        AtomicInteger inits = new AtomicInteger();
        Pid first = GenServer.start(new Server(Outcome.OK, inbox.pid(), new AtomicReference<>(), inits),
            StartOptions.defaults().withName(name)).pid();
        int baseline = node.processCount();
        StartException e = catchThrowableOfType(StartException.class, () -> GenServer.start(
            new Server(Outcome.OK, inbox.pid(), new AtomicReference<>(), inits), StartOptions.defaults().withName(name)));
        assertThat(e).isNotNull();
        assertThat(e.result()).isEqualTo(new StartResult.AlreadyStarted(first));
        assertThat(e).hasMessageContaining("already registered to " + first);
        StartResult linked = inProcess(() -> GenServer.tryStartLink(
            new Server(Outcome.OK, inbox.pid(), new AtomicReference<>(), inits), StartOptions.defaults().withName(name)));
        assertThat(linked).isEqualTo(new StartResult.AlreadyStarted(first));
        List<Object> left = inProcess(() -> {
          Proc.trapExits(true);
          assertThat(GenServer.tryStartLink(new Server(Outcome.OK, inbox.pid(), new AtomicReference<>(), inits),
              StartOptions.defaults().withName(name))).isEqualTo(new StartResult.AlreadyStarted(first));
          return Proc.flush();
        });
        assertThat(left).as("a trapping caller's mailbox after AlreadyStarted").isEmpty();
        assertThat(inits).as("init calls").hasValue(1);
        assertThat(Proc.whereis(name)).contains(first);
        await().until(() -> node.processCount() == baseline);
        GenServer.stop(first);
      });
    }
  }

  @ParameterizedTest(name = "init {0}")
  @EnumSource(value = Outcome.class, names = {"IGNORE", "STOP", "ERROR", "THROW", "EXIT", "NULL", "BLOCK"})
  @DisplayName("G20: a trapping caller of a failed startLink finds no exit message left and stays alive")
  void startLinkFailureTrappingCaller(Outcome outcome, Reports reports) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        List<Object> left = inProcess(() -> {
          Proc.trapExits(true);
          StartException e = catchThrowableOfType(StartException.class, () ->
              GenServer.startLink(new Server(outcome, inbox.pid()), options(outcome)));
          assertThat(e.result()).isEqualTo(expectedResult(outcome));
          return Proc.flush();
        });
        assertThat(left).as("the trapping caller's mailbox after a failed startLink").isEmpty();
        assertCrashReports(reports, outcome, 1);
      });
    }
  }

  @Test
  @DisplayName("G20: a failed startLink returns only after the exit message is consumed, even when the process is slow to finish exiting")
  void startLinkFailureLeavesNoExitMessageRepeated(Reports reports) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        org.otp4j.core.Registry registry = org.otp4j.core.Registry.unique("many-keys");
        List<Object> leftovers = inProcess(() -> {
          Proc.trapExits(true);
          List<Object> found = new java.util.ArrayList<>();
          for (int i = 0; i < 100; i++) {
            int round = i;
            StartResult r = GenServer.tryStartLink(new GenServer<Integer, String>() {
              @Override
              protected Init<Integer> init() {
                // Many registry entries: releasing them at exit takes a while, before the exit
                // signals go out (names first, then links: P5/P23).
                for (int k = 0; k < 5_000; k++) {
                  registry.register(round + ":" + k, k);
                }
                return Init.stop(BOOM);
              }
            }, StartOptions.defaults());
            assertThat(r).isEqualTo(new StartResult.Failed(BOOM));
            found.addAll(Proc.flush()); // must be empty: the start has returned
          }
          return found;
        });
        assertThat(leftovers).as("exit messages left in the trapping caller's mailbox by 100 failed startLinks")
            .isEmpty();
        assertCrashReports(reports, Outcome.STOP, 100);
      });
    }
  }

  @ParameterizedTest(name = "init {0}")
  @EnumSource(value = Outcome.class, names = {"IGNORE", "STOP", "ERROR", "THROW", "EXIT", "NULL", "BLOCK"})
  @DisplayName("G20: a non-trapping caller of a failed startLink is killed by the link unless the reason is normal")
  void startLinkFailureNonTrappingCaller(Outcome outcome, Reports reports) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid caller = Proc.spawn(() -> {
          Proc.receive(m -> m.equals("go"));
          try {
            GenServer.startLink(new Server(outcome, inbox.pid()), options(outcome));
            Proc.send(inbox.pid(), "started?!");
          } catch (StartException e) {
            Proc.send(inbox.pid(), e.result());
          }
          Proc.receive(m -> m.equals("done"));
        });
        Ref ref = inbox.monitor(caller);
        inbox.send(caller, "go");
        ExitReason exit = expectedExit(outcome);
        // A start timeout is not a failure of the caller: OTP's proc_lib unlinks the child before
        // killing it (kill_flush/1), so the caller gets {error, timeout} and lives on (Y7).
        if (exit.isNormal() || outcome == Outcome.BLOCK) {
          assertThat(expect(inbox, m -> m instanceof StartResult || m instanceof Down, "the start result"))
              .as("what the non-trapping caller saw").isEqualTo(expectedResult(outcome));
          assertThat(Proc.isAlive(caller)).isTrue();
          inbox.send(caller, "done");
          assertThat(awaitDown(inbox, ref)).isEqualTo(ExitReason.NORMAL);
        } else {
          assertThat(awaitDown(inbox, ref)).as("the caller's exit reason").isEqualTo(exit);
        }
        assertCrashReports(reports, outcome, 1);
      });
    }
  }

  @Test
  @DisplayName("G17: startLink from a process links the server to it; start does not link; the parent is recorded")
  void startLinkLinks() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        record Started(Pid caller, Pid linked, Pid unlinked) {}
        Started r = inProcess(() -> new Started(Proc.self(),
            GenServer.startLink(new Server(Outcome.OK, inbox.pid())).pid(),
            GenServer.start(new Server(Outcome.OK, inbox.pid())).pid()));
        // The caller has ended (normal): the linked server is not affected, but was linked.
        assertThat(Proc.isAlive(r.linked())).isTrue();
        assertThat(Sys.getStatus(r.linked()).parent()).isEqualTo(r.caller());
        assertThat(Sys.getStatus(r.unlinked()).parent()).isEqualTo(r.unlinked());
        assertThat(Proc.info(r.unlinked()).orElseThrow().links()).isEmpty();
        GenServer.stop(r.linked());
        GenServer.stop(r.unlinked());
        // A linked server dies with its non-normally ending caller.
        Pid server = inProcess(() -> {
          Pid p = GenServer.startLink(new Server(Outcome.OK, inbox.pid())).pid();
          assertThat(Proc.info(p).orElseThrow().links()).containsExactly(Proc.self());
          return p;
        });
        assertThat(Proc.isAlive(server)).isTrue();
        Pid doomed = Proc.spawn(() -> {
          Pid p = GenServer.startLink(new Server(Outcome.OK, inbox.pid())).pid();
          Proc.send(inbox.pid(), p);
          Proc.exit(BOOM);
        });
        Pid linkedServer = (Pid) expect(inbox, m -> m instanceof Pid, "the server pid");
        assertThat(exitReasonOf(doomed)).isEqualTo(BOOM);
        assertThat(exitReasonOf(linkedServer)).isEqualTo(BOOM);
        GenServer.stop(server);
      });
    }
  }

  @Test
  @DisplayName("G17/G21: startMonitor returns pid and monitor; a failed startMonitor leaves no Down behind")
  void startMonitor(Reports reports) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        List<Object> left = inProcess(() -> {
          GenServer.Monitored m = GenServer.startMonitor(new Server(Outcome.OK, inbox.pid()), StartOptions.defaults());
          assertThat(m.ref()).isNotNull();
          GenServer.stop(m.server());
          Object down = Proc.receive(x -> x instanceof Down, WAIT).orElseThrow();
          assertThat(down).isEqualTo(new Down(m.ref(), m.server().pid(), ExitReason.NORMAL));
          for (Outcome failing : List.of(Outcome.STOP, Outcome.IGNORE, Outcome.THROW, Outcome.BLOCK)) {
            StartException e = catchThrowableOfType(StartException.class, () ->
                GenServer.startMonitor(new Server(failing, inbox.pid()), options(failing)));
            assertThat(e.result()).isEqualTo(expectedResult(failing));
          }
          return Proc.flush();
        });
        assertThat(left).as("mailbox after failed startMonitor calls").isEmpty();
        assertThat(reports.withLabel("crash_report")).as("crash reports of init stop and init throw")
            .extracting(r -> r.get("reason")).containsExactly(BOOM, ExitReason.crash(INIT_ERROR));
      });
    }
  }

  @Test
  @DisplayName("G17/G19: a via name (a unique Registry): start, call by name, already started, released on failure and on stop")
  void viaName(Reports reports) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        org.otp4j.core.Registry registry = org.otp4j.core.Registry.unique("servers");
        Name name = Name.via(registry, "svc");
        StartException failed = catchThrowableOfType(StartException.class,
            () -> GenServer.start(new Server(Outcome.STOP, inbox.pid()), StartOptions.defaults().withName(name)));
        assertThat(failed.result()).isEqualTo(expectedResult(Outcome.STOP));
        assertThat(registry.whereisName("svc")).isEmpty();
        assertThat(reports.withLabel("crash_report")).singleElement()
            .satisfies(r -> assertThat(String.valueOf(r.get("process"))).startsWith(name + " ("));
        Pid s = GenServer.start(name, new Server(Outcome.OK, inbox.pid())).pid();
        assertThat(registry.whereisName("svc")).contains(s);
        assertThat((Object) GenServer.call(name, "get")).isEqualTo("ready");
        StartException taken = catchThrowableOfType(StartException.class,
            () -> GenServer.start(name, new Server(Outcome.OK, inbox.pid())));
        assertThat(taken.result()).isEqualTo(new StartResult.AlreadyStarted(s));
        GenServer.stop(name);
        assertThat(registry.whereisName("svc")).isEmpty();
        assertThat(catchThrowableOfType(org.otp4j.core.CallException.class, () -> GenServer.call(name, "get")).reason())
            .isEqualTo(ExitReason.NOPROC);
      });
    }
  }

  @Test
  @DisplayName("G21: a failed startMonitor leaves no Down behind, even when the process is slow to finish exiting")
  void startMonitorFailureLeavesNoDownRepeated(Reports reports) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        org.otp4j.core.Registry registry = org.otp4j.core.Registry.unique("many-keys");
        List<Object> leftovers = inProcess(() -> {
          List<Object> found = new java.util.ArrayList<>();
          for (int i = 0; i < 100; i++) {
            int round = i;
            StartException e = catchThrowableOfType(StartException.class, () -> GenServer.startMonitor(
                new GenServer<Integer, String>() {
                  @Override
                  protected Init<Integer> init() {
                    for (int k = 0; k < 5_000; k++) {
                      registry.register(round + ":" + k, k);
                    }
                    return Init.stop(BOOM);
                  }
                }, StartOptions.defaults()));
            assertThat(e.result()).isEqualTo(new StartResult.Failed(BOOM));
            found.addAll(Proc.flush());
          }
          return found;
        });
        assertThat(leftovers).as("down messages left by 100 failed startMonitors").isEmpty();
        assertCrashReports(reports, Outcome.STOP, 100);
      });
    }
  }

  @Test
  @DisplayName("G3: init sends itself a message and returns continue: handleContinue runs first")
  void continueRunsBeforeQueuedMessage() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid s = GenServer.start(new GenServer<List<String>, String>() {
          @Override
          protected Init<List<String>> init() {
            Proc.send(Proc.self(), "queued-during-init");
            GenServer.cast(Proc.self(), "cast-during-init");
            return Init.ok(List.of(), Action.continueWith("first"));
          }

          @Override
          protected CastResult<List<String>> handleContinue(Object c, List<String> seen) {
            List<String> next = append(seen, "continue:" + c);
            // Continues chain: a second one still runs before the queued messages.
            return c.equals("first") ? noReply(next, Action.continueWith("second")) : noReply(next);
          }

          @Override
          protected CastResult<List<String>> handleInfo(Object m, List<String> seen) {
            return noReply(append(seen, "info:" + m));
          }

          @Override
          protected CastResult<List<String>> handleCast(String m, List<String> seen) {
            return noReply(append(seen, "cast:" + m));
          }

          @Override
          protected CallResult<List<String>> handleCall(String m, From from, List<String> seen) {
            return reply(seen, seen);
          }

          private List<String> append(List<String> l, String s) {
            return java.util.stream.Stream.concat(l.stream(), java.util.stream.Stream.of(s)).toList();
          }
        }).pid();
        @SuppressWarnings("unchecked")
      List<Object> seen = (List<Object>) GenServer.call(s, "get");
        assertThat(seen).containsExactly("continue:first", "continue:second", "info:queued-during-init",
            "cast:cast-during-init");
        GenServer.stop(s);
      });
    }
  }
}
