package org.infoplane.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.infoplane.snapshot.CheckpointId;
import org.infoplane.snapshot.LayerInfo;
import org.infoplane.snapshot.NpzCase;
import org.infoplane.snapshot.RunReader;
import org.infoplane.snapshot.SnapshotArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/** {@code infoplane import npz} end to end: round trips bit for bit, and every kind of bad input. */
public class ImportCommandTest {

  private static final int N = 10;
  private static final CheckpointId E0 = new CheckpointId(0, 0);
  private static final CheckpointId E1 = new CheckpointId(1, 0);

  @TempDir Path dir;

  private Path archive() {
    return dir.resolve("archive");
  }

  private RunReader reader() {
    return SnapshotArchive.open(archive().toString(), new Configuration()).run("r1");
  }

  private static float[] floats(org.nd4j.linalg.api.ndarray.INDArray a) {
    return a.dup('c').data().asFloat();
  }

  /** Bitwise equality, so that -0.0 and NaN payloads would be told apart. */
  private static void assertSameBits(float[] actual, float[] expected, String what) {
    assertThat(actual.length).as(what).isEqualTo(expected.length);
    for (int i = 0; i < actual.length; i++) {
      assertThat(Float.floatToRawIntBits(actual[i])).as(what + "[" + i + "]").isEqualTo(Float.floatToRawIntBits(expected[i]));
    }
  }

  private void assertCheckpointHolds(String split, CheckpointId cp, NpzCase c) {
    RunReader r = reader();
    assertSameBits(floats(r.readActivations(split, cp, 0)), c.stored.get("L0_conv1"), "L0_conv1");
    assertSameBits(floats(r.readActivations(split, cp, 1)), c.stored.get("L1_fc"), "L1_fc");
  }

  private Result importNpz(String split, int epoch, Path... files) {
    List<String> args = new ArrayList<>(List.of("import", "npz", "--archive", archive().toString(), "--run", "r1",
        "--split", split, "--epoch", Integer.toString(epoch)));
    Stream.of(files).map(Path::toString).forEach(args::add);
    return run(args.toArray(String[]::new));
  }

  @Test
  void firstImportCreatesTheRunAndRoundTripsBitForBit() throws Exception {
    NpzCase c = NpzCase.of(N, 1, 2);
    Result res = run("import", "npz", "--archive", archive().toString(), "--run", "r1", "--split", "train",
        "--epoch", "0", "--model", "cnn", "--dataset", "toy", c.write(dir.resolve("e0.npz")).toString());
    assertThat(res.code).as(res.err).isZero();
    assertThat(res.out).contains("imported run r1, split train, epoch 0 step 0: 10 samples, 2 layers (new run)");

    RunReader r = reader();
    assertThat(r.manifest().layers()).containsExactly(
        new LayerInfo(0, "conv1", "conv", NpzCase.CONV_SHAPE), new LayerInfo(1, "fc", "dense", NpzCase.FC_SHAPE));
    assertThat(r.manifest().numClasses()).isEqualTo(3);
    assertThat(r.manifest().model()).isEqualTo("cnn");
    assertThat(r.manifest().dataset()).isEqualTo("toy");
    assertThat(r.manifest().sampleIds("train")).containsExactly(LongStream.range(0, N).toArray());
    assertThat(r.checkpoints("train")).containsExactly(E0);
    assertSameBits(floats(r.readInputs("train")), c.stored.get("x"), "x");
    assertThat(r.readInputs("train").shape()).containsExactly(N, 1, 2, 2);
    assertThat(r.readLabels("train")).containsExactly(0, 1, 2, 0, 1, 2, 0, 1, 2, 0);
    assertThat(r.readActivations("train", E0, 0).shape()).containsExactly(N, 2, 2, 2);
    assertCheckpointHolds("train", E0, c);
  }

  @Test
  void stepsPerEpochAreRecordedOnceAndAnotherValueIsRefused() throws Exception {
    NpzCase e0 = NpzCase.of(N, 1, 2);
    assertThat(importNpz("train", 0, e0.write(dir.resolve("e0.npz"))).code).isZero();
    assertThat(reader().manifest().stepsPerEpoch()).isEmpty();
    Result second = run("import", "npz", "--archive", archive().toString(), "--run", "r1", "--split", "train",
        "--epoch", "1", "--steps-per-epoch", "50", NpzCase.of(N, 1, 3).write(dir.resolve("e1.npz")).toString());
    assertThat(second.code).as(second.err).isZero();
    assertThat(reader().manifest().stepsPerEpoch()).hasValue(50);
    Result other = run("import", "npz", "--archive", archive().toString(), "--run", "r1", "--split", "train",
        "--epoch", "2", "--steps-per-epoch", "60", NpzCase.of(N, 1, 4).write(dir.resolve("e2.npz")).toString());
    assertThat(other.code).isEqualTo(2);
    assertThat(other.err).contains("run r1", "--steps-per-epoch 60", "steps_per_epoch 50");
    assertThat(reader().checkpoints("train")).hasSize(2);
  }

  @Test
  void severalFilesAreChunksOfOneCheckpointWithIdsCountedAcrossThem() throws Exception {
    NpzCase whole = NpzCase.of(N, 1, 2);
    Result res = importNpz("train", 0, whole.rows(0, 6).write(dir.resolve("a.npz")),
        whole.rows(6, N).write(dir.resolve("b.npz")));
    assertThat(res.code).as(res.err).isZero();
    RunReader r = reader();
    assertThat(r.manifest().sampleIds("train")).containsExactly(LongStream.range(0, N).toArray());
    assertSameBits(floats(r.readInputs("train")), whole.stored.get("x"), "x");
    assertThat(r.readLabels("train")).containsExactly(0, 1, 2, 0, 1, 2, 0, 1, 2, 0);
    assertSameBits(floats(r.readActivations("train", E0, 0)), whole.stored.get("L0_conv1"), "L0_conv1");
    // rows(…) stores L1_fc as float32 already rounded: the same float32 values as the float64 file
    assertSameBits(floats(r.readActivations("train", E0, 1)), whole.stored.get("L1_fc"), "L1_fc");
  }

  @Test
  void aSecondCheckpointAndASecondSplitGoIntoTheSameRun() throws Exception {
    NpzCase e0 = NpzCase.of(N, 1, 2);
    NpzCase e1 = NpzCase.of(N, 1, 3);
    NpzCase test0 = NpzCase.of(8, 5, 6).i64("sample_id", LongStream.range(100, 108).toArray());
    assertThat(importNpz("train", 0, e0.write(dir.resolve("e0.npz"))).code).isZero();
    Map<String, byte[]> before = NpzCase.contents(archive().resolve("runs/run=r1/activations/split=train/epoch=0"));
    Result second = importNpz("train", 1, e1.write(dir.resolve("e1.npz")));
    assertThat(second.code).as(second.err).isZero();
    Result split = importNpz("test", 1, test0.write(dir.resolve("t1.npz")));
    assertThat(split.code).as(split.err).isZero();
    assertThat(split.out).contains("(new split)");

    RunReader r = reader();
    assertThat(r.manifest().splitSampleIds().keySet()).containsExactly("train", "test");
    assertThat(r.manifest().sampleIds("test")).containsExactly(LongStream.range(100, 108).toArray());
    assertThat(r.checkpoints("train")).containsExactly(E0, E1);
    assertThat(r.checkpoints("test")).containsExactly(E1);
    assertCheckpointHolds("train", E0, e0);
    assertCheckpointHolds("train", E1, e1);
    assertCheckpointHolds("test", E1, test0);
    assertSameBits(floats(r.readInputs("test")), test0.stored.get("x"), "test x");
    assertUnchanged(before, NpzCase.contents(archive().resolve("runs/run=r1/activations/split=train/epoch=0")));
  }

  @Test
  void replaceOverwritesAnExistingCheckpoint() throws Exception {
    assertThat(importNpz("train", 0, NpzCase.of(N, 1, 2).write(dir.resolve("a.npz"))).code).isZero();
    NpzCase again = NpzCase.of(N, 1, 9);
    Result res = run("import", "npz", "--archive", archive().toString(), "--run", "r1", "--split", "train",
        "--epoch", "0", "--replace", again.write(dir.resolve("b.npz")).toString());
    assertThat(res.code).as(res.err).isZero();
    assertThat(res.out).contains("(replaced the checkpoint)");
    assertCheckpointHolds("train", E0, again);
  }

  /** A bad import of epoch 1 into a run that holds epoch 0 of split train (3 classes, ids 0…9). */
  static Stream<Arguments> badInputs() {
    return Stream.of(
        bad("a key outside the naming", c -> c.f32("conv1", NpzCase.FC_SHAPE, new float[N * 4]),
            "b.npz", "key 'conv1'", "L<index>_<name>"),
        bad("x missing", c -> c.remove("x"), "b.npz", "missing array x"),
        bad("y missing", c -> c.remove("y"), "b.npz", "missing array y"),
        bad("counts differ", c -> c.f32Rows("L1_fc", N - 1, NpzCase.FC_SHAPE, new float[(N - 1) * 4]),
            "b.npz", "sample counts differ", "x has 10", "L1_fc has 9", "L0_conv1 has 10"),
        bad("NaN in a layer", c -> c.f32("L1_fc", NpzCase.FC_SHAPE, withValue(N * 4, 3 * 4 + 2, Float.NaN)),
            "b.npz", "layer 1 (fc, key L1_fc)", "value NaN", "sample at row 3", "feature 2"),
        bad("infinity in a conv layer", c -> c.f32("L0_conv1", NpzCase.CONV_SHAPE,
                withValue(N * 8, 4 * 8 + 5, Float.POSITIVE_INFINITY)),
            "b.npz", "layer 0 (conv1, key L0_conv1)", "value Infinity", "sample at row 4", "feature 5 [1, 0, 1]"),
        bad("negative label", c -> c.i64("y", withLabel(2, -1)), "b.npz", "label -1", "row 2", "negative"),
        bad("label out of the run's range", c -> c.i64("y", withLabel(7, 3)),
            "b.npz", "run r1, split train", "label 3", "row 7", "outside [0, 3)"),
        bad("layer shape differs from the manifest", c -> c.f32("L1_fc", new long[] {5}, new float[N * 5]),
            "b.npz", "layer 1 (fc)", "[5] differs from run r1's manifest [4]"),
        bad("layer missing", c -> c.remove("L1_fc"), "b.npz", "layer 1 (fc) is missing", "L1_fc"),
        bad("layer name differs", c -> c.remove("L1_fc").f32("L1_dense", NpzCase.FC_SHAPE, new float[N * 4]),
            "b.npz", "L1_dense", "'fc'"),
        bad("duplicate layer index", c -> c.f32("L1_other", NpzCase.FC_SHAPE, new float[N * 4]),
            "b.npz", "'L1_fc' and 'L1_other'", "same layer index 1"),
        bad("other sample ids for the split", c -> c.i64("sample_id", LongStream.range(1, N + 1).toArray()),
            "run r1, split train", "sample id at row 0 is 1", "the manifest says 0"),
        bad("other inputs for the split", c -> c.f32("x", NpzCase.X_SHAPE, new float[N * 4]),
            "run r1, split train", "x of sample id 0 (row 0", "b.npz", "fixed at its first import"),
        bad("other labels for the split", c -> c.i64("y", withLabel(5, 0)),
            "run r1, split train", "y of sample id 5", "stored label is 2"));
  }

  private static Arguments bad(String name, UnaryOperator<NpzCase> change, String... fragments) {
    return Arguments.of(name, change, fragments);
  }

  private static float[] withValue(int count, int at, float v) {
    float[] out = new float[count];
    out[at] = v;
    return out;
  }

  private static long[] withLabel(int row, long label) {
    long[] y = new long[N];
    for (int i = 0; i < N; i++) {
      y[i] = i % 3;
    }
    y[row] = label;
    return y;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badInputs")
  void badInputIsRefusedWithAMessageNamingWhereAndChangesNothing(String name, UnaryOperator<NpzCase> change,
      String[] fragments) throws Exception {
    assertThat(importNpz("train", 0, NpzCase.of(N, 1, 2).write(dir.resolve("a.npz"))).code).isZero();
    Map<String, byte[]> before = NpzCase.contents(archive());
    Path bad = change.apply(NpzCase.of(N, 1, 3)).write(dir.resolve("b.npz"));
    Result res = importNpz("train", 1, bad);
    assertThat(res.code).as(res.out + res.err).isEqualTo(2);
    assertThat(res.err.lines().count()).as(res.err).isEqualTo(1);
    assertThat(res.err).contains(fragments);
    assertUnchanged(before, NpzCase.contents(archive()));
  }

  @Test
  void anExistingCheckpointIsRefusedWithoutReplaceAndItsFilesStayByteIdentical() throws Exception {
    assertThat(importNpz("train", 0, NpzCase.of(N, 1, 2).write(dir.resolve("a.npz"))).code).isZero();
    Map<String, byte[]> before = NpzCase.contents(archive());
    Result res = importNpz("train", 0, NpzCase.of(N, 1, 3).write(dir.resolve("b.npz")));
    assertThat(res.code).isEqualTo(2);
    assertThat(res.err).contains("run r1, split train, epoch 0 step 0", "already exists", "--replace");
    assertUnchanged(before, NpzCase.contents(archive()));
  }

  @Test
  void aNewSplitWithOtherLayersLeavesTheManifestAsItWas() throws Exception {
    assertThat(importNpz("train", 0, NpzCase.of(N, 1, 2).write(dir.resolve("a.npz"))).code).isZero();
    Map<String, byte[]> before = NpzCase.contents(archive());
    Path bad = NpzCase.of(N, 4, 3).f32("L1_fc", new long[] {2, 2}, new float[N * 4]).write(dir.resolve("t.npz"));
    Result res = importNpz("test", 0, bad);
    assertThat(res.code).isEqualTo(2);
    assertThat(res.err).contains("t.npz", "layer 1 (fc)", "[2, 2] differs from run r1's manifest [4]");
    assertUnchanged(before, NpzCase.contents(archive()));
    assertThat(reader().manifest().splitSampleIds().keySet()).containsExactly("train");
  }

  @Test
  void aNewRunWithLabelsBeyondNumClassesIsNotCreated() throws Exception {
    Result res = run("import", "npz", "--archive", archive().toString(), "--run", "r1", "--split", "train",
        "--epoch", "0", "--num-classes", "2", NpzCase.of(N, 1, 2).write(dir.resolve("a.npz")).toString());
    assertThat(res.code).isEqualTo(2);
    assertThat(res.err).contains("a.npz", "label 2", "row 2", "outside [0, 2)");
    assertThat(NpzCase.contents(archive())).isEmpty();
  }

  @Test
  void chunksWithDifferentLayersAreRefused() throws Exception {
    NpzCase whole = NpzCase.of(N, 1, 2);
    Path a = whole.rows(0, 5).write(dir.resolve("a.npz"));
    Path b = whole.rows(5, N).remove("L1_fc").write(dir.resolve("b.npz"));
    Result res = importNpz("train", 0, a, b);
    assertThat(res.code).isEqualTo(2);
    assertThat(res.err).contains("b.npz", "layer keys [L0_conv1]", "a.npz", "[L0_conv1, L1_fc]");
    assertThat(NpzCase.contents(archive())).isEmpty();
  }

  @Test
  void aFileWithoutSamplesIsRefusedWithOneLine() throws Exception {
    NpzCase empty = NpzCase.of(N, 1, 2).rows(0, 0);
    Result res = importNpz("train", 0, empty.write(dir.resolve("empty.npz")));
    assertThat(res.code).as(res.out + res.err).isEqualTo(2);
    assertThat(res.err.lines().count()).as(res.err).isEqualTo(1);
    assertThat(res.err).contains("empty.npz", "holds no sample", "[0, 1, 2, 2]");
    assertThat(tree(archive())).isEmpty();
  }

  /**
   * Finite float32 activations of ±1e38 (their float32 sum overflows) are imported as they are,
   * bit for bit, in a first import as in a later one.
   */
  @Test
  void finiteValuesNearTheFloat32LimitAreImportedBitForBit() throws Exception {
    float[] huge = new float[N * 4];
    for (int i = 0; i < huge.length; i++) {
      huge[i] = 1e38f * (1 + i % 3); // 1e38, 2e38, 3e38: finite, their float32 sum is not
    }
    NpzCase c = NpzCase.of(N, 1, 2).f32("L1_fc", NpzCase.FC_SHAPE, huge);
    Result res = importNpz("train", 0, c.write(dir.resolve("huge.npz")));
    assertThat(res.code).as(res.err).isZero();
    assertSameBits(floats(reader().readActivations("train", E0, 1)), huge, "L1_fc");
    Result next = importNpz("train", 1, c.write(dir.resolve("huge1.npz")));
    assertThat(next.code).as(next.err).isZero();
    assertSameBits(floats(reader().readActivations("train", E1, 1)), huge, "L1_fc");
  }

  /**
   * {@code --epoch 1} without {@code --step} after {@code --epoch 0 --step 60} would sort before it:
   * refused naming both checkpoints, and the archive is unchanged.
   */
  @Test
  void aCheckpointContradictingTheTrainingOrderIsRefusedNamingBoth() throws Exception {
    Result first = run("import", "npz", "--archive", archive().toString(), "--run", "r1", "--split", "train",
        "--epoch", "0", "--step", "60", NpzCase.of(N, 1, 2).write(dir.resolve("a.npz")).toString());
    assertThat(first.code).as(first.err).isZero();
    Map<String, String> before = tree(archive());
    Result res = importNpz("train", 1, NpzCase.of(N, 1, 3).write(dir.resolve("b.npz")));
    assertThat(res.code).as(res.out + res.err).isEqualTo(2);
    assertThat(res.err.lines().count()).as(res.err).isEqualTo(1);
    assertThat(res.err).contains("run r1, split train, epoch 1 step 0", "contradicts the training order",
        "epoch 0 step 60", "--step");
    assertThat(tree(archive())).isEqualTo(before);
    // the same refusal with --steps-per-epoch leaves the manifest as it was too
    Result withSteps = run("import", "npz", "--archive", archive().toString(), "--run", "r1", "--split", "train",
        "--epoch", "1", "--steps-per-epoch", "100", dir.resolve("b.npz").toString());
    assertThat(withSteps.code).as(withSteps.out + withSteps.err).isEqualTo(2);
    assertThat(tree(archive())).isEqualTo(before);
    // with its step, the same checkpoint is accepted
    Result ok = run("import", "npz", "--archive", archive().toString(), "--run", "r1", "--split", "train",
        "--epoch", "1", "--step", "120", dir.resolve("b.npz").toString());
    assertThat(ok.code).as(ok.err).isZero();
  }

  /** Every file and directory under a path, files with their bytes: directories count too. */
  static Map<String, String> tree(Path root) throws java.io.IOException {
    Map<String, String> out = new java.util.TreeMap<>();
    if (!java.nio.file.Files.exists(root)) {
      return out;
    }
    try (Stream<Path> s = java.nio.file.Files.walk(root)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        out.put(root.relativize(p).toString(), java.nio.file.Files.isDirectory(p) ? "dir"
            : java.util.HexFormat.of().formatHex(java.nio.file.Files.readAllBytes(p)));
      }
    }
    return out;
  }

  private static void assertUnchanged(Map<String, byte[]> before, Map<String, byte[]> after) {
    assertThat(after.keySet()).isEqualTo(before.keySet());
    for (String k : before.keySet()) {
      assertThat(after.get(k)).as(k).isEqualTo(before.get(k));
    }
  }

  /** What a command line run returned and printed. */
  public record Result(int code, String out, String err) {}

  /** Runs the CLI with {@code args}, capturing its output. */
  public static Result run(String... args) {
    CommandLine cl = InfoPlaneCli.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int code = cl.execute(args);
    return new Result(code, out.toString(), err.toString());
  }
}
