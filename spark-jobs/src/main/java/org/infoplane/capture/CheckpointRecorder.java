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
 * evaluation sets).
 */
public final class CheckpointRecorder {

  private final SnapshotArchive archive;
  private final RunWriter writer;
  private final EvaluationData eval;
  private final ActivationCapture capture;
  private final boolean saveModels;
  private final boolean replace;

  public CheckpointRecorder(SnapshotArchive archive, RunWriter writer, EvaluationData eval, ActivationCapture capture,
      boolean saveModels) {
    this(archive, writer, eval, capture, saveModels, false);
  }

  /**
   * @param replace whether checkpoints that exist already are replaced (a resumed run re-records what
   *     an interrupted one left incomplete); otherwise they are refused
   */
  public CheckpointRecorder(SnapshotArchive archive, RunWriter writer, EvaluationData eval, ActivationCapture capture,
      boolean saveModels, boolean replace) {
    this.archive = archive;
    this.writer = writer;
    this.eval = eval;
    this.capture = capture;
    this.saveModels = saveModels;
    this.replace = replace;
  }

  /**
   * What a checkpoint recorded.
   *
   * @param loss cross-entropy on the training evaluation set (nats)
   * @param testLoss cross-entropy on the test evaluation set (nats)
   * @param bytes bytes the run grew by
   * @param seconds wall time of the capture and the writes
   */
  public record Report(CheckpointId checkpoint, double loss, double trainAccuracy, double testAccuracy, double testLoss,
      long bytes, double seconds) {}

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
    if (saveModels) {
      Path file = archive.modelPath(runId, cp);
      ModelFiles.save(net, file, archive.conf());
    }
    writer.appendMetrics(CheckpointMetrics.withTestLoss(cp, loss, trainAcc, testAcc, testLoss));
    long bytes = archive.runBytes(runId) - before;
    return new Report(cp, loss, trainAcc, testAcc, testLoss, bytes, (System.nanoTime() - t0) / 1e9);
  }
}
