package org.infoplane.snapshot;

/**
 * An archive, a file or data given to the archive that is not what the format requires. The message
 * names the run, split, checkpoint, layer and file as they apply.
 */
public class SnapshotFormatException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public SnapshotFormatException(String message) {
    super(message);
  }

  public SnapshotFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
