/**
 * Verdicts about the information plane as statistical tests (METHOD.md §10): fitting, compression,
 * the initial transient, the data processing inequality and early stopping. Pure Java over plain
 * arrays, no engine; all effects are in <b>bits</b>.
 *
 * <ul>
 *   <li>{@link org.infoplane.estimator.verdict.Tests}: paired, Welch and one-sample t tests returning
 *       an {@link org.infoplane.estimator.verdict.Effect} (estimate, interval, p, df, n, q);
 *   <li>{@link org.infoplane.estimator.verdict.BenjaminiHochberg}: q-values for a family of tests;
 *   <li>{@link org.infoplane.estimator.verdict.PhaseTests}: one layer's phases over training, within
 *       a run (peak chosen on even batches, tested on odd ones) or across runs (peak chosen on the
 *       first run, one-sample test over the others), classified into a {@link org.infoplane.estimator.verdict.Phase};
 *   <li>{@link org.infoplane.estimator.verdict.SplitFallTests}: whether I(X;T) falls more on the
 *       train split than on the test split, at one peak and trough chosen for both;
 *   <li>{@link org.infoplane.estimator.verdict.DpiTests}: the chain X → T1 → … → TL;
 *   <li>{@link org.infoplane.estimator.verdict.EarlyStopping}: the checkpoint early stopping keeps,
 *       and whether compression began before it.
 * </ul>
 *
 * Misuse (bad shapes, NaN estimates, a level outside (0, 0.5]) throws {@link
 * java.lang.IllegalArgumentException} naming the run, checkpoint, batch or index; too few degrees of
 * freedom is a result ({@link org.infoplane.estimator.verdict.Phase#UNDECIDED}, {@link
 * org.infoplane.estimator.verdict.Effect#undecided}).
 */
package org.infoplane.estimator.verdict;
