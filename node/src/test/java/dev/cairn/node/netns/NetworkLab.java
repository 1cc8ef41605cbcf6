package dev.cairn.node.netns;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Hosts on a real (virtual) network, built with Linux network namespaces and {@code ip} from
 * iproute2: each host is a namespace of its own with one interface, {@code eth0}, at {@code
 * 10.213.7.<n>/24}, and a loopback; a "switch" namespace holds two bridges, one per group of hosts,
 * joined by a veth pair, the trunk. {@link #cut} takes the trunk down, so the two groups can no
 * longer reach each other (packets are dropped, as on a pulled cable; connections are not reset),
 * and {@link #heal} brings it back.
 *
 * <pre>
 *   [n1] [n2]            [n3] [n4]        each: eth0 10.213.7.n/24 (veth)
 *     |    |               |    |
 *   port1 port2          port3 port4      in the switch namespace
 *     \   /                 \   /
 *      bra --trunka==trunkb-- brb         bridges, joined by the trunk
 * </pre>
 *
 * <p>Everything is created inside namespaces the lab names itself ({@code cairn-<random>-sw} and
 * {@code cairn-<random>-n<i>}): every veth is created in and moved between those namespaces only,
 * so no interface, address or route of the host's own network is ever touched. {@link #close}
 * deletes the namespaces (which destroys their interfaces), and a shutdown hook does the same if the
 * JVM is stopped before. Needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN) and {@code ip}: {@link
 * #unavailable} says why not. Not thread-safe.
 */
final class NetworkLab implements AutoCloseable {
  static final String SUBNET = "10.213.7.";

  private final String prefix;
  private final String ip;
  private final int hosts;
  private final int firstOfGroupB;
  private final List<String> created = Collections.synchronizedList(new ArrayList<>());
  private final Thread cleanupOnExit = new Thread(this::deleteNamespaces, "netns-cleanup");
  private boolean closed;

  private NetworkLab(String ip, int hosts, int firstOfGroupB) {
    this.ip = ip;
    this.hosts = hosts;
    this.firstOfGroupB = firstOfGroupB;
    byte[] random = new byte[4];
    new SecureRandom().nextBytes(random);
    this.prefix = "cairn-" + HexFormat.of().formatHex(random);
  }

  /**
   * Why this machine cannot host a lab (not Linux, not root, no {@code ip}), or empty if it may
   * (whether namespaces can really be made shows only when {@link #create} tries).
   */
  static Optional<String> unavailable() {
    if (!System.getProperty("os.name", "").toLowerCase().contains("linux")) {
      return Optional.of("network namespaces need Linux, this is " + System.getProperty("os.name"));
    }
    Optional<String> ip = findIp();
    if (ip.isEmpty()) {
      return Optional.of("`ip` (iproute2) is not installed (apt-get install iproute2)");
    }
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("Uid:")) {
          String effective = line.split("\\s+")[2];
          if (!effective.equals("0")) {
            return Optional.of("creating network namespaces needs root; running as uid " + effective);
          }
        }
      }
    } catch (IOException e) {
      return Optional.of("cannot read /proc/self/status: " + e.getMessage());
    }
    return Optional.empty();
  }

  private static Optional<String> findIp() {
    List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)));
    dirs.addAll(List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin"));
    for (String d : dirs) {
      if (!d.isEmpty()) {
        Path p = Path.of(d, "ip");
        if (Files.isExecutable(p)) {
          return Optional.of(p.toString());
        }
      }
    }
    return Optional.empty();
  }

  /**
   * Builds the lab: hosts {@code 1..hosts}, hosts {@code 1..firstOfGroupB-1} on bridge A and the
   * rest on bridge B, the trunk up. On any failure whatever was made is removed again and the
   * failure (e.g. {@code ip netns add} refused in an unprivileged container) is thrown.
   */
  static NetworkLab create(int hosts, int firstOfGroupB) throws IOException {
    String ip = findIp().orElseThrow(() -> new IOException("`ip` is not installed"));
    NetworkLab lab = new NetworkLab(ip, hosts, firstOfGroupB);
    Runtime.getRuntime().addShutdownHook(lab.cleanupOnExit);
    try {
      lab.build();
      return lab;
    } catch (IOException | RuntimeException e) {
      lab.close();
      throw e;
    }
  }

  private void build() throws IOException {
    String sw = prefix + "-sw";
    addNamespace(sw);
    run(ip, "-n", sw, "link", "add", "bra", "type", "bridge");
    run(ip, "-n", sw, "link", "add", "brb", "type", "bridge");
    run(ip, "-n", sw, "link", "add", "trunka", "type", "veth", "peer", "name", "trunkb");
    run(ip, "-n", sw, "link", "set", "trunka", "master", "bra");
    run(ip, "-n", sw, "link", "set", "trunkb", "master", "brb");
    for (int i = 1; i <= hosts; i++) {
      String ns = namespace(i);
      addNamespace(ns);
      // Made inside the host's namespace, its peer end created directly in the switch's.
      run(ip, "-n", ns, "link", "add", "eth0", "type", "veth", "peer", "name", "port" + i, "netns", sw);
      run(ip, "-n", sw, "link", "set", "port" + i, "master", i < firstOfGroupB ? "bra" : "brb");
      run(ip, "-n", sw, "link", "set", "port" + i, "up");
      run(ip, "-n", ns, "addr", "add", address(i) + "/24", "dev", "eth0");
      run(ip, "-n", ns, "link", "set", "lo", "up");
      run(ip, "-n", ns, "link", "set", "eth0", "up");
    }
    for (String link : List.of("bra", "brb", "trunka", "trunkb")) {
      run(ip, "-n", sw, "link", "set", link, "up");
    }
  }

  private void addNamespace(String name) throws IOException {
    run(ip, "netns", "add", name);
    created.add(name);
  }

  /** The namespace of host {@code i} (1-based). */
  String namespace(int i) {
    return prefix + "-n" + i;
  }

  /** The address of host {@code i}. */
  static String address(int i) {
    return SUBNET + i;
  }

  String prefix() {
    return prefix;
  }

  /** Pulls the trunk: the two groups can no longer reach each other. */
  void cut() throws IOException {
    run(ip, "-n", prefix + "-sw", "link", "set", "trunka", "down");
  }

  /** Plugs the trunk back in. */
  void heal() throws IOException {
    run(ip, "-n", prefix + "-sw", "link", "set", "trunka", "up");
  }

  /** Namespaces with this lab's prefix that exist now (for the test's clean-up check). */
  List<String> remainingNamespaces() throws IOException {
    List<String> out = new ArrayList<>();
    for (String line : run(ip, "netns", "list").split("\n")) {
      String name = line.trim().split("\\s+")[0];
      if (name.startsWith(prefix + "-")) {
        out.add(name);
      }
    }
    return out;
  }

  /** The command {@code ip netns exec <ns of host i>} that runs a program inside host i. */
  List<String> execIn(int i) {
    return List.of(ip, "netns", "exec", namespace(i));
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    deleteNamespaces();
    try {
      Runtime.getRuntime().removeShutdownHook(cleanupOnExit);
    } catch (IllegalStateException e) {
      // Already shutting down: the hook runs (and finds nothing left to do).
    }
  }

  private void deleteNamespaces() {
    List<String> names;
    synchronized (created) {
      names = new ArrayList<>(created);
      created.clear();
    }
    Collections.reverse(names);
    for (String ns : names) {
      try {
        run(ip, "netns", "del", ns);
      } catch (IOException e) {
        System.err.println("netns lab: could not delete namespace " + ns + ": " + e.getMessage());
      }
    }
  }

  private static String run(String... command) throws IOException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException(String.join(" ", command) + " did not finish within 10 s");
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted running " + String.join(" ", command), e);
    }
    if (p.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " failed (exit " + p.exitValue() + "): " + out.trim());
    }
    return out;
  }
}
