package dev.cairn.node.netns;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A child JVM running a main class from the test classpath inside a network namespace ({@code ip
 * netns exec <ns> java ...}; {@code ip} execs java, so the process is the JVM itself), driven by
 * commands on its stdin, one answer line each on its stdout. With {@code ChildJvm}'s guarantees:
 * its own temp directory (RocksDB unpacks its native library there), and {@link #close} stops it
 * (politely with {@code quit}, then SIGKILL) and deletes that directory. Its stderr (the node's
 * log) goes to a file. The child also exits when its stdin ends, i.e. when this JVM dies. Not
 * thread-safe: one test thread talks to it.
 */
final class NamespaceJvm implements AutoCloseable {
  static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(60);
  private static final String EOF = "\u0000eof";

  private final String name;
  private final Process process;
  private final Path tmpDir;
  private final Path log;
  private final Writer stdin;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

  private NamespaceJvm(String name, Process process, Path tmpDir, Path log) {
    this.name = name;
    this.process = process;
    this.tmpDir = tmpDir;
    this.log = log;
    this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                  lines.add(line);
                }
              } catch (IOException e) {
                // The child died; EOF tells waiters.
              } finally {
                lines.add(EOF);
              }
            },
            name + "-stdout");
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts {@code mainClass} with {@code args} under {@code prefix} (e.g. {@code ip netns exec ns}). */
  static NamespaceJvm start(String name, List<String> prefix, Path log, Class<?> mainClass, String... args) throws IOException {
    Path tmp = Files.createTempDirectory("cairn-netns-child-");
    List<String> command = new ArrayList<>(prefix);
    command.add(ProcessHandle.current().info().command().orElse("java"));
    // Four of these start at once on two cores: a small heap, the client compiler only.
    command.addAll(List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Djava.io.tmpdir=" + tmp));
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(mainClass.getName());
    command.addAll(List.of(args));
    Process p;
    try {
      p = new ProcessBuilder(command).redirectError(log.toFile()).start();
    } catch (IOException e) {
      deleteTree(tmp);
      throw e;
    }
    return new NamespaceJvm(name, p, tmp, log);
  }

  /** The next line the child prints; fails if it exits or stays silent for {@link #ANSWER_TIMEOUT}. */
  String awaitLine() {
    String line;
    try {
      line = lines.poll(ANSWER_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
    if (line == null) {
      throw new AssertionError(name + " printed nothing for " + ANSWER_TIMEOUT + "; its log ends: " + logTail(20));
    }
    if (line.equals(EOF)) {
      lines.add(EOF);
      throw new AssertionError(name + " exited (" + (process.isAlive() ? "stdout closed" : "exit " + process.exitValue()) + "); its log ends: " + logTail(30));
    }
    return line;
  }

  /** Sends one command and returns the answer's words after the expected first word. */
  String ask(String command) {
    try {
      stdin.write(command + "\n");
      stdin.flush();
    } catch (IOException e) {
      throw new AssertionError(name + " does not take commands (" + e.getMessage() + "); its log ends: " + logTail(30), e);
    }
    String answer = awaitLine();
    if (answer.startsWith("error")) {
      throw new AssertionError(name + " answered '" + command + "' with: " + answer);
    }
    return answer;
  }

  /** The last {@code n} lines of the child's log. */
  String logTail(int n) {
    try {
      List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
      return "\n  " + String.join("\n  ", all.subList(Math.max(0, all.size() - n), all.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  String name() {
    return name;
  }

  @Override
  public void close() {
    try {
      if (process.isAlive()) {
        try {
          stdin.write("quit\n");
          stdin.flush();
        } catch (IOException e) {
          // Already gone.
        }
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError(name + " did not die within 30 s of SIGKILL");
          }
        }
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    } finally {
      deleteTree(tmpDir);
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // Best effort: a temp directory.
    }
  }
}
