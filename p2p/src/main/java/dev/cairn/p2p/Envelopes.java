package dev.cairn.p2p;

import com.google.protobuf.ByteString;
import dev.cairn.ledger.BlockHeader;
import dev.cairn.ledger.Hash;
import dev.cairn.proto.v1.Disconnect;
import dev.cairn.proto.v1.Envelope;
import dev.cairn.proto.v1.GetData;
import dev.cairn.proto.v1.GetHeaders;
import dev.cairn.proto.v1.Headers;
import dev.cairn.proto.v1.Inventory;
import dev.cairn.proto.v1.InventoryItem;
import dev.cairn.proto.v1.InventoryType;
import java.util.Collection;
import java.util.List;

/** Builds peer messages. Stateless. */
final class Envelopes {
  private Envelopes() {}

  static ByteString bytes(Hash h) {
    return ByteString.copyFrom(h.toByteArray());
  }

  static InventoryItem item(InventoryType type, Hash h) {
    return InventoryItem.newBuilder().setType(type).setHash(bytes(h)).build();
  }

  static Envelope inventory(InventoryType type, Collection<Hash> hashes) {
    Inventory.Builder b = Inventory.newBuilder();
    hashes.forEach(h -> b.addItems(item(type, h)));
    return Envelope.newBuilder().setInventory(b).build();
  }

  static Envelope getData(InventoryType type, Collection<Hash> hashes) {
    GetData.Builder b = GetData.newBuilder();
    hashes.forEach(h -> b.addItems(item(type, h)));
    return Envelope.newBuilder().setGetData(b).build();
  }

  static Envelope getHeaders(List<Hash> locator) {
    GetHeaders.Builder b = GetHeaders.newBuilder();
    locator.forEach(h -> b.addLocator(bytes(h)));
    return Envelope.newBuilder().setGetHeaders(b).build();
  }

  static Envelope headers(List<BlockHeader> headers) {
    Headers.Builder b = Headers.newBuilder();
    headers.forEach(
        h -> b.addHeaders(dev.cairn.proto.v1.BlockHeader.newBuilder().setCanonical(ByteString.copyFrom(h.encoded()))));
    return Envelope.newBuilder().setHeaders(b).build();
  }

  static Envelope disconnect(String code, String message) {
    return Envelope.newBuilder()
        .setDisconnect(Disconnect.newBuilder().setReasonCode(code).setMessage(message))
        .build();
  }

  /** A hash field of exactly 32 bytes, or empty. */
  static java.util.Optional<Hash> hash(ByteString raw) {
    return raw.size() == Hash.SIZE ? java.util.Optional.of(Hash.of(raw.toByteArray())) : java.util.Optional.empty();
  }
}
