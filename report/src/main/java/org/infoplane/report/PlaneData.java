package org.infoplane.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a report draws: information-plane points of one run (or the mean over runs of one model),
 * kept on the driver; a report reads at most checkpoints × layers × splits rows.
 *
 * @param context what the figures say beside the points: the analysis settings, the ceilings and
 *     the early-stopping checkpoint
 */
public record PlaneData(String title, List<Point> points, List<Metric> metrics, Context context) {

  /** Data without context (no subtitle, no reference lines, no early stopping). */
  public PlaneData(String title, List<Point> points, List<Metric> metrics) {
    this(title, points, metrics, Context.NONE);
  }

  /**
   * One information-plane point; the spreads are 0 for a single run. All values in bits except the
   * widths: {@code sigma} is the width used (smoothed), {@code sigmaRaw} the checkpoint's own σ*
   * (mean of the per-batch widths); both null for a constant layer or a width-free estimator.
   */
  public record Point(String split, int epoch, long step, int layerIndex, String layerName,
      double iXT, double iTY, double iXTSpread, double iTYSpread, Double sigma, Double sigmaRaw) {

    /** A point without σ*. */
    public Point(String split, int epoch, long step, int layerIndex, String layerName,
        double iXT, double iTY, double iXTSpread, double iTYSpread, Double sigma) {
      this(split, epoch, step, layerIndex, layerName, iXT, iTY, iXTSpread, iTYSpread, sigma, null);
    }
  }

  /**
   * Training metrics at a checkpoint; NaN where not recorded. Losses are cross-entropies in nats on
   * the training and test evaluation sets and on the validation split (training images held out of
   * training); accuracies are fractions.
   */
  public record Metric(int epoch, long step, double loss, double trainAccuracy, double testAccuracy, double testLoss,
      double valLoss, double valAccuracy) {

    /** A metric without validation split. */
    public Metric(int epoch, long step, double loss, double trainAccuracy, double testAccuracy, double testLoss) {
      this(epoch, step, loss, trainAccuracy, testAccuracy, testLoss, Double.NaN, Double.NaN);
    }

    /** A metric without test loss and validation split. */
    public Metric(int epoch, long step, double loss, double trainAccuracy, double testAccuracy) {
      this(epoch, step, loss, trainAccuracy, testAccuracy, Double.NaN);
    }
  }

  /**
   * What the figures state besides the points.
   *
   * @param subtitle the estimator, α, width rule, smoothing, preset and batch size, as one line
   * @param hY the label entropy H(Y) in bits (the ceiling of I(T;Y)); NaN when unknown
   * @param batchSize samples per batch B (log2 B is the ceiling of every entropy); 0 when unknown
   * @param hX S(X) in bits, the head of the chain for I(X;T) (I(X;T1) ≤ S(X)); NaN when unknown
   * @param iXY I(X;Y) in bits, the head of the chain for I(T;Y) (I(T1;Y) ≤ I(X;Y)); NaN when unknown
   * @param stops the checkpoints early stopping keeps, one per patience (empty without a validation loss)
   */
  public record Context(String subtitle, double hY, int batchSize, double hX, double iXY, List<Stop> stops) {
    public static final Context NONE = new Context("", Double.NaN, 0);

    public Context {
      stops = List.copyOf(stops);
    }

    /** A context without the input's terms and without early stopping. */
    public Context(String subtitle, double hY, int batchSize) {
      this(subtitle, hY, batchSize, Double.NaN, Double.NaN, List.of());
    }

    /** log2 B, NaN when B is unknown. */
    public double log2B() {
      return batchSize > 1 ? Math.log(batchSize) / Math.log(2) : Double.NaN;
    }
  }

  /**
   * Where early stopping on the validation loss with patience {@code patience} (checkpoints
   * without improvement) keeps the network: the checkpoint of lowest validation loss before it stops.
   */
  public record Stop(int patience, Checkpoint checkpoint) {}

  /**
   * The early-stopping checkpoints, each with the patience values that keep it, in training order:
   * several patience values often keep the same checkpoint.
   */
  public Map<Checkpoint, List<Integer>> earlyStops() {
    Map<Checkpoint, List<Integer>> out = new TreeMap<>();
    for (Stop s : context.stops()) {
      out.computeIfAbsent(s.checkpoint(), k -> new ArrayList<>()).add(s.patience());
    }
    return out;
  }

  /** "P = 1, 2" for the patience values of one checkpoint. */
  public static String patienceLabel(List<Integer> patience) {
    return "P = " + String.join(", ", patience.stream().map(String::valueOf).toList());
  }

  /** A checkpoint, in training order (by step, then epoch). */
  public record Checkpoint(int epoch, long step) implements Comparable<Checkpoint> {
    @Override
    public int compareTo(Checkpoint o) {
      return Comparator.comparingLong(Checkpoint::step).thenComparingInt(Checkpoint::epoch).compare(this, o);
    }
  }

  /** The splits, train first, then the others by name. */
  public List<String> splits() {
    List<String> s = new ArrayList<>(points.stream().map(Point::split).distinct().sorted().toList());
    if (s.remove("train")) {
      s.add(0, "train");
    }
    return s;
  }

  /** Layer names by index, in network order. */
  public Map<Integer, String> layers() {
    Map<Integer, String> m = new TreeMap<>();
    points.forEach(p -> m.put(p.layerIndex(), p.layerName()));
    return m;
  }

  /** The checkpoints, in training order. */
  public List<Checkpoint> checkpoints() {
    return points.stream().map(p -> new Checkpoint(p.epoch(), p.step())).distinct().sorted().toList();
  }

  /** Whether epochs name the checkpoints (one checkpoint per epoch); otherwise steps do. */
  public boolean byEpoch() {
    List<Checkpoint> cps = checkpoints();
    return cps.stream().map(Checkpoint::epoch).distinct().count() == cps.size();
  }

  /** The x value of a checkpoint in plots against training time. */
  public double time(int epoch, long step) {
    return byEpoch() ? epoch : step;
  }

  /** The axis label of training time. */
  public String timeLabel() {
    return byEpoch() ? "epoch" : "step";
  }

  /** Points of one split and layer, in training order. */
  public List<Point> track(String split, int layer) {
    return points.stream().filter(p -> p.split().equals(split) && p.layerIndex() == layer)
        .sorted(Comparator.comparingLong(Point::step).thenComparingInt(Point::epoch)).toList();
  }

  /** Points of one split by layer, each track in training order. */
  public Map<Integer, List<Point>> tracks(String split) {
    Map<Integer, List<Point>> m = new LinkedHashMap<>();
    for (int layer : layers().keySet()) {
      m.put(layer, track(split, layer));
    }
    return m;
  }
}
