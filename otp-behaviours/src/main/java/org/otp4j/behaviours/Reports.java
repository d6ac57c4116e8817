package org.otp4j.behaviours;

import org.otp4j.core.internal.ReportLog;
import org.slf4j.event.Level;
import java.util.List;
import org.otp4j.core.ExitReason;
import org.otp4j.core.From;
import org.otp4j.core.Pid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * The behaviours' one door to the logger: OTP's reports, and the few warnings the behaviours give,
 * as a closed set of shapes ({@link Report}), each written as one structured SLF4J event. Every
 * event carries a {@code label} key-value pair ({@code gen_server_terminate}, {@code crash_report},
 * {@code supervisor_report}, {@code progress}...) and its fields as further key-value pairs, so a log
 * pipeline can filter and index them; the text follows OTP's layout for people reading the log.
 *
 * <p>Loggers: OTP's reports go to {@code org.otp4j.behaviours.Reports}; a warning about a
 * behaviour's default callback goes to that behaviour's logger ({@code org.otp4j.behaviours.GenServer},
 * {@code org.otp4j.behaviours.GenEvent}); the {@link Sys} trace to {@code org.otp4j.behaviours.Sys}.
 */
final class Reports {
  private Reports() {}

  static final Logger LOG = LoggerFactory.getLogger("org.otp4j.behaviours.Reports");
  private static final Logger SERVER = LoggerFactory.getLogger(GenServer.class);
  private static final Logger EVENT = LoggerFactory.getLogger(GenEvent.class);
  private static final Logger TRACE = LoggerFactory.getLogger("org.otp4j.behaviours.Sys");

  /** The id reports give a child that has none (a dynamic supervisor's child), as OTP's {@code undefined}. */
  static final String UNDEFINED_CHILD = "undefined";

  /** Every shape a report can take. */
  sealed interface Report {
    /**
     * A server is terminating with a reason that is not orderly (OTP's "Generic server ...
     * terminating"); {@code behaviour} is what the server implements ("GenServer", "Supervisor",
     * "GenStage"...), all of them generic servers underneath.
     */
    record ServerTerminating(String behaviour, String server, GenServer.Status status, ExitReason reason,
        From client) implements Report {}

    /** A state machine is terminating with a reason that is not orderly. */
    record StatemTerminating(String machine, GenStatem.Status status, ExitReason reason,
        GenStatem.CallbackMode mode, List<?> queue) implements Report {}

    /** A behaviour's init failed with a reason that is not orderly (OTP's proc_lib crash report). */
    record InitCrash(String behaviour, String process, ExitReason reason) implements Report {}

    /**
     * A supervisor report: a child failed to start ({@code start_error}), terminated
     * ({@code child_terminated}), did not stop as asked ({@code shutdown_error}), or the supervisor
     * gave up ({@code shutdown}).
     */
    record SupervisorReport(String supervisor, String errorContext, Object reason, Object childId, Pid pid,
        ChildSpec spec) implements Report {
      public SupervisorReport {
        childId = childIdOf(childId);
      }
    }

    /** A supervisor started a child (OTP's {@code {supervisor, progress}}); debug level when asked through the API. */
    record ChildStarted(String supervisor, Object childId, Pid pid, ChildSpec spec, boolean fromApi)
        implements Report {
      public ChildStarted {
        childId = childIdOf(childId);
      }
    }

    /** An event handler failed and was removed from its manager. */
    record HandlerCrash(Pid manager, Object handler, ExitReason reason) implements Report {}

    /** An application started or exited (OTP's application progress reports). */
    record ApplicationEvent(String application, Pid controller, String event, ExitReason reason,
        Application.Type type) implements Report {}

    /** A permanent (or abnormally ended transient) application terminated: the node stops. */
    record ApplicationTerminated(String application, Pid controller, ExitReason reason, Application.Type type,
        String node) implements Report {}

    /**
     * A message a behaviour did not expect reached its default handler (handleInfo).
     *
     * @param owner the class of the behaviour (a server, a handler) whose default handler ran
     * @param process the server's pid, the handler, or the supervisor's label
     */
    record UnexpectedMessage(Kind kind, String owner, Object process, Object message) implements Report {
      /** Which default handler received it. */
      enum Kind { SERVER, EVENT_HANDLER, SUPERVISOR }
    }

    /** A callback whose failure does not stop anything failed (a stop hook, a handler's terminate). */
    record CallbackFailed(Logged where, String what, Object of, Throwable error) implements Report {
      /** Which logger a failed callback is told on. */
      enum Logged { REPORTS, EVENT }
    }

    /** One event of a behaviour traced with {@link Sys#trace}. */
    record Traced(Pid process, Sys.Event event) implements Report {}

    /** An event sink installed with {@link Sys#install} failed. */
    record SinkFailed(Pid process, RuntimeException error) implements Report {}
  }

  /** Writes {@code report} to its logger. */
  static void log(Report report) {
    switch (report) {
      case Report.ServerTerminating r -> {
        String clientText = r.client() == null ? "none"
            : r.client().caller().map(p -> p + " (blocked in a call)").orElse("a plain thread (blocked in a call)");
        withCause(ReportLog.at(LOG, Level.ERROR)
            .addKeyValue("label", "gen_server_terminate")
            .addKeyValue("behaviour", r.behaviour())
            .addKeyValue("server", r.server())
            .addKeyValue("lastMessage", r.status().message())
            .addKeyValue("state", r.status().state())
            .addKeyValue("reason", r.reason())
            .addKeyValue("client", clientText), r.reason())
            .log("** {} {} terminating\n** Last message in was {}\n** When server state == {}\n"
                + "** Reason for termination == {}\n** Client {}",
                r.behaviour().equals("GenServer") ? "Generic server" : r.behaviour(), r.server(), r.status().message(),
                r.status().state(), r.reason(), clientText);
      }
      case Report.StatemTerminating r -> {
        GenStatem.Status status = r.status();
        withCause(ReportLog.at(LOG, Level.ERROR)
            .addKeyValue("label", "gen_statem_terminate")
            .addKeyValue("machine", r.machine())
            .addKeyValue("lastEvent", status.event())
            .addKeyValue("state", status.state())
            .addKeyValue("data", status.data())
            .addKeyValue("reason", r.reason())
            .addKeyValue("callbackMode", r.mode())
            .addKeyValue("queue", r.queue())
            .addKeyValue("postponed", status.postponed()), r.reason())
            .log("** State machine {} terminating\n** Last event = {}\n** When server state  = {}\n"
                + "** Reason for termination = {}\n** Callback mode = {}\n** Queued = {}\n** Postponed = {}",
                r.machine(), status.event(), new GenStatem.StateAndData(status.state(), status.data()), r.reason(),
                r.mode(), r.queue(), status.postponed());
      }
      case Report.InitCrash r -> withCause(ReportLog.at(LOG, Level.ERROR)
          .addKeyValue("label", "crash_report")
          .addKeyValue("behaviour", r.behaviour())
          .addKeyValue("process", r.process())
          .addKeyValue("phase", "init")
          .addKeyValue("reason", r.reason()), r.reason())
          .log("** {} {} failed in init: {}", r.behaviour(), r.process(), r.reason());
      case Report.SupervisorReport r -> withCause(ReportLog.at(LOG, Level.ERROR)
          .addKeyValue("label", "supervisor_report")
          .addKeyValue("supervisor", r.supervisor())
          .addKeyValue("errorContext", r.errorContext())
          .addKeyValue("reason", r.reason())
          .addKeyValue("childId", r.childId())
          .addKeyValue("pid", r.pid())
          .addKeyValue("restart", r.spec() == null ? null : r.spec().restart())
          .addKeyValue("shutdown", r.spec() == null ? null : r.spec().shutdown()), r.reason())
          .log("Supervisor {} report: {} for child {} ({}): {}", r.supervisor(), r.errorContext(), r.childId(),
              r.pid(), r.reason());
      case Report.ChildStarted r -> (r.fromApi() ? ReportLog.at(LOG, Level.DEBUG) : ReportLog.at(LOG, Level.INFO))
          .addKeyValue("label", "progress")
          .addKeyValue("supervisor", r.supervisor())
          .addKeyValue("childId", r.childId())
          .addKeyValue("pid", r.pid())
          .addKeyValue("type", r.spec().type())
          .log("Supervisor {} started child {} as {}", r.supervisor(), r.childId(), r.pid());
      case Report.HandlerCrash r -> withCause(ReportLog.at(LOG, Level.ERROR)
          .addKeyValue("label", "gen_event_handler_crash")
          .addKeyValue("manager", r.manager())
          .addKeyValue("handler", r.handler())
          .addKeyValue("reason", r.reason()), r.reason())
          .log("** gen_event handler {} crashed.\n** Was installed in {}\n** Reason == {}", r.handler(),
              r.manager(), r.reason());
      case Report.ApplicationEvent r -> {
        LoggingEventBuilder event = ReportLog.at(LOG, Level.INFO)
            .addKeyValue("label", "progress")
            .addKeyValue("application", r.application())
            .addKeyValue("controller", r.controller())
            .addKeyValue("event", r.event())
            .addKeyValue("type", r.type());
        if (r.reason() == null) {
          event.log("application {} started ({})", r.application(), r.type());
        } else {
          event.addKeyValue("reason", r.reason())
              .log("application {} exited: {} (type {})", r.application(), r.reason(), r.type());
        }
      }
      case Report.ApplicationTerminated r -> ReportLog.at(LOG, Level.ERROR)
          .addKeyValue("label", "application_terminated")
          .addKeyValue("application", r.application())
          .addKeyValue("controller", r.controller())
          .addKeyValue("reason", r.reason())
          .log("{} application {} terminated with {}: stopping every application and node {}", r.type(),
              r.application(), r.reason(), r.node());
      case Report.UnexpectedMessage r -> {
        switch (r.kind()) {
          case SERVER -> ReportLog.at(SERVER, Level.WARN)
              .addKeyValue("server", r.process())
              .addKeyValue("info", r.message())
              .log("Undefined handleInfo in {} (server {}): received unexpected message {}", r.owner(),
                  r.process(), r.message());
          case EVENT_HANDLER -> ReportLog.at(EVENT, Level.WARN)
              .addKeyValue("handler", r.process())
              .addKeyValue("info", r.message())
              .log("Undefined handleInfo in event handler {}: received unexpected message {}", r.process(),
                  r.message());
          case SUPERVISOR -> ReportLog.at(LOG, Level.WARN)
              .addKeyValue("label", "supervisor_unexpected_message")
              .addKeyValue("supervisor", r.process())
              .addKeyValue("message", r.message())
              .log("Supervisor {} received unexpected message: {}", r.process(), r.message());
        }
      }
      case Report.CallbackFailed r -> ReportLog.at(r.where() == Report.CallbackFailed.Logged.EVENT ? EVENT : LOG,
          Level.WARN).setCause(r.error()).log("{} {} failed", r.what(), r.of());
      case Report.Traced r -> ReportLog.at(TRACE, Level.INFO)
          .addKeyValue("pid", r.process())
          .addKeyValue("event", r.event())
          .log("{} event = {}", r.process(), r.event());
      case Report.SinkFailed r -> ReportLog.at(TRACE, Level.WARN).setCause(r.error())
          .log("a Sys event sink failed for {}", r.process());
    }
  }

  /**
   * What a report calls a child: its id, or {@value #UNDEFINED_CHILD} for a dynamic supervisor's
   * child, which has none (OTP's and Elixir's dynamic supervisors report such a child's id as the
   * atom {@code undefined}).
   */
  static Object childIdOf(Object childId) {
    return childId == null ? UNDEFINED_CHILD : childId;
  }

  private static LoggingEventBuilder withCause(LoggingEventBuilder event, Object reason) {
    return reason instanceof ExitReason.Crash crash ? event.setCause(crash.error()) : event;
  }

  // ---- the shapes the loops use most, by name

  static void serverTerminating(String behaviour, String server, GenServer.Status status, ExitReason reason,
      From client) {
    log(new Report.ServerTerminating(behaviour, server, status, reason, client));
  }

  static void statemTerminating(String machine, GenStatem.Status status, ExitReason reason,
      GenStatem.CallbackMode mode, List<?> queue) {
    log(new Report.StatemTerminating(machine, status, reason, mode, queue));
  }

  static void initCrash(String behaviour, String process, ExitReason reason) {
    log(new Report.InitCrash(behaviour, process, reason));
  }

  static void supervisor(String supervisor, String errorContext, Object reason, Object childId, Pid pid,
      ChildSpec spec) {
    log(new Report.SupervisorReport(supervisor, errorContext, reason, childId, pid, spec));
  }

  static void progress(String supervisor, Object childId, Pid pid, ChildSpec spec, boolean fromApi) {
    log(new Report.ChildStarted(supervisor, childId, pid, spec, fromApi));
  }
}
