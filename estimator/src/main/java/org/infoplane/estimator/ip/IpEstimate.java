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
 * @param hTErr estimated standard error of hT in bits (0 where it is computed exactly)
 * @param iXTErr estimated standard error of iXT in bits (0 where it is computed exactly)
 * @param iTYErr estimated standard error of iTY in bits (0 where it is computed exactly)
 */
public record IpEstimate(double hX, double hT, double hY, double iXT, double iTY, OptionalDouble sigmaT,
    double hTErr, double iXTErr, double iTYErr) {

  /** An exactly computed point: every error is 0. */
  public IpEstimate(double hX, double hT, double hY, double iXT, double iTY, OptionalDouble sigmaT) {
    this(hX, hT, hY, iXT, iTY, sigmaT, 0.0, 0.0, 0.0);
  }
}
