package org.otp4j.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU use on the machine, from {@code /proc}: how busy the cores are, and how much of that is some
 * other program's. The machine may be shared (builds, tests of other work), and two cores leave no
 * room: the harness waits for quiet before each measurement, and measures how much CPU others used
 * during it ("foreign load"), to retry or flag a disturbed measurement. Where {@code /proc} is
 * missing every figure is 0 and nothing waits.
 */
final class CpuLoad {
  private CpuLoad() {}

  private static final Path STAT = Path.of("/proc/stat");

  /** Busy and total jiffies of all cores since boot. */
  record Sample(long busy, long total, long nanoTime) {}

  static Sample sample() {
    try {
      String line = Files.readAllLines(STAT).getFirst(); // cpu user nice system idle iowait irq softirq steal ...
      String[] f = line.trim().split("\\s+");
      long user = Long.parseLong(f[1]);
      long nice = Long.parseLong(f[2]);
      long system = Long.parseLong(f[3]);
      long idle = Long.parseLong(f[4]);
      long iowait = Long.parseLong(f[5]);
      long irq = Long.parseLong(f[6]);
      long softirq = Long.parseLong(f[7]);
      long steal = f.length > 8 ? Long.parseLong(f[8]) : 0;
      long busy = user + nice + system + irq + softirq + steal;
      return new Sample(busy, busy + idle + iowait, System.nanoTime());
    } catch (IOException | RuntimeException e) {
      return new Sample(0, 0, System.nanoTime());
    }
  }

  /**
   * CPU jiffies used so far by process {@code pid} and by its children that have ended and been
   * waited for (utime + stime + cutime + cstime), or 0 if unknown.
   */
  static long processJiffiesWithChildren(long pid) {
    try {
      String s = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      String[] f = s.substring(s.lastIndexOf(')') + 2).trim().split("\\s+"); // fields from 3 (state) on
      return Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  /** Cores kept busy, on average, between two samples (by anything). */
  static double busyCores(Sample a, Sample b) {
    long total = b.total() - a.total();
    return total <= 0 ? 0 : (double) (b.busy() - a.busy()) / total * Machine.cores();
  }

  /**
   * Cores kept busy, on average, between two samples by anything other than a process that used
   * {@code ownJiffies} in that time.
   */
  static double foreignCores(Sample a, Sample b, long ownJiffies) {
    long total = b.total() - a.total();
    if (total <= 0) {
      return 0;
    }
    long foreign = Math.max(0, b.busy() - a.busy() - ownJiffies);
    return (double) foreign / total * Machine.cores();
  }

  /** Busy cores measured over {@code millis}. */
  static double busyCoresOver(long millis) throws InterruptedException {
    Sample a = sample();
    Thread.sleep(millis);
    return busyCores(a, sample());
  }
}
