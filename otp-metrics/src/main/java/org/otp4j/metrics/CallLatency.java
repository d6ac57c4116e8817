package org.otp4j.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Objects;
import java.util.function.Supplier;
import org.otp4j.behaviours.GenServer;
import org.otp4j.core.Call;
import org.otp4j.core.CallException;
import org.otp4j.core.ExitReason;
import org.otp4j.core.ServerRef;

/**
 * The latency of the calls to one server, as its callers see it (the wait in the server's mailbox
 * included), in a timer named {@value #NAME} with a percentile histogram, tagged {@code server} and
 * {@code outcome}. Made by {@link OtpMetrics#callLatency}; only the calls that go through it are timed.
 *
 * <p>The {@code outcome} tag is one of a closed set, so that each server has at most five series:
 * {@code ok}; {@code timeout}, {@code noproc} or {@code noconnection} for a call that failed so
 * (a {@link CallException} with that reason); {@code exit} for a call that failed with any other exit
 * reason (the server crashed or stopped while it was asked); {@code error} for anything else thrown.
 * A failed call is timed, then its exception is thrown on unchanged.
 */
public final class CallLatency {
  /** The timer's name. */
  public static final String NAME = "otp.call.latency";

  private final Timer ok;
  private final Timer timeout;
  private final Timer noproc;
  private final Timer noconnection;
  private final Timer exit;
  private final Timer error;

  private CallLatency(MeterRegistry registry, String server) {
    this.ok = timer(registry, server, "ok");
    this.timeout = timer(registry, server, "timeout");
    this.noproc = timer(registry, server, "noproc");
    this.noconnection = timer(registry, server, "noconnection");
    this.exit = timer(registry, server, "exit");
    this.error = timer(registry, server, "error");
  }

  static CallLatency create(MeterRegistry registry, String serverName) {
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(serverName, "serverName");
    if (serverName.isBlank()) {
      throw new IllegalArgumentException("serverName must name the server (its registered name or its role),"
          + " got a blank string");
    }
    return new CallLatency(registry, serverName);
  }

  private static Timer timer(MeterRegistry registry, String server, String outcome) {
    return Timer.builder(NAME)
        .description("the latency of calls to a server, as its callers see it")
        .tag("server", server).tag("outcome", outcome)
        .publishPercentileHistogram()
        .register(registry);
  }

  /**
   * {@link GenServer#call(ServerRef, Call)}, timed.
   *
   * @return the server's reply
   * @throws CallException as {@code GenServer.call} does, after the call is timed
   */
  public <Q extends Call<R>, R> R call(ServerRef<? super Q> server, Q request) {
    return time(() -> GenServer.call(server, request));
  }

  /**
   * Runs {@code call} (a client function of a server, say) and times it.
   *
   * @return what {@code call} returns
   * @throws NullPointerException if {@code call} is null
   * @throws RuntimeException whatever {@code call} throws, after it is timed
   */
  public <R> R time(Supplier<? extends R> call) {
    Objects.requireNonNull(call, "call");
    long start = System.nanoTime();
    Timer outcome = error;
    try {
      R result = call.get();
      outcome = ok;
      return result;
    } catch (CallException e) {
      outcome = of(e.reason());
      throw e;
    } finally {
      outcome.record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
    }
  }

  private Timer of(ExitReason reason) {
    if (reason == ExitReason.TIMEOUT) {
      return timeout;
    }
    if (reason == ExitReason.NOPROC) {
      return noproc;
    }
    if (reason == ExitReason.NOCONNECTION) {
      return noconnection;
    }
    return exit;
  }
}
