package dev.cairn.p2p.purity;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;

/**
 * Every call the peer core must not make, once each, for {@code CorePurityTest} to find: proof
 * that its check can fail. Never run.
 */
@SuppressWarnings("unused")
public final class ImpureFixture {
  private ImpureFixture() {}

  static void forbidden() throws Exception {
    long a = System.currentTimeMillis();
    long b = System.nanoTime();
    Instant c = Instant.now();
    SecureRandom d = new SecureRandom();
    SecureRandom e = SecureRandom.getInstanceStrong();
    Random f = new Random();
    SplittableRandom g = new SplittableRandom();
    int h = ThreadLocalRandom.current().nextInt();
    double i = Math.random();
    Thread.sleep(1);
    Thread j = new Thread(() -> {});
    var k = Executors.newSingleThreadExecutor();
    var l = new ThreadPoolExecutor(1, 1, 1, java.util.concurrent.TimeUnit.SECONDS, new java.util.concurrent.LinkedBlockingQueue<>());
    var m = new java.util.Timer();
    var n = io.grpc.Status.OK;
    var o = java.net.InetAddress.getByName("seed.example.org");
  }

  static long seededIsFine(long seed) throws NoSuchAlgorithmException {
    return new Random(seed).nextLong() + new SplittableRandom(seed).nextLong();
  }
}
