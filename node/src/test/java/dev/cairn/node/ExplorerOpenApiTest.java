package dev.cairn.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.ledger.Address;
import dev.cairn.ledger.Amount;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.RejectedException;
import dev.cairn.ledger.Transfer;
import dev.cairn.ledger.store.BlockIndexEntry;
import dev.cairn.testkit.TestChain;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OpenAPI document at {@code /api/openapi.json} describes exactly the routes the server has;
 * every route answers (no "no such route"); and reading every route changes nothing: only {@code
 * POST /api/tx} may change the node.
 */
class ExplorerOpenApiTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  private static RegtestNode regtest;
  private static Address holder;
  private static Transfer waiting;

  @BeforeAll
  static void startNode() throws RejectedException {
    regtest = RegtestNode.funded(81, 2, dir);
    holder = regtest.key(0).address();
    regtest.generate(3, TestChain.keys(82, 1).get(0).address());
    waiting = Transfer.sign(regtest.key(0), regtest.key(1).address(), Amount.units(7), Amount.units(1_420), 0, regtest.spec().genesisHash());
    regtest.node().mempool().add(waiting);
  }

  @AfterAll
  static void stopNode() {
    regtest.close();
  }

  private static JsonNode document() throws IOException {
    HttpResponse<String> r = regtest.get("/api/openapi.json");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).get().asString().startsWith("application/json");
    return JSON.readTree(r.body());
  }

  /** "METHOD /path" for every operation of the document. */
  private static Set<String> documented(JsonNode doc) {
    Set<String> out = new TreeSet<>();
    for (Iterator<Map.Entry<String, JsonNode>> paths = doc.get("paths").fields(); paths.hasNext(); ) {
      Map.Entry<String, JsonNode> path = paths.next();
      for (Iterator<String> methods = path.getValue().fieldNames(); methods.hasNext(); ) {
        out.add(methods.next().toUpperCase(Locale.ROOT) + " " + path.getKey());
      }
    }
    return out;
  }

  @Test
  void theDocumentIsOpenApi3AndEveryOperationHasResponses() throws IOException {
    JsonNode doc = document();
    assertThat(doc.get("openapi").asText()).startsWith("3.0.");
    assertThat(doc.get("info").get("title").asText()).isNotBlank();
    doc.get("paths").fields().forEachRemaining(path -> path.getValue().fields().forEachRemaining(op -> {
      assertThat(op.getValue().get("summary").asText()).as(path.getKey()).isNotBlank();
      assertThat(op.getValue().get("responses").has("200")).as(path.getKey()).isTrue();
      // Every path parameter is declared.
      List<String> declared = new ArrayList<>();
      if (op.getValue().has("parameters")) {
        op.getValue().get("parameters").forEach(p -> declared.add(p.get("name").asText()));
      }
      List<String> inPath = new ArrayList<>();
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\{([a-z_]+)\\}").matcher(path.getKey());
      while (m.find()) {
        inPath.add(m.group(1));
      }
      assertThat(declared).as(path.getKey()).containsExactlyInAnyOrderElementsOf(inPath);
    }));
    // Every $ref resolves.
    for (String ref : refs(doc, new ArrayList<>())) {
      assertThat(doc.get("components").get("schemas").has(ref.substring("#/components/schemas/".length()))).as(ref).isTrue();
    }
  }

  private static List<String> refs(JsonNode node, List<String> out) {
    if (node.isObject()) {
      node.fields().forEachRemaining(f -> {
        if (f.getKey().equals("$ref")) {
          out.add(f.getValue().asText());
        } else {
          refs(f.getValue(), out);
        }
      });
    } else if (node.isArray()) {
      node.forEach(n -> refs(n, out));
    }
    return out;
  }

  @Test
  void theDocumentListsExactlyTheRegisteredRoutes() throws IOException {
    Set<String> registered = new TreeSet<>(regtest.node().explorer().routes());
    assertThat(registered).hasSizeGreaterThanOrEqualTo(25).contains("POST /api/tx", "GET /api/events", "GET /metrics");
    assertThat(documented(document())).isEqualTo(registered);
  }

  /** A request path for a route, its parameters filled with values the node knows. */
  private static String sample(String route) {
    BlockIndexEntry tip = regtest.node().chain().tip();
    Hash coinbase = regtest.node().chain().store().body(tip.hash()).orElseThrow().transactions().get(0).id();
    Hash allocation =
        regtest.spec().genesisBlock().transactions().stream()
            .filter(t -> t.touchedAddresses().contains(holder))
            .findFirst()
            .orElseThrow()
            .id();
    return route
        .replace("{hash}", tip.hash().toHex())
        .replace("{start_height}", Long.toString(tip.height()))
        .replace("{height}", "1")
        .replace("{start_index}", "0")
        .replace("{txid}", coinbase.toHex())
        .replace("{address}", regtest.text(holder))
        .replace("{last_seen_txid}", allocation.toHex());
  }

  @Test
  void everyRouteAnswersAndReadingChangesNothing() throws IOException {
    BlockIndexEntry tipBefore = regtest.node().chain().tip();
    List<Hash> pendingBefore = regtest.node().mempool().entries().stream().map(e -> e.tx().id()).toList();
    long accountsBefore = regtest.node().chain().store().approximateSize(dev.cairn.ledger.store.Column.ACCOUNTS);
    for (String route : regtest.node().explorer().routes()) {
      String method = route.substring(0, route.indexOf(' '));
      String path = sample(route.substring(route.indexOf(' ') + 1));
      if (method.equals("POST") || path.equals("/api/events")) {
        continue; // the one writer, and a stream (ExplorerEventsTest)
      }
      HttpResponse<String> r = regtest.get(path);
      assertThat(r.statusCode()).as("%s: %s", path, r.body()).isEqualTo(200);
      assertThat(r.body()).as(path).isNotEmpty();
    }
    assertThat(regtest.node().chain().tip()).isEqualTo(tipBefore);
    assertThat(regtest.node().mempool().entries().stream().map(e -> e.tx().id()).toList()).isEqualTo(pendingBefore);
    assertThat(regtest.node().chain().store().approximateSize(dev.cairn.ledger.store.Column.ACCOUNTS)).isEqualTo(accountsBefore);
    assertThat(regtest.node().mempool().contains(waiting.id())).isTrue();
  }
}
