package org.infoplane.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.infoplane.cli.InfoPlaneCli;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine;

/**
 * {@code infoplane validate} on a clean archive and on archives broken by hand, bypassing the
 * writer's checks: each break must give its own line naming run, split, checkpoint, layer and file.
 */
class ArchiveValidatorTest {

  private static final int N = 6;
  private static final int D = 4;
  private static final CheckpointId E0 = new CheckpointId(0, 0);
  private static final CheckpointId E1 = new CheckpointId(1, 0);
  private static final LayerInfo CONV = new LayerInfo(0, "conv1", "conv", new long[] {2, 2, 2});
  private static final LayerInfo FC = new LayerInfo(1, "fc", "dense", new long[] {D});
  private static final long[] IDS = LongStream.range(10, 10 + N).toArray();

  @TempDir Path dir;
  SnapshotArchive archive;
  Configuration conf = new Configuration();

  private Path run() {
    return dir.resolve("runs/run=r1");
  }

  private static INDArray values(long seed, long... shape) {
    long count = 1;
    for (long s : shape) {
      count *= s;
    }
    return Nd4j.create(NpzCase.random((int) count, seed), shape, 'c');
  }

  /** A clean run: split train with 2 checkpoints of 2 layers, inputs and metrics. */
  @BeforeEach
  void writeCleanArchive() {
    archive = SnapshotArchive.open(dir.toString(), conf);
    RunManifest m = new RunManifest("r1", "cnn", "toy", 1L, "test", RunManifest.FORMAT_VERSION, List.of(CONV, FC),
        Map.of("train", IDS), 3, Map.of());
    RunWriter w = archive.createRun(m);
    w.writeInputs("train", values(1, N, 3), new int[] {0, 1, 2, 0, 1, 2});
    for (CheckpointId cp : List.of(E0, E1)) {
      w.writeCheckpoint("train", cp, List.of(values(cp.epoch() + 2, N, 2, 2, 2), values(cp.epoch() + 5, N, D)), false);
      w.appendMetrics(new CheckpointMetrics(cp, 0.5, 0.9, 0.8));
    }
  }

  record Result(int code, String out, String err) {
    List<String> problemLines() {
      return out.lines().filter(l -> l.startsWith("ERROR") || l.startsWith("WARNING")).toList();
    }
  }

  private Result validate() {
    CommandLine cl = InfoPlaneCli.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int code = cl.execute("validate", "--archive", dir.toString());
    return new Result(code, out.toString(), err.toString());
  }

  private Path layerFile(CheckpointId cp, int layer) {
    return run().resolve("activations/split=train/epoch=" + cp.epoch() + "/step=" + cp.step() + "/layer=" + layer
        + "/part-0.parquet");
  }

  /** Replaces a file (and its checksum) with one written by ActivationFiles directly. */
  private void rewrite(Path file, long[] ids, INDArray v, int[] labels, long[] shape) throws Exception {
    FileSystem.getLocal(conf).delete(new org.apache.hadoop.fs.Path(file.toUri()), false);
    ActivationFiles.write(new org.apache.hadoop.fs.Path(file.toUri()), conf, ids, v, labels,
        Map.of("infoplane.shape", java.util.Arrays.toString(shape)));
  }

  private void assertOneError(Result r, String... fragments) {
    assertThat(r.code).as(r.out + r.err).isEqualTo(1);
    assertThat(r.problemLines()).as(r.out).hasSize(1);
    assertThat(r.problemLines().get(0)).startsWith("ERROR run r1").contains(fragments);
    assertThat(r.out).contains(" 1 errors");
  }

  @Test
  void aCleanArchivePasses() {
    Result r = validate();
    assertThat(r.code).as(r.out + r.err).isZero();
    assertThat(r.problemLines()).isEmpty();
    assertThat(r.out.strip()).isEqualTo("checked 1 runs, 2 checkpoints, 4 units: 0 errors, 0 warnings");
  }

  @Test
  void aTruncatedParquetFileIsAProblemNotACrash() throws Exception {
    Path f = layerFile(E1, 1);
    Files.deleteIfExists(f.resolveSibling(".part-0.parquet.crc"));
    try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
      raf.setLength(raf.length() / 2);
    }
    assertOneError(validate(), "split train, epoch 1 step 0, layer 1 (fc), file " , "layer=1/part-0.parquet",
        "cannot be read as Parquet");
  }

  @Test
  void aLayerMissingAtOneCheckpoint() throws Exception {
    FileSystem.getLocal(conf).delete(new org.apache.hadoop.fs.Path(layerFile(E1, 0).getParent().toUri()), true);
    assertOneError(validate(), "split train, epoch 1 step 0, layer 0 (conv1)", "layer=0/part-0.parquet",
        "the layer is missing at this checkpoint");
  }

  @Test
  void nanActivationsWrittenByHand() throws Exception {
    INDArray v = values(7, N, D);
    v.putScalar(new long[] {2, 3}, Float.NaN);
    rewrite(layerFile(E0, 1), IDS, v, null, FC.shape());
    assertOneError(validate(), "split train, epoch 0 step 0, layer 1 (fc)", "layer=1/part-0.parquet",
        "value NaN at sample id 12 (row 2), feature 3");
  }

  @Test
  void otherSampleIdsInOneLayer() throws Exception {
    long[] ids = IDS.clone();
    ids[4] = 99;
    rewrite(layerFile(E1, 1), ids, values(7, N, D), null, FC.shape());
    assertOneError(validate(), "split train, epoch 1 step 0, layer 1 (fc)", "layer=1/part-0.parquet",
        "sample id at row 4 is 99, the manifest says 14");
  }

  @Test
  void aLayerWhoseShapeChangesBetweenCheckpoints() throws Exception {
    rewrite(layerFile(E1, 1), IDS, values(7, N, D + 1), null, new long[] {D + 1});
    assertOneError(validate(), "split train, epoch 1 step 0, layer 1 (fc)", "layer=1/part-0.parquet",
        "shape per sample [5]", "differs from the manifest's [4]");
  }

  @Test
  void rowsOfAnotherLengthUnderTheRightFooterShape() throws Exception {
    rewrite(layerFile(E1, 1), IDS, values(7, N, D + 1), null, FC.shape());
    assertOneError(validate(), "split train, epoch 1 step 0, layer 1 (fc)", "layer=1/part-0.parquet",
        "sample id 10 has 5 values, the manifest's shape has 4");
  }

  @Test
  void anUnknownFormatVersion() throws Exception {
    Path m = run().resolve("manifest.json");
    Files.deleteIfExists(run().resolve(".manifest.json.crc"));
    Files.writeString(m, Files.readString(m).replace("\"formatVersion\" : 1", "\"formatVersion\" : 2"));
    assertOneError(validate(), "file ", "manifest.json", "unknown archive format version 2",
        "reads version 1");
  }

  @Test
  void labelsOutOfRange() throws Exception {
    Path inputs = run().resolve("inputs/split=train/part-0.parquet");
    rewrite(inputs, IDS, values(1, N, 3), new int[] {0, 1, 2, 7, 1, 2}, new long[] {3});
    assertOneError(validate(), "split train, file ", "inputs/split=train/part-0.parquet",
        "label 7 of sample id 13 (row 3) is outside [0, 3)");
  }

  @Test
  void missingInputs() throws Exception {
    FileSystem.getLocal(conf).delete(new org.apache.hadoop.fs.Path(run().resolve("inputs").toUri()), true);
    assertOneError(validate(), "split train, file ", "the split's inputs are missing");
  }

  @Test
  void anUnreadableMetricsFile() throws Exception {
    Path m = run().resolve("metrics/epoch=1-step=0.json");
    Files.deleteIfExists(m.resolveSibling(".epoch=1-step=0.json.crc"));
    Files.writeString(m, "{ not json");
    assertOneError(validate(), "metrics/epoch=1-step=0.json", "metrics cannot be read");
  }

  @Test
  void leftoverTemporaryDirectoriesAreWarningsOnly() throws Exception {
    Files.createDirectories(run().resolve("activations/split=train/_tmp-1234/layer=0"));
    Result r = validate();
    assertThat(r.code).as(r.out).isZero();
    assertThat(r.problemLines()).singleElement().asString()
        .startsWith("WARNING run r1, file ").contains("_tmp-1234", "interrupted write");
    assertThat(r.out).contains("0 errors, 1 warnings");
  }

  @Test
  void severalProblemsAreAllReported() throws Exception {
    FileSystem.getLocal(conf).delete(new org.apache.hadoop.fs.Path(layerFile(E1, 0).getParent().toUri()), true);
    INDArray v = values(7, N, D);
    v.putScalar(new long[] {0, 0}, Float.POSITIVE_INFINITY);
    rewrite(layerFile(E0, 1), IDS, v, null, FC.shape());
    Result r = validate();
    assertThat(r.code).isEqualTo(1);
    assertThat(r.problemLines()).hasSize(2);
    assertThat(r.out).contains("checked 1 runs, 2 checkpoints, 4 units: 2 errors, 0 warnings");
  }

  /** A checkpoint written by hand at a later epoch but an earlier step than epoch 1 step 0's: (2, 0) vs (1, 5). */
  @Test
  void checkpointsThatContradictTheTrainingOrderAreErrorsNamingBoth() throws Exception {
    RunWriter w = archive.openRunForAppend("r1");
    w.writeCheckpoint("train", new CheckpointId(0, 60), List.of(values(8, N, 2, 2, 2), values(9, N, D)), false);
    Result r = validate();
    assertThat(r.code).as(r.out + r.err).isEqualTo(1);
    // epoch 1 step 0 comes before epoch 0 step 60 when sorted by step
    assertThat(r.problemLines()).singleElement().asString()
        .startsWith("ERROR run r1, split train, epoch 1 step 0: contradicts the training order of epoch 0 step 60")
        .contains("--step");
  }

  /**
   * A training checkpoint written to split train but not to split test (a kill between the two
   * splits) is a warning naming the split that lacks it.
   */
  @Test
  void aCheckpointInOneSplitOnlyIsAWarningNamingTheOtherSplit() throws Exception {
    long[] testIds = LongStream.range(100, 100 + N).toArray();
    archive.addSplit("r1", "test", testIds, w -> {
      w.writeInputs("test", values(11, N, 3), new int[] {0, 1, 2, 0, 1, 2});
      w.writeCheckpoint("test", E0, List.of(values(12, N, 2, 2, 2), values(13, N, D)), false);
    });
    Result r = validate();
    assertThat(r.code).as(r.out + r.err).isZero();
    assertThat(r.problemLines()).singleElement().asString()
        .startsWith("WARNING run r1, split test, epoch 1 step 0: the checkpoint is in split train but not in this one");
    assertThat(r.out).contains("0 errors, 1 warnings");
  }
}
