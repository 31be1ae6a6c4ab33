package org.infoplane.snapshot;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The JSON form of a manifest ({@code manifest.json}). */
final class ManifestJson {
  public int formatVersion;
  public String runId;
  public String model;
  public String dataset;
  public long seed;
  public String producer;
  public int numClasses;
  public List<Layer> layers = new ArrayList<>();
  public Map<String, long[]> splits = new LinkedHashMap<>();
  public Map<String, String> properties = new LinkedHashMap<>();

  static final class Layer {
    public int index;
    public String name;
    public String kind;
    public long[] shape;
  }

  static ManifestJson of(RunManifest m) {
    ManifestJson j = new ManifestJson();
    j.formatVersion = m.formatVersion();
    j.runId = m.runId();
    j.model = m.model();
    j.dataset = m.dataset();
    j.seed = m.seed();
    j.producer = m.producer();
    j.numClasses = m.numClasses();
    for (LayerInfo l : m.layers()) {
      Layer x = new Layer();
      x.index = l.index();
      x.name = l.name();
      x.kind = l.kind();
      x.shape = l.shape();
      j.layers.add(x);
    }
    j.splits.putAll(m.splitSampleIds());
    j.properties.putAll(m.properties());
    return j;
  }

  RunManifest toManifest(String file) {
    try {
      List<LayerInfo> ls = new ArrayList<>();
      for (Layer l : layers) {
        ls.add(new LayerInfo(l.index, l.name, l.kind, l.shape));
      }
      return new RunManifest(runId, model, dataset, seed, producer, formatVersion, ls, splits, numClasses, properties);
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new SnapshotFormatException("manifest " + file + ": " + e.getMessage(), e);
    }
  }
}
