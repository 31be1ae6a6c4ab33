package org.infoplane.analysis;

/**
 * Quoting of SQL text, in one place. Values belong in parameters or the DataFrame API, never in the
 * text; what is left to quote is an identifier.
 */
final class Sql {

  private Sql() {}

  /** An identifier between backticks, any backtick in it doubled: {@code a`b} → {@code `a``b`}. */
  static String identifier(String name) {
    return "`" + name.replace("`", "``") + "`";
  }
}
