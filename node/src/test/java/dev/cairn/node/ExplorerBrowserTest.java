package dev.cairn.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.ledger.Address;
import dev.cairn.ledger.Amount;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.PrivateKey;
import dev.cairn.ledger.RejectedException;
import dev.cairn.ledger.Transfer;
import dev.cairn.testkit.TestChain;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedCondition;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The explorer's web page in a real headless Chromium against a real regtest node: search by txid,
 * height and address, a clear "Nothing matches" for anything else, and a block mined during the
 * test appearing on the home page without a reload. Runs only under {@code -Pbrowser} (tag {@code
 * browser}); needs Debian's chromium and chromium-driver ({@code /usr/bin/chromium}, {@code
 * /usr/bin/chromedriver}, or the system properties {@code cairn.chromium} and {@code
 * cairn.chromedriver}) and is skipped without them, or fails with {@code
 * -Dcairn.browser.required=true} (as in .ci/run). Nothing is downloaded: the driver and the
 * browser are given by path, so Selenium Manager has nothing to look up.
 *
 * <p>With {@code -Dcairn.screenshots=DIR} (relative to the repository root) it also writes
 * home.png, block.png, tx.png and address.png into DIR: the screenshots of docs/screenshots.
 */
@Tag("browser")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ExplorerBrowserTest {
  private static final Path CHROMIUM = Path.of(System.getProperty("cairn.chromium", "/usr/bin/chromium"));
  private static final Path CHROMEDRIVER = Path.of(System.getProperty("cairn.chromedriver", "/usr/bin/chromedriver"));
  /** Bound on every wait for the page; a live update needs at most one 10 s poll if events fail. */
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final int WIDTH = 1440;
  private static final int HEIGHT = 1000;

  @TempDir static Path nodeDir;
  @TempDir static Path browserProfile;

  private static RegtestNode regtest;
  private static Address miner;
  private static Transfer confirmed;
  private static long confirmedHeight;
  private static ChromeDriverService service;
  private static WebDriver driver;
  private static WebDriverWait wait;

  @BeforeAll
  static void start() throws RejectedException {
    if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
      String missing = "the browser test needs " + CHROMIUM + " and " + CHROMEDRIVER
          + " (Debian: apt-get install chromium chromium-driver)";
      // .ci/run installs them and sets cairn.browser.required: there, a missing browser is a failure, not a skip.
      Assertions.assertFalse(Boolean.getBoolean("cairn.browser.required"), missing);
      System.err.println("SKIPPED: " + missing);
      Assumptions.abort(missing);
    }
    regtest = RegtestNode.funded(21, 3, nodeDir);
    miner = TestChain.keys(22, 1).get(0).address();
    buildHistory();
    startBrowser();
  }

  /**
   * 40 blocks at irregular, realistic intervals (mock time, ending a minute ago) so the interval
   * chart has something to show, one of them holding a transfer and its coinbase; then pending
   * transfers at several fee rates for the mempool and its histogram.
   */
  private static void buildHistory() throws RejectedException {
    Random random = new Random(21);
    long[] intervals = new long[40];
    long total = 0;
    for (int i = 0; i < intervals.length; i++) {
      intervals[i] = 20 + (long) (-Math.log(1 - random.nextDouble()) * 580); // exponential, mean ~10 min
      total += intervals[i];
    }
    long now = System.currentTimeMillis() / 1000;
    long t = now - 60 - total;
    for (int i = 0; i < intervals.length; i++) {
      t += intervals[i];
      regtest.node().time().setMockTime(t);
      if (i == 30) {
        confirmed = transfer(0, 1, 2_500_000_000L, 2_000);
        regtest.node().mempool().add(confirmed);
      }
      regtest.generate(1, miner);
    }
    regtest.node().time().setMockTime(0); // back to the real clock
    confirmedHeight = regtest.node().chain().tip().height() - 9;

    long[] fees = {1_500, 1_800, 2_400, 3_000, 4_500, 7_000, 9_000, 15_000, 30_000, 80_000};
    for (int i = 0; i < fees.length; i++) {
      int from = i % 3;
      regtest.node().mempool().add(transfer(from, (from + 1) % 3, 10_000_000L * (i + 1), fees[i]));
    }
  }

  private static Transfer transfer(int from, int to, long amount, long fee) {
    PrivateKey key = regtest.key(from);
    long nonce = regtest.node().queries().account(key.address()).pendingNonce();
    return Transfer.sign(
        key, regtest.key(to).address(), Amount.units(amount), Amount.units(fee), nonce, regtest.spec().genesisHash());
  }

  /** Selenium warns once that it has no CDP bindings for this Chromium: the test uses none. Held: loggers are weak. */
  private static final java.util.logging.Logger CDP_WARNINGS = java.util.logging.Logger.getLogger("org.openqa.selenium.devtools.CdpVersionFinder");

  private static void startBrowser() {
    CDP_WARNINGS.setLevel(java.util.logging.Level.SEVERE);
    // Never let Selenium Manager look for (or download) a driver or a browser.
    System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
    service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-quic",
        "--disable-extensions",
        "--hide-scrollbars",
        "--force-device-scale-factor=1",
        "--lang=en-US",
        "--window-size=" + WIDTH + "," + HEIGHT,
        "--user-data-dir=" + browserProfile);
    driver = new ChromeDriver(service, options);
    wait = new WebDriverWait(driver, WAIT);
    driver.get(regtest.httpBaseUrl() + "/");
  }

  @AfterAll
  static void stop() {
    if (driver != null) {
      driver.quit();
    }
    if (service != null) {
      service.stop();
    }
    if (regtest != null) {
      regtest.close();
    }
  }

  /** Waits (bounded) for the condition; on a timeout, says what the page showed instead. */
  private static <T> T until(ExpectedCondition<T> condition) {
    try {
      return wait.until(condition);
    } catch (TimeoutException e) {
      String shown;
      try {
        shown = driver.getCurrentUrl() + "\n" + driver.findElement(By.tagName("body")).getText();
      } catch (RuntimeException unreadable) {
        shown = "(unreadable: " + unreadable + ")";
      }
      throw new AssertionError(e.getRawMessage() + "\nThe page showed: " + shown, e);
    }
  }

  private static long tipHeight() {
    return regtest.node().chain().tip().height();
  }

  private static void search(String query) {
    WebElement box = driver.findElement(By.id("search"));
    box.clear();
    box.sendKeys(query, Keys.ENTER);
  }

  private static String textOf(String id) {
    until(ExpectedConditions.presenceOfElementLocated(By.id(id)));
    return driver.findElement(By.id(id)).getText();
  }

  private static By blockRow(long height) {
    return By.cssSelector("#blocks tbody tr[data-height='" + height + "']");
  }

  @Test
  @Order(1)
  void homeShowsLatestBlocksMempoolAndCharts() throws IOException {
    long tip = tipHeight();
    until(ExpectedConditions.presenceOfElementLocated(blockRow(tip)));
    List<WebElement> rows = driver.findElements(By.cssSelector("#blocks tbody tr"));
    assertThat(rows).hasSize(10);
    assertThat(rows.get(0).getDomAttribute("data-height")).isEqualTo(Long.toString(tip));
    assertThat(rows.get(0).getDomAttribute("data-hash")).isEqualTo(regtest.node().chain().tip().hash().toHex());
    // The charts are SVG drawn by the page: 40 interval bars, 50 difficulty points (41 blocks here).
    until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#chart-intervals svg rect.bar")));
    assertThat(driver.findElements(By.cssSelector("#chart-intervals svg rect.bar"))).hasSize(40);
    assertThat(driver.findElements(By.cssSelector("#chart-difficulty svg circle.dot"))).hasSize(41);
    // The mempool summary and its histogram come from /api/mempool.
    until(ExpectedConditions.textToBe(By.id("mempool-count"), "10"));
    assertThat(driver.findElements(By.cssSelector("#mempool-recent tbody tr"))).hasSize(10);
    assertThat(driver.findElements(By.cssSelector("#chart-fees svg rect.bar"))).isNotEmpty();
    screenshot("home");
  }

  @Test
  @Order(2)
  void searchingATxidShowsTheTransaction() throws IOException {
    search(confirmed.id().toHex());
    until(ExpectedConditions.textToBe(By.id("txid"), confirmed.id().toHex()));
    assertThat(driver.getCurrentUrl()).endsWith("#/tx/" + confirmed.id().toHex());
    assertThat(textOf("tx-status")).startsWith("Confirmed").contains("10 confirmations");
    String page = driver.findElement(By.id("tx")).getText();
    assertThat(page)
        .contains(regtest.text(regtest.key(0).address()))
        .contains(regtest.text(regtest.key(1).address()))
        .contains("25.00000000")
        .contains("0.00002000");
    assertThat(driver.findElement(By.id("merkle-proof")).getDomAttribute("href"))
        .endsWith("/api/tx/" + confirmed.id().toHex() + "/merkle-proof");
    screenshot("tx");
  }

  @Test
  @Order(3)
  void searchingAHeightShowsTheBlock() throws IOException {
    Hash hash = regtest.node().queries().bestChainHash(confirmedHeight).orElseThrow();
    search(Long.toString(confirmedHeight));
    until(ExpectedConditions.textToBe(By.id("block-hash"), hash.toHex()));
    assertThat(textOf("block-height")).isEqualTo(Long.toString(confirmedHeight));
    assertThat(textOf("confirmations")).startsWith("In the best chain");
    // Its two transactions: the coinbase, then the transfer.
    until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("#txs tbody tr"), 2));
    assertThat(driver.findElements(By.cssSelector("#txs tbody tr")).get(1).getDomAttribute("data-txid"))
        .isEqualTo(confirmed.id().toHex());
    screenshot("block");
  }

  @Test
  @Order(4)
  void searchingAnAddressShowsTheAccount() throws IOException {
    String address = regtest.text(regtest.key(1).address());
    search(address.toUpperCase(java.util.Locale.ROOT)); // bech32m allows all capitals
    until(ExpectedConditions.textToBe(By.id("address-text"), address));
    assertThat(textOf("balance")).contains("1,025.00000000");
    until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#history tbody tr[data-txid='" + confirmed.id() + "']")));
    screenshot("address");
  }

  @Test
  @Order(5)
  void olderHistoryPagesThroughTheCursor() {
    long coinbases = tipHeight(); // one per mined block, none spent
    search(regtest.text(miner));
    By rows = By.cssSelector("#history tbody tr");
    until(ExpectedConditions.numberOfElementsToBe(rows, 25));
    driver.findElement(By.id("older")).click();
    until(ExpectedConditions.numberOfElementsToBe(rows, (int) coinbases));
    assertThat(driver.findElements(By.id("older"))).isEmpty(); // nothing older is left
    List<WebElement> all = driver.findElements(rows);
    assertThat(all.get(all.size() - 1).getText()).contains("mined").contains("+50.00000000");
  }

  @Test
  @Order(6)
  void peersPageShowsTheConnectedPeers() {
    driver.findElement(By.cssSelector("header nav a[href='#/peers']")).click();
    until(ExpectedConditions.textToBePresentInElementLocated(By.id("peers"), "No peers are connected"));
  }

  @Test
  @Order(7)
  void searchingAnythingElseSaysNothingMatches() {
    List<String> misses = new ArrayList<>(List.of(
        "no such thing",
        Long.toString(tipHeight() + 1000),
        "00".repeat(32),
        "rcairn1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqpqgxd8", // a checksum mismatch
        "<img src=x onerror=alert(1)>"));
    for (String q : misses) {
      search(q);
      until(ExpectedConditions.textToBe(By.cssSelector("#nothing h1"), "Nothing matches “" + q + "”"));
      assertThat(driver.getCurrentUrl()).contains("#/search/");
    }
    // The markup in the query stayed text.
    assertThat(driver.findElements(By.cssSelector("#view img"))).isEmpty();
  }

  @Test
  @Order(8)
  void aNewBlockAppearsWithoutReloading() {
    driver.findElement(By.cssSelector("a.brand")).click(); // a hash change, not a page load
    long tip = tipHeight();
    until(ExpectedConditions.presenceOfElementLocated(blockRow(tip)));
    // The page follows the node's event stream (it would poll every 10 s without it).
    until(ExpectedConditions.attributeToBe(By.id("live"), "data-state", "live"));
    ((JavascriptExecutor) driver).executeScript("window.cairnTestMarker = 'same page';");

    Hash mined = regtest.generate(1, miner).get(0);

    until(ExpectedConditions.presenceOfElementLocated(blockRow(tip + 1)));
    WebElement first = driver.findElement(By.cssSelector("#blocks tbody tr"));
    assertThat(first.getDomAttribute("data-height")).isEqualTo(Long.toString(tip + 1));
    assertThat(first.getDomAttribute("data-hash")).isEqualTo(mined.toHex());
    assertThat(((JavascriptExecutor) driver).executeScript("return window.cairnTestMarker;")).isEqualTo("same page");
    // The block took the whole mempool: the page follows.
    until(ExpectedConditions.textToBe(By.id("mempool-count"), "0"));
  }

  @Test
  @Order(9)
  void withoutTheEventStreamThePagePolls() {
    // From the next page load on, the page's EventSource asks a path the node does not serve: a 404
    // closes it, as a proxy that refuses streams would.
    ((ChromeDriver) driver).executeCdpCommand(
        "Page.addScriptToEvaluateOnNewDocument",
        java.util.Map.of(
            "source",
            "const RealEventSource = window.EventSource;"
                + "window.EventSource = function () { return new RealEventSource('/api/no-such-stream'); };"
                + "window.EventSource.CLOSED = RealEventSource.CLOSED;"));
    driver.get(regtest.httpBaseUrl() + "/");
    long tip = tipHeight();
    until(ExpectedConditions.presenceOfElementLocated(blockRow(tip)));
    until(ExpectedConditions.attributeToBe(By.id("live"), "data-state", "polling"));

    regtest.generate(1, miner);

    // Within one 10 s poll (the wait allows 30 s).
    until(ExpectedConditions.presenceOfElementLocated(blockRow(tip + 1)));
  }

  /** A full-page PNG into the directory of -Dcairn.screenshots, if it is set. */
  private static void screenshot(String name) throws IOException {
    String dir = System.getProperty("cairn.screenshots", "");
    if (dir.isBlank()) {
      return;
    }
    Path target = repositoryRoot().resolve(dir).resolve(name + ".png");
    Files.createDirectories(target.getParent());
    JavascriptExecutor js = (JavascriptExecutor) driver;
    long height = ((Number) js.executeScript("return document.documentElement.scrollHeight;")).longValue();
    driver.manage().window().setSize(new Dimension(WIDTH, (int) Math.min(3000, Math.max(HEIGHT, height + 140))));
    try {
      js.executeScript("window.scrollTo(0, 0); document.activeElement && document.activeElement.blur();");
      Files.write(target, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
    } finally {
      driver.manage().window().setSize(new Dimension(WIDTH, HEIGHT));
    }
  }

  /** Where a relative screenshot directory is resolved: the directory holding .ci/ (surefire runs in node/). */
  private static Path repositoryRoot() {
    Path dir = Path.of("").toAbsolutePath();
    for (Path p = dir; p != null; p = p.getParent()) {
      if (Files.isDirectory(p.resolve(".ci"))) {
        return p;
      }
    }
    return dir;
  }
}
