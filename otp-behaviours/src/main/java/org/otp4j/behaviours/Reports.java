package org.otp4j.behaviours;

import org.otp4j.core.ExitReason;
import org.otp4j.core.From;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OTP's reports as structured SLF4J events: every report carries a {@code label} key-value pair
 * ({@code gen_server_terminate}, {@code crash_report}, {@code supervisor_report},
 * {@code progress}...) and its fields as further key-value pairs, so a log pipeline can filter and
 * index them; the text follows OTP's layout for people reading the log.
 */
final class Reports {
  private Reports() {}

  static final Logger LOG = LoggerFactory.getLogger("org.otp4j.behaviours.Reports");

  /** A server is terminating with a reason that is not orderly (OTP's "Generic server ... terminating"). */
  static void serverTerminating(String server, GenServer.Status status, ExitReason reason, From client) {
    String clientText = client == null ? "none"
        : client.caller().map(p -> p + " (blocked in a call)").orElse("a plain thread (blocked in a call)");
    var event = LOG.atError()
        .addKeyValue("label", "gen_server_terminate")
        .addKeyValue("server", server)
        .addKeyValue("lastMessage", status.message())
        .addKeyValue("state", status.state())
        .addKeyValue("reason", reason)
        .addKeyValue("client", clientText);
    if (reason instanceof ExitReason.Crash crash) {
      event = event.setCause(crash.error());
    }
    event.log("** Generic server {} terminating\n** Last message in was {}\n** When server state == {}\n"
        + "** Reason for termination == {}\n** Client {}", server, status.message(), status.state(), reason,
        clientText);
  }

  /** A behaviour's init failed with a reason that is not orderly (OTP's proc_lib crash report). */
  static void initCrash(String behaviour, String process, ExitReason reason) {
    var event = LOG.atError()
        .addKeyValue("label", "crash_report")
        .addKeyValue("behaviour", behaviour)
        .addKeyValue("process", process)
        .addKeyValue("phase", "init")
        .addKeyValue("reason", reason);
    if (reason instanceof ExitReason.Crash crash) {
      event = event.setCause(crash.error());
    }
    event.log("** {} {} failed in init: {}", behaviour, process, reason);
  }

  /**
   * A supervisor report (OTP's {@code supervisor_report}): a child failed to start
   * ({@code start_error}), terminated ({@code child_terminated}), did not stop as asked
   * ({@code shutdown_error}), or the supervisor gave up ({@code shutdown}).
   */
  static void supervisor(String supervisor, String errorContext, Object reason, Object childId, org.otp4j.core.Pid pid,
      ChildSpec spec) {
    var event = LOG.atError()
        .addKeyValue("label", "supervisor_report")
        .addKeyValue("supervisor", supervisor)
        .addKeyValue("errorContext", errorContext)
        .addKeyValue("reason", reason)
        .addKeyValue("childId", childId)
        .addKeyValue("pid", pid)
        .addKeyValue("restart", spec == null ? null : spec.restart())
        .addKeyValue("shutdown", spec == null ? null : spec.shutdown());
    if (reason instanceof ExitReason.Crash crash) {
      event = event.setCause(crash.error());
    }
    event.log("Supervisor {} report: {} for child {} ({}): {}", supervisor, errorContext, childId, pid, reason);
  }

  /** A progress report: a supervisor started a child (OTP's {@code {supervisor, progress}}). */
  static void progress(String supervisor, Object childId, org.otp4j.core.Pid pid, ChildSpec spec, boolean fromApi) {
    var event = fromApi ? LOG.atDebug() : LOG.atInfo();
    event.addKeyValue("label", "progress")
        .addKeyValue("supervisor", supervisor)
        .addKeyValue("childId", childId)
        .addKeyValue("pid", pid)
        .addKeyValue("type", spec.type())
        .log("Supervisor {} started child {} as {}", supervisor, childId, pid);
  }

  /** A state machine is terminating with a reason that is not orderly (OTP's "State machine ... terminating"). */
  static void statemTerminating(String machine, GenStatem.Status status, ExitReason reason,
      GenStatem.CallbackMode mode, java.util.List<?> queue) {
    var event = LOG.atError()
        .addKeyValue("label", "gen_statem_terminate")
        .addKeyValue("machine", machine)
        .addKeyValue("lastEvent", status.event())
        .addKeyValue("state", status.state())
        .addKeyValue("data", status.data())
        .addKeyValue("reason", reason)
        .addKeyValue("callbackMode", mode)
        .addKeyValue("queue", queue)
        .addKeyValue("postponed", status.postponed());
    if (reason instanceof ExitReason.Crash crash) {
      event = event.setCause(crash.error());
    }
    event.log("** State machine {} terminating\n** Last event = {}\n** When server state  = {}\n"
        + "** Reason for termination = {}\n** Callback mode = {}\n** Queued = {}\n** Postponed = {}",
        machine, status.event(), new GenStatem.StateAndData(status.state(), status.data()), reason, mode, queue,
        status.postponed());
  }
}
