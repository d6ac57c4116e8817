package org.otp4j.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/** Facts about the machine and the runtimes, for the report. */
final class Machine {
  private Machine() {}

  static String cpu() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (IOException e) {
      // not Linux: fall through
    }
    return System.getProperty("os.arch");
  }

  static int cores() {
    return Runtime.getRuntime().availableProcessors();
  }

  static String memory() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemTotal:")) {
          long kb = Long.parseLong(line.replaceAll("[^0-9]", ""));
          return String.format(Locale.ROOT, "%.1f GiB", kb / 1024.0 / 1024.0);
        }
      }
    } catch (IOException | NumberFormatException e) {
      // unknown
    }
    return "unknown";
  }

  static String os() {
    String pretty = System.getProperty("os.name");
    try {
      for (String line : Files.readAllLines(Path.of("/etc/os-release"))) {
        if (line.startsWith("PRETTY_NAME=")) {
          pretty = line.substring("PRETTY_NAME=".length()).replace("\"", "");
        }
      }
    } catch (IOException e) {
      // keep os.name
    }
    return pretty + ", kernel " + System.getProperty("os.version");
  }

  static String jvm() {
    return System.getProperty("java.vm.name") + " " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")";
  }

  /** Virtual-thread carriers: the scheduler's parallelism. */
  static int carriers() {
    return Integer.getInteger("jdk.virtualThreadScheduler.parallelism", cores());
  }

  static String pekkoVersion() {
    try (InputStream in = Machine.class.getResourceAsStream("/version.conf")) {
      if (in != null) {
        Config c = ConfigFactory.parseString(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        if (c.hasPath("pekko.version")) {
          return c.getString("pekko.version");
        }
      }
    } catch (IOException e) {
      // unknown
    }
    return "unknown";
  }

  /** Pekko's default dispatcher as the forks configure it, and its effective parallelism here. */
  static String pekkoDispatcher() {
    Config d = org.otp4j.bench.workloads.PekkoKit.config().getConfig("pekko.actor.default-dispatcher");
    Config fj = d.getConfig("fork-join-executor");
    int min = fj.getInt("parallelism-min");
    double factor = fj.getDouble("parallelism-factor");
    int max = fj.getInt("parallelism-max");
    int threads = Math.min(max, Math.max(min, (int) Math.ceil(cores() * factor)));
    return String.format(Locale.ROOT, "%s, fork-join-executor parallelism-min %d, factor %.1f, max %d: "
        + "%d threads on this machine; throughput %d", d.getString("executor"), min, factor, max, threads,
        d.getInt("throughput"));
  }

  /**
   * The commit the benchmark jar was built from (written by bench.sh at build time), else the work
   * tree's current one, noting uncommitted edits to otp-core.
   */
  static String commit(Path root) {
    try {
      Path built = root.resolve("otp-bench/target/build-commit.txt");
      if (Files.isRegularFile(built)) {
        return Files.readString(built).trim();
      }
    } catch (IOException e) {
      // fall back to the work tree
    }
    try {
      String sha = run(root, List.of("git", "rev-parse", "--short", "HEAD")).trim();
      String dirty = run(root, List.of("git", "status", "--porcelain", "--", "otp-core/src")).trim();
      return sha + (dirty.isEmpty() ? "" : " (otp-core with uncommitted changes)");
    } catch (IOException | InterruptedException | RuntimeException e) {
      return "unknown";
    }
  }

  private static String run(Path dir, List<String> cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(out);
    }
    return out;
  }
}
