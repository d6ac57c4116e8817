package org.otp4j.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Every measured value of a run, by case and runtime, and their statistics. */
final class Results {

  /** One row of the report: a workload at one size. */
  record Case(Workload workload, int n, int rounds) {
    String label() {
      return workload.sizeLabel(n);
    }
  }

  /** Median and range of one runtime's values for one case, in the workload's unit. */
  record Stats(double median, double min, double max, int count) {
    static Stats of(List<Double> values) {
      double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
      int k = v.length;
      double median = k % 2 == 1 ? v[k / 2] : (v[k / 2 - 1] + v[k / 2]) / 2;
      return new Stats(median, v[0], v[k - 1], k);
    }
  }

  /** CPU that other programs used during a kept measurement, in cores (see {@link CpuLoad}). */
  record Load(double foreignCores, boolean disturbed) {}

  private final Map<Case, Map<Contender, List<Double>>> values = new LinkedHashMap<>();
  private final Map<Case, Map<Contender, List<Load>>> loads = new LinkedHashMap<>();
  private int retries;
  private int measurements;
  private final Map<Case, Map<Contender, List<String>>> failures = new LinkedHashMap<>();
  private final Map<Case, Map<Contender, List<Map<String, Double>>>> details = new LinkedHashMap<>();
  private final Map<Case, Map<Contender, List<double[]>>> cpu = new LinkedHashMap<>();

  /**
   * The CPU cost of a kept measurement: CPU nanoseconds per operation, and cores kept busy on average,
   * over its timed region (see {@link Raw#cpuPerOp()}).
   */
  void addCpu(Case c, Contender who, double cpuPerOp, double cores) {
    cpu.computeIfAbsent(c, k -> new EnumMap<>(Contender.class))
        .computeIfAbsent(who, k -> new ArrayList<>()).add(new double[] {cpuPerOp, cores});
  }

  /** Medians over the rounds of the CPU per operation and of the cores, or null if not measured. */
  Cpu cpu(Case c, Contender who) {
    List<double[]> v = cpu.getOrDefault(c, Map.of()).getOrDefault(who, List.of());
    if (v.isEmpty()) {
      return null;
    }
    return new Cpu(Stats.of(v.stream().map(x -> x[0]).toList()).median(),
        Stats.of(v.stream().map(x -> x[1]).toList()).median());
  }

  /** The CPU cost of a case on a runtime: nanoseconds per operation, cores on average (medians). */
  record Cpu(double nanosPerOp, double cores) {}

  /** The details of a kept measurement (see {@link Raw#details()}). */
  void addDetails(Case c, Contender who, Map<String, Double> figures) {
    details.computeIfAbsent(c, k -> new EnumMap<>(Contender.class))
        .computeIfAbsent(who, k -> new ArrayList<>()).add(figures);
  }

  /** Statistics of each detail over the rounds, by label in first-seen order; empty if there are none. */
  Map<String, Stats> detailStats(Case c, Contender who) {
    Map<String, List<Double>> byLabel = new LinkedHashMap<>();
    for (Map<String, Double> m : details.getOrDefault(c, Map.of()).getOrDefault(who, List.of())) {
      m.forEach((label, v) -> byLabel.computeIfAbsent(label, k -> new ArrayList<>()).add(v));
    }
    Map<String, Stats> out = new LinkedHashMap<>();
    byLabel.forEach((label, v) -> out.put(label, Stats.of(v)));
    return out;
  }

  void add(Case c, Contender who, double value, Load load) {
    values.computeIfAbsent(c, k -> new EnumMap<>(Contender.class))
        .computeIfAbsent(who, k -> new ArrayList<>()).add(value);
    loads.computeIfAbsent(c, k -> new EnumMap<>(Contender.class))
        .computeIfAbsent(who, k -> new ArrayList<>()).add(load);
    measurements++;
  }

  void retried() {
    retries++;
  }

  int retries() {
    return retries;
  }

  int measurements() {
    return measurements;
  }

  List<Load> loads(Case c, Contender who) {
    return loads.getOrDefault(c, Map.of()).getOrDefault(who, List.of());
  }

  /** Every kept measurement's load, in no particular order. */
  List<Load> allLoads() {
    List<Load> all = new ArrayList<>();
    loads.values().forEach(m -> m.values().forEach(all::addAll));
    return all;
  }

  void fail(Case c, Contender who, String why) {
    failures.computeIfAbsent(c, k -> new EnumMap<>(Contender.class))
        .computeIfAbsent(who, k -> new ArrayList<>()).add(why);
  }

  /** Statistics, or null if the runtime has no successful measurement for the case. */
  Stats stats(Case c, Contender who) {
    List<Double> v = values.getOrDefault(c, Map.of()).get(who);
    return v == null || v.isEmpty() ? null : Stats.of(v);
  }

  List<String> failures(Case c, Contender who) {
    return failures.getOrDefault(c, Map.of()).getOrDefault(who, List.of());
  }

  /** The raw values, for the log. */
  String valuesText(Case c, Contender who) {
    List<Double> v = values.getOrDefault(c, Map.of()).getOrDefault(who, List.of());
    return Arrays.toString(v.stream().mapToDouble(Double::doubleValue).map(x -> Math.round(x * 100) / 100.0).toArray());
  }
}
