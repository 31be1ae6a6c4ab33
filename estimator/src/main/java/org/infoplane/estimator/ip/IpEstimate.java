package org.infoplane.estimator.ip;

import java.util.OptionalDouble;

/**
 * One batch's information-plane point. Entropies and mutual informations are in bits.
 *
 * @param hX S(X), the input's entropy
 * @param hT S(T), the layer's entropy
 * @param hY S(Y), the label's entropy
 * @param iXT I(X;T) = S(X) + S(T) − S(X,T)
 * @param iTY I(T;Y) = S(T) + S(Y) − S(T,Y)
 * @param sigmaT the layer's kernel width, empty for a constant layer or an estimator without one
 */
public record IpEstimate(double hX, double hT, double hY, double iXT, double iTY, OptionalDouble sigmaT) {}
