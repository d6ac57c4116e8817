package org.otp4j.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The Erlang side: finds (or installs) {@code erl}, compiles {@code bench.erl} and builds the command
 * line of one measurement.
 */
final class Beam {
  /** Flags of every {@code erl} run: the default schedulers (one per core), room for 4M processes. */
  static final List<String> FLAGS = List.of("-noshell", "+P", "4194304");

  private final Path ebin;
  private final String version;

  private Beam(Path ebin, String version) {
    this.ebin = ebin;
    this.version = version;
  }

  /**
   * Makes sure {@code erl} and {@code erlc} exist, installing Debian's {@code erlang-base} if they do
   * not (we run as root), then compiles bench.erl and dist_bench.erl into {@code workDir}.
   */
  static Beam prepare(Path workDir) throws IOException, InterruptedException {
    if (!onPath("erl") || !onPath("erlc")) {
      System.out.println("erl/erlc not found: installing Debian's erlang-base "
          + "(apt-get update && apt-get install -y erlang-base)");
      run(List.of("apt-get", "update"), 600);
      run(List.of("apt-get", "install", "-y", "--no-install-recommends", "erlang-base"), 900);
      if (!onPath("erl") || !onPath("erlc")) {
        throw new IllegalStateException("erlang-base was installed but erl/erlc are still not on the PATH");
      }
      System.out.println("erlang-base installed");
    }
    Path dir = workDir.resolve("erlang");
    Files.createDirectories(dir);
    for (String module : List.of("bench.erl", "dist_bench.erl")) {
      Path source = dir.resolve(module);
      try (InputStream in = Beam.class.getResourceAsStream("/erlang/" + module)) {
        if (in == null) {
          throw new IllegalStateException("erlang/" + module + " is missing from the class path; rebuild otp-bench");
        }
        Files.write(source, in.readAllBytes());
      }
      run(List.of("erlc", "-o", dir.toString(), source.toString()), 120);
    }
    String version = capture(List.of("erl", "-noshell", "-eval",
        "io:format(\"OTP ~s, ERTS ~s, ~b schedulers~n\", [erlang:system_info(otp_release), "
            + "erlang:system_info(version), erlang:system_info(schedulers_online)]), halt()."));
    return new Beam(dir, version.trim());
  }

  /** The command that measures {@code workload} at size {@code n} after {@code warmups} warm-ups of size {@code warmupSize}. */
  List<String> command(Workload workload, int n, int warmups, int warmupSize) {
    List<String> cmd = new ArrayList<>();
    cmd.add("erl");
    cmd.addAll(FLAGS);
    cmd.addAll(List.of("-pa", ebin.toString(), "-run", "bench", "main", workload.id(),
        Integer.toString(n), Integer.toString(warmups), Integer.toString(warmupSize)));
    return cmd;
  }

  /** Where the compiled modules are (for {@code erl -pa}). */
  Path ebin() {
    return ebin;
  }

  /** e.g. {@code OTP 25, ERTS 13.1.5, 2 schedulers}. */
  String version() {
    return version;
  }

  private static boolean onPath(String tool) {
    String path = System.getenv().getOrDefault("PATH", "");
    for (String d : path.split(java.io.File.pathSeparator)) {
      if (!d.isEmpty() && Files.isExecutable(Path.of(d, tool))) {
        return true;
      }
    }
    return false;
  }

  private static void run(List<String> cmd, long timeoutSeconds) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).inheritIO().start();
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException(String.join(" ", cmd) + " did not finish in " + timeoutSeconds + " s");
    }
    if (p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", cmd) + " failed with exit code " + p.exitValue());
    }
  }

  private static String capture(List<String> cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
    }
    return out;
  }
}
