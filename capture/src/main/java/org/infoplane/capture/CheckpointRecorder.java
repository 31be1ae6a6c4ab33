package org.infoplane.capture;

import java.util.Map;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.infoplane.snapshot.CheckpointId;
import org.infoplane.snapshot.CheckpointMetrics;
import org.infoplane.snapshot.RunWriter;
import org.infoplane.snapshot.SnapshotArchive;

/**
 * Records a checkpoint of a network into a run: the activations of every evaluation split
 * (inference mode), the saved model (optional) and the metrics (loss and accuracy on both
 * evaluation sets, and on the whole validation split when the run has one).
 */
public final class CheckpointRecorder {

  private final SnapshotArchive archive;
  private final RunWriter writer;
  private final EvaluationData eval;
  private final ActivationCapture capture;
  private final boolean saveModels;
  private final boolean replace;
  private final EvaluationData.Split validation;

  public CheckpointRecorder(SnapshotArchive archive, RunWriter writer, EvaluationData eval, ActivationCapture capture,
      boolean saveModels) {
    this(archive, writer, eval, capture, saveModels, false, null);
  }

  /**
   * @param replace whether checkpoints that exist already are replaced (a resumed run re-records what
   *     an interrupted one left incomplete); otherwise they are refused
   * @param validation the validation split (its images and labels; nothing of it is written to the
   *     archive but its loss and accuracy), or null when the run has none
   */
  public CheckpointRecorder(SnapshotArchive archive, RunWriter writer, EvaluationData eval, ActivationCapture capture,
      boolean saveModels, boolean replace, EvaluationData.Split validation) {
    this.archive = archive;
    this.writer = writer;
    this.eval = eval;
    this.capture = capture;
    this.saveModels = saveModels;
    this.replace = replace;
    this.validation = validation;
  }

  /**
   * What a checkpoint recorded.
   *
   * @param loss cross-entropy on the training evaluation set (nats)
   * @param testLoss cross-entropy on the test evaluation set (nats)
   * @param valLoss cross-entropy on the whole validation split (nats); NaN without one
   * @param valAccuracy accuracy on the whole validation split; NaN without one
   * @param bytes bytes the run grew by
   * @param seconds wall time of the capture and the writes
   */
  public record Report(CheckpointId checkpoint, double loss, double trainAccuracy, double testAccuracy, double testLoss,
      double valLoss, double valAccuracy, long bytes, double seconds) {}

  /** Captures and writes the checkpoint; refuses one that exists already. */
  public Report record(MultiLayerNetwork net, CheckpointId cp) {
    long t0 = System.nanoTime();
    String runId = writer.manifest().runId();
    long before = archive.runBytes(runId);
    double loss = Double.NaN;
    double trainAcc = Double.NaN;
    double testAcc = Double.NaN;
    double testLoss = Double.NaN;
    for (Map.Entry<String, EvaluationData.Split> e : eval.splits().entrySet()) {
      EvaluationData.Split s = e.getValue();
      ActivationCapture.Result r = capture.run(net, s.x(), s.labels());
      writer.writeCheckpoint(e.getKey(), cp, r.layers(), replace);
      if (e.getKey().equals(EvaluationSets.TRAIN)) {
        loss = r.loss();
        trainAcc = r.accuracy();
      } else if (e.getKey().equals(EvaluationSets.TEST)) {
        testAcc = r.accuracy();
        testLoss = r.loss();
      }
    }
    double valLoss = Double.NaN;
    double valAcc = Double.NaN;
    if (validation != null) {
      double[] v = capture.evaluate(net, validation.x(), validation.labels());
      valLoss = v[0];
      valAcc = v[1];
    }
    if (saveModels) {
      Path file = archive.modelPath(runId, cp);
      ModelFiles.save(net, file, archive.conf());
    }
    writer.appendMetrics(CheckpointMetrics.withValidation(cp, loss, trainAcc, testAcc, testLoss, valLoss, valAcc));
    long bytes = archive.runBytes(runId) - before;
    return new Report(cp, loss, trainAcc, testAcc, testLoss, valLoss, valAcc, bytes, (System.nanoTime() - t0) / 1e9);
  }
}
