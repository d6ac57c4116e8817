package org.otp4j.behaviours;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.otp4j.behaviours.BehaviourTestKit.callFails;
import static org.otp4j.behaviours.BehaviourTestKit.expect;
import static org.otp4j.behaviours.BehaviourTestKit.exitReasonOf;
import static org.otp4j.behaviours.BehaviourTestKit.inProcess;
import static org.otp4j.behaviours.BehaviourTestKit.staysTrue;

import ch.qos.logback.classic.spi.ILoggingEvent;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.otp4j.behaviours.BehaviourTestKit.CaptureReports;
import org.otp4j.behaviours.BehaviourTestKit.Reports;
import org.otp4j.core.CallException;
import org.otp4j.core.ExitReason;
import org.otp4j.core.From;
import org.otp4j.core.Inbox;
import org.otp4j.core.Name;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;

/**
 * GenServer crash reports, as structured SLF4J key-value pairs on logger
 * {@code org.otp4j.behaviours.Reports}: OTP-SEMANTICS G25-G27, Y6, Y8.
 */
@ExtendWith(CaptureReports.class)
class GenServerReportTest {

  /** The state of the test server: a secret that formatStatus must hide. */
  record Account(String user, String password) {}

  sealed interface Req {
    record Crash(String message) implements Req {}

    record Stop(ExitReason reason) implements Req {}

    record Block() implements Req {}
  }

  /** How the test server formats its status. */
  enum Format { AS_IS, REDACT, THROW }

  static final class Server extends GenServer<Account, Req> {
    private final Format format;
    private final Pid observer;
    private final RuntimeException terminateError;

    Server(Format format, Pid observer, RuntimeException terminateError) {
      this.format = format;
      this.observer = observer;
      this.terminateError = terminateError;
    }

    Server(Format format, Pid observer) {
      this(format, observer, null);
    }

    @Override
    protected Init<Account> init() {
      return Init.ok(new Account("ann", "hunter2"));
    }

    @Override
    protected CallResult<Account> handleCall(Req req, From from, Account s) {
      return switch (req) {
        case Req.Crash(String message) -> throw new IllegalStateException(message);
        case Req.Stop(ExitReason reason) -> stop(reason, s);
        case Req.Block b -> {
          Proc.send(observer, "blocked");
          Proc.receive(m -> false);
          yield reply("unreachable", s);
        }
      };
    }

    @Override
    protected CastResult<Account> handleCast(Req req, Account s) {
      return switch (req) {
        case Req.Crash(String message) -> throw new IllegalStateException(message);
        case Req.Stop(ExitReason reason) -> stop(reason, s);
        case Req.Block b -> noReply(s);
      };
    }

    @Override
    protected void terminate(ExitReason reason, Account s) {
      if (terminateError != null) {
        throw terminateError;
      }
    }

    @Override
    protected Status formatStatus(Status status) {
      return switch (format) {
        case AS_IS -> status;
        case REDACT -> status.withState(new Account(((Account) status.state()).user(), "***"))
            .withMessage(status.message() == null ? null : "<redacted message>");
        case THROW -> throw new IllegalStateException("formatStatus failed");
      };
    }
  }

  static List<Map<String, Object>> terminateReports(Reports reports, Pid server) {
    return reports.withLabel("gen_server_terminate", "server", server.toString());
  }

  static ExitReason reasonNamed(String name) {
    return switch (name) {
      case "normal" -> ExitReason.NORMAL;
      case "shutdown" -> ExitReason.SHUTDOWN;
      case "{shutdown,done}" -> ExitReason.shutdown("done");
      default -> throw new IllegalArgumentException(name);
    };
  }

  @Test
  @DisplayName("G25/Y8: a crash in handleCall logs one gen_server_terminate report with server, last message, state, reason, client")
  void crashReport(Reports reports) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid s = GenServer.start(Name.local("bank"), new Server(Format.AS_IS, inbox.pid())).pid();
        Pid caller = inProcess(() -> {
          catchThrowableOfType(CallException.class, () -> GenServer.call(s, new Req.Crash("boom")));
          return Proc.self();
        });
        ExitReason reason = exitReasonOf(s);
        List<Map<String, Object>> found = terminateReports(reports, s);
        assertThat(found).as("gen_server_terminate reports for %s", s).hasSize(1);
        Map<String, Object> r = found.getFirst();
        assertThat(r.get("@level")).isEqualTo("ERROR");
        assertThat(r.get("behaviour")).isEqualTo("GenServer");
        assertThat(r.get("server")).isEqualTo("bank (" + s + ")");
        assertThat(String.valueOf(r.get("lastMessage"))).contains("Crash[message=boom]");
        assertThat(r.get("state")).isEqualTo(new Account("ann", "hunter2"));
        assertThat(r.get("reason")).isEqualTo(reason);
        assertThat(String.valueOf(r.get("client"))).contains(caller.toString());
        assertThat((String) r.get("@message"))
            .contains("** Generic server bank (" + s + ") terminating")
            .contains("** Last message in was")
            .contains("** When server state == Account[user=ann, password=hunter2]")
            .contains("** Reason for termination == java.lang.IllegalStateException: boom");
        ILoggingEvent event = reports.events().stream()
            .filter(e -> "gen_server_terminate".equals(Reports.keyValues(e).get("label")))
            .findFirst().orElseThrow();
        assertThat(event.getThrowableProxy()).as("the exception attached to the report").isNotNull();
        assertThat(event.getThrowableProxy().getMessage()).isEqualTo("boom");
      });
    }
  }

  @Test
  @DisplayName("G25: a crash in handleCast reports client none and the cast as last message")
  void castCrashReport(Reports reports) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid s = GenServer.start(new Server(Format.AS_IS, inbox.pid())).pid();
        GenServer.cast(s, new Req.Crash("in cast"));
        exitReasonOf(s);
        List<Map<String, Object>> found = terminateReports(reports, s);
        assertThat(found).hasSize(1);
        assertThat(found.getFirst().get("server")).isEqualTo(s.toString());
        assertThat(found.getFirst().get("client")).isEqualTo("none");
        assertThat(String.valueOf(found.getFirst().get("lastMessage"))).contains("in cast");
      });
    }
  }

  @ParameterizedTest(name = "reason {0}")
  @ValueSource(strings = {"normal", "shutdown", "{shutdown,done}"})
  @DisplayName("G25/Y6: normal, shutdown and {shutdown,_} exits produce no report (stop result, GenServer.stop, parent signal)")
  void orderlyExitsAreSilent(String reasonName, Reports reports) {
    ExitReason reason = reasonNamed(reasonName);
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid viaCall = GenServer.start(new Server(Format.AS_IS, inbox.pid())).pid();
        catchThrowableOfType(CallException.class, () -> GenServer.call(viaCall, new Req.Stop(reason)));
        Pid viaCast = GenServer.start(new Server(Format.AS_IS, inbox.pid())).pid();
        GenServer.cast(viaCast, new Req.Stop(reason));
        Pid viaStop = GenServer.start(new Server(Format.AS_IS, inbox.pid())).pid();
        GenServer.stop(viaStop, reason, BehaviourTestKit.WAIT);
        Pid parent = Proc.spawn(() -> {
          Pid child = GenServer.startLink(new GenServer<Integer, Req>() {
            @Override
            protected Init<Integer> init() {
              Proc.trapExits(true);
              return Init.ok(0);
            }
          }).pid();
          Proc.send(inbox.pid(), child);
          Proc.receive(m -> m.equals("go"));
          Proc.exit(child, reason);
          Proc.receive(m -> false);
        });
        Pid viaParent = (Pid) expect(inbox, m -> m instanceof Pid, "child pid");
        inbox.send(parent, "go");
        for (Pid p : List.of(viaCall, viaCast, viaStop, viaParent)) {
          assertThat(exitReasonOf(p)).isEqualTo(reason);
        }
        Proc.exit(parent, ExitReason.KILL);
        assertThat(reports.withLabel("gen_server_terminate")).as("reports for orderly exits").isEmpty();
        assertThat(reports.withLabel("crash_report")).isEmpty();
      });
    }
  }

  @Test
  @DisplayName("G27: formatStatus redacts state and last message in the crash report")
  void formatStatusRedactsCrashReport(Reports reports) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid s = GenServer.start(new Server(Format.REDACT, inbox.pid())).pid();
        catchThrowableOfType(CallException.class, () -> GenServer.call(s, new Req.Crash("boom")));
        exitReasonOf(s);
        Map<String, Object> r = terminateReports(reports, s).getFirst();
        assertThat(r.get("state")).isEqualTo(new Account("ann", "***"));
        assertThat(r.get("lastMessage")).isEqualTo("<redacted message>");
        assertThat(reports.events()).extracting(ILoggingEvent::getFormattedMessage)
            .noneMatch(text -> text.contains("hunter2"));
      });
    }
  }

  @Test
  @DisplayName("G27: a formatStatus that throws does not leak the state: the report says it crashed")
  void formatStatusThatThrows(Reports reports) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid s = GenServer.start(new Server(Format.THROW, inbox.pid())).pid();
        catchThrowableOfType(CallException.class, () -> GenServer.call(s, new Req.Crash("boom")));
        exitReasonOf(s);
        Map<String, Object> r = terminateReports(reports, s).getFirst();
        assertThat(String.valueOf(r.get("state"))).contains("formatStatus crashed");
        assertThat(reports.events()).extracting(ILoggingEvent::getFormattedMessage)
            .noneMatch(text -> text.contains("hunter2"));
        assertThat(r.toString()).doesNotContain("hunter2");
      });
    }
  }

  @Test
  @DisplayName("G26: terminate throwing during a normal stop turns it into a reported crash with terminate's exception")
  void terminateThrowsIsReported(Reports reports) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        IllegalStateException error = new IllegalStateException("crash in terminate");
        Pid s = GenServer.start(new Server(Format.AS_IS, inbox.pid(), error)).pid();
        catchThrowableOfType(CallException.class, () -> GenServer.stop(s));
        assertThat(exitReasonOf(s)).isEqualTo(ExitReason.crash(error));
        List<Map<String, Object>> found = terminateReports(reports, s);
        assertThat(found).hasSize(1);
        assertThat(found.getFirst().get("reason")).isEqualTo(ExitReason.crash(error));
      });
    }
  }

  @Test
  @DisplayName("Y6: an exception thrown by init logs one crash_report (phase init) naming the behaviour and process")
  void initCrashReport(Reports reports) {
    try (Node node = Node.start()) {
      node.run(() -> {
        catchThrowableOfType(StartException.class, () -> GenServer.start(Name.local("bad"), new GenServer<Integer, Req>() {
          @Override
          protected Init<Integer> init() {
            throw new IllegalArgumentException("no config");
          }
        }));
        List<Map<String, Object>> found = reports.withLabel("crash_report");
        assertThat(found).hasSize(1);
        Map<String, Object> r = found.getFirst();
        assertThat(r.get("behaviour")).isEqualTo("GenServer");
        assertThat(String.valueOf(r.get("process"))).startsWith("bad (");
        assertThat(r.get("phase")).isEqualTo("init");
        assertThat(String.valueOf(r.get("reason"))).contains("no config");
        assertThat(reports.withLabel("gen_server_terminate")).isEmpty();
      });
    }
  }

  /** A server whose init records its pid, then fails as {@code how} says. */
  static GenServer<Integer, Req> failingInit(String how, java.util.Map<String, Pid> pids) {
    return new GenServer<>() {
      @Override
      protected Init<Integer> init() {
        pids.put(how, Proc.self());
        return switch (how) {
          case "stop" -> Init.stop(ExitReason.of("boom"));
          case "exit" -> {
            Proc.exit(ExitReason.of("boom"));
            yield Init.ok(0);
          }
          case "null" -> null;
          case "stop shutdown" -> Init.stop(ExitReason.SHUTDOWN);
          case "error" -> Init.error(ExitReason.of("not now"));
          default -> Init.ignore();
        };
      }
    };
  }

  @Test
  @DisplayName("Y6: init failing with a non-orderly reason (stop(boom), exit(boom), null) logs a crash report; error, ignore and stop(shutdown) do not")
  void initStopIsReported(Reports reports) {
    try (Node node = Node.start()) {
      node.run(() -> {
        java.util.Map<String, Pid> pids = new java.util.concurrent.ConcurrentHashMap<>();
        for (String how : List.of("stop", "exit", "null", "stop shutdown", "error", "ignore")) {
          catchThrowableOfType(StartException.class, () -> GenServer.start(failingInit(how, pids)));
          exitReasonOf(pids.get(how));
        }
        for (String how : List.of("stop", "exit", "null", "stop shutdown", "error", "ignore")) {
          String pid = pids.get(how).toString();
          long errors = reports.events().stream()
              .filter(e -> e.getLevel() == ch.qos.logback.classic.Level.ERROR)
              .filter(e -> e.getFormattedMessage().contains(pid)
                  || Reports.keyValues(e).toString().contains(pid))
              .count();
          boolean abnormal = List.of("stop", "exit", "null").contains(how);
          if (abnormal) {
            assertThat(errors).as("error reports for init %s (%s)", how, pid).isPositive();
          } else {
            assertThat(errors).as("error reports for init %s (%s)", how, pid).isZero();
          }
        }
      });
    }
  }

  @Test
  @DisplayName("Y6/G25: a server ended by an untrapped shutdown signal while inside a callback logs no report")
  void killedInsideCallbackIsSilent(Reports reports) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid s = GenServer.start(new Server(Format.AS_IS, inbox.pid())).pid();
        Proc.spawn(() -> callFails(() -> GenServer.call(s, new Req.Block(), Proc.INFINITY)));
        expect(inbox, "blocked");
        Proc.exit(s, ExitReason.SHUTDOWN);
        assertThat(exitReasonOf(s)).isEqualTo(ExitReason.SHUTDOWN);
        staysTrue(() -> assertThat(reports.events()).extracting(ILoggingEvent::getFormattedMessage)
            .as("reports after %s was shut down inside a callback", s).isEmpty());
      });
    }
  }

  @Test
  @DisplayName("Y6/G25: a server killed while it waits outside the runtime, whose code turns the interrupt into an exception, logs no report")
  void killedWhileWaitingOutsideTheRuntimeIsSilent(Reports reports) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid s = GenServer.start(new GenServer<Integer, String>() {
          @Override
          protected Init<Integer> init() {
            return Init.ok(0);
          }

          @Override
          protected CallResult<Integer> handleCall(String request, From from, Integer n) {
            Proc.send(inbox.pid(), "blocked");
            try {
              new CompletableFuture<Void>().get(); // a wait the runtime does not see: only an interrupt ends it
            } catch (InterruptedException | ExecutionException e) {
              throw new IllegalStateException("interrupted while waiting", e);
            }
            return reply("never", n);
          }
        }).pid();
        Proc.spawn(() -> callFails(() -> GenServer.call(s, "wait", Proc.INFINITY)));
        expect(inbox, "blocked");
        Proc.exit(s, ExitReason.KILL);
        assertThat(exitReasonOf(s)).isEqualTo(ExitReason.KILLED);
        staysTrue(() -> assertThat(reports.events()).extracting(ILoggingEvent::getFormattedMessage)
            .as("reports after %s was killed inside a callback", s).isEmpty());
      });
    }
  }

  @Test
  @DisplayName("Y6/Y7: a server killed for exceeding its start timeout logs no crash report")
  void startTimeoutIsSilent(Reports reports) {
    try (Node node = Node.start()) {
      node.run(() -> {
        StartException e = catchThrowableOfType(StartException.class, () -> GenServer.start(
            new GenServer<Integer, Req>() {
              @Override
              protected Init<Integer> init() {
                Proc.receive(m -> false);
                return Init.ok(0);
              }
            }, StartOptions.defaults().withTimeout(Duration.ofMillis(50))));
        assertThat(e.result()).isEqualTo(new StartResult.Failed(ExitReason.TIMEOUT));
        staysTrue(() -> assertThat(reports.events()).extracting(ILoggingEvent::getFormattedMessage)
            .as("reports after a start timeout killed the process").isEmpty());
      });
    }
  }
}
