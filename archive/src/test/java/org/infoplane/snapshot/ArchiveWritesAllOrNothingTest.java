package org.infoplane.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A run's first write and a split's first write are all or nothing: when the writing fails half way,
 * the archive's files and directories are byte for byte what they were.
 */
class ArchiveWritesAllOrNothingTest {

  private static final int N = 4;
  private static final LayerInfo FC = new LayerInfo(0, "fc", "dense", new long[] {3});
  private static final CheckpointId E0 = new CheckpointId(0, 0);

  @TempDir Path dir;

  private static RunManifest manifest(Map<String, long[]> splits) {
    return new RunManifest("r1", "m", "d", 0L, "test", RunManifest.FORMAT_VERSION, List.of(FC), splits, 2,
        Map.of());
  }

  private static INDArray x() {
    return Nd4j.rand(new long[] {N, 2});
  }

  private static int[] labels() {
    return new int[] {0, 1, 0, 1};
  }

  private static Map<String, String> tree(Path root) throws Exception {
    Map<String, String> out = new TreeMap<>();
    if (!Files.exists(root)) {
      return out;
    }
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        out.put(root.relativize(p).toString(), Files.isDirectory(p) ? "dir" : HexFormat.of().formatHex(Files.readAllBytes(p)));
      }
    }
    return out;
  }

  @Test
  void aFirstWriteThatFailsHalfWayLeavesNoRunNorDirectoryBehind() throws Exception {
    Path root = dir.resolve("archive");
    SnapshotArchive a = SnapshotArchive.open(root.toString(), new Configuration());
    long[] ids = LongStream.range(0, N).toArray();
    assertThatThrownBy(() -> a.createRun(manifest(Map.of("train", ids)), w -> {
      w.writeInputs("train", x(), labels());
      throw new SnapshotFormatException("refused half way");
    })).hasMessage("refused half way");
    assertThat(tree(root)).isEmpty();
    assertThat(a.hasRun("r1")).isFalse();

    a.createRun(manifest(Map.of("train", ids)), w -> w.writeInputs("train", x(), labels()));
    assertThat(a.runIds()).containsExactly("r1");
    assertThat(tree(root)).containsKeys("runs/run=r1/manifest.json", "runs/run=r1/inputs/split=train/part-0.parquet")
        .allSatisfy((k, v) -> assertThat(k).doesNotContain("_tmp-"));
  }

  @Test
  void aNewSplitWhoseWriteFailsLeavesTheManifestAndTheRunAsTheyWere() throws Exception {
    Path root = dir.resolve("archive");
    SnapshotArchive a = SnapshotArchive.open(root.toString(), new Configuration());
    a.createRun(manifest(Map.of("train", LongStream.range(0, N).toArray())), w -> {
      w.writeInputs("train", x(), labels());
      w.writeCheckpoint("train", E0, List.of(Nd4j.rand(new long[] {N, 3})), false);
    });
    Map<String, String> before = tree(root);
    assertThatThrownBy(() -> a.addSplit("r1", "test", LongStream.range(10, 10 + N).toArray(), w -> {
      w.writeInputs("test", x(), labels());
      w.writeCheckpoint("test", E0, List.of(Nd4j.rand(new long[] {N, 3})), false);
      throw new SnapshotFormatException("refused half way");
    })).hasMessage("refused half way");
    assertThat(tree(root)).isEqualTo(before);
    assertThat(a.run("r1").manifest().splitSampleIds().keySet()).containsExactly("train");
  }

  @Test
  void aRunIsNotCreatedOverADirectoryWithoutManifest() throws Exception {
    Path root = dir.resolve("archive");
    Files.createDirectories(root.resolve("runs/run=r1/inputs"));
    Map<String, String> before = tree(root);
    SnapshotArchive a = SnapshotArchive.open(root.toString(), new Configuration());
    assertThatThrownBy(() -> a.createRun(manifest(Map.of("train", LongStream.range(0, N).toArray())),
        w -> w.writeInputs("train", x(), labels())))
        .isInstanceOf(SnapshotFormatException.class)
        .hasMessageContaining("runs/run=r1").hasMessageContaining("without a manifest");
    assertThat(tree(root)).isEqualTo(before);
  }
}
