package org.infoplane.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * The figures at the size of VGG-16 (16 layers × 50 epochs, two splits) from synthetic fitting and
 * compression curves; they stay in {@code target/report-samples} to be looked at.
 */
class ChartsTest {

  static final int LAYERS = 16;
  static final int EPOCHS = 50;

  static PlaneData vggLike(long seed) {
    Random r = new Random(seed);
    List<PlaneData.Point> pts = new ArrayList<>();
    List<PlaneData.Metric> metrics = new ArrayList<>();
    for (String split : new String[] {"train", "test"}) {
      for (int l = 0; l < LAYERS; l++) {
        double top = 6.6 - 0.25 * l;
        double peakAt = 8 + 1.5 * l;
        for (int e = 0; e < EPOCHS; e++) {
          double fit = 1 - Math.exp(-e / 4.0);
          double compress = e > peakAt ? (split.equals("train") ? 0.9 : 0.4) * (1 - Math.exp(-(e - peakAt) / 12.0)) : 0;
          double ixt = top * (0.55 + 0.45 * fit) - compress + 0.02 * r.nextGaussian();
          double ity = (3.3 - 0.04 * l) * (0.45 + 0.55 * fit) + 0.01 * r.nextGaussian();
          pts.add(new PlaneData.Point(split, e, 500L * e, l, l < 13 ? "conv" + (l + 1) : "dense" + (l - 12), ixt, ity,
              0, 0, 0.5 * Math.pow(1.25, l) * (1 + e / 50.0), 0.5 * Math.pow(1.25, l) * (1 + e / 45.0)));
        }
      }
    }
    for (int e = 0; e < EPOCHS; e++) {
      metrics.add(new PlaneData.Metric(e, 500L * e, 2.3 * Math.exp(-e / 8.0) + 0.1, 1 - 0.9 * Math.exp(-e / 6.0),
          0.85 - 0.75 * Math.exp(-e / 6.0), 2.3 * Math.exp(-e / 8.0) + 0.3 + 0.0004 * (e - 20) * (e - 20)));
    }
    // Early stopping on the validation loss: patience 1 and 2 keep epoch 18, patience 5 epoch 20.
    PlaneData.Context c = new PlaneData.Context("renyi-tensor", Math.log(10) / Math.log(2), 100, 5.3, 3.1, List.of(
        new PlaneData.Stop(1, new PlaneData.Checkpoint(18, 500L * 18)),
        new PlaneData.Stop(2, new PlaneData.Checkpoint(18, 500L * 18)),
        new PlaneData.Stop(5, new PlaneData.Checkpoint(20, 500L * 20))));
    return new PlaneData("VGG-16 (synthetic)", pts, metrics, c);
  }

  /**
   * Several patience values that keep the same checkpoint share one mark, labelled with all of them,
   * in training order; no validation loss means no mark.
   */
  @Test
  void earlyStopsGroupThePatienceValuesOfEachKeptCheckpoint() {
    PlaneData.Checkpoint a = new PlaneData.Checkpoint(2, 100);
    PlaneData.Checkpoint b = new PlaneData.Checkpoint(4, 200);
    PlaneData.Context c = new PlaneData.Context("", Double.NaN, 100, 5.2, 2.1, List.of(
        new PlaneData.Stop(5, b), new PlaneData.Stop(1, a), new PlaneData.Stop(2, a), new PlaneData.Stop(10, b)));
    java.util.Map<PlaneData.Checkpoint, List<Integer>> stops = new PlaneData("t", List.of(), List.of(), c).earlyStops();
    assertThat(stops).containsOnlyKeys(a, b);
    assertThat(stops.keySet()).containsExactly(a, b);
    assertThat(stops.get(a)).containsExactly(1, 2);
    assertThat(PlaneData.patienceLabel(stops.get(b))).isEqualTo("P = 5, 10");
    assertThat(new PlaneData("t", List.of(), List.of()).earlyStops()).isEmpty();
  }

  /**
   * The training figure draws the validation split's loss and accuracy beside train and test when they
   * are recorded, and leaves them out (not an empty legend entry) when not.
   */
  @Test
  void trainingFigureDrawsTheValidationCurvesWhenRecorded() throws Exception {
    Path out = Path.of("target", "report-samples");
    Files.createDirectories(out);
    PlaneData vgg = vggLike(1);
    List<PlaneData.Metric> with = new ArrayList<>();
    for (PlaneData.Metric m : vgg.metrics()) {
      with.add(new PlaneData.Metric(m.epoch(), m.step(), m.loss(), m.trainAccuracy(), m.testAccuracy(), m.testLoss(),
          m.testLoss() + 0.01, m.testAccuracy() - 0.01));
    }
    Charts.write(Charts.training(new PlaneData("t", vgg.points(), with)), out, "training-validation");
    assertThat(Files.readString(out.resolve("training-validation.svg")))
        .contains("train loss", "test loss", "validation loss", "train accuracy", "test accuracy", "validation accuracy");
    Charts.write(Charts.training(vgg), out, "training-no-validation");
    assertThat(Files.readString(out.resolve("training-no-validation.svg")))
        .contains("train loss", "test loss", "test accuracy").doesNotContain("validation");
  }

  @Test
  void subtitleNamesTheSettingsAndLeavesOutWhatTheTableLacks() {
    java.util.Map<String, Object> c = new java.util.LinkedHashMap<>();
    c.put("estimator", "renyi-tensor");
    c.put("alpha", 1.01);
    c.put("width_rule", "alignment");
    c.put("width_smoothing", 0.9);
    // A table without the smoothing unit and preset columns: the subtitle names neither.
    assertThat(Report.subtitle(c, 100))
        .isEqualTo("renyi-tensor · α = 1.01 · width alignment · smoothing β = 0.9 · batches of 100");
    c.put("width_smoothing_unit", "step");
    c.put("preset", "authors-code");
    c.put("alpha", 1.0);
    assertThat(Report.subtitle(c, 100))
        .isEqualTo("renyi-tensor · α = 1 · width alignment · smoothing β = 0.9 per step · preset authors-code"
            + " · batches of 100");
    c.put("width_smoothing", 0.0);
    assertThat(Report.subtitle(c, 0)).isEqualTo("renyi-tensor · α = 1 · width alignment · no smoothing · preset authors-code");
  }

  @Test
  void vggSizedFiguresAreDrawn() throws Exception {
    Path out = Path.of("target", "report-samples");
    Files.createDirectories(out);
    PlaneData data = vggLike(1);
    Charts.write(Charts.planeFigure(data), out, "vgg-information-plane");
    Charts.write(Charts.row("VGG-16 (synthetic): mutual information over training", data, List.of(
        Charts.overTime(data, "I(X;T)", "I(X;T)  [bits]", PlaneData.Point::iXT, false),
        Charts.overTime(data, "I(T;Y)", "I(T;Y)  [bits]", PlaneData.Point::iTY, false)), true), out, "vgg-mi");
    Charts.write(Charts.widths(data), out, "vgg-sigma");
    Charts.write(Charts.layerPlanes(data, "train"), out, "vgg-layers-train");
    BufferedImage img = ImageIO.read(out.resolve("vgg-information-plane.png").toFile());
    assertThat(img.getHeight()).as("the colour bars of 16 layers fit").isGreaterThanOrEqualTo(2 * (110 + 16 * 34));
    assertThat(Files.readString(out.resolve("vgg-information-plane.svg"))).contains("conv13", "dense3", "epoch 49");
    BufferedImage layers = ImageIO.read(out.resolve("vgg-layers-train.png").toFile());
    assertThat(layers.getWidth()).as("16 panels in rows of 5, each at least 300 px wide").isGreaterThan(2 * 5 * 300);
    assertThat(Files.readString(out.resolve("vgg-layers-train.svg"))).contains(">conv1<", ">dense3<", "early stopping");
  }
}
