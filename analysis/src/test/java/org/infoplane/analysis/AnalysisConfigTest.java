package org.infoplane.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.infoplane.config.ConfResolver;
import org.infoplane.estimator.matrix.KernelConvention;
import org.junit.jupiter.api.Test;

/** Settings read once into typed groups, and identifiers unchanged by that. */
class AnalysisConfigTest {

  private static AnalysisConfig config(String... pairs) {
    return AnalysisConfig.from(new ConfResolver().pairs(List.of(pairs)).resolve());
  }

  /**
   * The identifiers of the golden warehouse ({@code golden/tables/analysis_configs.tsv}, written
   * while the settings were strings): warehouses key their rows by them.
   */
  @Test
  void identifiersAreThoseOfTheSettingsAsStrings() {
    assertThat(config().configId()).isEqualTo("77ab6f33f95b5662");
    assertThat(config("infoplane.alpha=2").configId()).isEqualTo("99caa9818c6febe5");
    assertThat(config("infoplane.preset=ipdl").configId()).isEqualTo("8b8dc0231eed0e62");
    assertThat(config("infoplane.estimator=binning").configId()).isEqualTo("0663928fa75bad29");
  }

  @Test
  void choicesAreEnumsReadWhereTheSettingsResolve() {
    AnalysisConfig ipdl = config("infoplane.preset=ipdl");
    assertThat(ipdl.preset()).isEqualTo(AnalysisConfig.Preset.IPDL);
    assertThat(ipdl.kernel().convention()).isEqualTo(KernelConvention.TWO_SIGMA_SQUARED);
    assertThat(ipdl.widths().gridMean()).isEqualTo(AnalysisConfig.GridMean.OFF_DIAGONAL);
    assertThat(ipdl.widths().gridEdges()).isEqualTo(AnalysisConfig.GridEdges.KEEP);
    assertThat(ipdl.widths().scope()).isEqualTo(AnalysisConfig.WidthScope.BATCH);
    assertThat(ipdl.smoothing().convention()).isEqualTo(AnalysisConfig.SmoothingConvention.BETA_ON_NEW);
    assertThat(ipdl.smoothing().betaOnNew()).isTrue();
    assertThat(ipdl.smoothing().smooths()).isTrue();
    assertThat(config("infoplane.width.smoothing.unit=Checkpoint").smoothing().unit())
        .isEqualTo(AnalysisConfig.SmoothingUnit.CHECKPOINT);
    assertThat(config("infoplane.backend=cpu").tasks().backend()).isEqualTo(AnalysisConfig.Backend.CPU);
  }

  @Test
  void aBadValueIsRefusedNamingTheSettingAndTheValue() {
    assertThatThrownBy(() -> config("infoplane.width.scope=layer"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("infoplane.width.scope").hasMessageContaining("layer");
    assertThatThrownBy(() -> config("infoplane.width.smoothing=1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("infoplane.width.smoothing=1.0 with infoplane.width.smoothing.convention=beta-on-old")
        .hasMessageContaining("beta must be < 1");
    assertThatThrownBy(() -> config("infoplane.width.smoothing=0", "infoplane.width.smoothing.convention=beta-on-new"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("beta must be > 0");
  }

  @Test
  void copiesReplaceOneGroupAndKeepTheRest() {
    AnalysisConfig c = config();
    assertThat(c.withAlpha(c.alpha())).isEqualTo(c);
    AnalysisConfig a2 = c.withAlpha(2.0);
    assertThat(a2.alpha()).isEqualTo(2.0);
    assertThat(a2.configId()).isEqualTo(config("infoplane.alpha=2").configId());
    AnalysisConfig.Smoothing off = new AnalysisConfig.Smoothing(0.0, AnalysisConfig.SmoothingUnit.STEP,
        AnalysisConfig.SmoothingConvention.BETA_ON_OLD);
    AnalysisConfig unsmoothed = c.withSmoothing(off);
    assertThat(unsmoothed.smoothing().smooths()).isFalse();
    assertThat(unsmoothed.configId()).isEqualTo(config("infoplane.width.smoothing=0").configId());
    assertThat(unsmoothed.withSmoothing(c.smoothing())).isEqualTo(c);
    AnalysisConfig.Batching b = new AnalysisConfig.Batching(50, true, 3L, c.batching().precision());
    assertThat(c.withBatching(b).configId()).isEqualTo(
        config("infoplane.batch.size=50", "infoplane.batch.shuffle=true", "infoplane.batch.seed=3").configId());
  }
}
