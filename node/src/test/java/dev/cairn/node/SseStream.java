package dev.cairn.node;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * A Server-Sent Events client for tests, on java.net.http: connects, then a daemon thread parses
 * the stream ({@code event:}/{@code data:} lines up to a blank line; comments apart) into {@link
 * #events()} and {@link #comments()}. Closing ends the connection.
 */
final class SseStream implements AutoCloseable {
  /** One event: its name and its data (data lines joined by newlines). */
  record Event(String name, String data) {}

  private final HttpResponse<Stream<String>> response;
  private final List<Event> events = new CopyOnWriteArrayList<>();
  private final List<String> comments = new CopyOnWriteArrayList<>();
  private final Thread reader;
  private volatile boolean ended;

  private SseStream(HttpResponse<Stream<String>> response) {
    this.response = response;
    this.reader = new Thread(this::read, "sse-test-reader");
    reader.setDaemon(true);
    reader.start();
  }

  /** Connects to {@code url}; returns once the response headers are in (any status). */
  static SseStream open(String url) {
    HttpClient client = HttpClient.newHttpClient();
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(url)).header("Accept", "text/event-stream").GET().build();
    try {
      return new SseStream(client.sendAsync(request, HttpResponse.BodyHandlers.ofLines()).get(10, TimeUnit.SECONDS));
    } catch (ExecutionException e) {
      throw new UncheckedIOException(new IOException(e.getCause()));
    } catch (TimeoutException e) {
      throw new IllegalStateException("no response headers from " + url + " in 10 s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  HttpResponse<Stream<String>> response() {
    return response;
  }

  private void read() {
    String name = null;
    List<String> data = new ArrayList<>();
    try {
      Iterator<String> lines = response.body().iterator();
      while (lines.hasNext()) {
        String line = lines.next();
        if (line.isEmpty()) {
          if (name != null || !data.isEmpty()) {
            events.add(new Event(name == null ? "message" : name, String.join("\n", data)));
          }
          name = null;
          data = new ArrayList<>();
        } else if (line.startsWith(":")) {
          comments.add(line.substring(1).strip());
        } else if (line.startsWith("event:")) {
          name = line.substring(6).strip();
        } else if (line.startsWith("data:")) {
          data.add(line.substring(5).startsWith(" ") ? line.substring(6) : line.substring(5));
        }
      }
    } catch (RuntimeException e) {
      // The connection was closed (by us or by the server).
    } finally {
      ended = true;
    }
  }

  List<Event> events() {
    return events;
  }

  List<Event> events(String name) {
    return events.stream().filter(e -> e.name().equals(name)).toList();
  }

  List<String> comments() {
    return comments;
  }

  /** Whether the server ended the stream (or the connection broke). */
  boolean ended() {
    return ended;
  }

  @Override
  public void close() {
    response.body().close();
    reader.interrupt();
  }
}
