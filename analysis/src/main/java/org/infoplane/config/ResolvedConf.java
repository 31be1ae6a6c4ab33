package org.infoplane.config;

import java.io.Serializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Settings resolved on the driver: every registered key with its checked raw value, plus the Spark
 * settings ({@code spark.*}) given alongside. Small and serializable: this is what tasks receive.
 */
public final class ResolvedConf implements Serializable {
  private static final long serialVersionUID = 1L;

  private final Map<String, String> values;
  private final Map<String, String> sources;
  private final Map<String, String> spark;

  ResolvedConf(Map<String, String> values, Map<String, String> sources, Map<String, String> spark) {
    this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    this.sources = Collections.unmodifiableMap(new LinkedHashMap<>(sources));
    this.spark = Collections.unmodifiableMap(new TreeMap<>(spark));
  }

  /**
   * Where each setting's value came from: {@code default}, {@code preset NAME}, a file's path,
   * {@code --conf} or {@code the command line}.
   */
  public Map<String, String> sources() {
    return sources;
  }

  /** The typed value of a setting. */
  public <T> T get(ConfigEntry<T> entry) {
    String raw = values.get(entry.key());
    if (raw == null) {
      throw new IllegalStateException("setting not resolved: " + entry.key());
    }
    return entry.parse(raw);
  }

  /** The raw resolved value of every InfoPlane setting. */
  public Map<String, String> values() {
    return values;
  }

  /** Spark settings passed through ({@code spark.*} keys). */
  public Map<String, String> sparkSettings() {
    return spark;
  }
}
