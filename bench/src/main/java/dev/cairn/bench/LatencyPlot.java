package dev.cairn.bench;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Draws latency distributions as an SVG cumulative distribution on a logarithmic time axis, by
 * hand (no plotting library in the build). A CDF on a log axis keeps a 5 ms median and a 500 ms
 * outlier on one readable picture; every sample is also drawn as a dot, so a lone slow block
 * stands out instead of vanishing into a line. Stateless.
 */
final class LatencyPlot {
  /** One distribution: a legend name, a colour, the samples in milliseconds. */
  record Series(String name, String color, double[] millis) {}

  /** A goal: the distribution must reach {@code fraction} at or before {@code millis}. */
  record Goal(double millis, double fraction, String label) {}

  private static final int WIDTH = 920;
  private static final int LEFT = 80;
  private static final int RIGHT = WIDTH - 40;
  private static final int TOP = 90;
  private static final int BOTTOM = 432;
  private static final String GOAL_COLOR = "#c0392b";

  private LatencyPlot() {}

  static String svg(String title, List<String> subtitle, List<Series> series, List<Goal> goals) {
    double lowest = series.stream().flatMapToDouble(s -> Arrays.stream(s.millis())).min().orElse(1);
    double highest = series.stream().flatMapToDouble(s -> Arrays.stream(s.millis())).max().orElse(1);
    for (Goal g : goals) {
      highest = Math.max(highest, g.millis());
    }
    Axis x = new Axis(
        Math.floor(Math.log10(Math.max(0.1, Math.min(1, lowest)))),
        Math.ceil(Math.log10(Math.max(1_000, highest * 1.05))));
    int height = BOTTOM + 80 + 22 * series.size();
    StringBuilder out = new StringBuilder();
    out.append(f("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\""
        + " font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">%n", WIDTH, height, WIDTH, height));
    out.append(f("<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>%n", WIDTH, height));
    out.append(f("<text x=\"%d\" y=\"30\" font-size=\"17\" font-weight=\"bold\" fill=\"#222\">%s</text>%n", LEFT, xml(title)));
    for (int i = 0; i < Math.min(2, subtitle.size()); i++) {
      out.append(f("<text x=\"%d\" y=\"%d\" font-size=\"11.5\" fill=\"#555\">%s</text>%n", LEFT, 50 + 17 * i,
          xml(subtitle.get(i))));
    }
    grid(out, x);
    for (Goal g : goals) {
      goal(out, x, g);
    }
    for (int i = 0; i < series.size(); i++) {
      curve(out, x, series.get(i), i);
    }
    legend(out, series, BOTTOM + 62);
    out.append("</svg>\n");
    return out.toString();
  }

  /** A log10 axis from 10^lo to 10^hi milliseconds. */
  private record Axis(double lo, double hi) {
    double px(double millis) {
      double v = Math.log10(Math.max(millis, Math.pow(10, lo)));
      return LEFT + (v - lo) / (hi - lo) * (RIGHT - LEFT);
    }
  }

  private static double py(double fraction) {
    return BOTTOM - fraction * (BOTTOM - TOP);
  }

  private static void grid(StringBuilder out, Axis x) {
    out.append(f("<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#fafafa\" stroke=\"#999\"/>%n",
        LEFT, TOP, RIGHT - LEFT, BOTTOM - TOP));
    for (int decade = (int) x.lo(); decade < (int) x.hi(); decade++) {
      for (int m = 1; m <= 9; m++) {
        double v = m * Math.pow(10, decade);
        double px = x.px(v);
        out.append(f("<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\"/>%n",
            px, TOP, px, BOTTOM, m == 1 ? "#d0d0d0" : "#ececec"));
        if (m == 1 || m == 2 || m == 5) {
          out.append(f("<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" fill=\"%s\"%s>%s</text>%n",
              px, BOTTOM + 17, m == 1 ? "#222" : "#777", m == 1 ? "" : " font-size=\"10.5\"", duration(v)));
        }
      }
    }
    double end = Math.pow(10, x.hi());
    out.append(f("<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"#222\">%s</text>%n", RIGHT, BOTTOM + 17, duration(end)));
    out.append(f("<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"#222\">%s</text>%n", (LEFT + RIGHT) / 2,
        BOTTOM + 40, "latency until the last node has the block (log scale)"));
    for (int p = 0; p <= 100; p += 10) {
      double py = py(p / 100.0);
      out.append(f("<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"%s\"/>%n",
          LEFT, py, RIGHT, py, p == 50 ? "#bdbdbd" : "#ececec"));
      out.append(f("<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" fill=\"#222\">%d%%</text>%n", LEFT - 8, py + 4, p));
    }
    double p99 = py(0.99);
    out.append(f("<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#bdbdbd\" stroke-dasharray=\"2 3\"/>%n",
        LEFT, p99, RIGHT, p99));
    out.append(f("<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" font-size=\"10.5\" fill=\"#777\">99%%</text>%n",
        RIGHT - 4, p99 + 11));
    out.append(f("<text transform=\"translate(%d %d) rotate(-90)\" text-anchor=\"middle\" fill=\"#222\">%s</text>%n",
        LEFT - 52, (TOP + BOTTOM) / 2, "blocks that reached all 8 nodes"));
  }

  private static void goal(StringBuilder out, Axis x, Goal g) {
    double px = x.px(g.millis());
    out.append(f("<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\" stroke-width=\"1.5\""
        + " stroke-dasharray=\"6 4\"/>%n", px, TOP, px, BOTTOM, GOAL_COLOR));
    // A notch where the curve must pass: at this fraction, at or left of the line.
    out.append(f("<path d=\"M %.1f %.1f l 6 -6 l -12 0 z\" fill=\"%s\"/>%n", px, py(g.fraction()), GOAL_COLOR));
    out.append(f("<text x=\"%.1f\" y=\"%d\" fill=\"%s\" font-size=\"11.5\" stroke=\"#fafafa\" stroke-width=\"3\""
        + " paint-order=\"stroke\">%s</text>%n", px + 5, TOP + 15, GOAL_COLOR, xml(g.label())));
  }

  private static void curve(StringBuilder out, Axis x, Series s, int index) {
    double[] v = s.millis().clone();
    Arrays.sort(v);
    int n = v.length;
    StringBuilder d = new StringBuilder(f("M %.1f %.1f", x.px(v[0]), py(0)));
    for (int i = 0; i < n; i++) {
      d.append(f(" H %.1f V %.1f", x.px(v[i]), py((i + 1) / (double) n)));
    }
    out.append(f("<path d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"/>%n", d, s.color()));
    for (int i = 0; i < n; i++) {
      out.append(f("<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.3\" fill=\"%s\" fill-opacity=\"0.55\"/>%n",
          x.px(v[i]), py((i + 1) / (double) n), s.color()));
    }
    LatencySummary sum = LatencySummary.of(v);
    marker(out, x, s.color(), sum.p50(), 0.50, "p50 " + duration(sum.p50()), index);
    marker(out, x, s.color(), sum.p99(), 0.99, "p99 " + duration(sum.p99()), index);
  }

  private static void marker(StringBuilder out, Axis x, String color, double millis, double fraction, String label, int index) {
    double px = x.px(millis);
    double py = py(fraction);
    out.append(f("<circle cx=\"%.1f\" cy=\"%.1f\" r=\"5\" fill=\"#fff\" stroke=\"%s\" stroke-width=\"2\"/>%n", px, py, color));
    // Labels to the right of the marker; the second series' below its marker, so two medians
    // close together do not print over each other.
    double ly = index == 0 ? py - 8 : py + 17;
    // Near the right edge the label goes to the marker's left, inside the plot.
    boolean left = px > RIGHT - 110;
    out.append(f("<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" fill=\"%s\" font-weight=\"bold\" stroke=\"#fafafa\""
        + " stroke-width=\"3\" paint-order=\"stroke\">%s</text>%n", left ? px - 8 : px + 8, ly, left ? "end" : "start", color,
        xml(label)));
  }

  private static void legend(StringBuilder out, List<Series> series, int y) {
    for (int i = 0; i < series.size(); i++) {
      Series s = series.get(i);
      LatencySummary sum = LatencySummary.of(s.millis());
      int ly = y + 22 * i;
      out.append(f("<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"3\"/>%n",
          LEFT, ly - 4, LEFT + 24, ly - 4, s.color()));
      out.append(f("<text x=\"%d\" y=\"%d\" fill=\"#222\">%s</text>%n", LEFT + 32, ly,
          xml(f("%s: %d blocks; p50 %s, p90 %s, p99 %s, max %s, mean %s", s.name(), sum.count(), duration(sum.p50()),
              duration(sum.p90()), duration(sum.p99()), duration(sum.max()), duration(sum.mean())))));
    }
  }

  /** 0.5 ms, 7.2 ms, 25 ms, 1 s, 2.5 s: milliseconds below a second, seconds above. */
  static String duration(double millis) {
    if (millis >= 1_000) {
      return trim(f("%.2f", millis / 1_000)) + " s";
    }
    if (millis >= 100) {
      return f("%.0f ms", millis);
    }
    if (millis >= 10) {
      return trim(f("%.1f", millis)) + " ms";
    }
    return trim(f("%.2f", millis)) + " ms";
  }

  private static String trim(String number) {
    return number.contains(".") ? number.replaceAll("0+$", "").replaceAll("\\.$", "") : number;
  }

  private static String xml(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  private static String f(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }
}
