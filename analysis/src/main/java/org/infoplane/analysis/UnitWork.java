package org.infoplane.analysis;

import java.io.Serializable;
import java.lang.ref.SoftReference;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.util.SerializableConfiguration;
import org.infoplane.estimator.batch.BatchPlan;
import org.infoplane.estimator.ip.InformationPlaneEstimator;
import org.infoplane.estimator.ip.IpBatch;
import org.infoplane.estimator.ip.IpEstimate;
import org.infoplane.estimator.ip.RenyiTensorKernelEstimator;
import org.infoplane.estimator.matrix.DistanceMatrix;
import org.infoplane.estimator.matrix.KernelMatrix;
import org.infoplane.estimator.matrix.SquaredDistances;
import org.infoplane.estimator.width.KernelWidthRule;
import org.infoplane.estimator.width.WidthChoice;
import org.infoplane.estimator.width.WidthInput;
import org.infoplane.snapshot.ActivationValues;
import org.infoplane.snapshot.CheckpointId;
import org.infoplane.snapshot.RunReader;
import org.infoplane.snapshot.SnapshotArchive;
import org.infoplane.spark.ComputeBackend;
import org.infoplane.spark.Nd4jThreads;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The work that tasks do, one function per pass. Each function turns its input rows into output
 * rows; a unit that fails becomes an error row naming it, or, with fail-fast, fails the task with
 * an {@link UnitFailedException}.
 */
final class UnitWork implements Serializable {
  private static final long serialVersionUID = 1L;

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(UnitWork.class);

  private final String archive;
  private final Broadcast<SerializableConfiguration> hadoop;
  private final AnalysisConfig config;
  private final boolean failFast;

  UnitWork(String archive, Broadcast<SerializableConfiguration> hadoop, AnalysisConfig config, boolean failFast) {
    this.archive = archive;
    this.hadoop = hadoop;
    this.config = config;
    this.failFast = failFast;
  }

  /**
   * Work on stored distances only ({@link #widths}, {@link #estimates}): no archive to read, and
   * {@link #distances} and {@link #direct} fail.
   */
  static UnitWork fromDistances(AnalysisConfig config, boolean failFast) {
    return new UnitWork(null, null, config, failFast);
  }

  /** A unit failed and the job runs with fail-fast. */
  static final class UnitFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UnitFailedException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** The unit of a row whose first columns are {@link Schemas#UNIT_FIELDS}. */
  private static UnitKey unit(Row r) {
    return PassRows.unit(r);
  }

  private String failure(UnitKey u, Exception e) {
    String reason = e.getMessage() == null ? e.toString() : e.getMessage();
    // Messages of the archive's readers name the run and split (and checkpoint and layer) already.
    String message = reason.startsWith("run " + u.runId() + ", split " + u.split() + ",")
        ? reason : u.describe() + ": " + reason;
    if (failFast) {
      throw new UnitFailedException(message, e);
    }
    return message;
  }

  // ---- Pass 1: distance matrices from activations ----------------------------------------------

  /**
   * Reads each unit's activations once and emits, per batch, the squared-distance matrix and (for
   * layers) the width rule's choice, so that a first analysis needs no separate width pass. The
   * units of {@code unkept} keep no distances ({@code infoplane.distances.keep}): their rows carry
   * the width alone.
   */
  Iterator<Row> distances(Iterator<Row> units, java.util.Set<String> unkept) {
    Nd4jThreads.configure(config.tasks().nd4jThreads());
    ComputeBackend.bindCurrentTask(config.tasks().backend().spec());
    ArchiveUnits archiveUnits = new ArchiveUnits();
    String batching = config.batching().key();
    KernelWidthRule rule = config.rule();
    double labelWidth = config.convention().effectiveWidth(config.kernel().sigmaY());
    List<Row> out = new ArrayList<>();
    while (units.hasNext()) {
      UnitKey u = unit(units.next());
      Timestamp now = new Timestamp(System.currentTimeMillis());
      List<Row> rows = new ArrayList<>();
      try {
        long t0 = System.nanoTime();
        long distanceNs = 0;
        long widthNs = 0;
        UnitData data = archiveUnits.read(u);
        long readNs = System.nanoTime() - t0;
        int[] labels = data.labels();
        boolean keep = !unkept.contains(u.id());
        for (int b = 0; b < data.batches().size(); b++) {
          int[] pos = data.batches().get(b);
          long t1 = System.nanoTime();
          DistanceMatrix d = data.distances(b, config);
          distanceNs += System.nanoTime() - t1;
          int[] batchLabels = new int[pos.length];
          long[] batchIds = new long[pos.length];
          for (int k = 0; k < pos.length; k++) {
            batchLabels[k] = labels[pos[k]];
            batchIds[k] = data.ids()[pos[k]];
          }
          Double sigmaStar = null;
          boolean onEdge = false;
          if (!u.isInput()) {
            KernelMatrix ky = KernelMatrix.labels(batchLabels, data.numClasses(), labelWidth);
            long t2 = System.nanoTime();
            WidthChoice w = rule.choose(new WidthInput(d, data.dimension(), ky));
            widthNs += System.nanoTime() - t2;
            sigmaStar = w.sigma().isPresent() ? w.sigma().getAsDouble() : null;
            onEdge = w.onGridEdge();
          }
          rows.add(new PassRows.BatchDistances(u, batching, b, pos.length, data.dimension(),
              keep ? Triangles.encode(d) : null, u.isInput() ? boxed(batchLabels) : null,
              u.isInput() ? boxed(batchIds) : null, now, sigmaStar, onEdge, null).toRow());
        }
        if (LOG.isDebugEnabled()) {
          LOG.debug(String.format(java.util.Locale.ROOT,
              "%s: read %.3f s (%d MB), distances %.3f s, widths %.3f s, total %.3f s", u.describe(), readNs / 1e9,
              4L * data.ids().length * data.dimension() >> 20, distanceNs / 1e9, widthNs / 1e9,
              (System.nanoTime() - t0) / 1e9));
        }
      } catch (RuntimeException e) {
        rows.clear();
        rows.add(PassRows.BatchDistances.failed(u, batching, now, failure(u, e)).toRow());
      }
      out.addAll(rows);
    }
    return out.iterator();
  }

  /** {@link #distances} as a task's function, the units of {@code unkept} keeping no distances. */
  org.apache.spark.api.java.function.MapPartitionsFunction<Row, Row> distancesKeeping(java.util.Set<String> unkept) {
    return rows -> distances(rows, unkept);
  }

  /**
   * A unit's activations (in the task thread's buffer), checked against its split: the sample
   * count, and every value of the samples no batch uses (each batch checks its own as its distances
   * are computed).
   */
  private record UnitData(UnitKey unit, ActivationValues values, long[] ids, int[] labels, int numClasses,
      List<int[]> batches) {

    long dimension() {
      return values.dimension();
    }

    /** The squared distances of batch {@code b}, from the rows of its samples. */
    DistanceMatrix distances(int b, AnalysisConfig config) {
      return SquaredDistances.ofRows(values.data(), values.shape(), batches.get(b), unit.isInput() ? "input"
          : "activations", config.precision());
    }
  }

  /**
   * Reads units from the archive within one task: one reader per run, one label array per run and
   * split, and the last unit read, so that consecutive rows of one unit read its file once.
   */
  private final class ArchiveUnits {
    private final Map<String, RunReader> readers = new HashMap<>();
    private final Map<String, int[]> labelsBySplit = new HashMap<>();
    private SnapshotArchive store;
    private UnitData last;

    UnitData read(UnitKey u) {
      if (last != null && last.unit().equals(u)) {
        return last;
      }
      last = null;
      if (archive == null) {
        throw new IllegalStateException("its distances are not stored and no archive was given to read them from");
      }
      if (store == null) {
        store = SnapshotArchive.open(archive, hadoop.value().value());
      }
      RunReader reader = readers.computeIfAbsent(u.runId(), store::run);
      long[] ids = reader.manifest().splitSampleIds().get(u.split());
      if (ids == null) {
        throw new IllegalArgumentException("the manifest has no split '" + u.split() + "'");
      }
      ActivationValues a = u.isInput()
          ? reader.readInputValues(u.split(), buffer())
          : reader.readActivationValues(u.split(), new CheckpointId(u.epoch(), u.step()), u.layerIndex(), buffer());
      keep(a.data());
      if (a.samples() != ids.length) {
        throw new IllegalArgumentException("has " + a.samples() + " samples, the split's evaluation set has "
            + ids.length);
      }
      int[] labels = labelsBySplit.computeIfAbsent(u.runId() + "/" + u.split(), k -> reader.readLabels(u.split()));
      List<int[]> batches = config.plan().batches(ids);
      // Batches check their own samples as they are read; the rest (a last short batch) here.
      SquaredDistances.requireFinite(a.data(), a.shape(), BatchPlan.unused(batches, ids.length),
          u.isInput() ? "input" : "activations");
      last = new UnitData(u, a, ids, labels, reader.manifest().numClasses(), batches);
      return last;
    }
  }

  /**
   * Each task thread's activation buffer, reused across units: a unit of a wide layer holds
   * hundreds of megabytes, and a fresh array each time costs its zeroing and page faults. Softly
   * held, so that memory pressure can take it back between units.
   */
  private static final ThreadLocal<SoftReference<float[]>> BUFFER = new ThreadLocal<>();

  private static float[] buffer() {
    SoftReference<float[]> ref = BUFFER.get();
    return ref == null ? null : ref.get();
  }

  private static void keep(float[] data) {
    if (data != buffer()) {
      BUFFER.set(new SoftReference<>(data));
    }
  }

  // ---- Pass 2: per-batch widths from stored distances ------------------------------------------

  /** Input: the layer's distance row joined with its batch's labels and the run's class count. */
  Iterator<Row> widths(Iterator<Row> joined) {
    Nd4jThreads.configure(config.tasks().nd4jThreads());
    ComputeBackend.bindCurrentTask(config.tasks().backend().spec());
    KernelWidthRule rule = config.rule();
    double labelWidth = config.convention().effectiveWidth(config.kernel().sigmaY());
    List<Row> out = new ArrayList<>();
    while (joined.hasNext()) {
      Row r = joined.next();
      UnitKey u = unit(r);
      Integer batch = r.getAs("batch_index");
      try {
        DistanceMatrix d = Triangles.decode(r.<Integer>getAs("n"), r.getAs("distances"));
        KernelMatrix ky = KernelMatrix.labels(ints(r.getList(r.fieldIndex("labels"))),
            r.<Integer>getAs("num_classes"), labelWidth);
        WidthChoice w = rule.choose(new WidthInput(d, r.<Long>getAs("dimension"), ky));
        out.add(new PassRows.BatchWidth(u, batch, w.sigma().isPresent() ? w.sigma().getAsDouble() : null,
            w.onGridEdge(), null).toRow());
      } catch (RuntimeException e) {
        out.add(new PassRows.BatchWidth(u, batch, null, false, failure(u, e)).toRow());
      }
    }
    return out.iterator();
  }

  // ---- Pass 3: entropies and mutual information from stored distances -------------------------

  /** Input batches whose terms a task keeps (each two N × N kernels: 160 KB at N = 100). */
  private static final int INPUT_TERMS_CACHED = 256;
  /**
   * Most N² entries the kept input terms may hold together (2²⁵: 256 MB of kernels): at large B
   * (10,000 samples: 10⁸ entries, 800 MB per N × N array) only the latest batch is kept.
   */
  private static final long INPUT_TERMS_ENTRIES = 1L << 25;

  /**
   * Input: the layer's distance row joined with its batch's input distances and labels, the run's
   * class count and the unit's width; a row without {@code distances} (a unit whose distances are
   * not kept) has them computed from the unit's activations, read from the archive once for its
   * consecutive rows.
   */
  Iterator<Row> estimates(Iterator<Row> joined) {
    Nd4jThreads.configure(config.tasks().nd4jThreads());
    ComputeBackend.bindCurrentTask(config.tasks().backend().spec());
    RenyiTensorKernelEstimator estimator = (RenyiTensorKernelEstimator) config.buildEstimator();
    Map<String, RenyiTensorKernelEstimator.InputTerms> inputTerms =
        new java.util.LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, RenyiTensorKernelEstimator.InputTerms> eldest) {
            long n = eldest.getValue().labels().length;
            return size() > INPUT_TERMS_CACHED || (size() > 1 && size() * n * n > INPUT_TERMS_ENTRIES);
          }
        };
    ArchiveUnits archiveUnits = new ArchiveUnits();
    List<Row> out = new ArrayList<>();
    while (joined.hasNext()) {
      Row r = joined.next();
      UnitKey u = unit(r);
      Integer batch = r.getAs("batch_index");
      Double sigma = r.getAs("sigma");
      Double sigmaRaw = r.getAs("sigma_raw");
      try {
        int n = r.<Integer>getAs("n");
        byte[] stored = r.getAs("distances");
        DistanceMatrix dt = stored != null ? Triangles.decode(n, stored) : fromArchive(archiveUnits.read(u), batch, n);
        // X's kernel and S(X), S(Y) are the same for every layer of an input batch: computed once.
        String inputBatch = u.runId() + "/" + u.split() + "/" + batch;
        RenyiTensorKernelEstimator.InputTerms in = inputTerms.get(inputBatch);
        if (in == null) {
          in = estimator.prepareInputs(Triangles.decode(n, r.getAs("x_distances")),
              ints(r.getList(r.fieldIndex("labels"))), r.<Integer>getAs("num_classes"));
          inputTerms.put(inputBatch, in);
        }
        IpEstimate e = estimator.estimate(in, dt, sigma == null ? OptionalDouble.empty() : OptionalDouble.of(sigma));
        out.add(new PassRows.BatchEstimate(u, batch, sigma, sigmaRaw, e.hX(), e.hT(), e.hY(), e.iXT(), e.iTY(),
            e.hTErr(), e.iXTErr(), e.iTYErr(), in.iXY(), null).toRow());
      } catch (RuntimeException e) {
        out.add(PassRows.BatchEstimate.failed(u, batch, sigma, sigmaRaw, failure(u, e)).toRow());
      }
    }
    return out.iterator();
  }

  /** Batch {@code b}'s distances of a unit read from the archive, which must have the stored input's n samples. */
  private DistanceMatrix fromArchive(UnitData data, int b, int n) {
    if (b >= data.batches().size() || data.batches().get(b).length != n) {
      throw new IllegalArgumentException("its batch " + b + " in the archive is not the stored input's batch of " + n
          + " samples");
    }
    return data.distances(b, config);
  }

  // ---- The direct pass: estimators that need the activations themselves ------------------------

  /** Input: units; output: one estimate row per batch (as {@link #estimates}), or an error row. */
  Iterator<Row> direct(Iterator<Row> units) {
    Nd4jThreads.configure(config.tasks().nd4jThreads());
    ComputeBackend.bindCurrentTask(config.tasks().backend().spec());
    InformationPlaneEstimator estimator = config.buildEstimator();
    Map<String, RunReader> readers = new HashMap<>();
    SnapshotArchive store = SnapshotArchive.open(archive, hadoop.value().value());
    List<Row> out = new ArrayList<>();
    while (units.hasNext()) {
      UnitKey u = unit(units.next());
      List<Row> rows = new ArrayList<>();
      try {
        RunReader reader = readers.computeIfAbsent(u.runId(), store::run);
        long[] ids = reader.manifest().splitSampleIds().get(u.split());
        INDArray x = reader.readInputs(u.split());
        INDArray t = reader.readActivations(u.split(), new CheckpointId(u.epoch(), u.step()), u.layerIndex());
        int[] labels = reader.readLabels(u.split());
        List<IpBatch> batches = IpBatch.cut(x, t, labels, reader.manifest().numClasses(), ids, config.plan());
        for (int b = 0; b < batches.size(); b++) {
          IpEstimate e = estimator.estimate(batches.get(b), OptionalDouble.empty());
          Double s = e.sigmaT().isPresent() ? e.sigmaT().getAsDouble() : null;
          // I(X;Y) is the tensor-kernel estimator's (the entropy pass): the direct estimators leave it out.
          rows.add(new PassRows.BatchEstimate(u, b, s, s, e.hX(), e.hT(), e.hY(), e.iXT(), e.iTY(), e.hTErr(),
              e.iXTErr(), e.iTYErr(), null, null).toRow());
        }
      } catch (RuntimeException e) {
        rows.clear();
        rows.add(PassRows.BatchEstimate.failed(u, null, null, null, failure(u, e)).toRow());
      }
      out.addAll(rows);
    }
    return out.iterator();
  }

  private static int[] ints(List<Integer> list) {
    int[] a = new int[list.size()];
    for (int i = 0; i < a.length; i++) {
      a[i] = list.get(i);
    }
    return a;
  }

  /** Array columns of rows built for an encoder are Scala sequences. */
  private static scala.collection.Seq<Integer> boxed(int[] a) {
    return a == null ? null
        : scala.collection.JavaConverters.asScalaBuffer(java.util.Arrays.stream(a).boxed().toList()).toSeq();
  }

  private static scala.collection.Seq<Long> boxed(long[] a) {
    return a == null ? null
        : scala.collection.JavaConverters.asScalaBuffer(java.util.Arrays.stream(a).boxed().toList()).toSeq();
  }
}
