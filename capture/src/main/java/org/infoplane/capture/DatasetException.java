package org.infoplane.capture;

/**
 * A dataset file that cannot be used as given (missing, not IDX, truncated, inconsistent). The
 * message names the file and what is wrong; the command line reports it as bad input (exit 2).
 */
public class DatasetException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public DatasetException(String message) {
    super(message);
  }

  public DatasetException(String message, Throwable cause) {
    super(message, cause);
  }
}
