package org.otp4j.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.otp4j.bench.Results.Case;
import org.otp4j.bench.Results.Stats;

/**
 * The report's chart, as a self-contained SVG: throughput per workload and time per operation of the
 * restart workloads (bars, each workload on its own scale), cost versus N (spawn time and memory per process, log-log), and selective receive with
 * and without a backlog (log scale). Medians, with whiskers from min to max.
 */
final class Chart {
  private static final int WIDTH = 980;
  private static final int LEFT = 260; // room for labels left of the bars

  private final List<Case> cases;
  private final List<Contender> contenders;
  private final Results results;
  private final StringBuilder svg = new StringBuilder();
  private int y; // the next free vertical position

  Chart(List<Case> cases, List<Contender> contenders, Results results) {
    this.cases = cases;
    this.contenders = contenders;
    this.results = results;
  }

  static String color(Contender c) {
    return switch (c) {
      case OTP4J -> "#d62728";
      case BEAM -> "#7b3294";
      case PEKKO -> "#1f77b4";
      case VIRTUAL_THREADS -> "#2ca02c";
    };
  }

  String svg() {
    y = 30;
    text(20, y, "otp4j side by side: medians, whiskers from min to max", 18, "start", "bold");
    y += 22;
    legend();
    y += 20;
    throughput();
    timePerOperation();
    costVersusN();
    selective();
    String body = svg.toString();
    return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + WIDTH + "\" height=\"" + (y + 20)
        + "\" viewBox=\"0 0 " + WIDTH + " " + (y + 20) + "\" font-family=\"Helvetica, Arial, sans-serif\">\n"
        + "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n" + body + "</svg>\n";
  }

  private void legend() {
    int x = 20;
    for (Contender c : contenders) {
      svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"14\" fill=\"%s\"/>%n",
          x, y - 11, color(c)));
      text(x + 20, y, c.label(), 13, "start", "normal");
      x += 40 + c.label().length() * 8;
    }
  }

  // ---------------------------------------------------------------------------------------
  // 1. throughput per workload, and time per operation where no other part of the chart shows it

  private void throughput() {
    List<Case> tp = cases.stream().filter(c -> c.workload().metric() == Metric.THROUGHPUT).toList();
    bars(tp, "Throughput per workload (higher is better; each workload on its own scale)");
  }

  /** Workloads measured in time per operation that the cost-versus-N and selective parts leave out. */
  private void timePerOperation() {
    List<Case> tp = cases.stream().filter(c -> c.workload().metric() == Metric.TIME_PER_OP
        && !List.of("spawn", "selective").contains(c.workload().id())).toList();
    bars(tp, "Time per operation (lower is better; each workload on its own scale)");
  }

  private void bars(List<Case> tp, String heading) {
    if (tp.isEmpty()) {
      return;
    }
    y += 10;
    text(20, y, heading, 15, "start", "bold");
    y += 14;
    int barH = 14;
    int right = WIDTH - 170;
    for (Case c : tp) {
      y += 18;
      String title = c.workload().title();
      int paren = title.indexOf(" (");
      text(20, y, paren > 0 ? title.substring(0, paren) : title, 13, "start", "bold");
      if (paren > 0) {
        text(20, y + 16, title.substring(paren + 1), 11, "start", "normal");
      }
      text(20, y + (paren > 0 ? 31 : 16), c.label(), 11, "start", "normal");
      double max = 0;
      for (Contender who : contenders) {
        Stats s = results.stats(c, who);
        if (s != null) {
          max = Math.max(max, s.max());
        }
      }
      int rowY = y - 10;
      for (Contender who : contenders) {
        if (c.workload().notApplicable(who) != null) {
          continue; // no implementation: the report's table says why
        }
        Stats s = results.stats(c, who);
        if (s != null && max > 0) {
          double scale = (right - LEFT) / max;
          int w = (int) Math.round(s.median() * scale);
          svg.append(String.format(Locale.ROOT,
              "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"><title>%s: %s</title></rect>%n",
              LEFT, rowY, Math.max(1, w), barH, color(who), who.label(), c.workload().metric().format(s.median())));
          whiskerH(LEFT + s.min() * scale, LEFT + s.max() * scale, rowY + barH / 2.0);
          text((int) (LEFT + s.max() * scale) + 6, rowY + barH - 2, who.label() + " "
              + c.workload().metric().format(s.median()), 11, "start", "normal");
        } else {
          text(LEFT + 4, rowY + barH - 2, who.label() + ": no result", 11, "start", "normal");
        }
        rowY += barH + 4;
      }
      y = Math.max(rowY + 6, y + 40);
    }
    y += 10;
  }

  // ---------------------------------------------------------------------------------------
  // 2. cost versus N

  private void costVersusN() {
    List<String> ids = List.of("spawn", "memory");
    List<List<Case>> series = new ArrayList<>();
    for (String id : ids) {
      List<Case> cs = cases.stream().filter(c -> c.workload().id().equals(id)).toList();
      if (!cs.isEmpty()) {
        series.add(cs);
      }
    }
    if (series.isEmpty()) {
      return;
    }
    y += 14;
    text(20, y, "Cost versus N (lower is better; log-log)", 15, "start", "bold");
    y += 20;
    int plotW = 380;
    int plotH = 240;
    int x0 = 90;
    for (List<Case> cs : series) {
      plot(cs, x0, y, plotW, plotH);
      x0 += plotW + 110;
    }
    y += plotH + 80;
  }

  private void plot(List<Case> cs, int px, int py, int w, int h) {
    Workload wl = cs.getFirst().workload();
    text(px + w / 2, py + 4, wl.title() + " (" + (wl.metric() == Metric.BYTES_PER_OP ? "bytes" : "time")
        + " per process)", 13, "middle", "bold");
    int top = py + 16;
    double lo = Double.MAX_VALUE;
    double hi = 0;
    for (Case c : cs) {
      for (Contender who : contenders) {
        Stats s = results.stats(c, who);
        if (s != null && s.min() > 0) {
          lo = Math.min(lo, s.min());
          hi = Math.max(hi, s.max());
        }
      }
    }
    if (hi == 0) {
      return;
    }
    LogAxis ya = new LogAxis(lo, hi);
    double nlo = Math.log10(cs.getFirst().n());
    double nhi = Math.log10(cs.getLast().n());
    double nspan = Math.max(1e-9, nhi - nlo);
    int plotLeft = px + 10;
    int plotRight = px + w - 10;
    java.util.function.DoubleUnaryOperator xOf = n -> plotLeft + (Math.log10(n) - nlo) / nspan * (plotRight - plotLeft);
    java.util.function.DoubleUnaryOperator yOf = v -> top + h - ya.fraction(v) * h;
    // frame, grid and ticks
    svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#999\"/>%n",
        px, top, w, h));
    for (double tick : ya.ticks()) {
      double ty = yOf.applyAsDouble(tick);
      svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#eee\"/>%n",
          px, ty, px + w, ty));
      text(px - 6, (int) ty + 4, wl.metric().format(tick), 10, "end", "normal");
    }
    for (Case c : cs) {
      double tx = xOf.applyAsDouble(c.n());
      text((int) tx, top + h + 16, Workloads.human(c.n()), 11, "middle", "normal");
    }
    text(px + w / 2, top + h + 32, "N (processes)", 11, "middle", "normal");
    for (Contender who : contenders) {
      StringBuilder path = new StringBuilder();
      for (Case c : cs) {
        Stats s = results.stats(c, who);
        if (s == null || s.median() <= 0) {
          continue;
        }
        double cx = xOf.applyAsDouble(c.n());
        double cy = yOf.applyAsDouble(s.median());
        path.append(path.isEmpty() ? "M" : " L").append(String.format(Locale.ROOT, "%.1f %.1f", cx, cy));
        svg.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"%s\"><title>%s, N = %s: %s</title></circle>%n",
            cx, cy, color(who), who.label(), Workloads.human(c.n()), wl.metric().format(s.median())));
        whiskerV(cx, yOf.applyAsDouble(Math.max(s.min(), ya.min)), yOf.applyAsDouble(s.max()), color(who));
      }
      if (!path.isEmpty()) {
        svg.append(String.format(Locale.ROOT, "<path d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"/>%n",
            path, color(who)));
      }
    }
  }

  // ---------------------------------------------------------------------------------------
  // 3. selective receive

  private void selective() {
    Case empty = null;
    Case backlog = null;
    for (Case c : cases) {
      if (c.workload().id().equals("selective")) {
        if (c.n() == 0) {
          empty = c;
        } else {
          backlog = c;
        }
      }
    }
    if (empty == null || backlog == null) {
      return;
    }
    text(20, y, "Selective receive of a reply: one exchange, empty mailbox (light) vs "
        + backlog.label() + " (dark)", 15, "start", "bold");
    y += 17;
    text(20, y, "lower is better; log scale", 12, "start", "normal");
    y += 16;
    double lo = Double.MAX_VALUE;
    double hi = 0;
    for (Case c : List.of(empty, backlog)) {
      for (Contender who : contenders) {
        Stats s = results.stats(c, who);
        if (s != null && s.min() > 0) {
          lo = Math.min(lo, s.min());
          hi = Math.max(hi, s.max());
        }
      }
    }
    if (hi == 0) {
      return;
    }
    LogAxis xa = new LogAxis(lo, hi);
    int right = WIDTH - 90;
    java.util.function.DoubleUnaryOperator xOf = v -> LEFT + xa.fraction(v) * (right - LEFT);
    int top = y;
    int barH = 12;
    for (Contender who : contenders) {
      text(20, y + 16, who.label(), 13, "start", "bold");
      for (Case c : List.of(empty, backlog)) {
        Stats s = results.stats(c, who);
        if (s != null) {
          double w = xOf.applyAsDouble(s.median()) - LEFT;
          svg.append(String.format(Locale.ROOT,
              "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\" fill-opacity=\"%s\"><title>%s, %s: %s</title></rect>%n",
              LEFT, y, Math.max(1, w), barH, color(who), c == empty ? "0.4" : "1.0", who.label(), c.label(),
              c.workload().metric().format(s.median())));
          whiskerH(xOf.applyAsDouble(Math.max(s.min(), xa.min)), xOf.applyAsDouble(s.max()), y + barH / 2.0);
          text((int) xOf.applyAsDouble(s.max()) + 6, y + barH - 1, c.workload().metric().format(s.median()), 11,
              "start", "normal");
        }
        y += barH + 3;
      }
      y += 10;
    }
    for (double tick : xa.ticks()) {
      double tx = xOf.applyAsDouble(tick);
      svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>%n",
          tx, top - 4, tx, y));
      text((int) tx, y + 14, Metric.TIME_PER_OP.format(tick), 10, "middle", "normal");
    }
    y += 24;
  }

  // ---------------------------------------------------------------------------------------

  /** A log-10 axis from a decade below the data to a decade above. */
  private static final class LogAxis {
    final double min;
    final double max;

    LogAxis(double lo, double hi) {
      this.min = Math.pow(10, Math.floor(Math.log10(lo)));
      this.max = Math.pow(10, Math.ceil(Math.log10(hi * 1.0001)));
    }

    double fraction(double v) {
      return (Math.log10(Math.max(v, min)) - Math.log10(min)) / (Math.log10(max) - Math.log10(min));
    }

    List<Double> ticks() {
      List<Double> t = new ArrayList<>();
      boolean few = Math.log10(max / min) <= 2;
      for (double d = min; d <= max * 1.0001; d *= 10) {
        t.add(d);
        if (few && d * 2 < max) {
          t.add(d * 2);
        }
        if (few && d * 5 < max) {
          t.add(d * 5);
        }
      }
      return t;
    }
  }

  private void whiskerH(double x1, double x2, double cy) {
    svg.append(String.format(Locale.ROOT,
        "<path d=\"M%.1f %.1f L%.1f %.1f M%.1f %.1f L%.1f %.1f M%.1f %.1f L%.1f %.1f\" stroke=\"#333\" stroke-width=\"1\"/>%n",
        x1, cy, x2, cy, x1, cy - 4, x1, cy + 4, x2, cy - 4, x2, cy + 4));
  }

  private void whiskerV(double cx, double y1, double y2, String color) {
    svg.append(String.format(Locale.ROOT,
        "<path d=\"M%.1f %.1f L%.1f %.1f M%.1f %.1f L%.1f %.1f M%.1f %.1f L%.1f %.1f\" stroke=\"%s\" stroke-width=\"1\"/>%n",
        cx, y1, cx, y2, cx - 4, y1, cx + 4, y1, cx - 4, y2, cx + 4, y2, color));
  }

  private void text(int x, int ty, String s, int size, String anchor, String weight) {
    svg.append(String.format(Locale.ROOT,
        "<text x=\"%d\" y=\"%d\" font-size=\"%d\" text-anchor=\"%s\" font-weight=\"%s\">%s</text>%n",
        x, ty, size, anchor, weight, escape(s)));
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
