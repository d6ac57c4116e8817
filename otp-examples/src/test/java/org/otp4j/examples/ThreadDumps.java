package org.otp4j.examples;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;

/**
 * A dump of every thread of the test's JVM, virtual threads included, written when a test gives up
 * waiting: what kept the work it waited for from running is then on record.
 */
public final class ThreadDumps {
  private ThreadDumps() {}

  /**
   * Writes the dump under {@code target/thread-dumps/} and returns a line that says where, for a
   * test's failure message; never fails.
   */
  public static String write(String why) {
    try {
      Path dir = Path.of("target", "thread-dumps");
      Files.createDirectories(dir);
      Path file = dir.resolve(why.replaceAll("[^A-Za-z0-9._-]", "_") + "-"
          + LocalTime.now().format(DateTimeFormatter.ofPattern("HHmmss.SSS")) + ".txt").toAbsolutePath();
      ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
          .dumpThreads(file.toString(), HotSpotDiagnosticMXBean.ThreadDumpFormat.TEXT_PLAIN);
      return "threads of the test JVM: " + file;
    } catch (IOException | RuntimeException e) {
      return "no thread dump: " + e;
    }
  }
}
