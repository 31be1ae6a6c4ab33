package org.infoplane.cli;

/**
 * Input that cannot be used as given: the message names what and where (file, run, checkpoint,
 * layer, value). The command line reports it as one line and exits with status 2.
 */
public class BadInputException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public BadInputException(String message) {
    super(message);
  }

  public BadInputException(String message, Throwable cause) {
    super(message, cause);
  }
}
