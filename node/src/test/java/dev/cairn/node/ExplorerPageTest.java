package dev.cairn.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The explorer serves its web page (index.html, app.js, app.css from the classpath) beside the
 * JSON API, and unknown paths, under /api or not, still get the API's JSON 404. The page itself is
 * driven in a browser by {@link ExplorerBrowserTest}.
 */
class ExplorerPageTest {
  @TempDir static Path dir;
  private static RegtestNode regtest;

  @BeforeAll
  static void startNode() {
    regtest = RegtestNode.start(dir);
  }

  @AfterAll
  static void stopNode() {
    regtest.close();
  }

  private static String contentType(HttpResponse<String> r) {
    return r.headers().firstValue("Content-Type").orElse("");
  }

  @Test
  void rootIsThePage() {
    HttpResponse<String> r = regtest.get("/");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(contentType(r)).startsWith("text/html");
    assertThat(r.body()).contains("<title>Cairn explorer</title>", "app.js", "app.css", "id=\"search\"");
    // Only the page's own files run: no inline script, nothing from elsewhere.
    assertThat(r.headers().firstValue("Content-Security-Policy")).get().asString().contains("default-src 'self'");
  }

  @Test
  void scriptAndStylesheetAreServed() {
    HttpResponse<String> js = regtest.get("/app.js");
    assertThat(js.statusCode()).isEqualTo(200);
    assertThat(contentType(js)).contains("javascript");
    assertThat(js.body()).contains("EventSource").doesNotContain("innerHTML");
    HttpResponse<String> css = regtest.get("/app.css");
    assertThat(css.statusCode()).isEqualTo(200);
    assertThat(contentType(css)).startsWith("text/css");
  }

  @Test
  void unknownPathsAreStillJson404s() {
    for (String path : new String[] {"/api/nope", "/api/index.html", "/nope.html", "/explorer/app.js"}) {
      HttpResponse<String> r = regtest.get(path);
      assertThat(r.statusCode()).as(path).isEqualTo(404);
      assertThat(contentType(r)).as(path).startsWith("application/json");
      assertThat(r.body()).as(path).startsWith("{\"error\":{\"code\":\"not-found\"");
    }
  }

  @Test
  void apiRoutesStillWin() {
    HttpResponse<String> r = regtest.get("/api/blocks/tip/height");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("0");
  }
}
