package dev.cairn.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A child JVM running a main class from the test classpath, for tests that must kill a process
 * (SIGKILL) or hold a resource from another process. Each child gets its own temp directory,
 * because RocksDB unpacks its native library there and a killed JVM cannot clean it up; {@link
 * #close()} kills the child if needed and deletes that directory. Lines the child prints are
 * queued for {@link #awaitLine}. Not thread-safe.
 */
public final class ChildJvm implements AutoCloseable {
  private static final String EOF = "\u0000eof";

  private final Process process;
  private final Path tmpDir;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final List<String> output = new ArrayList<>();

  private ChildJvm(Process process, Path tmpDir) {
    this.process = process;
    this.tmpDir = tmpDir;
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                  lines.add(line);
                }
              } catch (IOException e) {
                // The child died; the EOF marker below tells waiters.
              } finally {
                lines.add(EOF);
              }
            },
            "child-jvm-reader");
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts {@code mainClass} with {@code args} on this JVM's classpath and stderr inherited. */
  public static ChildJvm start(Class<?> mainClass, String... args) throws IOException {
    Path tmp = Files.createTempDirectory("cairn-child-");
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.add("-Xmx256m");
    command.add("-Djava.io.tmpdir=" + tmp);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(mainClass.getName());
    command.addAll(List.of(args));
    Process p =
        new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    return new ChildJvm(p, tmp);
  }

  /**
   * Returns the next line the child prints, waiting at most {@code seconds}; fails if the child
   * exits or stays silent that long.
   */
  public String awaitLine(long seconds) throws InterruptedException {
    String line = lines.poll(seconds, TimeUnit.SECONDS);
    if (line == null) {
      throw new AssertionError("child printed nothing for " + seconds + " s; output so far: " + output);
    }
    if (line.equals(EOF)) {
      lines.add(EOF);
      throw new AssertionError("child exited (" + exitCodeIfDone() + "); output: " + output);
    }
    output.add(line);
    return line;
  }

  private String exitCodeIfDone() {
    return process.isAlive() ? "still running" : "exit code " + process.exitValue();
  }

  /** SIGKILL: the child gets no chance to clean up or flush anything. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new AssertionError("child did not die within 30 s of SIGKILL");
    }
  }

  public Process process() {
    return process;
  }

  @Override
  public void close() throws Exception {
    if (process.isAlive()) {
      kill();
    }
    try (Stream<Path> files = Files.walk(tmpDir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
