package org.infoplane.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * Resolves settings on the driver, later sources winning: the registry's defaults, a defaults file
 * (Java properties), {@code --conf key=value} pairs, then a command's own options. Keys starting
 * with {@code infoplane.} must be registered settings; keys starting with {@code spark.} are passed
 * to Spark; any other key is an error.
 */
public final class ConfResolver {

  /** The defaults file of an installation, relative to its home. */
  public static final String DEFAULTS_FILE = "conf/infoplane-defaults.conf";

  private final Map<String, String> values = new LinkedHashMap<>();
  private final Map<String, String> sources = new LinkedHashMap<>();
  private final Map<String, String> spark = new LinkedHashMap<>();

  public ConfResolver() {
    for (ConfigEntry<?> e : InfoPlaneConf.entries()) {
      values.put(e.key(), e.defaultValue());
    }
  }

  /** The name of the defaults file in a conf directory. */
  public static final String DEFAULTS_NAME = "infoplane-defaults.conf";

  /**
   * The installation's defaults file: {@code $infoplane.conf.dir/infoplane-defaults.conf} when the
   * launcher set {@code infoplane.conf.dir} (deploy/submit.sh: its {@code INFOPLANE_CONF}, a directory
   * of any name), else {@code $infoplane.home/conf/infoplane-defaults.conf} when it set
   * {@code infoplane.home} (bin/infoplane), else none.
   */
  public static Optional<Path> installationDefaults() {
    return installationDefaults(System.getProperty("infoplane.conf.dir"), System.getProperty("infoplane.home"));
  }

  static Optional<Path> installationDefaults(String confDir, String home) {
    Path p;
    if (confDir != null && !confDir.isBlank()) {
      p = Path.of(confDir).resolve(DEFAULTS_NAME);
    } else if (home != null && !home.isBlank()) {
      p = Path.of(home).resolve(DEFAULTS_FILE);
    } else {
      return Optional.empty();
    }
    return Files.isRegularFile(p) ? Optional.of(p) : Optional.empty();
  }

  /** Applies a properties file. */
  public ConfResolver file(Path file) {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file)) {
      p.load(r);
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": cannot read the configuration file: " + e.getMessage(), e);
    }
    List<String> keys = new ArrayList<>(p.stringPropertyNames());
    keys.sort(Comparator.naturalOrder());
    for (String k : keys) {
      set(k, p.getProperty(k), file.toString());
    }
    return this;
  }

  /** Applies {@code key=value} pairs as given to {@code --conf}. */
  public ConfResolver pairs(List<String> pairs) {
    for (String pair : pairs) {
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("--conf expects key=value, got '" + pair + "'");
      }
      set(pair.substring(0, eq).trim(), pair.substring(eq + 1), "--conf");
    }
    return this;
  }

  /** Applies a command's own option, when it was given. */
  public <T> ConfResolver option(ConfigEntry<T> entry, Object value) {
    if (value != null) {
      set(entry.key(), String.valueOf(value), "the command line");
    }
    return this;
  }

  private void set(String key, String raw, String source) {
    if (key.startsWith("spark.")) {
      spark.put(key, raw);
      return;
    }
    ConfigEntry<?> e = InfoPlaneConf.entry(key);
    if (e == null) {
      throw new IllegalArgumentException("unknown setting '" + key + "' (from " + source + ")"
          + suggestion(key) + "; see docs/configuration.md or 'infoplane config'");
    }
    e.parse(raw); // fail now, naming the key and value
    values.put(key, raw.trim());
    sources.put(key, source);
  }

  private static String suggestion(String key) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (ConfigEntry<?> e : InfoPlaneConf.entries()) {
      int d = levenshtein(key, e.key());
      if (d < bestDistance) {
        bestDistance = d;
        best = e.key();
      }
    }
    return best != null && bestDistance <= 3 ? " — did you mean '" + best + "'?" : "";
  }

  private static int levenshtein(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  /**
   * The resolved settings: the preset ({@code infoplane.preset}) sets each key of its group that no
   * source set explicitly.
   */
  public ResolvedConf resolve() {
    Map<String, String> resolved = new LinkedHashMap<>(values);
    Map<String, String> from = new LinkedHashMap<>();
    String preset = InfoPlaneConf.PRESET.parse(values.get(InfoPlaneConf.PRESET.key()));
    Map<String, String> group = Presets.group(preset);
    for (String key : resolved.keySet()) {
      if (sources.containsKey(key)) {
        from.put(key, sources.get(key));
      } else if (group.containsKey(key) && !preset.equals(Presets.PAPER)) {
        resolved.put(key, group.get(key));
        from.put(key, "preset " + preset);
      } else {
        from.put(key, "default");
      }
    }
    return new ResolvedConf(resolved, from, spark);
  }
}
