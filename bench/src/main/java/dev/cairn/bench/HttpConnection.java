package dev.cairn.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A minimal HTTP/1.1 client over one keep-alive socket, for load tools: GET only, reads the
 * status, the headers it needs ({@code Content-Length} or chunked transfer coding) and the body.
 * Far lighter than {@code java.net.http.HttpClient} (no selector thread, no futures), so on a
 * shared 2-core machine more of the CPU is left to the server being measured. Not thread-safe:
 * one connection per thread.
 */
final class HttpConnection implements AutoCloseable {
  /** A response: the status code and the body as text (ISO-8859-1, which keeps ASCII JSON intact). */
  record Response(int status, String body) {}

  private final String host;
  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  HttpConnection(String host, int port) throws IOException {
    this.host = host;
    socket = new Socket(host, port);
    socket.setTcpNoDelay(true);
    in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
    out = new BufferedOutputStream(socket.getOutputStream(), 4 * 1024);
  }

  Response get(String path) throws IOException {
    out.write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nAccept: application/json\r\n\r\n")
        .getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
    String statusLine = line();
    String[] parts = statusLine.split(" ", 3);
    if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
      throw new IOException("bad status line: " + statusLine);
    }
    int status = Integer.parseInt(parts[1]);
    long length = -1;
    boolean chunked = false;
    for (String h = line(); !h.isEmpty(); h = line()) {
      int colon = h.indexOf(':');
      if (colon < 0) {
        continue;
      }
      String name = h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
      String value = h.substring(colon + 1).trim();
      if (name.equals("content-length")) {
        length = Long.parseLong(value);
      } else if (name.equals("transfer-encoding") && value.toLowerCase(Locale.ROOT).contains("chunked")) {
        chunked = true;
      }
    }
    byte[] body;
    if (chunked) {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      while (true) {
        String size = line();
        int semi = size.indexOf(';');
        int n = Integer.parseInt((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
        if (n == 0) {
          for (String trailer = line(); !trailer.isEmpty(); trailer = line()) {
            // trailers are not used
          }
          break;
        }
        b.write(in.readNBytes(n));
        line();
      }
      body = b.toByteArray();
    } else if (length >= 0) {
      body = in.readNBytes((int) length);
      if (body.length != length) {
        throw new EOFException("body ended after " + body.length + " of " + length + " bytes");
      }
    } else {
      throw new IOException("response without Content-Length or chunked coding: " + statusLine);
    }
    return new Response(status, new String(body, StandardCharsets.ISO_8859_1));
  }

  /** One CRLF-terminated line, without the terminator. */
  private String line() throws IOException {
    StringBuilder b = new StringBuilder(64);
    while (true) {
      int c = in.read();
      if (c < 0) {
        throw new EOFException("connection closed mid-response");
      }
      if (c == '\n') {
        int n = b.length();
        return n > 0 && b.charAt(n - 1) == '\r' ? b.substring(0, n - 1) : b.toString();
      }
      b.append((char) c);
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
