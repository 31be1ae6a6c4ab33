package org.infoplane.estimator.ip;

import org.infoplane.estimator.matrix.DistancePrecision;

/**
 * Every test of {@link RenyiMultivariateEstimatorTest} with single-precision Gram products (the default), against the
 * same double-precision references, within {@link #FLOAT32_BITS_TOL}.
 */
class RenyiMultivariateEstimatorFloat32Test extends RenyiMultivariateEstimatorTest {

  @Override
  RenyiSettings settings() {
    return RenyiSettings.defaults().withDistancePrecision(DistancePrecision.FLOAT32);
  }
}
