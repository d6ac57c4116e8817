package org.otp4j.bench;

import java.util.List;
import java.util.Locale;
import org.otp4j.bench.workloads.ChatLoad;
import org.otp4j.bench.workloads.EventNotify;
import org.otp4j.bench.workloads.FanIn;
import org.otp4j.bench.workloads.ForkJoin;
import org.otp4j.bench.workloads.GenServerCall;
import org.otp4j.bench.workloads.GenServerCast;
import org.otp4j.bench.workloads.IdleMemory;
import org.otp4j.bench.workloads.PingPong;
import org.otp4j.bench.workloads.RestartLatency;
import org.otp4j.bench.workloads.RestartStorm;
import org.otp4j.bench.workloads.Ring;
import org.otp4j.bench.workloads.SelectiveReceive;
import org.otp4j.bench.workloads.SharedTable;
import org.otp4j.bench.workloads.SpawnExit;
import org.otp4j.bench.workloads.StagePipeline;
import org.otp4j.bench.workloads.StatemToggle;
import org.otp4j.bench.workloads.TaskAsyncStream;

/** The registry of workloads, in report order. */
public final class Workloads {
  private Workloads() {}

  /** Every workload; a new one is added here (and in bench.erl). */
  public static final List<Workload> ALL = List.of(
      new SpawnExit(),
      new IdleMemory(),
      new PingPong(),
      new Ring(),
      new FanIn(),
      new SelectiveReceive(),
      new ForkJoin(),
      new GenServerCall(1),
      new GenServerCall(100),
      new GenServerCast(),
      new RestartLatency(),
      new RestartStorm(),
      new StatemToggle(false),
      new StatemToggle(true),
      new EventNotify(1),
      new EventNotify(10),
      new StagePipeline(),
      new TaskAsyncStream(),
      new SharedTable(1),
      new SharedTable(2),
      new SharedTable(16),
      new ChatLoad());

  public static Workload byId(String id) {
    return ALL.stream().filter(w -> w.id().equals(id)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("unknown workload '" + id + "'; expected one of "
            + ALL.stream().map(Workload::id).toList()));
  }

  /** 10000 as {@code 10k}, 1000000 as {@code 1M}. */
  public static String human(long n) {
    if (n >= 1_000_000 && n % 100_000 == 0) {
      return trim(n / 1e6) + "M";
    }
    if (n >= 1_000 && n % 100 == 0) {
      return trim(n / 1e3) + "k";
    }
    return Long.toString(n);
  }

  private static String trim(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.1f", v);
  }
}
