package org.infoplane.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.infoplane.cli.ImportCommandTest.Result;
import org.infoplane.snapshot.CheckpointId;
import org.infoplane.snapshot.CheckpointMetrics;
import org.infoplane.snapshot.NpzCase;
import org.infoplane.snapshot.RunReader;
import org.infoplane.snapshot.SnapshotArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code infoplane import npz --archive A --run R DIR}: a whole export directory (the layout the
 * Python package writes, built here by hand) in one command; the oracle is the arrays and metrics
 * written into the directory.
 */
class ImportDirectoryTest {

  private static final int N = 10;
  private static final CheckpointId C0 = new CheckpointId(0, 0);
  private static final CheckpointId C1 = new CheckpointId(1, 50);

  @TempDir Path dir;

  private Path archive() {
    return dir.resolve("archive");
  }

  private RunReader reader() {
    return SnapshotArchive.open(archive().toString(), new Configuration()).run("r1");
  }

  private static void write(Path file, String json) throws Exception {
    Files.createDirectories(file.getParent());
    Files.writeString(file, json);
  }

  /** An export directory: header plus checkpoints C0 and C1, splits train (2 chunks) and test (1 file). */
  private Path export(Map<CheckpointId, NpzCase> train, Map<CheckpointId, NpzCase> test, String metrics0)
      throws Exception {
    Path ex = dir.resolve("export");
    write(ex.resolve("export.json"), "{\"format\": \"infoplane-export\", \"format_version\": 1, \"num_classes\": 4,"
        + " \"model\": \"cnn\", \"dataset\": null}");
    for (CheckpointId c : List.of(C0, C1)) {
      Path cd = ex.resolve("epoch=" + c.epoch() + "-step=" + c.step());
      Files.createDirectories(cd);
      train.get(c).rows(0, 6).write(cd.resolve("train-00000.npz"));
      train.get(c).rows(6, N).write(cd.resolve("train-00001.npz"));
      test.get(c).write(cd.resolve("test-00000.npz"));
      String metrics = c.equals(C0) ? metrics0 : "{\"loss\": 0.5, \"train_accuracy\": 0.75, \"test_accuracy\": null,"
          + " \"test_loss\": 0.625, \"val_loss\": 0.5625, \"val_accuracy\": 0.8125}";
      write(cd.resolve("checkpoint.json"), "{\"format\": \"infoplane-export\", \"format_version\": 1, \"epoch\": "
          + c.epoch() + ", \"step\": " + c.step() + ", \"metrics\": " + metrics
          + ", \"splits\": {\"train\": [\"train-00000.npz\", \"train-00001.npz\"], \"test\": [\"test-00000.npz\"]}}");
    }
    return ex;
  }

  private Result importDir(Path ex, String... more) {
    String[] base = {"import", "npz", "--archive", archive().toString(), "--run", "r1"};
    String[] args = new String[base.length + more.length + 1];
    System.arraycopy(base, 0, args, 0, base.length);
    System.arraycopy(more, 0, args, base.length, more.length);
    args[args.length - 1] = ex.toString();
    return ImportCommandTest.run(args);
  }

  private static final String METRICS0 = "{\"loss\": 2.25, \"train_accuracy\": 0.25, \"test_accuracy\": 0.125,"
      + " \"lr\": 0.01}";

  @Test
  void importsEveryCheckpointAndSplitWithMetricsAndSkipsThemTheSecondTime() throws Exception {
    Map<CheckpointId, NpzCase> train = Map.of(C0, NpzCase.of(N, 1, 10), C1, NpzCase.of(N, 1, 11));
    Map<CheckpointId, NpzCase> test = Map.of(C0, NpzCase.of(N, 2, 20), C1, NpzCase.of(N, 2, 21));
    Path ex = export(train, test, METRICS0);

    Result first = importDir(ex);
    assertThat(first.code()).as(first.err()).isZero();
    assertThat(first.out()).contains("[1/6] split train, epoch 0 step 0: 10 samples, 2 layers (new run)",
        "[2/6] split test, epoch 0 step 0: 10 samples, 2 layers (new split)", "[6/6] epoch 1 step 50: metrics",
        "run r1 (new run): 2 checkpoints; 4 checkpoint splits imported, 0 replaced, 0 already there; 2 metrics files written");

    RunReader r = reader();
    assertThat(r.manifest().model()).isEqualTo("cnn");
    assertThat(r.manifest().dataset()).isEqualTo("unknown");
    assertThat(r.manifest().numClasses()).as("export.json's num_classes, not the largest label + 1").isEqualTo(4);
    for (CheckpointId c : List.of(C0, C1)) {
      assertThat(r.readActivations("train", c, 0).dup('c').data().asFloat()).isEqualTo(train.get(c).stored.get("L0_conv1"));
      assertThat(r.readActivations("train", c, 1).dup('c').data().asFloat()).isEqualTo(train.get(c).stored.get("L1_fc"));
      assertThat(r.readActivations("test", c, 1).dup('c').data().asFloat()).isEqualTo(test.get(c).stored.get("L1_fc"));
    }
    assertThat(r.readInputs("train").dup('c').data().asFloat()).isEqualTo(train.get(C0).stored.get("x"));
    assertThat(r.metrics()).containsExactly(
        new CheckpointMetrics(C0, 2.25, 0.25, 0.125, Map.of("lr", 0.01)),
        new CheckpointMetrics(C1, 0.5, 0.75, Double.NaN, Map.of("test_loss", 0.625, "val_loss", 0.5625,
            "val_accuracy", 0.8125)));
    // The Python recorder's keys for the validation split are the archive's (and so the warehouse's).
    assertThat(List.of(r.metrics().get(1).testLoss(), r.metrics().get(1).valLoss(), r.metrics().get(1).valAccuracy()))
        .containsExactly(0.625, 0.5625, 0.8125);
    assertThat(r.metrics().get(0).valLoss()).as("not measured").isNaN();

    Map<String, byte[]> before = NpzCase.contents(archive());
    Result again = importDir(ex);
    assertThat(again.code()).as(again.err()).isZero();
    assertThat(again.out()).contains("[1/6] split train, epoch 0 step 0: already imported, same content; skipped",
        "epoch 1 step 50: metrics already imported; skipped",
        "0 checkpoint splits imported, 0 replaced, 4 already there; 0 metrics files written");
    assertThat(NpzCase.contents(archive())).as("an idempotent import writes nothing").containsOnlyKeys(before.keySet());
    for (Map.Entry<String, byte[]> e : before.entrySet()) {
      assertThat(NpzCase.contents(archive()).get(e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
    }
  }

  @Test
  void differentContentIsRefusedBeforeAnyWriteAndReplacedWithReplace() throws Exception {
    Map<CheckpointId, NpzCase> train = Map.of(C0, NpzCase.of(N, 1, 10), C1, NpzCase.of(N, 1, 11));
    Map<CheckpointId, NpzCase> test = Map.of(C0, NpzCase.of(N, 2, 20), C1, NpzCase.of(N, 2, 21));
    assertThat(importDir(export(train, test, METRICS0)).code()).isZero();
    Map<String, byte[]> before = NpzCase.contents(archive());

    // the test split at C1 recorded again from another model state; a new metric value at C0
    Map<CheckpointId, NpzCase> test2 = Map.of(C0, test.get(C0), C1, NpzCase.of(N, 2, 99));
    Path ex = export(train, test2, METRICS0.replace("0.01", "0.02"));
    Result refused = importDir(ex);
    assertThat(refused.code()).isEqualTo(InfoPlaneCli.EXIT_BAD_INPUT);
    assertThat(refused.err().strip()).startsWith("infoplane import npz: run r1, epoch 0 step 0: the archive holds other "
        + "metrics (loss 2.25, train_accuracy 0.25, test_accuracy 0.125, lr 0.01) than ");
    assertThat(refused.err()).contains("(and 1 more); give --replace to overwrite what differs");
    Map<String, byte[]> after = NpzCase.contents(archive());
    assertThat(after.keySet()).isEqualTo(before.keySet());
    before.forEach((k, v) -> assertThat(after.get(k)).as(k).isEqualTo(v));

    Result replaced = importDir(ex, "--replace");
    assertThat(replaced.code()).as(replaced.err()).isZero();
    assertThat(replaced.out()).contains("split test, epoch 1 step 50: 10 samples, 2 layers (replaced: run r1, split test,"
        + " epoch 1 step 50, layer 0 (conv1), sample id 0, feature 0: the archive has",
        "0 checkpoint splits imported, 1 replaced, 3 already there; 1 metrics files written");
    assertThat(reader().readActivations("test", C1, 0).dup('c').data().asFloat())
        .isEqualTo(test2.get(C1).stored.get("L0_conv1"));
    assertThat(reader().metrics().get(0).other()).isEqualTo(Map.of("lr", 0.02));
  }

  @Test
  void badExportsAreRefusedWithTheFileAndNothingIsWritten() throws Exception {
    Map<CheckpointId, NpzCase> train = Map.of(C0, NpzCase.of(N, 1, 10), C1, NpzCase.of(N, 1, 11));
    Map<CheckpointId, NpzCase> test = Map.of(C0, NpzCase.of(N, 2, 20), C1, NpzCase.of(N, 2, 21));
    Path ex = export(train, test, "{\"loss\": 2.0, \"test_accuracy\": 85.0}");
    Result r = importDir(ex);
    assertThat(r.code()).isEqualTo(InfoPlaneCli.EXIT_BAD_INPUT);
    assertThat(r.err().strip()).isEqualTo("infoplane import npz: " + ex.resolve("epoch=0-step=0").resolve("checkpoint.json")
        + ": metric test_accuracy is 85.0; accuracies are fractions in [0, 1] (a percentage divided by 100)");
    assertThat(Files.exists(archive())).isFalse();

    Result withSplit = importDir(ex, "--split", "test");
    assertThat(withSplit.code()).isEqualTo(InfoPlaneCli.EXIT_BAD_INPUT);
    assertThat(withSplit.err()).contains("--split, --epoch, --step and --steps-per-epoch are for .npz files; " + ex + " is a directory");

    Result files = ImportCommandTest.run("import", "npz", "--archive", archive().toString(), "--run", "r1",
        NpzCase.of(N, 1, 2).write(dir.resolve("one.npz")).toString());
    assertThat(files.code()).isEqualTo(InfoPlaneCli.EXIT_BAD_INPUT);
    assertThat(files.err().strip()).isEqualTo("infoplane import npz: give --split and --epoch with .npz files (or one"
        + " export directory instead of files)");

    Path empty = Files.createDirectories(dir.resolve("empty"));
    write(empty.resolve("export.json"), "{\"format\": \"infoplane-export\", \"format_version\": 1, \"num_classes\": 3}");
    Files.createDirectories(empty.resolve("epoch=0-step=0")); // interrupted: no checkpoint.json
    Result none = importDir(empty);
    assertThat(none.err().strip()).isEqualTo("infoplane import npz: " + empty
        + ": no checkpoint (directories epoch=E-step=S holding checkpoint.json)");

    Path misnamed = export(train, test, "{}");
    Files.move(misnamed.resolve("epoch=1-step=50"), misnamed.resolve("epoch=1-step=51"));
    Result mis = importDir(misnamed);
    assertThat(mis.err().strip()).isEqualTo("infoplane import npz: " + misnamed.resolve("epoch=1-step=51")
        .resolve("checkpoint.json") + ": says epoch 1 step 50, but its directory is named 'epoch=1-step=51' (expected "
        + "epoch=1-step=50)");
    assertThat(Files.exists(archive())).isFalse();
  }
  /** export.json's num_classes is parsed strictly: an int >= 1, or the refusal names the file, the field and the value. */
  @Test
  void aNumClassesThatIsNotASmallPositiveIntegerIsRefusedNamingTheFileAndTheField() throws Exception {
    Map<CheckpointId, NpzCase> train = Map.of(C0, NpzCase.of(N, 1, 10), C1, NpzCase.of(N, 1, 11));
    Map<CheckpointId, NpzCase> test = Map.of(C0, NpzCase.of(N, 2, 20), C1, NpzCase.of(N, 2, 21));
    Path ex = export(train, test, METRICS0);
    Path header = ex.resolve("export.json");
    for (String bad : List.of("1000000000000", "\"ten\"", "0", "-3", "4.5", "true", "[4]")) {
      write(header, "{\"format\": \"infoplane-export\", \"format_version\": 1, \"num_classes\": " + bad + "}");
      Result r = importDir(ex);
      assertThat(r.code()).as(bad).isEqualTo(InfoPlaneCli.EXIT_BAD_INPUT);
      assertThat(r.err().strip()).as(bad).isEqualTo("infoplane import npz: " + header
          + ": num_classes must be an integer >= 1, got " + bad);
    }
    assertThat(Files.exists(archive())).isFalse();
  }

  /**
   * A checkpoint.json that is a symbolic link out of the export directory is refused naming the
   * link, and nothing of the file it points to is shown; links that stay inside are followed.
   */
  @Test
  void symbolicLinksLeavingTheExportDirectoryAreRefusedNamingTheLink() throws Exception {
    Map<CheckpointId, NpzCase> train = Map.of(C0, NpzCase.of(N, 1, 10), C1, NpzCase.of(N, 1, 11));
    Map<CheckpointId, NpzCase> test = Map.of(C0, NpzCase.of(N, 2, 20), C1, NpzCase.of(N, 2, 20));
    Path ex = export(train, test, METRICS0);
    Path secret = dir.resolve("secret.txt");
    Files.writeString(secret, "s3cr3t-token and more");
    Path link = ex.resolve("epoch=1-step=50").resolve("checkpoint.json");
    String original = Files.readString(link);
    Files.delete(link);
    Files.createSymbolicLink(link, secret);
    Result r = importDir(ex);
    assertThat(r.code()).isEqualTo(InfoPlaneCli.EXIT_BAD_INPUT);
    assertThat(r.err().strip()).isEqualTo("infoplane import npz: " + link
        + ": a symbolic link that leads out of the export directory " + ex + "; refused");
    assertThat(r.err() + r.out()).doesNotContain("s3cr3t");
    assertThat(Files.exists(archive())).isFalse();

    Files.delete(link);
    write(link, original);
    Path outside = Files.createDirectories(dir.resolve("elsewhere"));
    Path dirLink = ex.resolve("epoch=2-step=90");
    Files.createSymbolicLink(dirLink, outside);
    write(outside.resolve("checkpoint.json"), "{}");
    Result viaDir = importDir(ex);
    assertThat(viaDir.err().strip()).isEqualTo("infoplane import npz: " + dirLink
        + ": a symbolic link that leads out of the export directory " + ex + "; refused");

    // links inside the directory are fine: C1's test chunk is C0's file
    Files.delete(dirLink);
    Path chunk = ex.resolve("epoch=1-step=50").resolve("test-00000.npz");
    Files.delete(chunk);
    Files.createSymbolicLink(chunk, Path.of("..", "epoch=0-step=0", "test-00000.npz"));
    Result ok = importDir(ex);
    assertThat(ok.code()).as(ok.err()).isZero();
    assertThat(reader().readActivations("test", C1, 0).dup('c').data().asFloat())
        .isEqualTo(test.get(C0).stored.get("L0_conv1"));
  }

  /**
   * A checkpoint refused midway leaves the earlier ones imported (the archive is consistent) and
   * says so: how many, and that running the command again resumes.
   */
  @Test
  void aCheckpointRefusedMidwaySaysWhatIsImportedAndThatARerunResumes() throws Exception {
    Map<CheckpointId, NpzCase> train = Map.of(C0, NpzCase.of(N, 1, 10), C1, NpzCase.of(N, 1, 11));
    Map<CheckpointId, NpzCase> test = Map.of(C0, NpzCase.of(N, 2, 20), C1, NpzCase.of(N, 2, 21));
    Path ex = export(train, test, METRICS0);
    Path broken = ex.resolve("epoch=1-step=50").resolve("test-00000.npz");
    Files.writeString(broken, "not a zip");
    Result r = importDir(ex);
    assertThat(r.code()).isEqualTo(InfoPlaneCli.EXIT_BAD_INPUT);
    assertThat(r.err().lines()).hasSize(1);
    assertThat(r.err().strip()).startsWith("infoplane import npz: " + broken + ": not a valid .npz")
        .endsWith("; stopped at epoch 1 step 50 (checkpoint 2 of 2): the 1 checkpoint before it and 1 of this"
            + " checkpoint's 2 splits are in the archive (3 checkpoint splits and 1 metrics file imported by this"
            + " command); the archive is consistent: fix it and run the command again to resume (what is"
            + " imported is skipped)");
    assertThat(reader().checkpoints("train")).containsExactly(C0, C1);
    assertThat(reader().checkpoints("test")).containsExactly(C0);

    test.get(C1).write(broken);
    Result again = importDir(ex);
    assertThat(again.code()).as(again.err()).isZero();
    assertThat(again.out()).contains("1 checkpoint splits imported, 0 replaced, 3 already there; 1 metrics files written");
    assertThat(reader().checkpoints("test")).containsExactly(C0, C1);
  }
}
