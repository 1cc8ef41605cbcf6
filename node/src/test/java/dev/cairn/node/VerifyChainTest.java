package dev.cairn.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.ledger.Account;
import dev.cairn.ledger.Amount;
import dev.cairn.ledger.ChainSpec;
import dev.cairn.ledger.Transfer;
import dev.cairn.ledger.store.Column;
import dev.cairn.ledger.store.KeyValueStore;
import dev.cairn.ledger.store.RocksDbKeyValueStore;
import dev.cairn.ledger.store.StoreConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cairn node verify-chain} passes a healthy store and names what is wrong in a damaged one. */
class VerifyChainTest {
  @TempDir Path dir;
  private ChainSpec spec;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @BeforeEach
  void buildAChain() throws Exception {
    try (RegtestNode regtest = RegtestNode.funded(5, 3, dir)) {
      spec = regtest.spec();
      for (int i = 0; i < 5; i++) {
        Transfer t =
            Transfer.sign(regtest.key(0), regtest.key(1).address(), Amount.coins(1 + i), Amount.units(5_000), i, spec.genesisHash());
        regtest.node().mempool().add(t);
        regtest.generate(2, regtest.key(2).address());
      }
    }
  }

  private int verify() {
    return VerifyChainCommand.verify(
        spec, dir, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void aHealthyStoreVerifies() {
    assertThat(verify()).as(err.toString(StandardCharsets.UTF_8)).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("ok: 10 blocks").contains("equal a replay");
  }

  @Test
  void aTamperedAccountIsFound() {
    try (KeyValueStore kv = RocksDbKeyValueStore.open(dir.resolve("chain"), StoreConfig.DEFAULT)) {
      Account rich = new Account(Amount.coins(1_000_000), Amount.ZERO, 0);
      try (KeyValueStore.Batch b = kv.batch()) {
        b.put(Column.ACCOUNTS, spec.allocations().get(0).recipient().toByteArray(), rich.encode()).commit(true);
      }
    }
    assertThat(verify()).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("error: account").contains("by replay");
  }

  @Test
  void aMissingBodyIsFound() {
    try (KeyValueStore kv = RocksDbKeyValueStore.open(dir.resolve("chain"), StoreConfig.DEFAULT)) {
      byte[] hash = kv.get(Column.MAIN_CHAIN, new byte[] {0, 0, 0, 0, 0, 0, 0, 4}).orElseThrow();
      try (KeyValueStore.Batch b = kv.batch()) {
        b.delete(Column.BODIES, hash).commit(true);
      }
    }
    assertThat(verify()).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("at height 4 has no stored body");
  }
}
