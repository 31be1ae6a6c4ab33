package org.infoplane.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Groups of analysis settings that reproduce one implementation of the method ({@code
 * infoplane.preset}, METHOD.md §9). A preset sets the keys of its group that no source set
 * explicitly; the registry's defaults are the {@code paper} preset.
 */
public final class Presets {

  /** METHOD.md: the defaults. */
  public static final String PAPER = "paper";
  /** The paper's published code, Wickstrom/InformationTheoryExperiment, python/network.py. */
  public static final String AUTHORS_CODE = "authors-code";
  /** SolidusAbi/IPDL. */
  public static final String IPDL = "ipdl";

  private Presets() {}

  /** Every preset's name, the default first. */
  public static List<String> names() {
    return List.of(PAPER, AUTHORS_CODE, IPDL);
  }

  /** What the preset stands for, for the documentation. */
  public static String describe(String preset) {
    return switch (preset) {
      case PAPER -> "METHOD.md (the paper): alpha 1.01, kernel exp(-d^2/sigma^2), grid linspace(0.1, 10 mean d, 300)"
          + " extended past an edge that holds the maximum, the checkpoint's mean width, beta 0.9 per training step.";
      case AUTHORS_CODE -> "Wickstrom/InformationTheoryExperiment, python/network.py: von Neumann entropy (alpha 1),"
          + " grid linspace(0.3, 10 mean d, 300) with the mean over all N^2 entries and no extension, each batch its"
          + " own width, beta 0.9 on the old value per iteration (training step).";
      case IPDL -> "SolidusAbi/IPDL: kernel exp(-d^2/(2 sigma^2)) for X, Y and T, alpha 1 with 1e-8 added to every"
          + " eigenvalue, grid linspace(0.1, 10 mean d, 300) with the mean over the pairs i != j and no extension,"
          + " each batch its own width, moving average with beta 0.5 on the new value per step.";
      default -> throw new IllegalArgumentException("unknown preset '" + preset + "': expected one of " + names());
    };
  }

  /** The keys a preset sets and their values (the same keys for every preset). */
  public static Map<String, String> group(String preset) {
    Map<String, String> g = new LinkedHashMap<>();
    switch (preset) {
      case PAPER -> {
        for (ConfigEntry<?> e : keys()) {
          g.put(e.key(), e.defaultValue());
        }
      }
      case AUTHORS_CODE -> {
        g.putAll(group(PAPER));
        g.put(InfoPlaneConf.ALPHA.key(), "1");
        g.put(InfoPlaneConf.WIDTH_GRID_START.key(), "0.3");
        g.put(InfoPlaneConf.WIDTH_GRID_EDGES.key(), "keep");
        g.put(InfoPlaneConf.WIDTH_SCOPE.key(), "batch");
      }
      case IPDL -> {
        g.putAll(group(PAPER));
        g.put(InfoPlaneConf.ALPHA.key(), "1");
        g.put(InfoPlaneConf.EIGENVALUE_OFFSET.key(), "1e-8");
        g.put(InfoPlaneConf.KERNEL_CONVENTION.key(), "2sigma2");
        g.put(InfoPlaneConf.WIDTH_GRID_MEAN.key(), "off-diagonal");
        g.put(InfoPlaneConf.WIDTH_GRID_EDGES.key(), "keep");
        g.put(InfoPlaneConf.WIDTH_SCOPE.key(), "batch");
        g.put(InfoPlaneConf.WIDTH_SMOOTHING.key(), "0.5");
        g.put(InfoPlaneConf.WIDTH_SMOOTHING_CONVENTION.key(), "beta-on-new");
      }
      default -> throw new IllegalArgumentException("unknown preset '" + preset + "': expected one of " + names());
    }
    return g;
  }

  /** The settings every preset sets. */
  static List<ConfigEntry<?>> keys() {
    return List.of(InfoPlaneConf.ALPHA, InfoPlaneConf.EIGENVALUE_OFFSET, InfoPlaneConf.KERNEL_CONVENTION,
        InfoPlaneConf.SIGMA_X, InfoPlaneConf.SIGMA_Y, InfoPlaneConf.WIDTH_RULE, InfoPlaneConf.WIDTH_GRID_START,
        InfoPlaneConf.WIDTH_GRID_END_FACTOR, InfoPlaneConf.WIDTH_GRID_SIZE, InfoPlaneConf.WIDTH_GRID_MEAN,
        InfoPlaneConf.WIDTH_GRID_EDGES, InfoPlaneConf.WIDTH_SCOPE, InfoPlaneConf.WIDTH_SMOOTHING,
        InfoPlaneConf.WIDTH_SMOOTHING_UNIT, InfoPlaneConf.WIDTH_SMOOTHING_CONVENTION);
  }
}
