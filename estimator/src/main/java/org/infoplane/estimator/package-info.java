/**
 * InfoPlane's estimator library: the mathematics of information-plane analysis, free of any engine.
 *
 * <p>For a layer T of a network, an input X and a label Y measured on the same N samples, the
 * library estimates the matrix-based Rényi α-entropies S(X), S(T), S(Y) and the mutual
 * informations I(X;T) and I(T;Y) (Sanchez Giraldo, Rao &amp; Príncipe, IEEE Trans. Inf. Theory
 * 61(1), 2015), with the tensor kernel of Wickstrøm et al. (Entropy 25(6):899, 2023) for
 * convolutional layers. All entropies and informations are in <b>bits</b>.
 *
 * <p>Array convention: the first axis of every activation array is the sample axis; a sample may
 * have any rank (a dense vector, a C×H×W tensor) and is flattened for the kernel. Sub-packages:
 *
 * <ul>
 *   <li>{@link org.infoplane.estimator.matrix}: the matrix-based building blocks: squared distances
 *       (Gram trick, double precision), Gaussian/tensor and label kernels, kernel alignment, and the
 *       α-entropy functional with joint entropy and mutual information;
 *   <li>{@link org.infoplane.estimator.width}: kernel-width rules and their smoothing over
 *       checkpoints;
 *   <li>{@link org.infoplane.estimator.batch}: how an evaluation set is cut into batches;
 *   <li>{@link org.infoplane.estimator.ip}: information-plane estimators (tensor kernel,
 *       multivariate per-channel, binning, kernel-density upper bound) behind one interface, and
 *       their per-checkpoint summary;
 *   <li>{@link org.infoplane.estimator.verdict}: verdicts (fitting, compression, DPI, early
 *       stopping) as t tests with Benjamini–Hochberg control over the per-batch estimates.
 * </ul>
 */
package org.infoplane.estimator;
