package org.infoplane.capture;

import org.nd4j.linalg.activations.impl.ActivationIdentity;

/**
 * An activation that records, in a system property, that its class was loaded and initialised: a
 * stand-in for any class a hostile configuration.json could name. See ModelFilesTest.
 */
public class RecordingActivation extends ActivationIdentity {
  private static final long serialVersionUID = 1L;

  /** The system property set when this class is initialised. */
  static final String LOADED = "infoplane.test.recording-activation-loaded";

  static {
    System.setProperty(LOADED, "true");
  }
}
