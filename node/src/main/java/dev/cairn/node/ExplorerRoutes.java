package dev.cairn.node;

import dev.cairn.consensus.ValidationObserver;
import dev.cairn.ledger.Address;
import dev.cairn.ledger.DecodeException;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.Reason;
import dev.cairn.ledger.RejectedException;
import dev.cairn.ledger.Transaction;
import dev.cairn.ledger.Transfer;
import dev.cairn.ledger.store.BlockIndexEntry;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import io.javalin.router.JavalinDefaultRoutingApi;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The explorer's routes (docs/API.md), shaped after Blockstream's Esplora and adapted to the
 * account model. Handlers parse and check their path parameters, ask {@link NodeQueries}, and hand
 * the answer to {@link JsonViews}; a bad parameter or a missing object is an {@link ApiError},
 * which {@link ExplorerServer} turns into the JSON error shape. Every route is read-only except
 * {@code POST /api/tx}, which hands a transaction to the mempool's admission checks. Thread-safe
 * (stateless once registered).
 */
final class ExplorerRoutes {
  private static final Logger LOG = LoggerFactory.getLogger(ExplorerRoutes.class);

  /** Blocks in one page of {@code /api/blocks}, as in Esplora. */
  static final int BLOCKS_PER_PAGE = 10;
  /** Transactions in one page of a block's or an address's confirmed transactions, as in Esplora. */
  static final int TXS_PER_PAGE = 25;
  /** Transactions of {@code /api/mempool/recent}. */
  static final int RECENT_MEMPOOL = 10;
  /** Confirmations after which a block's answers may be cached as immutable. */
  static final int IMMUTABLE_CONFIRMATIONS = 6;
  /** Largest body {@code POST /api/tx} reads: 64 KiB of hex. */
  static final int MAX_TX_BODY = 64 * 1024;

  static final String JSON = "application/json; charset=utf-8";
  static final String TEXT = "text/plain; charset=utf-8";
  static final String EVENT_STREAM = "text/event-stream; charset=utf-8";
  static final String NO_CACHE = "no-cache";
  static final String IMMUTABLE = "public, max-age=31536000, immutable";

  private static final Pattern DIGITS = Pattern.compile("[0-9]+");
  private static final Pattern HEX = Pattern.compile("([0-9a-fA-F]{2})+");

  private final NodeQueries queries;
  private final JsonViews views;
  private final Optional<EventFeed> events;
  private final Optional<NodeMetrics> metrics;
  private final ValidationObserver decodeObserver;
  private final byte[] openApi;
  private final List<String> declared = new ArrayList<>();

  ExplorerRoutes(NodeQueries queries, Optional<EventFeed> events, Optional<NodeMetrics> metrics) {
    this.queries = queries;
    this.views = new JsonViews(queries);
    this.events = events;
    this.metrics = metrics;
    this.decodeObserver = metrics.<ValidationObserver>map(m -> m).orElse(ValidationObserver.NONE);
    this.openApi = openApiDocument();
  }

  /** Every declared route as "METHOD /path" with {name} parameters, in declaration order. */
  List<String> declared() {
    return List.copyOf(declared);
  }

  void register(JavalinDefaultRoutingApi routes) {
    // Javalin tries routes in this order (a regular expression each) and takes the first that
    // matches: the lookups made most (a transaction, an address's history, a block) come first.
    // No two routes match the same path, so the order changes nothing else.
    get(routes, "/api/tx/{txid}", this::transaction);
    get(routes, "/api/address/{address}/txs", this::addressTransactions);
    get(routes, "/api/address/{address}/txs/chain/{last_seen_txid}", ctx -> addressChain(ctx, Optional.of(ctx.pathParam("last_seen_txid"))));
    get(routes, "/api/block/{hash}", ctx -> {
      NodeQueries.BlockSummary v = blockSummary(ctx.pathParam("hash"));
      cacheBlock(ctx, v.inBestChain(), v.confirmations());
      json(ctx, views.block(v));
    });
    get(routes, "/api/tx/{txid}/merkle-proof", this::merkleProof);
    post(routes, "/api/tx", this::submitTransaction);
    get(routes, "/api/address/{address}", this::address);
    get(routes, "/api/address/{address}/txs/chain", ctx -> addressChain(ctx, Optional.empty()));
    get(routes, "/api/address/{address}/txs/mempool", this::addressMempool);
    get(routes, "/api/blocks/tip/height", ctx -> text(ctx, Long.toString(queries.chain().tip().height())));
    get(routes, "/api/blocks/tip/hash", ctx -> text(ctx, queries.chain().tip().hash().toHex()));
    get(routes, "/api/blocks", ctx -> blocksFrom(ctx, queries.chain().tip().height()));
    get(routes, "/api/blocks/{start_height}", ctx -> blocksFrom(ctx, height(ctx.pathParam("start_height"))));
    get(routes, "/api/block/{hash}/status", this::blockStatus);
    get(routes, "/api/block/{hash}/txids", ctx -> {
      NodeQueries.BlockView v = block(ctx.pathParam("hash"));
      cacheBlock(ctx, v);
      json(ctx, JsonViews.txids(v.block().transactionIds()));
    });
    get(routes, "/api/block/{hash}/txs", ctx -> blockTransactions(ctx, "0"));
    get(routes, "/api/block/{hash}/txs/{start_index}", ctx -> blockTransactions(ctx, ctx.pathParam("start_index")));
    get(routes, "/api/block-height/{height}", this::blockHeight);
    get(routes, "/api/mempool", ctx -> json(ctx, JsonViews.mempool(queries.mempoolSummary())));
    get(routes, "/api/mempool/recent", ctx -> json(ctx, JsonViews.recentMempool(queries.recentMempool(RECENT_MEMPOOL))));
    get(routes, "/api/fee-estimates", ctx -> json(ctx, JsonViews.feeEstimates(queries.feeEstimates())));
    get(routes, "/api/peers", ctx -> json(ctx, views.peers(queries.peers())));
    get(routes, "/api/events", this::events);
    get(routes, "/api/openapi.json", ctx -> send(ctx, JSON, openApi));
    get(routes, "/metrics", this::metrics);
  }

  private void get(JavalinDefaultRoutingApi routes, String path, Handler handler) {
    routes.get(path, handler);
    // HEAD runs the same handler (RFC 9110: the same header fields as GET); Jetty sends no body.
    routes.head(path, handler);
    declared.add("GET " + path);
  }

  private void post(JavalinDefaultRoutingApi routes, String path, Handler handler) {
    routes.post(path, handler);
    declared.add("POST " + path);
  }

  // ---- blocks ----------------------------------------------------------------------------------

  private void blocksFrom(Context ctx, long start) {
    BlockIndexEntry tip = queries.chain().tip();
    if (start > tip.height()) {
      throw ApiError.notFound("no best-chain block at height " + start + " (the tip is at " + tip.height() + ")");
    }
    List<NodeQueries.BlockSummary> blocks = queries.bestChainBlocksDown(start, BLOCKS_PER_PAGE);
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

  private NodeQueries.BlockSummary blockSummary(String hashText) {
    Hash hash = hash(hashText, "block hash");
    return queries.blockSummary(hash).orElseThrow(() -> ApiError.notFound("block " + hash + " is unknown"));
  }

  private static void cacheBlock(Context ctx, NodeQueries.BlockView v) {
    cacheBlock(ctx, v.inBestChain(), v.confirmations());
  }

  /** Buried blocks do not change: let caches keep them. Anything else must be asked again. */
  private static void cacheBlock(Context ctx, boolean inBestChain, long confirmations) {
    boolean buried = inBestChain && confirmations >= IMMUTABLE_CONFIRMATIONS;
    ctx.header("Cache-Control", buried ? IMMUTABLE : NO_CACHE);
  }

  private void blockStatus(Context ctx) {
    NodeQueries.BlockSummary v = blockSummary(ctx.pathParam("hash"));
    json(ctx, JsonViews.blockStatus(v, queries.nextBest(v)));
  }

  private void blockTransactions(Context ctx, String startText) {
    Hash hash = hash(ctx.pathParam("hash"), "block hash");
    long start = index(startText);
    if (start % TXS_PER_PAGE != 0) {
      throw new ApiError(400, "bad-index", "start index must be a multiple of " + TXS_PER_PAGE + ", got " + start);
    }
    NodeQueries.BlockView v = queries.block(hash).orElseThrow(() -> ApiError.notFound("block " + hash + " is unknown"));
    int count = v.block().transactions().size();
    if (start >= count) {
      throw ApiError.notFound("start index " + start + " is beyond the block's " + count + " transactions");
    }
    List<Transaction> page = v.block().transactions().subList((int) start, (int) Math.min(count, start + TXS_PER_PAGE));
    List<JsonViews.Body> out = new ArrayList<>(page.size());
    long blockTime = v.block().header().timestamp();
    for (int i = 0; i < page.size(); i++) {
      Transaction tx = page.get(i);
      if (v.inBestChain()) {
        NodeQueries.Confirmation c =
            new NodeQueries.Confirmation(v.block().hash(), v.entry().height(), (int) start + i, v.confirmations(), blockTime);
        out.add(views.transaction(new NodeQueries.TxView(tx, Optional.of(c))));
      } else {
        // A block off the best chain: each transaction's own status (another block, the mempool, or nowhere).
        Optional<NodeQueries.TxView> now = queries.transaction(tx.id());
        out.add(views.transaction(now.orElse(new NodeQueries.TxView(tx, Optional.empty())), now.isPresent()));
      }
    }
    cacheBlock(ctx, v);
    json(ctx, JsonViews.array(out));
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

  // ---- transactions ----------------------------------------------------------------------------

  private void transaction(Context ctx) {
    Hash txid = hash(ctx.pathParam("txid"), "transaction id");
    NodeQueries.TxView view =
        queries
            .transaction(txid)
            .orElseThrow(() -> ApiError.notFound("transaction " + txid + " is not in the best chain or the mempool"));
    json(ctx, views.transaction(view));
  }

  private void merkleProof(Context ctx) {
    Hash txid = hash(ctx.pathParam("txid"), "transaction id");
    NodeQueries.ProofView proof =
        queries.merkleProof(txid).orElseThrow(() -> ApiError.notFound("transaction " + txid + " is not in the best chain"));
    json(ctx, JsonViews.merkleProof(proof));
  }

  /** The one route that changes anything: a signed transaction, hex in the body, to the mempool. */
  private void submitTransaction(Context ctx) {
    byte[] raw = body(ctx);
    String hex = new String(raw, StandardCharsets.ISO_8859_1).strip();
    if (!HEX.matcher(hex).matches()) {
      throw new ApiError(400, "bad-hex", "the body must be the transaction's canonical bytes in hex (an even number of hex digits)");
    }
    Transaction tx;
    try {
      tx = Transaction.decode(HexFormat.of().parseHex(hex));
    } catch (DecodeException e) {
      decodeObserver.transactionRejected(e.reason());
      throw rejected(400, e);
    }
    try {
      queries.mempool().add(tx);
    } catch (RejectedException e) {
      LOG.info("rejected transaction {} from the explorer: {}", tx.id(), e.getMessage());
      throw rejected(e.reason() == Reason.TX_ALREADY_KNOWN ? 409 : 400, e);
    }
    LOG.info("accepted transaction {} from the explorer", tx.id());
    text(ctx, tx.id().toHex());
  }

  /** The request body, refusing more than {@link #MAX_TX_BODY} bytes with a 413. */
  private static byte[] body(Context ctx) {
    String length = ctx.header("Content-Length");
    boolean declaredTooLarge =
        length != null && DIGITS.matcher(length.strip()).matches()
            && (length.strip().length() > 9 || Long.parseLong(length.strip()) > MAX_TX_BODY);
    try (InputStream in = ctx.bodyInputStream()) {
      if (declaredTooLarge) {
        drain(in);
        throw tooLarge();
      }
      byte[] bytes = in.readNBytes(MAX_TX_BODY + 1);
      if (bytes.length > MAX_TX_BODY) {
        drain(in);
        throw tooLarge();
      }
      return bytes;
    } catch (org.eclipse.jetty.http.BadMessageException tooSlow) {
      // Jetty's minimum request data rate (ExplorerServer): the sender trickles its body.
      throw new ApiError(
          408, "timeout", "the body arrived slower than " + ExplorerServer.MIN_REQUEST_BYTES_PER_SECOND + " bytes a second");
    } catch (IOException e) {
      // The connection's idle timeout while waiting for the rest of the body, or the sender left.
      throw new ApiError(408, "timeout", "the body did not arrive in time");
    }
  }

  /** Bytes of a refused body read and thrown away at most, so that its sender gets the 413. */
  static final int MAX_DRAINED_BODY = 1024 * 1024;
  /** Time spent reading a refused body at most. */
  static final long MAX_DRAIN_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(2);

  /**
   * Reads and discards what is left of a refused body, up to {@link #MAX_DRAINED_BODY}: a server
   * that answers and closes while the client is still sending makes the client's TCP stack see a
   * reset, and the client never reads the 413. Beyond that bound, or {@link #MAX_DRAIN_NANOS},
   * the connection is closed anyway.
   */
  private static void drain(InputStream in) {
    byte[] buffer = new byte[8192];
    long left = MAX_DRAINED_BODY;
    long deadline = System.nanoTime() + MAX_DRAIN_NANOS;
    try {
      int n;
      while (left > 0 && System.nanoTime() - deadline < 0 && (n = in.read(buffer, 0, (int) Math.min(buffer.length, left))) > 0) {
        left -= n;
      }
    } catch (IOException | org.eclipse.jetty.http.BadMessageException e) {
      // The client went away or trickles: it gets the 413 if it still listens.
    }
  }

  private static ApiError tooLarge() {
    return new ApiError(413, "too-large", "the body may hold at most " + MAX_TX_BODY + " bytes");
  }

  private static ApiError rejected(int status, RejectedException e) {
    String code = e.reason().code();
    String message = e.getMessage().startsWith(code + ": ") ? e.getMessage().substring(code.length() + 2) : e.getMessage();
    return new ApiError(status, code, message);
  }

  // ---- addresses -------------------------------------------------------------------------------

  private Address address(String text) {
    try {
      return Address.parse(text, queries.addressPrefix());
    } catch (Address.InvalidAddressException e) {
      throw rejected(400, e);
    }
  }

  private void address(Context ctx) {
    Address address = address(ctx.pathParam("address"));
    json(ctx, views.account(queries.account(address)));
  }

  /** Pending (up to 50, newest first), then the first page of confirmed, newest first. */
  private void addressTransactions(Context ctx) {
    Address address = address(ctx.pathParam("address"));
    List<NodeQueries.TxView> out = new ArrayList<>(pending(address));
    out.addAll(history(address, Optional.empty()));
    json(ctx, views.transactions(out));
  }

  private void addressChain(Context ctx, Optional<String> lastSeenText) {
    Address address = address(ctx.pathParam("address"));
    Optional<Hash> lastSeen = lastSeenText.map(t -> hash(t, "last seen transaction id"));
    json(ctx, views.transactions(history(address, lastSeen)));
  }

  private void addressMempool(Context ctx) {
    json(ctx, views.transactions(pending(address(ctx.pathParam("address")))));
  }

  private List<NodeQueries.TxView> pending(Address address) {
    return queries.pendingFor(address, NodeQueries.MAX_PENDING_PAGE).stream()
        .map(t -> new NodeQueries.TxView(t, Optional.empty()))
        .toList();
  }

  private List<NodeQueries.TxView> history(Address address, Optional<Hash> lastSeen) {
    return queries
        .addressHistory(address, lastSeen, TXS_PER_PAGE)
        .orElseThrow(() -> new ApiError(
            400, "bad-cursor", "transaction " + lastSeen.orElseThrow() + " is not in the history of this address"));
  }

  // ---- events and metrics ----------------------------------------------------------------------

  private void events(Context ctx) throws IOException {
    EventFeed feed = events.orElseThrow(() -> new ApiError(503, "unavailable", "this server has no event feed"));
    if (ctx.method() == HandlerType.HEAD) {
      ctx.contentType(EVENT_STREAM);
      return;
    }
    OutputStream out = ctx.res().getOutputStream();
    EventFeed.Client client =
        feed.register()
            .orElseThrow(() -> new ApiError(
                503, "too-many-clients", "the event stream has no room for another client; try again later"));
    ctx.status(200);
    ctx.res().setContentType(EVENT_STREAM);
    ctx.header("X-Accel-Buffering", "no");
    // Serves on this request thread until the client goes away or is dropped.
    client.serve(out);
  }

  private void metrics(Context ctx) {
    NodeMetrics m = metrics.orElseThrow(() -> ApiError.notFound("this server has no metrics"));
    send(ctx, NodeMetrics.CONTENT_TYPE, m.scrape().getBytes(StandardCharsets.UTF_8));
  }

  // ---- parameters ------------------------------------------------------------------------------

  private static Hash hash(String text, String what) {
    if (text.length() == 2 * Hash.SIZE) {
      try {
        return Hash.parse(text);
      } catch (IllegalArgumentException e) {
        // Not hex: the error below.
      }
    }
    throw new ApiError(400, "bad-hash", what + " must be 64 hex digits, got " + quote(text));
  }

  private static long height(String text) {
    return number(text, "bad-height", "height");
  }

  private static long index(String text) {
    return number(text, "bad-index", "start index");
  }

  private static long number(String text, String code, String what) {
    if (DIGITS.matcher(text).matches()) {
      try {
        return Long.parseLong(text);
      } catch (NumberFormatException e) {
        // More than 63 bits: falls through to the error below.
      }
    }
    throw new ApiError(400, code, what + " must be an integer in 0.." + Long.MAX_VALUE + ", got " + quote(text));
  }

  /** User input echoed in a message, quoted and cut short. */
  private static String quote(String text) {
    return "'" + (text.length() > 80 ? text.substring(0, 80) + "..." : text) + "'";
  }

  private static void text(Context ctx, String body) {
    send(ctx, TEXT, body.getBytes(StandardCharsets.UTF_8));
  }

  private static void json(Context ctx, JsonViews.Body body) {
    send(ctx, JSON, JsonViews.bytes(body));
  }

  /**
   * Writes a whole answer with its length, gzipped if it is at least {@link #GZIP_MIN_BYTES} and the
   * client accepts gzip. Straight to the servlet response: Javalin's compressing stream (and
   * {@code ctx.result}, which copies through a new 32 KiB buffer) cost the explorer's busiest routes
   * a tenth of their time. The last thing a handler does: nothing may fail after it.
   */
  private static void send(Context ctx, String contentType, byte[] body) {
    HttpServletResponse res = ctx.res();
    res.setContentType(contentType);
    res.setHeader("Vary", "Accept-Encoding");
    byte[] out = body;
    if (body.length >= GZIP_MIN_BYTES && acceptsGzip(ctx.header("Accept-Encoding"))) {
      out = gzip(body);
      res.setHeader("Content-Encoding", "gzip");
    }
    res.setContentLength(out.length);
    try {
      res.getOutputStream().write(out);
    } catch (IOException e) {
      // The client went away: there is no one to answer.
      LOG.debug("explorer: {} {}: client gone while answering: {}", ctx.method(), ctx.path(), e.toString());
    }
  }

  /** Answers shorter than this go uncompressed: about one packet, where gzip saves nothing. */
  static final int GZIP_MIN_BYTES = 1_500;

  /** Whether an Accept-Encoding header lists gzip (or *) without q=0 (RFC 9110, section 12.5.3). */
  static boolean acceptsGzip(String acceptEncoding) {
    if (acceptEncoding == null) {
      return false;
    }
    for (String item : acceptEncoding.split(",")) {
      String[] parts = item.split(";");
      String coding = parts[0].strip();
      if (!coding.equalsIgnoreCase("gzip") && !coding.equals("*")) {
        continue;
      }
      boolean refused = false;
      for (int i = 1; i < parts.length; i++) {
        String param = parts[i].strip().toLowerCase(Locale.ROOT);
        if (param.startsWith("q=") && param.substring(2).strip().matches("0(\\.0{0,3})?")) {
          refused = true;
        }
      }
      if (!refused) {
        return true;
      }
    }
    return false;
  }

  private static byte[] gzip(byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(body.length / 4 + 64);
    try (GZIPOutputStream zip = new GZIPOutputStream(out, 8 * 1024)) {
      zip.write(body);
    } catch (IOException e) {
      throw new UncheckedIOException("gzip in memory", e);
    }
    return out.toByteArray();
  }

  private static byte[] openApiDocument() {
    try (InputStream in = ExplorerRoutes.class.getResourceAsStream("/openapi.json")) {
      if (in == null) {
        throw new IllegalStateException("openapi.json is missing from the node's resources");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
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
