package dev.cairn.p2p;

import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The peer port's listening socket, below gRPC: a TCP connection beyond the caps (in all, and per
 * routable network group) is closed the moment it is accepted, before gRPC spends anything on it.
 * The peer core's inbound limit and eviction work on peers that got this far. Thread-safe: accepts
 * run on the boss thread, releases on the connections' threads; the counts are guarded by {@link
 * Caps}'s lock.
 */
final class CappedServerChannel extends NioServerSocketChannel {
  /** The counts, shared by the listening socket and the connections' close listeners. */
  static final class Caps {
    private final int total;
    private final int perGroup;
    private final boolean loopbackRoutable;
    private final Map<String, Integer> byGroup = new HashMap<>();
    private int open;

    Caps(int total, int perGroup, boolean loopbackRoutable) {
      this.total = total;
      this.perGroup = perGroup;
      this.loopbackRoutable = loopbackRoutable;
    }

    /** Counts a new connection from {@code remote} if the caps allow it. */
    synchronized boolean admit(String group) {
      if (open >= total) {
        return false;
      }
      boolean capped = !group.equals(NetworkGroup.LOCAL);
      if (capped && byGroup.getOrDefault(group, 0) >= perGroup) {
        return false;
      }
      open++;
      byGroup.merge(group, 1, Integer::sum);
      return true;
    }

    synchronized void release(String group) {
      open--;
      byGroup.computeIfPresent(group, (g, n) -> n == 1 ? null : n - 1);
    }

    synchronized int open() {
      return open;
    }

    String groupOf(InetSocketAddress remote) {
      String host = remote.getAddress() != null ? remote.getAddress().getHostAddress() : remote.getHostString();
      return NetworkGroup.of(new HostPort(host, Math.max(1, remote.getPort())), loopbackRoutable);
    }
  }

  private final Caps caps;

  CappedServerChannel(Caps caps) {
    this.caps = caps;
  }

  @Override
  protected int doReadMessages(List<Object> buf) throws Exception {
    int before = buf.size();
    int accepted = super.doReadMessages(buf);
    for (int i = buf.size() - 1; i >= before; i--) {
      Channel child = (Channel) buf.get(i);
      InetSocketAddress remote = (InetSocketAddress) child.remoteAddress();
      String group = remote == null ? NetworkGroup.LOCAL : caps.groupOf(remote);
      if (caps.admit(group)) {
        child.closeFuture().addListener(f -> caps.release(group));
      } else {
        buf.remove(i);
        accepted--;
        child.unsafe().closeForcibly();
      }
    }
    return accepted;
  }
}
