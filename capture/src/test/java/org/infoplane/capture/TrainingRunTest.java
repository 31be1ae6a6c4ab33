package org.infoplane.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.GZIPInputStream;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.infoplane.snapshot.CheckpointId;
import org.infoplane.snapshot.CheckpointMetrics;
import org.infoplane.snapshot.RunReader;
import org.infoplane.snapshot.SnapshotArchive;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The validation split of a training run, checked against what the network actually trains on:
 * every mini-batch the network is fitted on is read back from DL4J ({@code onForwardPass} during
 * fitting) and mapped to its training images by their pixels. A tiny dataset (the first 400 training
 * images of Fashion-MNIST, 100 held out) makes the held-out ids interleave with the trained ones.
 */
class TrainingRunTest {

  /** Training images in the tiny dataset, of which {@link #VALIDATION} are held out. */
  static final int POOL = 400;
  static final int VALIDATION = 100;
  static final int TEST_IMAGES = 100;
  static final int PIXELS = 784;
  static final long SEED = 7;
  static final int EPOCHS = 2;
  static final int BATCH = 50;

  /**
   * The recorded validation loss against the recomputation here: the same float32 network outputs
   * (DL4J's {@code output} here, its feed-forward there), summed in double in both.
   */
  static final double SAME_LOSS = 1e-6;

  @TempDir static Path dir;

  static byte[] trainPixels;
  static byte[] trainLabels;
  static ImageDataset dataset;
  static SnapshotArchive archive;
  /** Every training image the network was fitted on, as an id, once per time it was fitted on. */
  static List<Integer> fitted = new ArrayList<>();
  static int fittedRows;

  @BeforeAll
  static void trainATinyRun() throws IOException {
    Path fm = ImageDataset.FASHION_MNIST_DIR;
    assumeTrue(Files.isRegularFile(fm.resolve("train-images-idx3-ubyte.gz")),
        "Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)");
    trainPixels = head(fm.resolve("train-images-idx3-ubyte.gz"), 16, POOL * PIXELS);
    trainLabels = head(fm.resolve("train-labels-idx1-ubyte.gz"), 8, POOL);
    byte[] testPixels = head(fm.resolve("t10k-images-idx3-ubyte.gz"), 16, TEST_IMAGES * PIXELS);
    byte[] testLabels = head(fm.resolve("t10k-labels-idx1-ubyte.gz"), 8, TEST_IMAGES);
    dataset = new ImageDataset("tiny", writeImages(dir.resolve("train-images"), POOL, trainPixels),
        writeLabels(dir.resolve("train-labels"), trainLabels), writeImages(dir.resolve("test-images"), TEST_IMAGES,
            testPixels), writeLabels(dir.resolve("test-labels"), testLabels));

    Map<ByteBuffer, Integer> idOfImage = new HashMap<>();
    for (int i = 0; i < POOL; i++) {
      idOfImage.put(ByteBuffer.wrap(Arrays.copyOfRange(trainPixels, i * PIXELS, (i + 1) * PIXELS)), i);
    }
    assertThat(idOfImage).as("the tiny dataset's images are distinct, so a pixel row names its image").hasSize(POOL);

    TrainingOptions options = new TrainingOptions(new NetworkSpec(Architecture.MLP, "tanh", 0.09, 1, SEED), EPOCHS,
        BATCH, 0, 0, VALIDATION, 50, SEED, 1);
    archive = SnapshotArchive.open(dir.resolve("archive").toString(), new Configuration());
    BaseTrainingListener spy = new BaseTrainingListener() {
      @Override
      public void onForwardPass(Model model, List<INDArray> activations) {
        INDArray x = activations.get(0);
        assertThat(x.size(1)).as("the first activation is the input").isEqualTo(PIXELS);
        float[] v = x.dup('c').data().asFloat();
        for (int r = 0; r < x.size(0); r++) {
          byte[] row = new byte[PIXELS];
          for (int p = 0; p < PIXELS; p++) {
            row[p] = (byte) Math.round(v[r * PIXELS + p] * 255f);
          }
          Integer id = idOfImage.get(ByteBuffer.wrap(row));
          assertThat(id).as("a fitted row is one of the training images").isNotNull();
          fitted.add(id);
          fittedRows++;
        }
      }
    };
    List<CheckpointRecorder.Report> reports = new TrainingRun(options, dataset, archive, "tiny").listeners(spy)
        .run(null, new TrainingRun.Progress() {
          @Override
          public void started(org.infoplane.snapshot.RunManifest manifest, long bytes, int checkpoints) {}

          @Override
          public void checkpoint(CheckpointRecorder.Report report) {}
        });
    assertThat(reports).hasSize(EPOCHS + 1);
  }

  /** The ids the network never saw. */
  static int[] neverFitted() {
    Set<Integer> seen = new TreeSet<>(fitted);
    return java.util.stream.IntStream.range(0, POOL).filter(i -> !seen.contains(i)).toArray();
  }

  @Test
  void theNetworkNeverTrainsOnTheValidationSplit() {
    // Each epoch fits every training image once: 300 images, 2 epochs.
    assertThat(fittedRows).isEqualTo(EPOCHS * (POOL - VALIDATION));
    assertThat(new TreeSet<>(fitted)).hasSize(POOL - VALIDATION);
    int[] held = neverFitted();
    assertThat(held).hasSize(VALIDATION);
    // The held-out ids are the validation split the rule draws, and not a block at either end.
    TrainingSplit split = TrainingSplit.carve(POOL, 0, VALIDATION, SEED, "tiny");
    assertThat(split.validationIds()).containsExactly(held);
    assertThat(held[0]).isLessThan(POOL / 4);
    assertThat(held[held.length - 1]).isGreaterThan(3 * POOL / 4);
  }

  @Test
  void theManifestPinsTheValidationIdsAndTheTrainSplitDrawsFromTrainedImagesOnly() throws Exception {
    RunReader run = archive.run("tiny");
    Map<String, String> p = run.manifest().properties();
    assertThat(p).containsEntry(TrainingSplit.VALIDATION_SAMPLES, "" + VALIDATION)
        .containsEntry("trainSamples", "" + (POOL - VALIDATION));
    // SHA-256 of the ids never fitted, as big-endian int32s.
    ByteBuffer b = ByteBuffer.allocate(4 * VALIDATION);
    for (int id : neverFitted()) {
      b.putInt(id);
    }
    assertThat(p.get(TrainingSplit.VALIDATION_IDS_SHA256))
        .isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b.array())));

    Set<Integer> trained = new TreeSet<>(fitted);
    long[] trainEval = run.manifest().sampleIds("train");
    assertThat(trainEval).hasSize(50);
    Set<Integer> held = new TreeSet<>();
    for (int id : neverFitted()) {
      held.add(id);
    }
    for (long id : trainEval) {
      assertThat(trained).as("train evaluation id " + id + " is a trained image").contains((int) id);
      assertThat(held).as("train evaluation id " + id + " is not a validation image").doesNotContain((int) id);
    }
  }

  @Test
  void theValidationSplitIsReproducibleFromTheSeedOnly() {
    TrainingSplit a = TrainingSplit.carve(POOL, 0, VALIDATION, SEED, "tiny");
    TrainingSplit again = TrainingSplit.carve(POOL, 0, VALIDATION, SEED, "tiny");
    TrainingSplit fewer = TrainingSplit.carve(POOL, 120, VALIDATION, SEED, "tiny");
    TrainingSplit other = TrainingSplit.carve(POOL, 0, VALIDATION, SEED + 1, "tiny");
    assertThat(again.validationIds()).containsExactly(a.validationIds());
    assertThat(again.properties()).isEqualTo(a.properties());
    // Training on fewer images does not move the validation split; they are the first of the others.
    assertThat(fewer.validationIds()).containsExactly(a.validationIds());
    assertThat(fewer.trainIds()).containsExactly(Arrays.copyOf(a.trainIds(), 120));
    assertThat(other.validationIds()).isNotEqualTo(a.validationIds());
    // Without a validation split the training ids are 0, 1, ...: runs made before validation splits.
    assertThat(TrainingSplit.carve(POOL, 0, 0, SEED, "tiny").trainIds())
        .containsExactly(java.util.stream.IntStream.range(0, POOL).toArray());
  }

  /**
   * The recorded val_loss and val_accuracy of every checkpoint against a recomputation: the saved
   * model of the checkpoint, DL4J's {@code output} on the images never fitted, and the mean of
   * −ln p(label) and the share of arg-max hits written out here.
   */
  @Test
  void theRecordedValidationMetricsEqualARecomputation() {
    RunReader run = archive.run("tiny");
    int[] held = neverFitted();
    float[] x = new float[held.length * PIXELS];
    for (int k = 0; k < held.length; k++) {
      for (int p = 0; p < PIXELS; p++) {
        x[k * PIXELS + p] = (trainPixels[held[k] * PIXELS + p] & 0xff) / 255f;
      }
    }
    INDArray input = Nd4j.create(x, new long[] {held.length, PIXELS}, 'c');
    List<CheckpointMetrics> metrics = run.metrics();
    assertThat(metrics).extracting(CheckpointMetrics::checkpoint)
        .containsExactly(new CheckpointId(0, 0), new CheckpointId(1, 6), new CheckpointId(2, 12));
    for (CheckpointMetrics m : metrics) {
      MultiLayerNetwork net = ModelFiles.load(archive.modelPath("tiny", m.checkpoint()).toString(), archive.conf());
      float[] probs = net.output(input, false).dup('c').data().asFloat();
      double loss = 0;
      int hits = 0;
      for (int k = 0; k < held.length; k++) {
        int label = trainLabels[held[k]];
        loss -= Math.log(probs[k * 10 + label]);
        int best = 0;
        for (int c = 1; c < 10; c++) {
          if (probs[k * 10 + c] > probs[k * 10 + best]) {
            best = c;
          }
        }
        hits += best == label ? 1 : 0;
      }
      assertThat(m.valLoss()).as("val_loss at " + m.checkpoint()).isCloseTo(loss / held.length, within(SAME_LOSS));
      assertThat(m.valAccuracy()).as("val_accuracy at " + m.checkpoint()).isEqualTo((double) hits / held.length);
      assertThat(m.other()).containsKeys(CheckpointMetrics.VAL_LOSS, CheckpointMetrics.VAL_ACCURACY);
    }
    // Training moved the network: the validation loss differs from the untrained one's.
    assertThat(metrics.get(2).valLoss()).isNotEqualTo(metrics.get(0).valLoss());
  }

  @Test
  void countsThatDoNotFitThePoolAreRefusedWithTheFile() {
    assertThatThrownBy(() -> TrainingSplit.carve(POOL, 0, POOL, SEED, "f.idx"))
        .hasMessage("--validation-samples 400 leaves none of the 400 images of f.idx to train on: lower it"
            + " (0: no validation split)");
    assertThatThrownBy(() -> TrainingSplit.carve(POOL, 350, VALIDATION, SEED, "f.idx"))
        .hasMessage("--train-samples 350 and --validation-samples 100 need 450 of the 400 images of f.idx: lower"
            + " either (--validation-samples 0 trains without a validation split)");
    assertThatThrownBy(() -> TrainingSplit.carve(POOL, 0, -1, SEED, "f.idx"))
        .hasMessageStartingWith("--validation-samples must be >= 0");
  }

  /** {@code count} bytes of a gzip file after its {@code header}. */
  private static byte[] head(Path gz, int header, int count) throws IOException {
    try (InputStream in = new GZIPInputStream(Files.newInputStream(gz))) {
      in.readNBytes(header);
      byte[] b = in.readNBytes(count);
      assertThat(b).hasSize(count);
      return b;
    }
  }

  private static Path writeImages(Path f, int count, byte[] pixels) throws IOException {
    try (OutputStream o = Files.newOutputStream(f); DataOutputStream d = new DataOutputStream(o)) {
      d.writeInt(0x00000803);
      d.writeInt(count);
      d.writeInt(28);
      d.writeInt(28);
      d.write(pixels);
    }
    return f;
  }

  private static Path writeLabels(Path f, byte[] labels) throws IOException {
    try (OutputStream o = Files.newOutputStream(f); DataOutputStream d = new DataOutputStream(o)) {
      d.writeInt(0x00000801);
      d.writeInt(labels.length);
      d.write(labels);
    }
    return f;
  }
}
