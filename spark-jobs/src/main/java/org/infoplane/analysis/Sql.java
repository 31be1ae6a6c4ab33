package org.infoplane.analysis;

/**
 * Quoting of SQL text, in one place. Values belong in parameters or the DataFrame API; what is
 * left to quote is an identifier (a column that a table's migration names) and the few literals of
 * a MERGE's target bounds ({@link AnalysisJob#bounds(String, java.util.Collection, boolean)}).
 */
final class Sql {

  private Sql() {}

  /** An identifier between backticks, any backtick in it doubled: {@code a`b} → {@code `a``b`}. */
  static String identifier(String name) {
    return "`" + name.replace("`", "``") + "`";
  }

  /** A string literal between single quotes, any single quote in it doubled. */
  static String literal(String value) {
    return "'" + value.replace("'", "''") + "'";
  }
}
