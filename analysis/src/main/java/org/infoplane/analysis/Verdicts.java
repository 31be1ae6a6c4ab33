package org.infoplane.analysis;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.TreeMap;
import org.infoplane.estimator.verdict.BenjaminiHochberg;
import org.infoplane.estimator.verdict.DpiTests;
import org.infoplane.estimator.verdict.EarlyStopping;
import org.infoplane.estimator.verdict.Effect;
import org.infoplane.estimator.verdict.Phase;
import org.infoplane.estimator.verdict.PhaseTests;
import org.infoplane.estimator.verdict.PhaseVerdict;
import org.infoplane.estimator.verdict.Series;
import org.infoplane.estimator.verdict.SplitFall;
import org.infoplane.estimator.verdict.SplitFallTests;
import org.infoplane.estimator.verdict.Tests;

/**
 * The verdicts of one experiment under one analysis (METHOD.md §10), from the per-batch values of
 * its information-plane rows: plain records in, plain records out, no Spark ({@link VerdictJob} is
 * the adapter). An experiment is the runs of one model under one configuration (and, for the
 * sensitivity variants, one α and width factor).
 *
 * <ul>
 *   <li><b>DPI</b>: per run, split and checkpoint, each consecutive pair of the chain X → T1 → … →
 *       TL (the input first: S(X) then the layers for I(X;T), I(X;Y) then the layers for I(T;Y)),
 *       paired t-test of later − earlier on the per-batch values (n − 1 degrees of freedom); with
 *       two or more runs, per split, checkpoint and pair, the one-sample t-test of the runs' mean
 *       differences (R − 1).
 *   <li><b>Phases</b>: per run, split and layer ({@link PhaseTests#run}, peak and trough chosen on
 *       half of the batches, tested on the other half) and per split and layer over the runs
 *       ({@link PhaseTests#experiment}, each run's peak chosen on the other runs).
 *   <li><b>Train against test</b>: per run, checkpoint, layer and quantity, the point on the train
 *       split against the point on the test split; and per run and layer (and per layer over the
 *       runs), whether I(X;T) falls more on the train split than on the test split, at one peak and
 *       trough chosen for both ({@link SplitFallTests}).
 *   <li><b>Early stopping</b>: per run and patience, the checkpoint that early stopping on the
 *       validation loss keeps; per split and layer, whether the run's compression started before
 *       it, after it or not at all, with the drop of I(X;T) from the peak to that checkpoint.
 * </ul>
 *
 * <p>Each view's tests at one level form one family: their p-values get Benjamini–Hochberg
 * q-values, and a difference is significant when q ≤ the level.
 */
final class Verdicts {

  private Verdicts() {}

  /** One information-plane row's per-batch values, bits, in batch order. */
  record Point(String runId, String split, int epoch, long step, int layerIndex, String layerName,
      double[] ixt, double[] ity, double[] ht, double[] hx, double[] ixy) implements Serializable {
    Point {
      Objects.requireNonNull(runId, "runId");
    }

    Checkpoint checkpoint() {
      return new Checkpoint(epoch, step);
    }
  }

  /** A checkpoint, ordered as training is: by step, then epoch. */
  record Checkpoint(int epoch, long step) implements Comparable<Checkpoint>, Serializable {
    @Override
    public int compareTo(Checkpoint o) {
      return step != o.step ? Long.compare(step, o.step) : Integer.compare(epoch, o.epoch);
    }
  }

  /** A run's validation loss at a checkpoint (nats; NaN when not recorded). */
  record ValidationLoss(String runId, int epoch, long step, double loss) implements Serializable {}

  /** One tested difference with its family's q-value. */
  record Tested(double effect, double ciLow, double ciHigh, double p, double q, double df, int n) implements Serializable {
    static Tested of(Effect e, double q) {
      return new Tested(e.estimate(), e.ciLow(), e.ciHigh(), e.p(), q, e.df(), e.n());
    }

    boolean significantPositive(double level) {
      return q <= level && effect > 0.0;
    }
  }

  /** A DPI pair: {@code effect} = later − earlier (bits); a significant positive effect is a violation. */
  record DpiRow(String level, String runId, int nRuns, String split, int epoch, long step, String quantity,
      int fromIndex, String fromName, int toIndex, String toName, Tested test, String verdict) implements Serializable {}

  /** A layer's phases on one split, at run or experiment level. */
  record PhaseRow(String level, String runId, int nRuns, String split, int layerIndex, String layerName,
      int nCheckpoints, Checkpoint first, Checkpoint peak, Checkpoint trough, Tested fitting, Tested drop,
      Tested tyDrop, Tested transientFall, String phase) implements Serializable {}

  /** Early stopping of one run at one patience, against one layer's compression. */
  record StopRow(String runId, String split, int layerIndex, String layerName, int patience, Checkpoint kept,
      Checkpoint stopped, String phase, Checkpoint peak, String relation, Tested dropByStop) implements Serializable {}

  /**
   * A layer's point on two splits (different samples) at one checkpoint: {@code effect} = first
   * split − second split (bits), by Welch's test on their batch values (run level) or the one-sample
   * test of the runs' differences of means (experiment level).
   */
  record SplitRow(String level, String runId, int nRuns, String firstSplit, String secondSplit, int epoch, long step,
      int layerIndex, String layerName, String quantity, Tested test) implements Serializable {}

  /**
   * A layer's fall of I(X;T) on the train split against its fall on the test split, at one peak and
   * trough chosen for both splits ({@link SplitFallTests}), at run or experiment level. {@code
   * trainFall} and {@code testFall} are each split's I(X;T)[peak] − I(X;T)[trough] on the tested data
   * (bits; NaN without a trough); {@code difference} = train fall − test fall, tested (Welch's test
   * on the odd batches' falls within a run, the one-sample test of the test runs' differences over
   * the runs); {@code verdict} is {@code train falls more}, {@code test falls more}, {@code no
   * difference} or {@code undecided}.
   */
  record FallRow(String level, String runId, int nRuns, int layerIndex, String layerName, int nCheckpoints,
      Checkpoint peak, Checkpoint trough, double trainFall, double testFall, Tested difference, String verdict)
      implements Serializable {}

  /** Everything the views hold for one experiment. */
  record Result(List<DpiRow> dpi, List<PhaseRow> phases, List<StopRow> stops, List<SplitRow> splits,
      List<FallRow> falls) implements Serializable {}

  static final String RUN = "run";
  static final String EXPERIMENT = "experiment";
  static final String INPUT = "input";

  /**
   * The verdicts of one experiment.
   *
   * @param points every row of the experiment (any order)
   * @param validation the runs' validation losses (any order; runs without any get no early stopping)
   * @param level the false discovery rate, also 1 − the confidence of the intervals
   * @param patience the early-stopping patience values, in checkpoints
   */
  static Result of(List<Point> points, List<ValidationLoss> validation, double level, List<Integer> patience) {
    // split → run → checkpoint → layer index → point
    Map<String, Map<String, TreeMap<Checkpoint, TreeMap<Integer, Point>>>> bySplit = new TreeMap<>();
    for (Point p : points) {
      bySplit.computeIfAbsent(p.split(), k -> new TreeMap<>()).computeIfAbsent(p.runId(), k -> new TreeMap<>())
          .computeIfAbsent(p.checkpoint(), k -> new TreeMap<>()).put(p.layerIndex(), p);
    }
    double confidence = 1.0 - level;
    List<DpiRow> dpi = dpi(bySplit, confidence, level);
    PhaseResult phases = phases(bySplit, level);
    List<StopRow> stops = stops(bySplit, phases.runSeries, phases.runVerdicts, validation, patience, confidence, level);
    return new Result(dpi, phases.rows, stops, splits(bySplit, confidence), falls(bySplit, level));
  }

  // ---- DPI -------------------------------------------------------------------------------------

  /** A pending DPI test before its q-value is known. */
  private record PendingDpi(String level, String runId, int nRuns, String split, Checkpoint cp, String quantity,
      int fromIndex, String fromName, int toIndex, String toName, Effect effect) {}

  private static List<DpiRow> dpi(Map<String, Map<String, TreeMap<Checkpoint, TreeMap<Integer, Point>>>> bySplit,
      double confidence, double level) {
    List<PendingDpi> run = new ArrayList<>();
    List<PendingDpi> experiment = new ArrayList<>();
    for (var splitEntry : bySplit.entrySet()) {
      String split = splitEntry.getKey();
      // (checkpoint, quantity, to index) → the runs' mean differences, for the experiment level
      Map<String, List<Double>> perRun = new TreeMap<>();
      Map<String, PendingDpi> templates = new LinkedHashMap<>();
      for (var runEntry : splitEntry.getValue().entrySet()) {
        for (var cpEntry : runEntry.getValue().entrySet()) {
          // The chain X -> T1 -> ... by the estimator library's DpiTests; an estimator without input
          // terms (no I(X;Y)) starts it at T1, which then stands where the input would.
          List<Point> chain = new ArrayList<>(cpEntry.getValue().values());
          Point head = chain.get(0);
          boolean input = head.hx() != null && head.ixy() != null;
          List<Point> later = input ? chain : chain.subList(1, chain.size());
          if (later.isEmpty()) {
            continue;
          }
          List<DpiTests.DpiPair> pairs = DpiTests.run(input ? head.hx() : head.ixt(), input ? head.ixy() : head.ity(),
              later.stream().map(Point::ixt).toArray(double[][]::new),
              later.stream().map(Point::ity).toArray(double[][]::new), 1.0 - confidence);
          for (int k = 0; k < pairs.size(); k++) {
            Point from = k > 0 ? later.get(k - 1) : input ? null : head;
            Point to = later.get(k);
            for (String quantity : List.of("i_xt", "i_ty")) {
              Effect e = quantity.equals("i_xt") ? pairs.get(k).xt() : pairs.get(k).ty();
              PendingDpi pd = new PendingDpi(RUN, runEntry.getKey(), 1, split, cpEntry.getKey(), quantity,
                  from == null ? -1 : from.layerIndex(), from == null ? INPUT : from.layerName(), to.layerIndex(),
                  to.layerName(), e);
              run.add(pd);
              String key = cpEntry.getKey().step() + "/" + cpEntry.getKey().epoch() + "/" + quantity + "/"
                  + to.layerIndex();
              // The run's effect for the experiment level: the mean of the paired differences.
              perRun.computeIfAbsent(key, x -> new ArrayList<>()).add(e.estimate());
              templates.putIfAbsent(key, pd);
            }
          }
        }
      }
      if (splitEntry.getValue().size() >= 2) {
        perRun.forEach((key, diffs) -> {
          PendingDpi t = templates.get(key);
          Effect e = Tests.oneSample(diffs.stream().mapToDouble(Double::doubleValue).toArray(), confidence);
          experiment.add(new PendingDpi(EXPERIMENT, null, diffs.size(), split, t.cp(), t.quantity(), t.fromIndex(),
              t.fromName(), t.toIndex(), t.toName(), e));
        });
      }
    }
    List<DpiRow> out = new ArrayList<>();
    for (List<PendingDpi> family : List.of(run, experiment)) {
      double[] q = BenjaminiHochberg.qValues(family.stream().mapToDouble(d -> d.effect().p()).toArray());
      for (int i = 0; i < family.size(); i++) {
        PendingDpi d = family.get(i);
        Tested t = Tested.of(d.effect(), q[i]);
        String verdict = !d.effect().decided() ? "undecided" : t.significantPositive(level) ? "violated" : "holds";
        out.add(new DpiRow(d.level(), d.runId(), d.nRuns(), d.split(), d.cp().epoch(), d.cp().step(), d.quantity(),
            d.fromIndex(), d.fromName(), d.toIndex(), d.toName(), t, verdict));
      }
    }
    return out;
  }

  private static double[] values(Point p, String quantity) {
    return quantity.equals("i_xt") ? p.ixt() : p.ity();
  }

  private static double mean(double[] v) {
    return org.infoplane.estimator.batch.MeanUncertainty.mean(v);
  }

  // ---- train against test ----------------------------------------------------------------------

  /** The two splits compared, in this order, when an experiment has both. */
  static final String TRAIN = "train";
  static final String TEST = "test";

  private record PendingSplit(String level, String runId, int nRuns, Checkpoint cp, int layerIndex, String layerName,
      String quantity, Effect effect) {}

  private static List<SplitRow> splits(Map<String, Map<String, TreeMap<Checkpoint, TreeMap<Integer, Point>>>> bySplit,
      double confidence) {
    var train = bySplit.get(TRAIN);
    var test = bySplit.get(TEST);
    if (train == null || test == null) {
      return List.of();
    }
    List<PendingSplit> run = new ArrayList<>();
    Map<String, List<Double>> perRun = new TreeMap<>();
    Map<String, PendingSplit> templates = new LinkedHashMap<>();
    for (var runEntry : train.entrySet()) {
      var other = test.get(runEntry.getKey());
      if (other == null) {
        continue;
      }
      for (var cpEntry : runEntry.getValue().entrySet()) {
        var otherLayers = other.get(cpEntry.getKey());
        if (otherLayers == null) {
          continue;
        }
        for (Point a : cpEntry.getValue().values()) {
          Point b = otherLayers.get(a.layerIndex());
          if (b == null) {
            continue;
          }
          for (String quantity : List.of("i_xt", "i_ty")) {
            double[] va = values(a, quantity);
            double[] vb = values(b, quantity);
            // Welch's effect is mean(second argument) - mean(first): train - test.
            PendingSplit ps = new PendingSplit(RUN, runEntry.getKey(), 1, cpEntry.getKey(), a.layerIndex(),
                a.layerName(), quantity, Tests.welch(vb, va, confidence));
            run.add(ps);
            String key = cpEntry.getKey().step() + "/" + cpEntry.getKey().epoch() + "/" + a.layerIndex() + "/" + quantity;
            perRun.computeIfAbsent(key, k -> new ArrayList<>()).add(mean(va) - mean(vb));
            templates.putIfAbsent(key, ps);
          }
        }
      }
    }
    List<PendingSplit> experiment = new ArrayList<>();
    if (train.size() >= 2) {
      perRun.forEach((key, diffs) -> {
        PendingSplit t = templates.get(key);
        experiment.add(new PendingSplit(EXPERIMENT, null, diffs.size(), t.cp(), t.layerIndex(), t.layerName(),
            t.quantity(), Tests.oneSample(diffs.stream().mapToDouble(Double::doubleValue).toArray(), confidence)));
      });
    }
    List<SplitRow> out = new ArrayList<>();
    for (List<PendingSplit> family : List.of(run, experiment)) {
      double[] q = BenjaminiHochberg.qValues(family.stream().mapToDouble(d -> d.effect().p()).toArray());
      for (int i = 0; i < family.size(); i++) {
        PendingSplit d = family.get(i);
        out.add(new SplitRow(d.level(), d.runId(), d.nRuns(), TRAIN, TEST, d.cp().epoch(), d.cp().step(),
            d.layerIndex(), d.layerName(), d.quantity(), Tested.of(d.effect(), q[i])));
      }
    }
    return out;
  }

  private record PendingFall(String runId, int layerIndex, String layerName, List<Checkpoint> checkpoints,
      SplitFall fall) {}

  /**
   * Per run and layer, and per layer over the runs, whether I(X;T) falls more on the train split
   * than on the test split ({@link SplitFallTests}). A run's comparison uses the checkpoints at which
   * the layer has a point on both splits; the experiment's, those every run has on both splits, with
   * the runs in run-id order (the first chooses the checkpoints). Each level is one family for the
   * q-values.
   */
  private static List<FallRow> falls(Map<String, Map<String, TreeMap<Checkpoint, TreeMap<Integer, Point>>>> bySplit,
      double level) {
    var train = bySplit.get(TRAIN);
    var test = bySplit.get(TEST);
    if (train == null || test == null) {
      return List.of();
    }
    Map<Integer, String> layerNames = new TreeMap<>();
    for (var split : List.of(train, test)) {
      split.values().forEach(cps -> cps.values().forEach(ls -> ls.values().forEach(p ->
          layerNames.putIfAbsent(p.layerIndex(), p.layerName()))));
    }
    // The runs on both splits, in run-id order; the experiment also needs every run of either split.
    List<String> runIds = train.keySet().stream().filter(test::containsKey).toList();
    boolean everyRun = runIds.size() == train.size() && runIds.size() == test.size();
    List<PendingFall> run = new ArrayList<>();
    List<PendingFall> experiment = new ArrayList<>();
    for (var layer : layerNames.entrySet()) {
      int index = layer.getKey();
      // run → the checkpoints at which the layer has a point on both splits
      Map<String, java.util.TreeSet<Checkpoint>> both = new LinkedHashMap<>();
      java.util.Set<Checkpoint> common = null;
      for (String runId : runIds) {
        java.util.TreeSet<Checkpoint> cps = new java.util.TreeSet<>();
        train.get(runId).forEach((cp, ls) -> {
          var other = test.get(runId).get(cp);
          if (ls.containsKey(index) && other != null && other.containsKey(index)) {
            cps.add(cp);
          }
        });
        both.put(runId, cps);
        if (common == null) {
          common = new java.util.TreeSet<>(cps);
        } else {
          common.retainAll(cps);
        }
        if (!cps.isEmpty()) {
          List<Checkpoint> list = new ArrayList<>(cps);
          run.add(new PendingFall(runId, index, layer.getValue(), list, SplitFallTests.run(
              layerSeries(runId, train.get(runId), list, index), layerSeries(runId, test.get(runId), list, index),
              level)));
        }
      }
      if (everyRun && runIds.size() >= 2 && common != null && !common.isEmpty()) {
        List<Checkpoint> list = new ArrayList<>(common);
        List<Series> trains = new ArrayList<>();
        List<Series> tests = new ArrayList<>();
        for (String runId : runIds) {
          trains.add(layerSeries(runId, train.get(runId), list, index));
          tests.add(layerSeries(runId, test.get(runId), list, index));
        }
        experiment.add(new PendingFall(null, index, layer.getValue(), list,
            SplitFallTests.experiment(trains, tests, level)));
      }
    }
    List<FallRow> out = new ArrayList<>();
    for (List<PendingFall> family : List.of(run, experiment)) {
      double[] q = BenjaminiHochberg.qValues(family.stream().mapToDouble(f -> f.fall().difference().p()).toArray());
      for (int i = 0; i < family.size(); i++) {
        PendingFall f = family.get(i);
        SplitFall v = f.fall().withQ(q[i], level);
        List<Checkpoint> cps = f.checkpoints();
        out.add(new FallRow(v.level(), f.runId(), v.nRuns(), f.layerIndex(), f.layerName(), cps.size(),
            at(cps, v.peakIndex()), at(cps, v.troughIndex()), v.trainFall(), v.testFall(),
            Tested.of(v.difference(), q[i]), v.verdict().label()));
      }
    }
    return out;
  }

  /** One run's layer on one split at the given checkpoints, each of which has the layer's point. */
  private static Series layerSeries(String runId, TreeMap<Checkpoint, TreeMap<Integer, Point>> run,
      List<Checkpoint> cps, int layerIndex) {
    return series(runId, cps, cps.stream().map(cp -> run.get(cp).get(layerIndex)).toList());
  }

  // ---- phases ----------------------------------------------------------------------------------

  private record PendingPhase(String level, String runId, String split, int layerIndex, String layerName,
      List<Checkpoint> checkpoints, PhaseVerdict verdict) {}

  private record PhaseResult(List<PhaseRow> rows, Map<String, Series> runSeries, Map<String, PhaseRow> runVerdicts) {}

  private static String seriesKey(String runId, String split, int layerIndex) {
    return runId + "\u0000" + split + "\u0000" + layerIndex;
  }

  private static PhaseResult phases(Map<String, Map<String, TreeMap<Checkpoint, TreeMap<Integer, Point>>>> bySplit,
      double level) {
    List<PendingPhase> run = new ArrayList<>();
    List<PendingPhase> experiment = new ArrayList<>();
    Map<String, Series> runSeries = new LinkedHashMap<>();
    for (var splitEntry : bySplit.entrySet()) {
      String split = splitEntry.getKey();
      Map<String, TreeMap<Checkpoint, TreeMap<Integer, Point>>> runs = splitEntry.getValue();
      Map<Integer, String> layerNames = new TreeMap<>();
      runs.values().forEach(cps -> cps.values().forEach(ls -> ls.values().forEach(p ->
          layerNames.put(p.layerIndex(), p.layerName()))));
      // The checkpoints every run has: the experiment's series are aligned on them.
      java.util.Set<Checkpoint> common = null;
      for (var cps : runs.values()) {
        if (common == null) {
          common = new java.util.TreeSet<>(cps.keySet());
        } else {
          common.retainAll(cps.keySet());
        }
      }
      for (var layer : layerNames.entrySet()) {
        List<Series> aligned = new ArrayList<>();
        for (var runEntry : runs.entrySet()) {
          List<Checkpoint> cps = new ArrayList<>();
          List<Point> pts = new ArrayList<>();
          runEntry.getValue().forEach((cp, ls) -> {
            Point p = ls.get(layer.getKey());
            if (p != null) {
              cps.add(cp);
              pts.add(p);
            }
          });
          if (pts.isEmpty()) {
            continue;
          }
          Series s = series(runEntry.getKey(), cps, pts);
          runSeries.put(seriesKey(runEntry.getKey(), split, layer.getKey()), s);
          run.add(new PendingPhase(RUN, runEntry.getKey(), split, layer.getKey(), layer.getValue(), cps,
              PhaseTests.run(s, level)));
          List<Checkpoint> shared = new ArrayList<>();
          List<Point> sharedPts = new ArrayList<>();
          for (int i = 0; i < cps.size(); i++) {
            if (common.contains(cps.get(i))) {
              shared.add(cps.get(i));
              sharedPts.add(pts.get(i));
            }
          }
          if (!sharedPts.isEmpty()) {
            aligned.add(series(runEntry.getKey(), shared, sharedPts));
          }
        }
        if (aligned.size() >= 2 && aligned.size() == runs.size()) {
          experiment.add(new PendingPhase(EXPERIMENT, null, split, layer.getKey(), layer.getValue(),
              new ArrayList<>(common), PhaseTests.experiment(aligned, level)));
        }
      }
    }
    List<PhaseRow> rows = new ArrayList<>();
    Map<String, PhaseRow> runVerdicts = new LinkedHashMap<>();
    for (List<PendingPhase> family : List.of(run, experiment)) {
      // Every test of the family: fitting, drop, I(T;Y) drop and the fall from the first checkpoint.
      List<Effect> effects = new ArrayList<>();
      for (PendingPhase p : family) {
        effects.add(p.verdict().fitting());
        effects.add(p.verdict().drop());
        effects.add(p.verdict().tyDrop());
        effects.add(p.verdict().transientDrop());
      }
      double[] q = BenjaminiHochberg.qValues(effects.stream().mapToDouble(Effect::p).toArray());
      for (int i = 0; i < family.size(); i++) {
        PendingPhase p = family.get(i);
        PhaseVerdict v = p.verdict().withQ(q[4 * i], q[4 * i + 1], q[4 * i + 2], q[4 * i + 3], level);
        Phase phase = v.phase();
        List<Checkpoint> cps = p.checkpoints();
        PhaseRow row = new PhaseRow(p.level(), p.runId(), v.nRuns(), p.split(), p.layerIndex(), p.layerName(),
            cps.size(), cps.isEmpty() ? null : cps.get(0), at(cps, v.peakIndex()), at(cps, v.troughIndex()),
            Tested.of(v.fitting(), q[4 * i]), Tested.of(v.drop(), q[4 * i + 1]), Tested.of(v.tyDrop(), q[4 * i + 2]),
            Tested.of(v.transientDrop(), q[4 * i + 3]), phase.label());
        rows.add(row);
        if (p.level().equals(RUN)) {
          runVerdicts.put(seriesKey(p.runId(), p.split(), p.layerIndex()), row);
        }
      }
    }
    return new PhaseResult(rows, runSeries, runVerdicts);
  }

  private static Checkpoint at(List<Checkpoint> cps, int index) {
    return index < 0 || index >= cps.size() ? null : cps.get(index);
  }

  /**
   * A layer's series. Its "steps" are the checkpoints' positions in training order: checkpoints of an
   * import without steps share step 0 and are told apart by their epochs.
   */
  private static Series series(String runId, List<Checkpoint> cps, List<Point> pts) {
    double[] steps = java.util.stream.IntStream.range(0, cps.size()).asDoubleStream().toArray();
    double[][] ixt = pts.stream().map(Point::ixt).toArray(double[][]::new);
    double[][] ity = pts.stream().map(Point::ity).toArray(double[][]::new);
    double[][] ht = pts.stream().map(Point::ht).toArray(double[][]::new);
    return new Series(runId, steps, ixt, ity, ht);
  }

  // ---- early stopping --------------------------------------------------------------------------

  private record PendingStop(String runId, String split, int layerIndex, String layerName, int patience,
      Checkpoint kept, Checkpoint stopped, PhaseRow verdict, String relation, Effect drop) {}

  private static List<StopRow> stops(Map<String, Map<String, TreeMap<Checkpoint, TreeMap<Integer, Point>>>> bySplit,
      Map<String, Series> runSeries, Map<String, PhaseRow> runVerdicts, List<ValidationLoss> validation,
      List<Integer> patience, double confidence, double level) {
    Map<String, Map<Checkpoint, Double>> losses = new TreeMap<>();
    for (ValidationLoss v : validation) {
      losses.computeIfAbsent(v.runId(), k -> new TreeMap<>()).put(new Checkpoint(v.epoch(), v.step()), v.loss());
    }
    List<PendingStop> pending = new ArrayList<>();
    for (var splitEntry : bySplit.entrySet()) {
      String split = splitEntry.getKey();
      for (var runEntry : splitEntry.getValue().entrySet()) {
        String runId = runEntry.getKey();
        Map<Checkpoint, Double> runLoss = losses.getOrDefault(runId, Map.of());
        List<Checkpoint> cps = new ArrayList<>(runEntry.getValue().keySet());
        double[] valLoss = cps.stream().mapToDouble(c -> runLoss.getOrDefault(c, Double.NaN)).toArray();
        boolean any = java.util.Arrays.stream(valLoss).anyMatch(Double::isFinite);
        Map<Integer, String> layers = new TreeMap<>();
        runEntry.getValue().values().forEach(ls -> ls.values().forEach(p -> layers.put(p.layerIndex(), p.layerName())));
        for (int pat : patience) {
          OptionalInt kept = any ? EarlyStopping.stopIndex(valLoss, pat) : OptionalInt.empty();
          for (var layer : layers.entrySet()) {
            String key = seriesKey(runId, split, layer.getKey());
            PhaseRow verdict = runVerdicts.get(key);
            Series series = runSeries.get(key);
            if (verdict == null || series == null || series.checkpoints() != cps.size()) {
              continue; // a layer missing at some checkpoint has no early-stopping row
            }
            if (!any || kept.isEmpty()) {
              pending.add(new PendingStop(runId, split, layer.getKey(), layer.getValue(), pat, null, null, verdict,
                  any ? "no early stop" : "no validation loss", null));
              continue;
            }
            int stopAt = kept.getAsInt();
            Checkpoint keptCp = cps.get(stopAt);
            int stoppedIndex = Math.min(cps.size() - 1, stopAt + pat);
            String relation;
            int peak = verdict.peak() == null ? -1 : cps.indexOf(verdict.peak());
            boolean compression = verdict.phase().equals(Phase.FITTING_THEN_COMPRESSION.label());
            if (verdict.phase().equals(Phase.UNDECIDED.label())) {
              relation = "undecided";
            } else if (!compression) {
              relation = "no compression";
            } else {
              relation = peak < stopAt ? "before" : "after";
            }
            Effect drop = peak >= 0 && peak < stopAt ? PhaseTests.dropBetween(series, peak, stopAt, level) : null;
            pending.add(new PendingStop(runId, split, layer.getKey(), layer.getValue(), pat, keptCp,
                cps.get(stoppedIndex), verdict, relation, drop));
          }
        }
      }
    }
    double[] p = pending.stream().mapToDouble(s -> s.drop() == null ? Double.NaN : s.drop().p()).toArray();
    double[] q = BenjaminiHochberg.qValues(p);
    List<StopRow> out = new ArrayList<>();
    for (int i = 0; i < pending.size(); i++) {
      PendingStop s = pending.get(i);
      out.add(new StopRow(s.runId(), s.split(), s.layerIndex(), s.layerName(), s.patience(), s.kept(), s.stopped(),
          s.verdict().phase(), s.verdict().peak(), s.relation(), s.drop() == null ? null : Tested.of(s.drop(), q[i])));
    }
    return out;
  }
}
