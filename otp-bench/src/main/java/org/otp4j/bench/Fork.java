package org.otp4j.bench;

/**
 * The entry point of one forked JVM: runs one workload on one JVM runtime, warm-ups first, and
 * prints the measured result as {@code RESULT <amount> <ops>} for the harness.
 *
 * <pre>{@code java <pinned flags> -cp benchmarks.jar org.otp4j.bench.Fork <workload> <runtime> <N> <warm-ups> [<warm-up N>]}</pre>
 *
 * <p>The warm-up runs are of size {@code <warm-up N>}, by default the workload's warm-up size for N.
 */
public final class Fork {
  private Fork() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 4 && args.length != 5) {
      System.err.println("usage: Fork <workload> <otp4j|pekko|vt> <N> <warm-ups> [<warm-up N>]");
      System.exit(2);
    }
    Workload workload = Workloads.byId(args[0]);
    Contender contender = Contender.parse(args[1]);
    int n = Integer.parseInt(args[2]);
    int warmups = Integer.parseInt(args[3]);
    int warmupSize = args.length == 5 ? Integer.parseInt(args[4]) : workload.warmupSize(n);
    int status = 0;
    try {
      for (int i = 0; i < warmups; i++) {
        Raw w = workload.run(contender, warmupSize);
        System.out.println("warm-up " + (i + 1) + ": " + workload.metric().format(workload.metric().value(w))
            + (w.hasCpu() ? "  " + Report.cpuText(w.cpuPerOp(), w.cores()) : ""));
      }
      System.gc(); // start the measured run without the warm-ups' garbage
      Raw raw = workload.run(contender, n);
      System.out.print(raw.detailLines());
      System.out.println(raw.toLine());
    } catch (Throwable t) {
      t.printStackTrace(System.out);
      status = 1;
    }
    System.out.flush();
    // Actor systems, nodes and parked threads would keep the JVM alive: leave at once.
    Runtime.getRuntime().halt(status);
  }
}
