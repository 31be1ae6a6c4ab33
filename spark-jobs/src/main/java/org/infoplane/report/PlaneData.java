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
 */
public record PlaneData(String title, List<Point> points, List<Metric> metrics) {

  /** One information-plane point; the spreads are 0 for a single run. All values in bits except sigma. */
  public record Point(String split, int epoch, long step, int layerIndex, String layerName,
      double iXT, double iTY, double iXTSpread, double iTYSpread, Double sigma) {}

  /** Training metrics at a checkpoint; NaN where not recorded. */
  public record Metric(int epoch, long step, double loss, double trainAccuracy, double testAccuracy) {}

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
