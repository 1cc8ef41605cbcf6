package dev.cairn.node.cluster;

import com.google.protobuf.ByteString;
import dev.cairn.proto.v1.Addresses;
import dev.cairn.proto.v1.BlockData;
import dev.cairn.proto.v1.Disconnect;
import dev.cairn.proto.v1.Envelope;
import dev.cairn.proto.v1.GetAddresses;
import dev.cairn.proto.v1.GetData;
import dev.cairn.proto.v1.GetHeaders;
import dev.cairn.proto.v1.Headers;
import dev.cairn.proto.v1.Inventory;
import dev.cairn.proto.v1.InventoryItem;
import dev.cairn.proto.v1.NotFound;
import dev.cairn.proto.v1.PeerAddress;
import dev.cairn.proto.v1.Ping;
import dev.cairn.proto.v1.Pong;
import dev.cairn.proto.v1.TransactionBatch;
import java.util.Random;

/**
 * Seeded random peer messages: every kind of envelope with fields that are sometimes right and
 * mostly wrong (bad lengths, unknown enum values, random canonical bytes, near-valid headers).
 */
final class RandomEnvelopes {
  private RandomEnvelopes() {}

  static Envelope next(Random r, ClusterNode victim) {
    return switch (r.nextInt(14)) {
      case 0 -> Envelope.newBuilder().setInventory(Inventory.newBuilder().addAllItems(items(r))).build();
      case 1 -> Envelope.newBuilder().setGetData(GetData.newBuilder().addAllItems(items(r))).build();
      case 2 -> Envelope.newBuilder().setNotFound(NotFound.newBuilder().addAllItems(items(r))).build();
      case 3 -> {
        TransactionBatch.Builder b = TransactionBatch.newBuilder();
        for (int i = r.nextInt(3); i >= 0; i--) {
          b.addTransactions(dev.cairn.proto.v1.Transaction.newBuilder().setCanonical(bytes(r, r.nextBoolean() ? 142 : r.nextInt(200))));
        }
        yield Envelope.newBuilder().setTransactions(b).build();
      }
      case 4 -> Envelope.newBuilder()
          .setBlock(BlockData.newBuilder().setBlock(dev.cairn.proto.v1.Block.newBuilder().setCanonical(bytes(r, r.nextInt(400)))))
          .build();
      case 5 -> {
        GetHeaders.Builder b = GetHeaders.newBuilder().setStopHash(bytes(r, r.nextBoolean() ? 32 : r.nextInt(40)));
        for (int i = r.nextInt(5); i > 0; i--) {
          b.addLocator(r.nextBoolean() ? FakePeer.bytes(victim.tip().hash()) : bytes(r, r.nextInt(3) == 0 ? 31 : 32));
        }
        yield Envelope.newBuilder().setGetHeaders(b).build();
      }
      case 6 -> {
        // A header on the tip with random fields: sometimes it passes proof of work (regtest).
        byte[] h = victim.tip().header().encoded().clone();
        byte[] noise = new byte[h.length];
        r.nextBytes(noise);
        int from = r.nextInt(h.length);
        for (int i = from; i < Math.min(h.length, from + 1 + r.nextInt(16)); i++) {
          h[i] ^= noise[i];
        }
        yield Envelope.newBuilder()
            .setHeaders(Headers.newBuilder().addHeaders(dev.cairn.proto.v1.BlockHeader.newBuilder().setCanonical(ByteString.copyFrom(h))))
            .build();
      }
      case 7 -> Envelope.newBuilder().setGetAddresses(GetAddresses.getDefaultInstance()).build();
      case 8 -> {
        Addresses.Builder b = Addresses.newBuilder();
        for (int i = r.nextInt(4); i > 0; i--) {
          b.addAddresses(PeerAddress.newBuilder().setHost(r.nextBoolean() ? "" : "198.51.100." + r.nextInt(300)).setPort(r.nextInt(70_000)).setLastSeen(r.nextLong()));
        }
        yield Envelope.newBuilder().setAddresses(b).build();
      }
      case 9 -> Envelope.newBuilder().setPing(Ping.newBuilder().setNonce(r.nextLong())).build();
      case 10 -> Envelope.newBuilder().setPong(Pong.newBuilder().setNonce(r.nextLong())).build();
      case 11 -> Envelope.newBuilder().setDisconnect(Disconnect.newBuilder().setReasonCode("x").setMessage("bye")).build();
      case 12 -> Envelope.getDefaultInstance();
      default -> Envelope.newBuilder().setHeaders(Headers.newBuilder()).build();
    };
  }

  private static java.util.List<InventoryItem> items(Random r) {
    java.util.List<InventoryItem> out = new java.util.ArrayList<>();
    for (int i = r.nextInt(4); i > 0; i--) {
      out.add(InventoryItem.newBuilder().setTypeValue(r.nextInt(4)).setHash(bytes(r, r.nextInt(4) == 0 ? r.nextInt(40) : 32)).build());
    }
    return out;
  }

  private static ByteString bytes(Random r, int n) {
    byte[] b = new byte[n];
    r.nextBytes(b);
    return ByteString.copyFrom(b);
  }
}
