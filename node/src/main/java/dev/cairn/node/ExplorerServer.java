package dev.cairn.node;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.staticfiles.Location;
import io.javalin.router.EndpointNotFound;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The block explorer's HTTP server: a JSON API shaped after Blockstream's Esplora (docs/API.md),
 * served by {@link ExplorerRoutes} over {@link NodeQueries}, read-only but for {@code POST
 * /api/tx}; with the live {@link EventFeed} at {@code /api/events} and the node's {@link
 * NodeMetrics} at {@code /metrics} when it is given them. Binds to the host it is given (127.0.0.1
 * unless configured otherwise). Every error is the JSON shape {@code {"error": {"code",
 * "message"}}}: 400 for bad input, 404 for unknown objects and routes, and 500 with a generic
 * message (and one log line, never a stack trace in the response) for anything unexpected. Answers
 * are {@code Cache-Control: no-cache} unless a route says otherwise. Owns its Javalin instance, not
 * the feed or the metrics. Thread-safe.
 */
final class ExplorerServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ExplorerServer.class);

  private final Javalin app;
  private final ExplorerRoutes routes;

  private ExplorerServer(Javalin app, ExplorerRoutes routes) {
    this.app = app;
    this.routes = routes;
  }

  /** A server without the event feed and metrics (their routes answer 503 and 404). */
  static ExplorerServer start(NodeQueries queries, String host, int port) {
    return start(queries, host, port, Optional.empty(), Optional.empty());
  }

  /**
   * Slowest a request body may arrive, on average since the request began; slower senders get a
   * {@code 408} and the connection is closed. A transaction's hex is well under a kilobyte.
   */
  static final long MIN_REQUEST_BYTES_PER_SECOND = 1_024;

  static ExplorerServer start(
      NodeQueries queries, String host, int port, Optional<EventFeed> events, Optional<NodeMetrics> metrics) {
    ExplorerRoutes routes = new ExplorerRoutes(queries, events, metrics);
    Javalin app =
        Javalin.create(
            cfg -> {
              cfg.startup.showJavalinBanner = false;
              cfg.startup.showOldJavalinVersionWarning = false;
              // Each event-stream client holds a thread: room for all of them beside ordinary requests.
              QueuedThreadPool threads = new QueuedThreadPool(200 + EventFeed.MAX_CLIENTS, 8, 60_000);
              threads.setName("explorer-http");
              threads.setDaemon(true);
              cfg.jetty.threadPool = threads;
              // A sender trickling its body must not hold a request thread for long.
              cfg.jetty.modifyHttpConfiguration(http -> http.setMinRequestDataRate(MIN_REQUEST_BYTES_PER_SECOND));
              // Requests Jetty refuses before Javalin sees them (bad URI encoding, say) get the JSON shape too.
              cfg.jetty.modifyServer(server -> server.setErrorHandler(new JsonErrorHandler()));
              // A public, read-only API: any web page may read it.
              cfg.routes.before(
                  ctx -> {
                    ctx.header("Access-Control-Allow-Origin", "*");
                    // API answers change with the chain unless a route says otherwise (buried blocks).
                    if (ctx.path().startsWith("/api/") || ctx.path().equals("/metrics")) {
                      ctx.header("Cache-Control", ExplorerRoutes.NO_CACHE);
                    }
                  });
              routes.register(cfg.routes);
              // The web page (explorer/index.html, app.js, app.css on the classpath) at /. Javalin serves a
              // file only where no route matched, so an unknown /api/... path still gets the JSON 404.
              cfg.staticFiles.add(
                  files -> {
                    files.hostedPath = "/";
                    files.directory = "/explorer";
                    files.location = Location.CLASSPATH;
                    files.headers =
                        java.util.Map.of(
                            "Content-Security-Policy",
                            "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
                            "X-Content-Type-Options",
                            "nosniff");
                  });
              cfg.routes.exception(
                  ExplorerRoutes.ApiError.class, (e, ctx) -> error(ctx, e.status(), e.code(), e.getMessage()));
              // Javalin's own answers: an unknown route, and whatever else it refuses before a handler runs.
              cfg.routes.exception(
                  HttpResponseException.class,
                  (e, ctx) -> {
                    if (e instanceof EndpointNotFound || e.getStatus() == 404) {
                      error(ctx, 404, "not-found", "no such route: " + ctx.method() + " " + ctx.path());
                    } else if (e.getStatus() >= 500) {
                      unexpected(ctx, e);
                    } else {
                      error(ctx, e.getStatus(), "bad-request", e.getMessage());
                    }
                  });
              cfg.routes.exception(Exception.class, (e, ctx) -> unexpected(ctx, e));
            });
    app.start(host, port);
    LOG.debug("explorer listening on http://{}:{}/", host, app.port());
    return new ExplorerServer(app, routes);
  }

  /** Every route the server answers, as "METHOD /path" (OpenAPI-style {parameters}). */
  List<String> routes() {
    return routes.declared();
  }

  /** Logs one line (no stack trace) and answers a generic 500: internals never reach the client. */
  private static void unexpected(Context ctx, Exception e) {
    StackTraceElement[] trace = e.getStackTrace();
    LOG.error(
        "explorer: {} {} failed: {}{}",
        ctx.method(),
        ctx.path(),
        e.toString(),
        trace.length > 0 ? " at " + trace[0] : "");
    error(ctx, 500, "internal-error", "internal error");
  }

  private static void error(Context ctx, int status, String code, String message) {
    ctx.status(status)
        .header("Access-Control-Allow-Origin", "*")
        .header("Cache-Control", ExplorerRoutes.NO_CACHE)
        .contentType(ExplorerRoutes.JSON)
        .result(JsonViews.bytes(JsonViews.error(code, message)));
  }

  /** Jetty's own error responses, in the API's JSON error shape instead of an HTML page. */
  private static final class JsonErrorHandler extends ErrorHandler {
    @Override
    protected void generateResponse(
        Request request, Response response, int status, String message, Throwable cause, Callback callback) {
      String code = status == 404 ? "not-found" : status >= 500 ? "internal-error" : "bad-request";
      String text =
          status >= 500 ? "internal error" : message != null ? message : org.eclipse.jetty.http.HttpStatus.getMessage(status);
      if (status >= 500) {
        LOG.error("explorer: {} {} failed in the HTTP server: {} {}", request.getMethod(), request.getHttpURI().getPath(), status, message);
      }
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, ExplorerRoutes.JSON);
      response.getHeaders().put("Access-Control-Allow-Origin", "*");
      response.getHeaders().put("Cache-Control", ExplorerRoutes.NO_CACHE);
      response.write(true, ByteBuffer.wrap(JsonViews.bytes(JsonViews.error(code, text))), callback);
    }
  }

  int port() {
    return app.port();
  }

  @Override
  public void close() {
    app.stop();
  }
}
