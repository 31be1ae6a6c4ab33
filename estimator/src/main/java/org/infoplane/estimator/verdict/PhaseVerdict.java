package org.infoplane.estimator.verdict;

/**
 * The phases of one layer on one split over training, as tests (METHOD.md §10): made by {@link
 * PhaseTests#run} for one run or {@link PhaseTests#experiment} for R runs. Effects in bits.
 *
 * <p>Signs: every effect is positive in the direction its name says.
 *
 * <ul>
 *   <li>{@code fitting} = I(X;T)[peak] − I(X;T)[first]: positive = fitting;
 *   <li>{@code drop} = I(X;T)[peak] − I(X;T)[trough]: positive = I(X;T) falls after the peak;
 *   <li>{@code tyDrop} = I(T;Y)[peak] − I(T;Y)[trough]: positive = I(T;Y) falls over the same span;
 *   <li>{@code transientDrop} = I(X;T)[first] − I(X;T)[trough]: positive = I(X;T) ends lower than it
 *       began (the initial transient when there is no fitting).
 * </ul>
 *
 * <p>The p-values are those of single tests. A caller judging many verdicts together computes
 * Benjamini–Hochberg q-values over its family (for example all {@link #pValues()} of all layers and
 * runs of a view) and attaches them with {@link #withQ}, which also re-classifies the phase.
 *
 * @param level {@link #RUN} or {@link #EXPERIMENT}
 * @param nRuns 1 at run level; R at experiment level (the selection runs included; the effects'
 *     n counts the test runs)
 * @param peakIndex the checkpoint of the I(X;T) peak the effects were tested at (run level: chosen
 *     on the even batches; experiment level: chosen on the selection runs)
 * @param troughIndex the checkpoint of the lowest I(X;T) after the peak, chosen the same way; −1 when
 *     the peak is the last checkpoint
 * @param fitting I(X;T)[peak] − I(X;T)[first]
 * @param drop I(X;T)[peak] − I(X;T)[trough]
 * @param tyDrop I(T;Y)[peak] − I(T;Y)[trough]
 * @param phase the classification of these effects ({@link PhaseTests#classify})
 * @param transientDrop I(X;T)[first] − I(X;T)[trough]
 * @param constant whether S(T) is 0 on every batch of every checkpoint (of every run)
 */
public record PhaseVerdict(
    String level,
    int nRuns,
    int peakIndex,
    int troughIndex,
    Effect fitting,
    Effect drop,
    Effect tyDrop,
    Phase phase,
    Effect transientDrop,
    boolean constant) {

  /** {@link #level()} of a verdict within one run. */
  public static final String RUN = "run";

  /** {@link #level()} of a verdict over the runs of an experiment. */
  public static final String EXPERIMENT = "experiment";

  public PhaseVerdict {
    if (!RUN.equals(level) && !EXPERIMENT.equals(level)) {
      throw new IllegalArgumentException("level must be \"run\" or \"experiment\", got " + level);
    }
    if (fitting == null || drop == null || tyDrop == null || transientDrop == null || phase == null) {
      throw new IllegalArgumentException("a phase verdict needs every effect and a phase");
    }
  }

  /**
   * The four p-values in the order {@link #withQ} takes their q-values: fitting, drop, tyDrop,
   * transientDrop. NaN for undecided effects (BH leaves them out).
   */
  public double[] pValues() {
    return new double[] {fitting.p(), drop.p(), tyDrop.p(), transientDrop.p()};
  }

  /**
   * A copy with q-values attached to the four effects, classified again at {@code alpha}.
   *
   * @param alpha the significance level q is compared with, e.g. 0.05
   */
  public PhaseVerdict withQ(double qFitting, double qDrop, double qTyDrop, double qTransient, double alpha) {
    PhaseVerdict attached = new PhaseVerdict(level, nRuns, peakIndex, troughIndex, fitting.withQ(qFitting),
        drop.withQ(qDrop), tyDrop.withQ(qTyDrop), phase, transientDrop.withQ(qTransient), constant);
    return attached.withPhase(PhaseTests.classify(attached, alpha));
  }

  /** A copy with another phase. */
  PhaseVerdict withPhase(Phase newPhase) {
    return new PhaseVerdict(level, nRuns, peakIndex, troughIndex, fitting, drop, tyDrop, newPhase, transientDrop,
        constant);
  }
}
