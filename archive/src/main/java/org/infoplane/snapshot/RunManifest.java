package org.infoplane.snapshot;

import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What an archive knows of a run: where it came from, its recorded layers in network order, its
 * evaluation splits with their sample ids (in stored row order), and its number of classes.
 *
 * @param formatVersion the archive format version the run was written with ({@link #FORMAT_VERSION})
 * @param properties free-form producer details (hyper-parameters, paths), shown to users as is
 */
public record RunManifest(String runId, String model, String dataset, long seed, String producer, int formatVersion,
    List<LayerInfo> layers, Map<String, long[]> splitSampleIds, int numClasses, Map<String, String> properties) {

  /** The format version this code writes and reads. */
  public static final int FORMAT_VERSION = 1;

  /**
   * The property that records the training steps (SGD iterations) per epoch, a positive integer: a
   * checkpoint of epoch E without a step of its own is then taken to be at step E·steps_per_epoch.
   */
  public static final String STEPS_PER_EPOCH = "steps_per_epoch";

  public RunManifest {
    Objects.requireNonNull(runId, "runId");
    if (!runId.matches("[A-Za-z0-9_.\\-]+")) {
      throw new SnapshotFormatException("run id '" + runId + "' must use letters, digits, '_', '-' or '.'");
    }
    if (formatVersion != FORMAT_VERSION) {
      throw new SnapshotFormatException("run " + runId + ": unknown archive format version " + formatVersion
          + " (this InfoPlane reads version " + FORMAT_VERSION + ")");
    }
    layers = List.copyOf(layers);
    if (layers.isEmpty()) {
      throw new SnapshotFormatException("run " + runId + ": the manifest lists no layer");
    }
    Set<Integer> indices = new HashSet<>();
    Set<String> names = new HashSet<>();
    for (LayerInfo l : layers) {
      if (!indices.add(l.index()) || !names.add(l.name())) {
        throw new SnapshotFormatException("run " + runId + ": layer " + l + " repeats an index or a name");
      }
    }
    if (splitSampleIds.isEmpty()) {
      throw new SnapshotFormatException("run " + runId + ": the manifest lists no split");
    }
    Map<String, long[]> splits = new LinkedHashMap<>();
    for (Map.Entry<String, long[]> e : splitSampleIds.entrySet()) {
      if (!e.getKey().matches("[A-Za-z0-9_\\-]+")) {
        throw new SnapshotFormatException("run " + runId + ": split name '" + e.getKey() + "' must use letters, digits, '_' or '-'");
      }
      long[] ids = e.getValue().clone();
      long[] sorted = ids.clone();
      Arrays.sort(sorted);
      for (int i = 1; i < sorted.length; i++) {
        if (sorted[i] == sorted[i - 1]) {
          throw new SnapshotFormatException("run " + runId + ", split " + e.getKey() + ": sample id " + sorted[i]
              + " appears more than once");
        }
      }
      if (ids.length < 2) {
        throw new SnapshotFormatException("run " + runId + ", split " + e.getKey() + ": needs at least 2 samples, has "
            + ids.length);
      }
      splits.put(e.getKey(), ids);
    }
    splitSampleIds = java.util.Collections.unmodifiableMap(splits);
    if (numClasses < 1) {
      throw new SnapshotFormatException("run " + runId + ": number of classes must be >= 1, got " + numClasses);
    }
    properties = Map.copyOf(properties == null ? Map.of() : properties);
  }

  /** The run's training steps per epoch ({@link #STEPS_PER_EPOCH}), when recorded. */
  public java.util.OptionalLong stepsPerEpoch() {
    String v = properties.get(STEPS_PER_EPOCH);
    if (v == null) {
      return java.util.OptionalLong.empty();
    }
    try {
      long n = Long.parseLong(v.trim());
      if (n >= 1) {
        return java.util.OptionalLong.of(n);
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new SnapshotFormatException("run " + runId + ": manifest property " + STEPS_PER_EPOCH + " must be an"
        + " integer >= 1, got '" + v + "'");
  }

  /** A copy of the sample ids of a split, in stored row order. */
  public long[] sampleIds(String split) {
    long[] ids = splitSampleIds.get(split);
    if (ids == null) {
      throw new SnapshotFormatException("run " + runId + " has no split '" + split + "' (it has "
          + splitSampleIds.keySet() + ")");
    }
    return ids.clone();
  }

  /** The layer with this index. */
  public LayerInfo layer(int index) {
    for (LayerInfo l : layers) {
      if (l.index() == index) {
        return l;
      }
    }
    throw new SnapshotFormatException("run " + runId + " has no layer " + index);
  }
}
