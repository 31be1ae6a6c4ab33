package org.infoplane.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.Paint;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.Stroke;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import javax.imageio.ImageIO;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogarithmicAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYErrorRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.data.xy.XYIntervalSeries;
import org.jfree.data.xy.XYIntervalSeriesCollection;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.svg.SVGGraphics2D;
import org.jfree.svg.SVGUtils;

/**
 * The report's figures, drawn with JFreeChart into any {@link Graphics2D}: a PNG (at twice the
 * nominal size) and an SVG of every figure. Each layer has its own hue; within a layer the colour
 * runs from light (first checkpoint) to dark (last), and a colour bar per layer says so.
 */
public final class Charts {

  static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 16);
  static final Font LABEL = new Font(Font.SANS_SERIF, Font.PLAIN, 14);
  static final Font TICK = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
  static final Font SMALL = new Font(Font.SANS_SERIF, Font.PLAIN, 11);
  static final int PNG_SCALE = 2;
  static final int LEGEND_WIDTH = 250;

  /** A figure of a given nominal size and what draws it. */
  record Figure(int width, int height, java.util.function.Consumer<Graphics2D> painter) {
    void draw(Graphics2D g) {
      painter.accept(g);
    }
  }

  private Charts() {}

  /** Writes {@code name.png} and {@code name.svg} into {@code dir}. */
  static void write(Figure f, Path dir, String name) {
    try {
      BufferedImage img = new BufferedImage(f.width() * PNG_SCALE, f.height() * PNG_SCALE, BufferedImage.TYPE_INT_RGB);
      Graphics2D g = img.createGraphics();
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
      g.scale(PNG_SCALE, PNG_SCALE);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, f.width(), f.height());
      f.draw(g);
      g.dispose();
      ImageIO.write(img, "png", dir.resolve(name + ".png").toFile());
      SVGGraphics2D svg = new SVGGraphics2D(f.width(), f.height());
      svg.setColor(Color.WHITE);
      svg.fillRect(0, 0, f.width(), f.height());
      f.draw(svg);
      SVGUtils.writeToSVG(dir.resolve(name + ".svg").toFile(), svg.getSVGElement());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + dir.resolve(name), e);
    }
  }

  /** The hue of layer {@code pos} of {@code n}: spread over red → violet, skipping the pale yellows. */
  static float hue(int pos, int n) {
    return n <= 1 ? 0.6f : (float) (0.8 * pos / (n - 1));
  }

  /** The colour of layer {@code pos} of {@code n} at training progress {@code t} in [0, 1]: light to dark. */
  static Color layerColor(int pos, int n, double t) {
    float h = hue(pos, n);
    float sat = (float) (0.18 + 0.82 * t);
    float bright = (float) (0.97 - 0.42 * t);
    // yellow-greens read too bright: darken them a little
    if (h > 0.1f && h < 0.3f) {
      bright *= 0.85f;
    }
    return Color.getHSBColor(h, sat, bright);
  }

  static void style(JFreeChart chart, String title) {
    chart.setBackgroundPaint(Color.WHITE);
    chart.setTitle(new TextTitle(title, TITLE));
    chart.setAntiAlias(true);
    if (chart.getLegend() != null) {
      chart.removeLegend();
    }
    XYPlot plot = chart.getXYPlot();
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(new Color(0xDD, 0xDD, 0xDD));
    plot.setRangeGridlinePaint(new Color(0xDD, 0xDD, 0xDD));
    plot.setDomainGridlineStroke(new BasicStroke(0.6f));
    plot.setRangeGridlineStroke(new BasicStroke(0.6f));
    plot.setOutlinePaint(Color.GRAY);
    plot.setAxisOffset(RectangleInsets.ZERO_INSETS);
    for (ValueAxis a : new ValueAxis[] {plot.getDomainAxis(), plot.getRangeAxis()}) {
      a.setLabelFont(LABEL);
      a.setTickLabelFont(TICK);
    }
  }

  static NumberAxis axis(String label, double lo, double hi) {
    NumberAxis a = new NumberAxis(label);
    double pad = Math.max(1e-9, (hi - lo) * 0.04);
    a.setRange(lo - pad, hi + pad);
    a.setAutoRangeIncludesZero(false);
    return a;
  }

  /** A renderer whose every point and segment has its own colour. */
  static final class PointPaints extends XYLineAndShapeRenderer {
    private final List<List<Color>> paints = new ArrayList<>();

    PointPaints(double shapeSize, float lineWidth) {
      super(true, true);
      Shape dot = new Ellipse2D.Double(-shapeSize / 2, -shapeSize / 2, shapeSize, shapeSize);
      setDefaultShape(dot);
      setAutoPopulateSeriesShape(false);
      setDefaultStroke(new BasicStroke(lineWidth, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
      setAutoPopulateSeriesStroke(false);
      setDrawSeriesLineAsPath(false);
    }

    void add(List<Color> seriesPaints) {
      paints.add(seriesPaints);
    }

    @Override
    public Paint getItemPaint(int series, int item) {
      return paints.get(series).get(item);
    }
  }

  /**
   * The information plane of one split: a track per layer through the checkpoints, in training
   * order, coloured light to dark; error bars when the points carry a spread.
   */
  static JFreeChart plane(PlaneData data, String split, double[] xRange, double[] yRange) {
    Map<Integer, String> layers = data.layers();
    List<PlaneData.Checkpoint> cps = data.checkpoints();
    int nLayers = layers.size();
    boolean many = nLayers * cps.size() > 200;
    XYSeriesCollection ds = new XYSeriesCollection();
    PointPaints r = new PointPaints(many ? 4.5 : 7, many ? 1.0f : 1.6f);
    XYIntervalSeriesCollection errs = new XYIntervalSeriesCollection();
    XYErrorRenderer er = new XYErrorRenderer();
    er.setDefaultLinesVisible(false);
    er.setDefaultShapesVisible(false);
    er.setCapLength(3);
    er.setErrorStroke(new BasicStroke(0.8f));
    boolean spread = false;
    int pos = 0;
    for (Map.Entry<Integer, List<PlaneData.Point>> t : data.tracks(split).entrySet()) {
      XYSeries s = new XYSeries(layers.get(t.getKey()), false, true);
      XYIntervalSeries e = new XYIntervalSeries(layers.get(t.getKey()), false, true);
      List<Color> colours = new ArrayList<>();
      for (PlaneData.Point p : t.getValue()) {
        s.add(p.iXT(), p.iTY());
        e.add(p.iXT(), p.iXT() - p.iXTSpread(), p.iXT() + p.iXTSpread(),
            p.iTY(), p.iTY() - p.iTYSpread(), p.iTY() + p.iTYSpread());
        spread |= p.iXTSpread() > 0 || p.iTYSpread() > 0;
        colours.add(layerColor(pos, nLayers, progress(cps, p)));
      }
      ds.addSeries(s);
      errs.addSeries(e);
      r.add(colours);
      er.setSeriesPaint(pos, layerColor(pos, nLayers, 0.55));
      pos++;
    }
    XYPlot plot = new XYPlot(ds, axis("I(X;T)  [bits]", xRange[0], xRange[1]),
        axis("I(T;Y)  [bits]", yRange[0], yRange[1]), r);
    if (spread) {
      plot.setDataset(1, errs);
      plot.setRenderer(1, er);
    }
    earlyStopRings(plot, data, data.tracks(split).values(), 2);
    JFreeChart chart = new JFreeChart(plot);
    style(chart, split + " split");
    return chart;
  }

  /**
   * Rings around each track's points at the early-stopping checkpoints (one per distinct checkpoint
   * that some patience keeps), as dataset {@code index}.
   */
  static void earlyStopRings(XYPlot plot, PlaneData data, java.util.Collection<List<PlaneData.Point>> tracks, int index) {
    Map<PlaneData.Checkpoint, List<Integer>> stops = data.earlyStops();
    if (stops.isEmpty()) {
      return;
    }
    XYSeries rings = new XYSeries("early stopping", false, true);
    for (List<PlaneData.Point> t : tracks) {
      for (PlaneData.Point p : t) {
        if (stops.containsKey(new PlaneData.Checkpoint(p.epoch(), p.step()))) {
          rings.add(p.iXT(), p.iTY());
        }
      }
    }
    XYLineAndShapeRenderer rr = new XYLineAndShapeRenderer(false, true);
    rr.setSeriesShape(0, new Ellipse2D.Double(-7, -7, 14, 14));
    rr.setSeriesShapesFilled(0, false);
    rr.setSeriesPaint(0, EARLY_STOP);
    rr.setSeriesOutlineStroke(0, new BasicStroke(2f));
    rr.setSeriesStroke(0, new BasicStroke(2f));
    rr.setUseOutlinePaint(false);
    rr.setDrawOutlines(true);
    plot.setDataset(index, new XYSeriesCollection(rings));
    plot.setRenderer(index, rr);
  }

  static double progress(List<PlaneData.Checkpoint> cps, PlaneData.Point p) {
    int i = cps.indexOf(new PlaneData.Checkpoint(p.epoch(), p.step()));
    return cps.size() <= 1 ? 1.0 : (double) i / (cps.size() - 1);
  }

  /** The information plane: one panel per split side by side with shared axes, and the colour bars. */
  static Figure planeFigure(PlaneData data) {
    List<String> splits = data.splits();
    double[] xr = include(include(range(data.points(), PlaneData.Point::iXT, PlaneData.Point::iXTSpread),
        data.context().log2B()), data.context().hX());
    double[] yr = include(include(range(data.points(), PlaneData.Point::iTY, PlaneData.Point::iTYSpread),
        data.context().hY()), data.context().iXY());
    int panel = 640;
    int height = Math.max(640, 130 + data.layers().size() * 34);
    int width = panel * splits.size() + LEGEND_WIDTH;
    return new Figure(width, height, g -> {
      header(g, data.title() + ": the information plane", data, width);
      for (int i = 0; i < splits.size(); i++) {
        JFreeChart c = plane(data, splits.get(i), xr, yr);
        XYPlot plot = c.getXYPlot();
        reference(plot, data.context().log2B(), bits("log2 B", data.context().log2B()), false, REFERENCE);
        reference(plot, data.context().hY(), bits("H(Y)", data.context().hY()), true, REFERENCE);
        reference(plot, data.context().hX(), bits("S(X)", data.context().hX()), false, INPUT_REFERENCE);
        reference(plot, data.context().iXY(), bits("I(X;Y)", data.context().iXY()), true, INPUT_REFERENCE);
        c.draw(g, new Rectangle2D.Double(i * panel, HEADER, panel, height - HEADER));
      }
      colourBars(g, data, panel * splits.size() + 10, HEADER + 30, LEGEND_WIDTH - 20, height - HEADER - 50);
    });
  }

  /** {@code r} widened to hold {@code v} (when finite). */
  static double[] include(double[] r, double v) {
    return Double.isFinite(v) ? new double[] {Math.min(r[0], v), Math.max(r[1], v)} : r;
  }

  /** Height of a figure's header: the title and, below it, the subtitle line. */
  static final int HEADER = 50;

  static void title(Graphics2D g, String text, int width) {
    g.setFont(TITLE.deriveFont(18f));
    g.setColor(Color.BLACK);
    FontMetrics fm = g.getFontMetrics();
    g.drawString(text, (width - fm.stringWidth(text)) / 2, 22);
  }

  /** The title, and the analysis settings of the data as a subtitle under it. */
  static void header(Graphics2D g, String text, PlaneData data, int width) {
    title(g, text, width);
    String sub = data.context().subtitle();
    if (!sub.isEmpty()) {
      g.setFont(LABEL);
      g.setColor(new Color(0x44, 0x44, 0x44));
      FontMetrics fm = g.getFontMetrics();
      g.drawString(sub, Math.max(4, (width - fm.stringWidth(sub)) / 2), 42);
    }
  }

  static final Color REFERENCE = new Color(0x70, 0x70, 0x70);
  /** The input's terms S(X) and I(X;Y): the head of every chain, which no layer exceeds in truth. */
  static final Color INPUT_REFERENCE = new Color(0x1f, 0x5f, 0x9f);
  static final Color EARLY_STOP = new Color(0xC0, 0x00, 0x00);

  static Stroke dashed(float width) {
    return new BasicStroke(width, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 1f, new float[] {6f, 4f}, 0f);
  }

  /** A labelled reference line at {@code value}, on the range (horizontal) or the domain (vertical) axis. */
  static void reference(XYPlot plot, double value, String label, boolean horizontal, Color colour) {
    if (!Double.isFinite(value)) {
      return;
    }
    org.jfree.chart.plot.ValueMarker m = new org.jfree.chart.plot.ValueMarker(value, colour, dashed(1.2f));
    m.setLabel(label);
    m.setLabelFont(SMALL);
    m.setLabelPaint(colour);
    m.setLabelBackgroundColor(new Color(255, 255, 255, 210));
    if (horizontal) {
      m.setLabelAnchor(org.jfree.chart.ui.RectangleAnchor.TOP_LEFT);
      m.setLabelTextAnchor(org.jfree.chart.ui.TextAnchor.BOTTOM_LEFT);
      m.setLabelOffset(new RectangleInsets(2, 4, 2, 4));
      plot.addRangeMarker(m);
    } else {
      m.setLabelAnchor(org.jfree.chart.ui.RectangleAnchor.BOTTOM_LEFT);
      m.setLabelTextAnchor(org.jfree.chart.ui.TextAnchor.BOTTOM_RIGHT);
      m.setLabelOffset(new RectangleInsets(4, 4, 4, 4));
      plot.addDomainMarker(m);
    }
  }

  static String bits(String name, double v) {
    return String.format(Locale.ROOT, "%s = %.2f bits", name, v);
  }

  /** One colour bar per layer: its hue from the first checkpoint (light) to the last (dark). */
  static void colourBars(Graphics2D g, PlaneData data, int x, int y, int w, int h) {
    Map<Integer, String> layers = data.layers();
    List<PlaneData.Checkpoint> cps = data.checkpoints();
    int n = layers.size();
    String first = label(data, cps.get(0));
    String last = label(data, cps.get(cps.size() - 1));
    g.setColor(Color.BLACK);
    g.setFont(LABEL);
    g.drawString("colour = " + data.timeLabel(), x, y);
    g.setFont(SMALL);
    int rowH = Math.min(40, (h - 30) / Math.max(1, n));
    int barX = x + 105;
    int barW = w - 110;
    int top = y + 22;
    g.drawString(first, barX, top);
    FontMetrics fm = g.getFontMetrics();
    g.drawString(last, barX + barW - fm.stringWidth(last), top);
    int pos = 0;
    for (String name : layers.values()) {
      int ry = top + 6 + pos * rowH;
      int barH = Math.max(8, Math.min(16, rowH - 8));
      int steps = 48;
      for (int k = 0; k < steps; k++) {
        g.setColor(layerColor(pos, n, (double) k / (steps - 1)));
        double x0 = barX + (double) barW * k / steps;
        g.fill(new Rectangle2D.Double(x0, ry, (double) barW / steps + 0.6, barH));
      }
      g.setColor(Color.GRAY);
      g.setStroke(new BasicStroke(0.5f));
      g.draw(new Rectangle2D.Double(barX, ry, barW, barH));
      g.setColor(Color.BLACK);
      g.setFont(SMALL);
      g.drawString(shorten(name, g.getFontMetrics(), 100), x, ry + barH - 2);
      pos++;
    }
  }

  static String label(PlaneData data, PlaneData.Checkpoint cp) {
    return data.byEpoch() ? data.timeLabel() + " " + cp.epoch() : data.timeLabel() + " " + cp.step();
  }

  static String shorten(String s, FontMetrics fm, int px) {
    if (fm.stringWidth(s) <= px) {
      return s;
    }
    String t = s;
    while (t.length() > 1 && fm.stringWidth(t + "…") > px) {
      t = t.substring(0, t.length() - 1);
    }
    return t + "…";
  }

  static double[] range(List<PlaneData.Point> pts, ToDoubleFunction<PlaneData.Point> v,
      ToDoubleFunction<PlaneData.Point> spread) {
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (PlaneData.Point p : pts) {
      lo = Math.min(lo, v.applyAsDouble(p) - spread.applyAsDouble(p));
      hi = Math.max(hi, v.applyAsDouble(p) + spread.applyAsDouble(p));
    }
    return lo <= hi ? new double[] {lo, hi} : new double[] {0, 1};
  }

  /** A line per layer and split against training time: train solid, the other splits dashed. */
  static JFreeChart overTime(PlaneData data, String title, String yLabel, ToDoubleFunction<PlaneData.Point> v, boolean logY) {
    return overTime(data, title, yLabel, v, p -> 0, logY, Double.NaN, null);
  }

  /**
   * A line per layer and split against training time (train solid, the other splits dashed), a band
   * of ± {@code spread} around each line where it is not 0, a reference line at {@code ref} and the
   * early-stopping checkpoint as a vertical line.
   */
  static JFreeChart overTime(PlaneData data, String title, String yLabel, ToDoubleFunction<PlaneData.Point> v,
      ToDoubleFunction<PlaneData.Point> spread, boolean logY, double ref, String refLabel) {
    Map<Integer, String> layers = data.layers();
    int n = layers.size();
    org.jfree.data.xy.YIntervalSeriesCollection ds = new org.jfree.data.xy.YIntervalSeriesCollection();
    org.jfree.chart.renderer.xy.DeviationRenderer r =
        new org.jfree.chart.renderer.xy.DeviationRenderer(true, data.checkpoints().size() <= 20);
    r.setAlpha(0.18f);
    int series = 0;
    int pos = 0;
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (Map.Entry<Integer, String> layer : layers.entrySet()) {
      int si = 0;
      for (String split : data.splits()) {
        org.jfree.data.xy.YIntervalSeries s = new org.jfree.data.xy.YIntervalSeries(layer.getValue() + " " + split, false, true);
        for (PlaneData.Point p : data.track(split, layer.getKey())) {
          double y = v.applyAsDouble(p);
          double e = spread.applyAsDouble(p);
          if (Double.isFinite(y) && (!logY || y > 0)) {
            double ylo = logY ? Math.max(y - e, y * 0.5) : y - e;
            s.add(data.time(p.epoch(), p.step()), y, ylo, y + e);
            lo = Math.min(lo, ylo);
            hi = Math.max(hi, y + e);
          }
        }
        ds.addSeries(s);
        Color c = layerColor(pos, n, 0.85);
        r.setSeriesPaint(series, c);
        r.setSeriesFillPaint(series, c);
        r.setSeriesStroke(series, si == 0 ? new BasicStroke(1.6f)
            : new BasicStroke(1.4f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 1f, new float[] {5f, 4f}, 0f));
        r.setSeriesShape(series, new Ellipse2D.Double(-2.5, -2.5, 5, 5));
        series++;
        si++;
      }
      pos++;
    }
    if (Double.isFinite(ref) && !logY) {
      lo = Math.min(lo, ref);
      hi = Math.max(hi, ref);
    }
    ValueAxis yAxis;
    if (logY && lo < hi && hi / lo > 20) {
      LogarithmicAxis la = new LogarithmicAxis(yLabel);
      la.setStrictValuesFlag(false);
      la.setExpTickLabelsFlag(false);
      la.setLog10TickLabelsFlag(false);
      la.setRange(lo * 0.8, hi * 1.25);
      yAxis = la;
    } else if (lo <= hi) {
      yAxis = axis(yLabel, lo, hi);
    } else {
      NumberAxis na = new NumberAxis(yLabel);
      na.setAutoRangeIncludesZero(false);
      yAxis = na;
    }
    NumberAxis xAxis = new NumberAxis(data.timeLabel());
    xAxis.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
    XYPlot plot = new XYPlot(ds, xAxis, yAxis, r);
    if (refLabel != null) {
      reference(plot, ref, bits(refLabel, ref), true, REFERENCE);
    }
    earlyStopLine(plot, data);
    JFreeChart chart = new JFreeChart(plot);
    style(chart, title);
    return chart;
  }

  /** Each early-stopping checkpoint as a vertical line labelled with the patience values that keep it. */
  static void earlyStopLine(XYPlot plot, PlaneData data) {
    List<PlaneData.Checkpoint> cps = data.checkpoints();
    if (cps.isEmpty()) {
      return;
    }
    PlaneData.Checkpoint last = cps.get(cps.size() - 1);
    int k = 0;
    for (Map.Entry<PlaneData.Checkpoint, List<Integer>> e : data.earlyStops().entrySet()) {
      PlaneData.Checkpoint cp = e.getKey();
      double x = data.time(cp.epoch(), cp.step());
      boolean left = x > data.time(last.epoch(), last.step()) / 2;
      org.jfree.chart.plot.ValueMarker m = new org.jfree.chart.plot.ValueMarker(x, EARLY_STOP, dashed(1.4f));
      m.setLabel("early stop, " + PlaneData.patienceLabel(e.getValue()));
      m.setLabelFont(SMALL);
      m.setLabelPaint(EARLY_STOP);
      m.setLabelBackgroundColor(new Color(255, 255, 255, 210));
      m.setLabelAnchor(left ? org.jfree.chart.ui.RectangleAnchor.TOP_LEFT : org.jfree.chart.ui.RectangleAnchor.TOP_RIGHT);
      m.setLabelTextAnchor(left ? org.jfree.chart.ui.TextAnchor.TOP_RIGHT : org.jfree.chart.ui.TextAnchor.TOP_LEFT);
      m.setLabelOffset(new RectangleInsets(14 + 14 * k++, 4, 4, 4));
      plot.addDomainMarker(m);
    }
  }

  /** I(X;T) and I(T;Y) over training, with their ceilings log2 B and H(Y) and the input's S(X) and I(X;Y). */
  static Figure miOverTraining(PlaneData data) {
    JFreeChart xt = overTime(data, "I(X;T)", "I(X;T)  [bits]", PlaneData.Point::iXT, PlaneData.Point::iXTSpread, false,
        data.context().log2B(), "log2 B");
    reference(xt.getXYPlot(), data.context().hX(), bits("S(X)", data.context().hX()), true, INPUT_REFERENCE);
    JFreeChart ty = overTime(data, "I(T;Y)", "I(T;Y)  [bits]", PlaneData.Point::iTY, PlaneData.Point::iTYSpread, false,
        data.context().hY(), "H(Y)");
    reference(ty.getXYPlot(), data.context().iXY(), bits("I(X;Y)", data.context().iXY()), true, INPUT_REFERENCE);
    return row(data.title() + ": mutual information over training", data, List.of(xt, ty), true);
  }

  /**
   * The kernel widths per layer over training, one panel per split: the width used (smoothed σ,
   * lines) and each checkpoint's own σ* (the mean of its per-batch widths, open circles).
   */
  static Figure widths(PlaneData data) {
    List<JFreeChart> charts = new ArrayList<>();
    for (String split : data.splits()) {
      charts.add(widthChart(data, split));
    }
    Figure f = row(data.title() + ": kernel width per layer", data, charts, true);
    return new Figure(f.width(), f.height(), g -> {
      f.draw(g);
      g.setFont(SMALL);
      g.setColor(Color.BLACK);
      int x = f.width() - 190;
      int y = f.height() - 40;
      g.setStroke(new BasicStroke(1.6f));
      g.draw(new Line2D.Double(x, y - 4, x + 26, y - 4));
      g.drawString("σ used (smoothed)", x + 34, y);
      g.draw(new Ellipse2D.Double(x + 9, y + 14, 8, 8));
      g.drawString("σ* of the checkpoint", x + 34, y + 22);
    });
  }

  private static JFreeChart widthChart(PlaneData data, String split) {
    Map<Integer, String> layers = data.layers();
    int n = layers.size();
    XYSeriesCollection used = new XYSeriesCollection();
    XYSeriesCollection raw = new XYSeriesCollection();
    XYLineAndShapeRenderer lr = new XYLineAndShapeRenderer(true, false);
    XYLineAndShapeRenderer rr = new XYLineAndShapeRenderer(false, true);
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    int pos = 0;
    for (Map.Entry<Integer, String> layer : layers.entrySet()) {
      XYSeries s = new XYSeries(layer.getValue() + " σ", false, true);
      XYSeries s2 = new XYSeries(layer.getValue() + " σ*", false, true);
      for (PlaneData.Point p : data.track(split, layer.getKey())) {
        double t = data.time(p.epoch(), p.step());
        if (p.sigma() != null && p.sigma() > 0) {
          s.add(t, p.sigma());
          lo = Math.min(lo, p.sigma());
          hi = Math.max(hi, p.sigma());
        }
        if (p.sigmaRaw() != null && p.sigmaRaw() > 0) {
          s2.add(t, p.sigmaRaw());
          lo = Math.min(lo, p.sigmaRaw());
          hi = Math.max(hi, p.sigmaRaw());
        }
      }
      used.addSeries(s);
      raw.addSeries(s2);
      Color c = layerColor(pos, n, 0.85);
      lr.setSeriesPaint(pos, c);
      lr.setSeriesStroke(pos, new BasicStroke(1.6f));
      rr.setSeriesPaint(pos, c);
      rr.setSeriesShape(pos, new Ellipse2D.Double(-4, -4, 8, 8));
      rr.setSeriesShapesFilled(pos, false);
      pos++;
    }
    ValueAxis yAxis;
    if (lo < hi && hi / lo > 20) {
      LogarithmicAxis la = new LogarithmicAxis("σ (log scale)");
      la.setStrictValuesFlag(false);
      la.setExpTickLabelsFlag(false);
      la.setLog10TickLabelsFlag(false);
      la.setRange(lo * 0.8, hi * 1.25);
      yAxis = la;
    } else {
      NumberAxis na = new NumberAxis("σ");
      na.setAutoRangeIncludesZero(false);
      yAxis = na;
    }
    NumberAxis xAxis = new NumberAxis(data.timeLabel());
    xAxis.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
    XYPlot plot = new XYPlot(used, xAxis, yAxis, lr);
    plot.setDataset(1, raw);
    plot.setRenderer(1, rr);
    earlyStopLine(plot, data);
    JFreeChart chart = new JFreeChart(plot);
    style(chart, split + " split");
    return chart;
  }

  /** The colour of training progress {@code t} in [0, 1] on one scale for all layers (dark blue → yellow). */
  static Color timeColor(double t) {
    int[][] anchors = {{68, 1, 84}, {59, 82, 139}, {33, 145, 140}, {94, 201, 98}, {253, 231, 37}};
    double x = Math.max(0, Math.min(1, t)) * (anchors.length - 1);
    int i = Math.min(anchors.length - 2, (int) Math.floor(x));
    double f = x - i;
    int[] a = anchors[i];
    int[] b = anchors[i + 1];
    return new Color((int) Math.round(a[0] + f * (b[0] - a[0])), (int) Math.round(a[1] + f * (b[1] - a[1])),
        (int) Math.round(a[2] + f * (b[2] - a[2])));
  }

  /**
   * The information plane of one split with one small panel per layer, each on its own axes (one far
   * point does not squash the others), as in the paper: colour = training time on one scale, bars
   * the spread over runs, a ring at the early-stopping checkpoint.
   */
  static Figure layerPlanes(PlaneData data, String split) {
    Map<Integer, List<PlaneData.Point>> tracks = data.tracks(split);
    List<PlaneData.Checkpoint> cps = data.checkpoints();
    int n = tracks.size();
    int cols = n <= 4 ? n : n <= 6 ? 3 : n <= 9 ? 3 : n <= 12 ? 4 : 5;
    int rows = (n + cols - 1) / cols;
    int panel = 330;
    int legend = 200;
    int width = cols * panel + legend;
    int height = HEADER + rows * panel;
    return new Figure(width, height, g -> {
      header(g, data.title() + ": information plane per layer, " + split + " split", data, width);
      int k = 0;
      for (Map.Entry<Integer, List<PlaneData.Point>> t : tracks.entrySet()) {
        List<PlaneData.Point> pts = t.getValue();
        XYSeriesCollection ds = new XYSeriesCollection();
        XYSeries s = new XYSeries(data.layers().get(t.getKey()), false, true);
        XYIntervalSeries e = new XYIntervalSeries("spread", false, true);
        List<Color> colours = new ArrayList<>();
        boolean spread = false;
        for (PlaneData.Point p : pts) {
          s.add(p.iXT(), p.iTY());
          e.add(p.iXT(), p.iXT() - p.iXTSpread(), p.iXT() + p.iXTSpread(),
              p.iTY(), p.iTY() - p.iTYSpread(), p.iTY() + p.iTYSpread());
          spread |= p.iXTSpread() > 0 || p.iTYSpread() > 0;
          colours.add(timeColor(progress(cps, p)));
        }
        ds.addSeries(s);
        PointPaints r = new PointPaints(7, 1.0f);
        r.add(colours);
        double[] xr = range(pts, PlaneData.Point::iXT, PlaneData.Point::iXTSpread);
        double[] yr = range(pts, PlaneData.Point::iTY, PlaneData.Point::iTYSpread);
        XYPlot plot = new XYPlot(ds, axis("I(X;T)  [bits]", xr[0], xr[1]), axis("I(T;Y)  [bits]", yr[0], yr[1]), r);
        if (spread) {
          XYIntervalSeriesCollection errs = new XYIntervalSeriesCollection();
          errs.addSeries(e);
          XYErrorRenderer er = new XYErrorRenderer();
          er.setDefaultLinesVisible(false);
          er.setDefaultShapesVisible(false);
          er.setCapLength(3);
          er.setErrorStroke(new BasicStroke(0.8f));
          er.setSeriesPaint(0, new Color(0x88, 0x88, 0x88));
          plot.setDataset(1, errs);
          plot.setRenderer(1, er);
        }
        earlyStopRings(plot, data, List.of(pts), 2);
        JFreeChart c = new JFreeChart(plot);
        style(c, data.layers().get(t.getKey()));
        c.getTitle().setFont(LABEL.deriveFont(Font.BOLD));
        for (ValueAxis a : new ValueAxis[] {plot.getDomainAxis(), plot.getRangeAxis()}) {
          a.setLabelFont(SMALL);
          a.setTickLabelFont(SMALL);
        }
        c.draw(g, new Rectangle2D.Double((k % cols) * panel, HEADER + (k / cols) * panel, panel, panel));
        k++;
      }
      timeBar(g, data, cols * panel + 20, HEADER + 30, legend - 40);
    });
  }

  /** A vertical colour bar of training time, with the early-stopping ring explained under it. */
  static void timeBar(Graphics2D g, PlaneData data, int x, int y, int w) {
    List<PlaneData.Checkpoint> cps = data.checkpoints();
    g.setColor(Color.BLACK);
    g.setFont(LABEL);
    g.drawString("colour = " + data.timeLabel(), x, y);
    int barH = 220;
    int top = y + 14;
    int steps = 64;
    for (int k = 0; k < steps; k++) {
      g.setColor(timeColor((double) k / (steps - 1)));
      g.fill(new Rectangle2D.Double(x, top + (double) barH * k / steps, 22, (double) barH / steps + 0.6));
    }
    g.setColor(Color.GRAY);
    g.setStroke(new BasicStroke(0.5f));
    g.draw(new Rectangle2D.Double(x, top, 22, barH));
    g.setColor(Color.BLACK);
    g.setFont(SMALL);
    g.drawString(label(data, cps.get(0)), x + 30, top + 10);
    g.drawString(label(data, cps.get(cps.size() - 1)), x + 30, top + barH);
    Map<PlaneData.Checkpoint, List<Integer>> stops = data.earlyStops();
    if (!stops.isEmpty()) {
      int ry = top + barH + 30;
      g.setColor(EARLY_STOP);
      g.setStroke(new BasicStroke(2f));
      g.draw(new Ellipse2D.Double(x + 4, ry - 10, 14, 14));
      g.setColor(Color.BLACK);
      g.drawString("early stopping", x + 26, ry);
      g.drawString("(validation loss):", x + 26, ry + 14);
      int line = ry + 28;
      for (Map.Entry<PlaneData.Checkpoint, List<Integer>> e : stops.entrySet()) {
        g.drawString(PlaneData.patienceLabel(e.getValue()) + ": " + label(data, e.getKey()), x + 26, line);
        line += 14;
      }
    }
  }

  /** Figure of several charts side by side with a legend of layers and line styles on the right. */
  static Figure row(String title, PlaneData data, List<JFreeChart> charts, boolean layerLegend) {
    int panel = 560;
    int height = Math.max(480, layerLegend ? 170 + (data.layers().size() + data.splits().size()) * 24 : 480);
    int width = panel * charts.size() + (layerLegend ? 200 : 0);
    return new Figure(width, height, g -> {
      header(g, title, data, width);
      for (int i = 0; i < charts.size(); i++) {
        charts.get(i).draw(g, new Rectangle2D.Double(i * panel, HEADER, panel, height - HEADER));
      }
      if (layerLegend) {
        layerKey(g, data, panel * charts.size() + 10, 70);
      }
    });
  }

  /** A key: a swatch per layer, then the line style of each split. */
  static void layerKey(Graphics2D g, PlaneData data, int x, int y) {
    int n = data.layers().size();
    int rowH = 22;
    int pos = 0;
    g.setFont(SMALL);
    FontMetrics fm = g.getFontMetrics();
    for (String name : data.layers().values()) {
      g.setColor(layerColor(pos, n, 0.85));
      g.setStroke(new BasicStroke(2.5f));
      g.draw(new Line2D.Double(x, y + pos * rowH - 4, x + 26, y + pos * rowH - 4));
      g.setColor(Color.BLACK);
      g.drawString(shorten(name, fm, 140), x + 34, y + pos * rowH);
      pos++;
    }
    int sy = y + pos * rowH + 14;
    int si = 0;
    for (String split : data.splits()) {
      Stroke s = si == 0 ? new BasicStroke(1.6f)
          : new BasicStroke(1.4f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 1f, new float[] {5f, 4f}, 0f);
      g.setColor(Color.DARK_GRAY);
      g.setStroke(s);
      g.draw(new Line2D.Double(x, sy + si * rowH - 4, x + 26, sy + si * rowH - 4));
      g.setColor(Color.BLACK);
      g.drawString(split, x + 34, sy + si * rowH);
      si++;
    }
  }

  /**
   * Loss (train, test, validation) and accuracy (train, test, validation) against training time; a
   * curve that was not recorded (no test loss, no validation split) is left out.
   */
  static Figure training(PlaneData data) {
    XYSeries l = new XYSeries("train loss", false, true);
    XYSeries tl = new XYSeries("test loss", false, true);
    XYSeries vl = new XYSeries("validation loss", false, true);
    XYSeries tr = new XYSeries("train accuracy", false, true);
    XYSeries te = new XYSeries("test accuracy", false, true);
    XYSeries va = new XYSeries("validation accuracy", false, true);
    for (PlaneData.Metric m : data.metrics()) {
      double t = data.time(m.epoch(), m.step());
      addFinite(l, t, m.loss());
      addFinite(tl, t, m.testLoss());
      addFinite(vl, t, m.valLoss());
      addFinite(tr, t, m.trainAccuracy());
      addFinite(te, t, m.testAccuracy());
      addFinite(va, t, m.valAccuracy());
    }
    Color train = new Color(0x1F, 0x5A, 0xA6);
    Color test = new Color(0xD9, 0x5F, 0x02);
    Color validation = new Color(0x1B, 0x9E, 0x77);
    JFreeChart a = trainingPanel(List.of(l, tl, vl), List.of(train, test, validation), data, "cross-entropy  [nats]",
        "Loss");
    JFreeChart b = trainingPanel(List.of(tr, te, va), List.of(train, test, validation), data, "accuracy", "Accuracy");
    return row(data.title() + ": training", data, List.of(a, b), false);
  }

  /** One panel of the training figure: the first series always, the others when they hold points. */
  private static JFreeChart trainingPanel(List<XYSeries> series, List<Color> colours, PlaneData data, String y,
      String title) {
    XYSeriesCollection ds = new XYSeriesCollection();
    List<Color> used = new ArrayList<>();
    for (int i = 0; i < series.size(); i++) {
      if (i == 0 || !series.get(i).isEmpty()) {
        ds.addSeries(series.get(i));
        used.add(colours.get(i));
      }
    }
    JFreeChart c = simple(ds, data.timeLabel(), y, title, used.toArray(new Color[0]));
    c.addLegend(new org.jfree.chart.title.LegendTitle(c.getXYPlot()));
    c.getLegend().setItemFont(TICK);
    c.getLegend().setFrame(org.jfree.chart.block.BlockBorder.NONE);
    earlyStopLine(c.getXYPlot(), data);
    return c;
  }

  private static void addFinite(XYSeries s, double x, double y) {
    if (Double.isFinite(y)) {
      s.add(x, y);
    }
  }

  private static JFreeChart simple(XYSeriesCollection ds, String x, String y, String title, Color[] colours) {
    XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
    for (int i = 0; i < colours.length; i++) {
      r.setSeriesPaint(i, colours[i]);
      r.setSeriesStroke(i, new BasicStroke(1.8f));
      r.setSeriesShape(i, new Ellipse2D.Double(-3, -3, 6, 6));
    }
    NumberAxis xa = new NumberAxis(x);
    xa.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
    NumberAxis ya = new NumberAxis(y);
    ya.setAutoRangeIncludesZero(false);
    JFreeChart c = new JFreeChart(new XYPlot(ds, xa, ya, r));
    style(c, title);
    return c;
  }

  /** Formats a double for tables. */
  static String fmt(double v) {
    return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.3f", v);
  }

  /** Writes a text file. */
  static void writeText(Path file, String text) {
    try {
      Files.writeString(file, text);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
