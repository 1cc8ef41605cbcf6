package dev.cairn.node;

import dev.cairn.ledger.Address;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.store.BlockIndexEntry;
import io.javalin.http.Context;
import io.javalin.router.JavalinDefaultRoutingApi;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The explorer's routes (docs/API.md), shaped after Blockstream's Esplora and adapted to the
 * account model. Handlers parse and check their path parameters, ask {@link NodeQueries}, and hand
 * the answer to {@link JsonViews}; a bad parameter or a missing object is an {@link ApiError},
 * which {@link ExplorerServer} turns into the JSON error shape. Thread-safe (stateless).
 */
final class ExplorerRoutes {
  /** Blocks in one page of {@code /api/blocks}, as in Esplora. */
  static final int BLOCKS_PER_PAGE = 10;

  static final String JSON = "application/json; charset=utf-8";
  static final String TEXT = "text/plain; charset=utf-8";

  private static final Pattern HEX_HASH = Pattern.compile("[0-9a-fA-F]{64}");
  private static final Pattern DIGITS = Pattern.compile("[0-9]+");

  private final NodeQueries queries;
  private final JsonViews views;

  ExplorerRoutes(NodeQueries queries) {
    this.queries = queries;
    this.views = new JsonViews(queries);
  }

  void register(JavalinDefaultRoutingApi routes) {
    routes.get("/api/blocks/tip/height", ctx -> text(ctx, Long.toString(queries.chain().tip().height())));
    routes.get("/api/blocks/tip/hash", ctx -> text(ctx, queries.chain().tip().hash().toHex()));
    routes.get("/api/blocks", ctx -> blocksFrom(ctx, queries.chain().tip().height()));
    routes.get("/api/blocks/{start_height}", ctx -> blocksFrom(ctx, height(ctx.pathParam("start_height"))));
    routes.get("/api/block/{hash}", ctx -> json(ctx, views.block(block(ctx.pathParam("hash")))));
    routes.get(
        "/api/block/{hash}/txids", ctx -> json(ctx, JsonViews.txids(block(ctx.pathParam("hash")).block().transactionIds())));
    routes.get("/api/block-height/{height}", this::blockHeight);
    routes.get("/api/tx/{txid}", this::transaction);
    routes.get("/api/address/{address}", this::address);
    routes.get("/api/peers", ctx -> json(ctx, views.peers(queries.peers())));
  }

  private void blocksFrom(Context ctx, long start) {
    BlockIndexEntry tip = queries.chain().tip();
    if (start > tip.height()) {
      throw ApiError.notFound("no best-chain block at height " + start + " (the tip is at " + tip.height() + ")");
    }
    List<NodeQueries.BlockView> blocks = queries.bestChainBlocksDown(start, BLOCKS_PER_PAGE);
    if (blocks.isEmpty()) {
      // The best chain got shorter (a reorganisation) since the tip was read.
      throw ApiError.notFound("no best-chain block at height " + start);
    }
    json(ctx, views.blocks(blocks));
  }

  private NodeQueries.BlockView block(String hashText) {
    Hash hash = hash(hashText, "block hash");
    return queries.block(hash).orElseThrow(() -> ApiError.notFound("block " + hash + " is unknown"));
  }

  private void blockHeight(Context ctx) {
    long height = height(ctx.pathParam("height"));
    Hash hash =
        queries
            .bestChainHash(height)
            .orElseThrow(
                () -> ApiError.notFound(
                    "no best-chain block at height " + height + " (the tip is at " + queries.chain().tip().height() + ")"));
    text(ctx, hash.toHex());
  }

  private void transaction(Context ctx) {
    Hash txid = hash(ctx.pathParam("txid"), "transaction id");
    NodeQueries.TxView view =
        queries
            .transaction(txid)
            .orElseThrow(() -> ApiError.notFound("transaction " + txid + " is not in the best chain or the mempool"));
    json(ctx, views.transaction(view));
  }

  private void address(Context ctx) {
    String text = ctx.pathParam("address");
    Address address;
    try {
      address = Address.parse(text, queries.addressPrefix());
    } catch (Address.InvalidAddressException e) {
      String code = e.reason().code();
      String message = e.getMessage().startsWith(code + ": ") ? e.getMessage().substring(code.length() + 2) : e.getMessage();
      throw new ApiError(400, code, message);
    }
    json(ctx, views.account(queries.account(address), queries.pendingTxCount(address)));
  }

  private static Hash hash(String text, String what) {
    if (!HEX_HASH.matcher(text).matches()) {
      throw new ApiError(400, "bad-hash", what + " must be 64 hex digits, got " + quote(text));
    }
    return Hash.parse(text.toLowerCase(java.util.Locale.ROOT));
  }

  private static long height(String text) {
    if (DIGITS.matcher(text).matches()) {
      try {
        return Long.parseLong(text);
      } catch (NumberFormatException e) {
        // More than 63 bits: falls through to the error below.
      }
    }
    throw new ApiError(
        400, "bad-height", "height must be an integer in 0.." + Long.MAX_VALUE + ", got " + quote(text));
  }

  /** User input echoed in a message, quoted and cut short. */
  private static String quote(String text) {
    return "'" + (text.length() > 80 ? text.substring(0, 80) + "..." : text) + "'";
  }

  private static void text(Context ctx, String body) {
    ctx.contentType(TEXT).result(body);
  }

  private static void json(Context ctx, Object body) {
    ctx.contentType(JSON).result(JsonViews.bytes(body));
  }

  /** A request the API answers with an error status and code (docs/API.md, "Errors"). */
  static final class ApiError extends RuntimeException {
    private final int status;
    private final String code;

    ApiError(int status, String code, String message) {
      super(message);
      this.status = status;
      this.code = code;
    }

    static ApiError notFound(String message) {
      return new ApiError(404, "not-found", message);
    }

    int status() {
      return status;
    }

    String code() {
      return code;
    }

    // An expected answer, not a fault: a stack trace would only cost time.
    @Override
    public synchronized Throwable fillInStackTrace() {
      return this;
    }
  }
}
