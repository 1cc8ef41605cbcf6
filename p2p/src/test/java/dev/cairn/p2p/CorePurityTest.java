package dev.cairn.p2p;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaAccess;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.cairn.p2p.purity.ImpureFixture;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * The peer core stays free of I/O and of the wall clock: every class of {@code dev.cairn.p2p}
 * except the node's shell around it ({@link #SHELL}: the gRPC transport and the threads that run
 * the core in a node) must not read the clock, make unseeded randomness, sleep, create threads or
 * executors, look up a name (DNS), or use a gRPC type. Time, scheduling and randomness come in through {@link Clock},
 * {@link Scheduler} and {@link SeededRandom}, so the same code runs deterministically in tests and
 * simulations. Read from the compiled classes with ArchUnit; a fixture with each forbidden call
 * proves the check fails when it should.
 */
class CorePurityTest {
  /** The only classes allowed to do I/O, use gRPC or make threads (with their nested classes). */
  static final Set<String> SHELL = Set.of("PeerNetwork", "GrpcTransport", "GrpcConnection", "PeerService", "CappedServerChannel");

  /** A forbidden kind of call: what it is, and which accesses it matches. */
  record Forbidden(String what, Predicate<JavaAccess<?>> matches) {}

  static final List<Forbidden> FORBIDDEN =
      List.of(
          new Forbidden("System.currentTimeMillis", call("java.lang.System", "currentTimeMillis")),
          new Forbidden("System.nanoTime", call("java.lang.System", "nanoTime")),
          new Forbidden("java.time now()", a -> owner(a).startsWith("java.time.") && a.getName().equals("now")),
          new Forbidden("new SecureRandom / SecureRandom.getInstance", a -> owner(a).equals("java.security.SecureRandom")),
          new Forbidden("new Random() without a seed", construct("java.util.Random", 0)),
          new Forbidden("new SplittableRandom() without a seed", construct("java.util.SplittableRandom", 0)),
          new Forbidden("ThreadLocalRandom", a -> owner(a).equals("java.util.concurrent.ThreadLocalRandom")),
          new Forbidden("Math.random", call("java.lang.Math", "random")),
          new Forbidden("Thread.sleep", call("java.lang.Thread", "sleep")),
          new Forbidden("new Thread", a -> isConstructor(a) && target(a).isAssignableTo(Thread.class)),
          new Forbidden("Executors.*", a -> owner(a).equals("java.util.concurrent.Executors")),
          new Forbidden("new executor", a -> isConstructor(a) && target(a).isAssignableTo(java.util.concurrent.Executor.class)),
          new Forbidden("new java.util.Timer", construct("java.util.Timer", -1)),
          new Forbidden("gRPC", a -> owner(a).startsWith("io.grpc.")),
          new Forbidden("a name lookup", a -> owner(a).equals("java.net.InetAddress")
              && List.of("getByName", "getAllByName", "getLocalHost", "getHostName", "getCanonicalHostName").contains(a.getName())));

  @Test
  void coreClassesMakeNoForbiddenCall() {
    JavaClasses main = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("dev.cairn.p2p");
    List<JavaClass> core = main.stream().filter(c -> !inShell(c)).toList();
    assertThat(core).as("core classes found").hasSizeGreaterThan(20);
    assertThat(core).extracting(JavaClass::getSimpleName).contains("PeerManager", "PeerDriver", "ConnectionManager", "InMemoryTransport");
    assertThat(violations(core)).isEmpty();
  }

  @Test
  void onlyTheShellDependsOnGrpc() {
    JavaClasses main = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("dev.cairn.p2p");
    List<String> grpcUsers = new ArrayList<>();
    for (JavaClass c : main) {
      boolean usesGrpc = c.getDirectDependenciesFromSelf().stream().anyMatch(d -> d.getTargetClass().getPackageName().startsWith("io.grpc"));
      if (usesGrpc && !inShell(c)) {
        grpcUsers.add(c.getName());
      }
    }
    assertThat(grpcUsers).as("classes outside the shell that use gRPC types").isEmpty();
  }

  @Test
  void theCheckCatchesEachForbiddenCall() {
    JavaClasses fixture = new ClassFileImporter().importClasses(ImpureFixture.class);
    List<String> found = violations(List.copyOf(fixture));
    for (Forbidden f : FORBIDDEN) {
      assertThat(found).as("a %s in the fixture is reported", f.what()).anyMatch(v -> v.startsWith(f.what() + ":"));
    }
    // A seeded Random and a clock handed in are fine.
    assertThat(found).noneMatch(v -> v.contains("seededIsFine"));
  }

  private static List<String> violations(List<JavaClass> classes) {
    List<String> out = new ArrayList<>();
    for (JavaClass c : classes) {
      for (JavaAccess<?> a : c.getAccessesFromSelf()) {
        for (Forbidden f : FORBIDDEN) {
          if (f.matches().test(a)) {
            out.add(f.what() + ": " + a.getDescription());
          }
        }
      }
    }
    return out;
  }

  private static boolean inShell(JavaClass c) {
    String top = c.getName().substring(c.getPackageName().length() + 1);
    int nested = top.indexOf('$');
    return SHELL.contains(nested < 0 ? top : top.substring(0, nested));
  }

  private static String owner(JavaAccess<?> a) {
    return a.getTargetOwner().getName();
  }

  private static JavaClass target(JavaAccess<?> a) {
    return a.getTargetOwner();
  }

  private static boolean isConstructor(JavaAccess<?> a) {
    return a.getName().equals("<init>");
  }

  private static Predicate<JavaAccess<?>> call(String owner, String name) {
    return a -> owner(a).equals(owner) && a.getName().equals(name);
  }

  /** A constructor call on {@code owner} with {@code parameters} parameters (-1: any). */
  private static Predicate<JavaAccess<?>> construct(String owner, int parameters) {
    return a -> owner(a).equals(owner) && isConstructor(a)
        && (parameters < 0 || (a instanceof com.tngtech.archunit.core.domain.JavaConstructorCall call
            && call.getTarget().getRawParameterTypes().size() == parameters));
  }
}
