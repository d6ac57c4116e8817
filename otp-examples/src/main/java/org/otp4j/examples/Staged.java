package org.otp4j.examples;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Runs a main class from a copy of its class path: what {@code mvn -Prun verify} starts, so that
 * a second build while the example runs (which rewrites the jars and class folders under
 * {@code target}) cannot pull classes from under it. A JVM loads classes lazily, from the files
 * it was started with, for as long as it runs.
 *
 * <p>{@code Staged MAIN ARGS...} copies each class path entry into a fresh temporary folder,
 * starts {@code java} with the same JVM options, the copied class path, {@code MAIN} and
 * {@code ARGS}, passes its exit status on, and deletes the copy. Ctrl-C reaches both processes
 * (they share the terminal); this one waits for the other to finish stopping.
 */
public final class Staged {
  private Staged() {}

  /**
   * Runs {@code args[0]} with the arguments after it, from a copy of this JVM's class path.
   *
   * @param args the main class, then its arguments
   * @throws Exception if the copy or the start fails
   */
  public static void main(String[] args) throws Exception {
    if (args.length == 0) {
      System.err.println("usage: Staged MAIN-CLASS [ARGUMENT...]");
      System.exit(2);
    }
    Path stage = Files.createTempDirectory("otp4j-run-");
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
    command.add("-cp");
    command.add(String.join(java.io.File.pathSeparator, stage(classPath(), stage)));
    command.addAll(List.of(args));
    System.out.println("[run] starting " + String.join(" ", args) + " (from a copy of its class path in " + stage + ")");
    Process child = new ProcessBuilder(command).inheritIO().start();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        child.waitFor(); // Ctrl-C reached it too: let it finish stopping
      } catch (InterruptedException e) {
        child.destroy();
      } finally {
        delete(stage);
      }
    }, "staged-wait"));
    int status = child.waitFor();
    delete(stage);
    System.exit(status);
  }

  /** This JVM's class path, entry by entry. */
  static List<Path> classPath() {
    return Stream.of(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
        .filter(s -> !s.isEmpty()).map(Path::of).toList();
  }

  /**
   * Copies each class path entry (a jar, or a folder of classes) into {@code stage}, numbered to
   * keep entries of the same name apart and in order; returns the copies' paths, in order. An entry
   * that does not exist is left out, as the JVM would ignore it.
   */
  static List<String> stage(List<Path> entries, Path stage) throws IOException {
    List<String> staged = new ArrayList<>();
    int n = 0;
    for (Path entry : entries) {
      if (!Files.exists(entry)) {
        continue;
      }
      Path target = stage.resolve(String.format("%03d-%s", n++, entry.getFileName()));
      if (Files.isDirectory(entry)) {
        copyTree(entry, target);
      } else {
        Files.copy(entry, target, StandardCopyOption.COPY_ATTRIBUTES);
      }
      staged.add(target.toString());
    }
    return staged;
  }

  private static void copyTree(Path from, Path to) throws IOException {
    Files.walkFileTree(from, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
        Files.createDirectories(to.resolve(from.relativize(dir).toString()));
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.copy(file, to.resolve(from.relativize(file).toString()), StandardCopyOption.COPY_ATTRIBUTES);
        return FileVisitResult.CONTINUE;
      }
    });
  }

  private static void delete(Path tree) {
    if (!Files.exists(tree)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(tree)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (IOException | UncheckedIOException e) {
      // a leftover copy in the temporary folder: harmless
    }
  }
}
