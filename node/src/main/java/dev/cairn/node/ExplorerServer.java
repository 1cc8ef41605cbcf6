package dev.cairn.node;

import io.javalin.Javalin;

/**
 * The block explorer's HTTP server: a JSON API shaped after Blockstream's Esplora. Binds to
 * 127.0.0.1 unless configured otherwise. Owns its Javalin instance. Thread-safe.
 */
final class ExplorerServer implements AutoCloseable {
  private final Javalin app;

  private ExplorerServer(Javalin app) {
    this.app = app;
  }

  static ExplorerServer start(NodeQueries queries, String host, int port) {
    Javalin app =
        Javalin.create(
            cfg -> {
              cfg.startup.showJavalinBanner = false;
              cfg.routes.get("/api/blocks/tip/height", ctx -> ctx.result(Long.toString(queries.chain().tip().height())));
            });
    app.start(host, port);
    return new ExplorerServer(app);
  }

  int port() {
    return app.port();
  }

  @Override
  public void close() {
    app.stop();
  }
}
