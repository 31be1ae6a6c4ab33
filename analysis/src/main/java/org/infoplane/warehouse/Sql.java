package org.infoplane.warehouse;

/**
 * Quoting of SQL text, in one place. Values belong in parameters or the DataFrame API, never in the
 * text; what is left to quote is an identifier, and the few values whose grammar takes no parameter
 * marker (the arguments of Iceberg's {@code CALL}, table properties), which {@link #string} quotes.
 */
final class Sql {

  private Sql() {}

  /** An identifier between backticks, any backtick in it doubled: {@code a`b} → {@code `a``b`}. */
  static String identifier(String name) {
    return "`" + name.replace("`", "``") + "`";
  }

  /**
   * A multi-part name, each part an {@link #identifier}: {@code ("ip-test", "ip", "runs")} →
   * {@code `ip-test`.`ip`.`runs`}. A part is one name, whatever it holds: a dot inside it is not a
   * separator.
   */
  static String qualified(String... parts) {
    if (parts.length == 0) {
      throw new IllegalArgumentException("a qualified name needs at least one part");
    }
    return String.join(".", java.util.Arrays.stream(parts).map(Sql::identifier).toList());
  }

  /**
   * A string literal, for a value where the grammar takes no parameter marker (Iceberg's {@code
   * CALL} arguments, {@code TBLPROPERTIES}): between single quotes, backslashes and single quotes
   * escaped with a backslash, as Spark's parser reads them: {@code it's} → {@code 'it\'s'}.
   */
  static String string(String value) {
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }
}
